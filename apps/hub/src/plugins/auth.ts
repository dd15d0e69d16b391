/**
 * Sign-in and roles on every `/api` route, by construction: each route states the role it needs in
 * its config (`public` only for signing in); a route that states nothing needs `admin`. The session
 * cookie is read once per request, the WebSocket upgrade included. Outside `/api` are only the
 * dashboard's static files, which anyone may load (the sign-in page is one of them).
 */
import { ERROR_CODES, fail, HTTP_STATUS, roleAllows, type Role, type User } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type {} from '@fastify/cookie';
import type { SessionRepo } from '../auth/session-repo';

export const SESSION_COOKIE = 'riohub_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `public`: anybody (signing in). Absent: admin only. */
    role?: Role | 'public';
  }
  interface FastifyRequest {
    user: User | undefined;
  }
}

export interface AuthOptions {
  sessions: SessionRepo;
}

const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { sessions }) => {
  app.decorateRequest('user', undefined);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') && request.url !== '/api') return;
    const token = request.cookies[SESSION_COOKIE];
    request.user = token ? sessions.lookup(token) : undefined;
    const needed = request.routeOptions.config.role ?? 'admin';
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
