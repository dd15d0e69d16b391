/**
 * Sign-in and roles on every route, by construction: each route states the role it needs in its
 * config (`public` only for signing in and the dashboard's files); a route that states nothing
 * needs `admin`. The check hangs on the route the router matched, never on the URL string, so
 * no spelling of a path (`/%61pi/users`, `//api/users`, `/x/../api/users`) reaches a route
 * without its role. The session cookie is read once per request, the WebSocket upgrade included.
 */
import { ERROR_CODES, fail, HTTP_STATUS, roleAllows, type Role, type User } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type {} from '@fastify/cookie';
import type { SessionRepo } from '../auth/session-repo';

export const SESSION_COOKIE = 'riohub_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `public`: anybody (signing in, the dashboard's files). Absent: admin only. */
    role?: Role | 'public';
    /** The route answers by upgrading to a WebSocket (the live socket): no other route is upgraded. */
    upgrades?: true;
  }
  interface FastifyRequest {
    user: User | undefined;
  }
}

export interface AuthOptions {
  sessions: SessionRepo;
}

/**
 * The role a request needs. No route matched: a browser navigating to one of the dashboard's
 * pages gets the page (it holds no data), anything else needs a session before it learns that
 * nothing is there.
 */
function neededRole(request: FastifyRequest): Role | 'public' {
  if (!request.is404) return request.routeOptions.config.role ?? 'admin';
  const page = (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');
  return page ? 'public' : 'viewer';
}

/** The signed-in user of a route that needs one; the guard has checked it, so absence is a bug, never `?`. */
export function signedInUser(request: FastifyRequest): User {
  if (!request.user) throw Object.assign(new Error('sign in first'), { statusCode: HTTP_STATUS.unauthenticated });
  return request.user;
}

const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { sessions }) => {
  app.decorateRequest('user', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    request.user = token ? await sessions.lookup(token) : undefined;
    const needed = neededRole(request);
    if (needed === 'public') return;
    if (!request.user) {
      return reply.code(HTTP_STATUS.unauthenticated).send(fail(ERROR_CODES.UNAUTHENTICATED, 'sign in first'));
    }
    if (!roleAllows(request.user.role, needed)) {
      return reply.code(HTTP_STATUS.forbidden).send(fail(ERROR_CODES.FORBIDDEN, `this needs the ${needed} role`));
    }
  });
};

export default fp(authPlugin, { name: 'riohub-auth', dependencies: ['@fastify/cookie'] });
