/** Builds the hub's Fastify app from its services (never listens: see server.ts). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import { ERROR_CODES, fail, HTTP_STATUS } from '@riohub/hub-api';
import { API_PATH_PREFIX } from '@riohub/protocol';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { SessionRepo } from './auth/session-repo';
import { SignInThrottle } from './auth/sign-in-throttle';
import { UserRepo } from './auth/user-repo';
import type { HubDatabase } from './db/database';
import type { Hub } from './hub';
import { rioServerPlugin } from '@riohub/rio-server';
import { HubSource } from './served/hub-source';
import { ServedApiSettings } from './served/served-api-settings';
import authPlugin from './plugins/auth';
import { hubRoutes } from './routes/hub-info';
import { loggerRoutes } from './routes/loggers';
import { pointRoutes } from './routes/points';
import { remoteRoutes } from './routes/remotes';
import { servedApiRoutes } from './routes/served-api';
import { sessionRoutes } from './routes/session';
import { userRoutes } from './routes/users';
import { writeRoutes } from './routes/writes';
import { wsRoutes } from './routes/ws';

/** A registered route and the role it needs: the table the sign-in guard enforces. */
export interface RouteEntry {
  method: string;
  url: string;
  role: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

export interface HubAppOptions {
  hub: Hub;
  db: HubDatabase;
  /** Cookies marked Secure (the hub is served over HTTPS). */
  secureCookies: boolean;
  logger?: FastifyBaseLogger;
  https?: { key: string; cert: string };
  /** The built dashboard (apps/web/dist), served at `/` to anyone: its API calls need sign-in. */
  webRoot?: string;
}

/** The dashboard's build, beside the hub in this repository. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function buildHubApp(options: HubAppOptions): Promise<FastifyInstance> {
  const common = {
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    forceCloseConnections: true,
    // Remote I/O API requests carry the password in the URL, and a poll every few seconds is no
    // news: the API plugin logs what is (refusals, writes), without the query.
    logController: new LogController({ disableRequestLogging: (request) => request.url.startsWith(API_PATH_PREFIX) }),
  };
  // Two calls because Fastify types its instance by server kind; the app only needs the common surface.
  const app = (options.https ? Fastify({ ...common, https: options.https }) : Fastify(common)) as unknown as FastifyInstance;
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routeTable.push({ method, url: route.url, role: route.config?.role ?? 'admin' });
  });
  const users = new UserRepo(options.db);
  const sessions = new SessionRepo(options.db);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = status === 404 ? ERROR_CODES.NOT_FOUND : status < 500 ? ERROR_CODES.INVALID : ERROR_CODES.INTERNAL;
    return reply.code(status < 500 ? status : HTTP_STATUS.internal).send(fail(code, status < 500 ? error.message : 'internal error'));
  });
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const dashboardBuilt = existsSync(`${webRoot}/index.html`);
  app.setNotFoundHandler((request, reply) => {
    // Any other page of the single-page dashboard is its index.html; the router takes it from there.
    if (request.method === 'GET' && !request.url.startsWith('/api/') && dashboardBuilt) return reply.sendFile('index.html');
    return reply.code(404).send(fail(ERROR_CODES.NOT_FOUND, `no route ${request.method} ${request.url}`));
  });

  await app.register(cookie);
  if (dashboardBuilt) await app.register(fastifyStatic, { root: webRoot, wildcard: false });
  else app.log.warn(`the dashboard is not built (${webRoot}): run pnpm --filter @riohub/web build`);
  await app.register(websocket, { options: { maxPayload: 1 << 20 } });
  await app.register(authPlugin, { sessions });
  await app.register(sessionRoutes, { prefix: '/api/session', users, sessions, throttle: new SignInThrottle(), secureCookies: options.secureCookies });
  await app.register(userRoutes, { prefix: '/api/users', users });
  await app.register(pointRoutes, { prefix: '/api', hub: options.hub });
  await app.register(remoteRoutes, { prefix: '/api/remotes', hub: options.hub });
  await app.register(writeRoutes, { prefix: '/api/writes', hub: options.hub });
  await app.register(hubRoutes, { prefix: '/api/hub', hub: options.hub });
  const servedSettings = new ServedApiSettings(options.db);
  await app.register(servedApiRoutes, { prefix: '/api/hub/served-api', hub: options.hub, settings: servedSettings });
  // The hub's own Remote I/O API at /x/…, over the merged tree (PROTOCOL.md): hubs of hubs.
  const source = new HubSource(options.hub, options.hub.loggers.served());
  app.addHook('onClose', async () => source.close());
  await app.register(rioServerPlugin, { source, settings: () => servedSettings.current() });
  await app.register(loggerRoutes, { prefix: '/api/loggers', hub: options.hub });
  await app.register(wsRoutes, { prefix: '/api', hub: options.hub, sessions });
  return app;
}
