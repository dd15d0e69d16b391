/** Builds the hub's Fastify app from its services (never listens: see server.ts). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import { ERROR_CODES, fail, HTTP_STATUS } from '@riohub/hub-api';
import { API_PATH_PREFIX } from '@riohub/protocol';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import auditPlugin from './audit/audit-plugin';
import { SessionRepo } from './auth/session-repo';
import { SignInThrottle } from './auth/sign-in-throttle';
import { UserRepo } from './auth/user-repo';
import type { StorageHealth } from './db/storage-health';
import type { Store } from './db/store';
import type { Hub } from './hub';
import { MAX_REQUEST_LINE_BYTES, rioServerPlugin } from '@riohub/rio-server';
import { HubSource } from './served/hub-source';
import { ServedApiGuesses } from './served/served-api-guesses';
import { ServedApiSettings } from './served/served-api-settings';
import authPlugin, { SESSION_COOKIE } from './plugins/auth';
import crossSitePlugin from './plugins/cross-site';
import { auditRoutes } from './routes/audit';
import { apiHealthRoutes, healthRoutes } from './routes/health';
import { HubMetrics } from './metrics/hub-metrics';
import { metricsRoutes } from './routes/metrics';
import { MqttBridge } from './mqtt/mqtt-bridge';
import { registerMqttMetrics } from './mqtt/mqtt-metrics';
import { MqttSettings } from './mqtt/mqtt-settings';
import { mqttRoutes } from './routes/mqtt';
import { openapiRoutes } from './routes/openapi';
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
    /** Whether the store takes writes: what fails to store after an action is reported here. */
    storage: StorageHealth;
  }
}

export interface HubAppOptions {
  hub: Hub;
  store: Store;
  /** Cookies marked Secure (the hub is served over HTTPS). */
  secureCookies: boolean;
  logger?: FastifyBaseLogger;
  https?: { key: string; cert: string };
  /** Host names the dashboard answers to besides IP addresses (see the cross-site plugin). */
  allowedHosts?: readonly string[];
  /** The built dashboard (apps/web/dist), served at `/` to anyone: its API calls need sign-in. */
  webRoot?: string;
  /** `RIOHUB_METRICS_TOKEN`: `/metrics` is read from other machines with it (loopback needs none). */
  metricsToken?: string;
  /**
   * `--trust-proxy`: the reverse proxies (addresses, CIDR ranges, or `loopback`…) whose
   * X-Forwarded-For, -Host and -Proto are believed: the client's address, the host name checked
   * against DNS rebinding and cross-site requests, and whether cookies are Secure follow them.
   */
  trustProxy?: string;
}

/** The longest path parameter (a datapoint name, a logger id) the router takes. */
const MAX_PATH_PARAM_LENGTH = 2048;

/** What the router's own refusals mean to a client. */
const FRAMEWORK_ERRORS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL is not valid: a %-escape does not decode',
  FST_ERR_MAX_PARAM_LENGTH: `a name in the path is over ${MAX_PATH_PARAM_LENGTH} characters`,
};

