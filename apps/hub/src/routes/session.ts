/** `/api/session`: sign in, who am I, sign out. */
import { ERROR_CODES, fail, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/cookie';
import { z } from 'zod';
import type { SessionRepo } from '../auth/session-repo';
import type { SignInThrottle } from '../auth/sign-in-throttle';
import type { UserRepo } from '../auth/user-repo';
import { SESSION_COOKIE } from '../plugins/auth';
import { SESSION_TTL_MS } from '../auth/session-repo';
import { parse, send } from './reply';

export interface SessionRoutesOptions {
  users: UserRepo;
  sessions: SessionRepo;
  throttle: SignInThrottle;
  secureCookies: boolean;
}

const signInSchema = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();

export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, { users, sessions, throttle, secureCookies }) => {
  app.post('/', { config: { role: 'public' } }, async (request, reply) => {
    const input = parse(signInSchema, request.body);
    if (!input.ok) return send(reply, input);
    const { name, password } = input.data;
    const delay = throttle.begin(name, request.ip);
    if (delay === undefined) return send(reply, fail(ERROR_CODES.BUSY, 'a sign-in for this name is being checked: try again'));
    let user;
    try {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      user = await users.authenticate(name, password);
    } finally {
      throttle.end(name, request.ip);
    }
    if (!user) {
      throttle.failed(name, request.ip);
      request.log.warn({ user: name, client: request.ip }, 'sign-in failed');
      return send(reply, fail(ERROR_CODES.BAD_CREDENTIALS, 'wrong name or password'));
    }
    throttle.succeeded(name, request.ip);
    reply.setCookie(SESSION_COOKIE, sessions.create(user.name), {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookies,
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    request.log.info({ user: user.name }, 'signed in');
    return send(reply, ok(user));
  });

  app.get('/', { config: { role: 'viewer' } }, async (request, reply) => send(reply, ok(request.user)));

  app.delete('/', { config: { role: 'viewer' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) sessions.delete(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return send(reply, ok({ signedOut: true }));
  });
};
