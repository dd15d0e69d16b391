/** `/api/session`: sign in, who am I, sign out. */
import { ERROR_CODES, fail, ok } from '@riohub/hub-api';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/cookie';
import type { SessionRepo } from '../auth/session-repo';
import { endedAttackFields, REFILL_MS, type SignInThrottle } from '../auth/sign-in-throttle';
import type { UserRepo } from '../auth/user-repo';
import { recordAudit } from '../audit/audit-plugin';
import { SESSION_COOKIE, signedInUser } from '../plugins/auth';
import { SESSION_TTL_MS } from '../auth/session-repo';
import { mapRoute } from './route-map';

export interface SessionRoutesOptions {
  users: UserRepo;
  sessions: SessionRepo;
  throttle: SignInThrottle;
  secureCookies: boolean;
}

/** A sign-in's body: a name (64) and a password (256 characters), escaped, with room to spare. */
const SIGN_IN_BODY_LIMIT = 16 * 1024;

/** How often ended attacks are looked for (and old entries forgotten). */
const SWEEP_MS = 10_000;

const REFUSALS: Record<'in-flight' | 'address' | 'any-name' | 'account', (seconds: number) => string> = {
  'in-flight': () => 'sign-ins from this address are being checked: try again',
  address: (seconds) => `too many failed sign-ins for this name from this address: try again in ${seconds} s`,
  'any-name': (seconds) => `too many failed sign-ins from this address: try again in ${seconds} s`,
  account: (seconds) => `too many failed sign-ins for this name: try again in ${seconds} s`,
};

export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, { users, sessions, throttle, secureCookies }) => {
  // An attack that stopped is reported even when nobody tries its name again.
  const sweeper = setInterval(() => {
    throttle.sweep();
    logReports(app.log, throttle);
  }, SWEEP_MS);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  // Anyone may send one: a body past what a name and a password need is refused unparsed (a
  // megabyte of nested brackets held the event loop 0.4 s in JSON.parse).
  mapRoute(app, 'signIn', async (request, reply, answer) => {
    const { name, password } = request.body;
    const verdict = throttle.begin(name, request.ip);
    if (!verdict.check) {
      logReports(request.log, throttle);
      // Answered at once, unchecked: a throttled guess holds no socket and costs no scrypt.
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      reply.header('retry-after', String(seconds));
      return answer(fail(ERROR_CODES.BUSY, REFUSALS[verdict.why](seconds)));
    }
    let user;
    try {
      user = await users.authenticate(name, password, { first: verdict.trusted });
    } catch (error) {
      throttle.settle(name, request.ip, false);
      throw error;
    }
    const worthALine = throttle.settle(name, request.ip, user !== undefined);
    logReports(request.log, throttle);
    if (!user) {
      if (worthALine) request.log.warn({ user: name, client: request.ip }, 'sign-in failed');
      return answer(fail(ERROR_CODES.BAD_CREDENTIALS, 'wrong name or password'));
    }
    reply.setCookie(SESSION_COOKIE, await sessions.create(user.name), {
      httpOnly: true,
      sameSite: 'strict',
      // Behind a trusted reverse proxy that serves HTTPS (X-Forwarded-Proto), the hub itself may be plain HTTP.
      secure: secureCookies || request.protocol === 'https',
      path: '/',
      maxAge: SESSION_TTL_MS / 1000,
    });
    request.log.info({ user: user.name }, 'signed in');
    await recordAudit(request, { user: user.name, address: request.ip, action: 'session.sign-in', target: user.name, outcome: 'done', changes: [] });
    return answer(ok(user));
  }, { bodyLimit: SIGN_IN_BODY_LIMIT });

  mapRoute(app, 'session', async (request, reply, answer) => answer(ok(signedInUser(request))));

  mapRoute(app, 'signOut', async (request, reply, answer) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await sessions.delete(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    const { name } = signedInUser(request);
    await recordAudit(request, { user: name, address: request.ip, action: 'session.sign-out', target: name, outcome: 'done', changes: [] });
    return answer(ok({ signedOut: true }));
  });
};

/** One line when an attack on a name starts, one when it ends: never one per guess. */
function logReports(log: FastifyBaseLogger, throttle: SignInThrottle): void {
  for (const report of throttle.takeReports()) {
    const user = report.name ?? '(names beyond the tracked ones)';
    if (report.kind === 'started') {
      log.warn(
        { user, perMinute: 60_000 / REFILL_MS },
        'sign-in attack: too many failed sign-ins for this name; addresses where it has not signed in are throttled',
      );
    } else {
      log.warn({ user, ...endedAttackFields(report) }, 'sign-in attack ended');
    }
  }
}