/** The dashboard's build, beside the hub in this repository. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function buildHubApp(options: HubAppOptions): Promise<FastifyInstance> {
  const common = {
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    forceCloseConnections: true,
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    // Remote I/O API requests carry the password in the URL, and a poll every few seconds is no
    // news: the API plugin logs what is (refusals, writes), without the query.
    logController: new LogController({ disableRequestLogging: (request) => request.url.startsWith(API_PATH_PREFIX) }),
    // Datapoint names and logger ids have no length limit of their own; find-my-way's default is 100.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Requests the router cannot take (a bad %-escape, a name past the limit) are answered in the
    // API's envelope like any other, without echoing a URL that may hold a password.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) =>
      reply.code(HTTP_STATUS.invalid).send(fail(ERROR_CODES.INVALID, FRAMEWORK_ERRORS[error.code] ?? 'the request is not valid')),
  };
  // Two calls because Fastify types its instance by server kind; the app only needs the common surface.
  // Its own Remote I/O API takes writes as long as any server of that API does.
  const app = (
    options.https
      ? Fastify({ ...common, https: { ...options.https, maxHeaderSize: MAX_REQUEST_LINE_BYTES } })
      : Fastify({ ...common, http: { maxHeaderSize: MAX_REQUEST_LINE_BYTES } })
  ) as unknown as FastifyInstance;
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.decorate('storage', options.hub.storage);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Read when asked: a scope's own onRoute hook (registerPublic) may still set the role after this one.
    for (const method of methods) {
      // eslint-disable-next-line no-restricted-syntax -- once per route, at start-up
      if (method !== 'HEAD') routeTable.push({ method, url: route.url, get role() { return route.config?.role ?? 'admin'; } });
    }
  });
  const users = new UserRepo(options.store);
  const sessions = new SessionRepo(options.store);
  // Every route of the map validates its request with its zod schemas (routes/route-map.ts).
  app.setValidatorCompiler(validatorCompiler);
  // Answers are typed from the same schemas when the hub compiles: checking each again as it is
  // sent would cost (100,000 samples, 10,000 points) and find nothing the types do not.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await registerOpenApi(app);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    // Each statement is its own transaction, or part of one that rolled back: nothing half-saved.
    if (app.storage.isStorageError(error)) {
      app.storage.report(error);
      // A read fails so too where the store is out of reach (PostgreSQL down): the session's look-up.
      const outcome = request.method === 'GET' || request.method === 'HEAD' ? 'the request could not be answered' : 'the change was not saved';
      return reply.code(HTTP_STATUS['storage-failed']).send(fail(ERROR_CODES.STORAGE_FAILED, `${app.storage.describe(error)}: ${outcome}`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = status === 404 ? ERROR_CODES.NOT_FOUND : status < 500 ? ERROR_CODES.INVALID : ERROR_CODES.INTERNAL;
    return reply.code(status < 500 ? status : HTTP_STATUS.internal).send(fail(code, status < 500 ? error.message : 'internal error'));
  });
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const dashboardBuilt = existsSync(`${webRoot}/index.html`);
  app.setNotFoundHandler(async (request, reply) => {
    // A browser opening any other page of the single-page dashboard gets its index.html (the same
    // decision as the sign-in guard's: by what is asked for, never by the URL's spelling).
    const page = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (page && dashboardBuilt) return reply.type('text/html; charset=utf-8').send(await readFile(`${webRoot}/index.html`));
    return reply.code(404).send(fail(ERROR_CODES.NOT_FOUND, `no route ${request.method} ${request.url}`));
  });

  await app.register(cookie);
  if (dashboardBuilt) await registerPublic(app, fastifyStatic, { root: webRoot, wildcard: false });
  else app.log.warn(`the dashboard is not built (${webRoot}): run pnpm --filter @riohub/web build`);
  await app.register(websocket, { options: { maxPayload: 1 << 20 } });
  // After the WebSocket plugin, whose hook marks upgrades so that a refused one has its socket closed.
  await app.register(crossSitePlugin, { https: options.https !== undefined, allowedHosts: options.allowedHosts ?? ['localhost'] });
  await app.register(authPlugin, { sessions });
  // After the guard (an upgrade it refuses is refused as any request): a WebSocket upgrade of any
  // other route than the live socket's is no route of it, answered before the WebSocket plugin
  // would upgrade it, then close it.
  app.addHook('onRequest', async (request, reply) => {
    if (request.ws && !request.routeOptions.config.upgrades) {
      return reply.code(404).send(fail(ERROR_CODES.NOT_FOUND, `no WebSocket at ${request.method} ${request.url}`));
    }
  });
  // The audit of admin actions (`app.audit`), recorded by the routes that perform them.
  await app.register(auditPlugin, { store: options.store });
  await app.register(sessionRoutes, { prefix: '/api/session', users, sessions, throttle: new SignInThrottle(), secureCookies: options.secureCookies });
  await app.register(userRoutes, { prefix: '/api/users', users });
  await app.register(pointRoutes, { prefix: '/api', hub: options.hub });
  await app.register(remoteRoutes, { prefix: '/api/remotes', hub: options.hub });
  await app.register(writeRoutes, { prefix: '/api/writes', hub: options.hub });
  await app.register(auditRoutes, { prefix: '/api' });
  await app.register(hubRoutes, { prefix: '/api/hub', hub: options.hub });
  await app.register(healthRoutes, { hub: options.hub });
  await app.register(apiHealthRoutes, { prefix: '/api/health', hub: options.hub });
  const metrics = new HubMetrics({ hub: options.hub, liveClients: () => app.websocketServer.clients.size });
  app.addHook('onClose', async () => metrics.close());
  await app.register(metricsRoutes, { metrics, token: options.metricsToken, trustsProxy: options.trustProxy !== undefined });
  const servedSettings = await ServedApiSettings.load(options.store);
  await app.register(servedApiRoutes, { prefix: '/api/hub/served-api', hub: options.hub, settings: servedSettings });
  // The MQTT bridge (docs/mqtt.md): it follows its settings from now on, and stops with the app.
  const mqttSettings = await MqttSettings.load(options.store, options.hub.siteId);
  const bridge = new MqttBridge(options.hub, mqttSettings, app.log.child({ component: 'mqtt' }));
  registerMqttMetrics(metrics.registry, bridge);
  bridge.start();
  app.addHook('onClose', async () => bridge.stop());
  await app.register(mqttRoutes, { prefix: '/api/mqtt', settings: mqttSettings, bridge });
  const pair = options.hub.pair;
  if (pair) {
    // The hubs of a pair share these settings: a change made on one is read again by the others.
    servedSettings.share(() => pair.announce('served-api'));
    mqttSettings.share(() => pair.announce('mqtt'));
    const onNotice = (topic: string) => {
      if (topic === 'served-api' || topic === '*') void servedSettings.reload().catch((error: unknown) => app.log.warn({ err: error }, 'could not read the served API settings changed by another hub'));
      if (topic === 'mqtt' || topic === '*') void mqttSettings.reload().catch((error: unknown) => app.log.warn({ err: error }, 'could not read the MQTT settings changed by another hub'));
    };
    pair.on('notice', onNotice);
    app.addHook('onClose', async () => void pair.off('notice', onNotice));
  }
  // The hub's own Remote I/O API at /x/…, over the merged tree (PROTOCOL.md): hubs of hubs.
  const source = new HubSource(options.hub, options.hub.loggers.served());
  app.addHook('onClose', async () => source.close());
  // Public to the sign-in guard: the Remote I/O API checks its own password and client address.
  // The other hubs of a pair read it with the pair's key (a standby mirrors the active hub's tree).
  const guesses = new ServedApiGuesses(app.log.child({ component: 'served-api' }));
  app.addHook('onClose', async () => guesses.close());
  await registerPublic(app, rioServerPlugin, { source, settings: () => servedSettings.current(), peerKey: () => options.hub.pair?.peerKey, guesses });
  await app.register(loggerRoutes, { prefix: '/api/loggers', hub: options.hub });
  await app.register(wsRoutes, { prefix: '/api', hub: options.hub, sessions });
  await app.register(openapiRoutes, { prefix: '/api' });
  return app;
}

/**
 * Collects every route registered after it into the OpenAPI 3.1 document (`GET /api/openapi.json`):
 * the routes of the map, from their schemas; the dashboard's files and the Remote I/O API at `/x/…`
 * (which have none) are left out.
 */
async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'riohub REST API',
        version: '1',
        description:
          'The hub\'s REST API (docs/rest-api.md). Every JSON answer is `{"ok":true,"data":…}` or `{"ok":false,"error":{"code","message","fields"?}}`; ' +
          'every route but signing in and the probes needs the session cookie that `POST /api/session` sets.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [{ session: [] }],
    },
    // A plugin's own root (`/api/health` with prefix and `/`) is registered with a trailing slash too: one path.
    transform: (route) => (route.schema?.operationId ? jsonSchemaTransform({ ...route, url: route.url.replace(/(.)\/$/, '$1') }) : { schema: { hide: true }, url: route.url }),
    transformObject: jsonSchemaTransformObject,
  });
}

/**
 * Registers a plugin whose routes are open to anyone as far as sessions go (the dashboard's files;
 * the Remote I/O API, which authenticates by its own password), in a scope of its own so that
 * every other route keeps the admin-only default.
 */
async function registerPublic<Options extends object>(app: FastifyInstance, plugin: FastifyPluginAsync<Options>, options: Options): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, role: 'public' };
    });
    await scope.register(plugin, options);
  });
}
