/** `/api/ws` (viewer): the live channel to browsers. Sessions hear the tree, the hub's events and the loggers' states. */
import { confirmationHasListener, ERROR_CODES, fail, type LoggerView, type ServerMessage } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { SessionRepo } from '../auth/session-repo';
import { BrowserSession } from '../browsers/browser-session';
import type { Hub } from '../hub';
import { SESSION_COOKIE, signedInUser } from '../plugins/auth';
import { mapRoute } from './route-map';

/** A socket that has not answered a ping by the next one is dead (half-open) and is dropped. */
const HEARTBEAT_MS = 30_000;
/**
 * How often an open socket checks that its session still exists: a sign-out elsewhere, a new
 * password or `riohub --reset-password` (another process, so no event reaches this one) end it.
 */
const SESSION_CHECK_MS = 5_000;
/**
 * The loggers' list goes out at most this often: a logger catching up stores pages many times a
 * second, and the table shows counts and states, not each page.
 */
const LOGGERS_PUSH_MS = 1_000;

export const wsRoutes: FastifyPluginAsync<{ hub: Hub; sessions: SessionRepo }> = async (app, { hub, sessions: sessionRepo }) => {
  const sessions = new Set<BrowserSession>();
  const broadcast = (message: ServerMessage) => {
    for (const session of sessions) session.send(message);
  };
  // One list for every session, read once per push.
  let loggersPush: NodeJS.Timeout | undefined;
  // The list is read from the store, one read after another: an older list is never sent after a newer one.
  let loggersRead: Promise<void> = Promise.resolve();
  const withLoggers = (send: (loggers: LoggerView[]) => void, log: { error(fields: object, message: string): void }) => {
    loggersRead = loggersRead.then(() => hub.loggers.views()).then(send, (error: unknown) => log.error({ err: error }, 'loggers not sent'));
  };
  // The merged topology goes out whole, once per burst of changes (remotes reconnecting together).
  let topologyPush: NodeJS.Immediate | undefined;
  const stopListening = hub.listen({
    point: (point) => {
      for (const session of sessions) session.offer(point);
    },
    applied: () => {
      for (const session of sessions) session.flushNow();
    },
    remotes: (remotes) => broadcast({ type: 'remotes', payload: { remotes } }),
    removed: (points) => {
      for (const session of sessions) session.forget(points);
      broadcast({ type: 'removed', payload: { points } });
    },
    deleted: (name) => broadcast({ type: 'remote-deleted', payload: { name } }),
    storage: (storage) => broadcast({ type: 'storage', payload: storage }),
    pair: (standing) => broadcast({ type: 'pair', payload: standing }),
    // The writer's sessions hear that their write came back: writes of other channels have none.
    confirmed: (record) => {
      if (!confirmationHasListener(record)) return;
      for (const session of sessions) if (session.userName === record.user) session.send({ type: 'write-confirmed', payload: { record } });
    },
    loggers: () => {
      loggersPush ??= setTimeout(() => {
        loggersPush = undefined;
        if (sessions.size > 0) withLoggers((loggers) => broadcast({ type: 'loggers', payload: { loggers } }), app.log);
      }, LOGGERS_PUSH_MS);
    },
    topology: () => {
      topologyPush ??= setImmediate(() => {
        topologyPush = undefined;
        if (sessions.size > 0) broadcast({ type: 'topology', payload: { devices: hub.topology() } });
      });
    },
  });
  app.addHook('onClose', async () => {
    stopListening();
    clearTimeout(loggersPush);
    clearImmediate(topologyPush);
    // A list being read is read before the store closes.
    await loggersRead;
  });

  // Pages of other sites are refused before this, by the cross-site plugin.
  mapRoute(
    app,
    'live',
    async (_request, _reply, answer) => answer(fail(ERROR_CODES.INVALID, 'this is the live WebSocket: open it with an upgrade request')),
    {
      wsHandler: (socket, request) => {
        const token = request.cookies[SESSION_COOKIE] ?? '';
        const user = signedInUser(request);
        const session = new BrowserSession(socket, user, hub, () => sessionRepo.lookup(token));
        sessions.add(session);
        session.send({ type: 'remotes', payload: { remotes: hub.remotes() } });
        // Sent once read, after the messages below.
        withLoggers((loggers) => session.send({ type: 'loggers', payload: { loggers } }), request.log);
        session.send({ type: 'storage', payload: hub.storage.status() });
        if (hub.pair) session.send({ type: 'pair', payload: hub.pair.standing() });
        session.send({ type: 'topology', payload: { devices: hub.topology() } });

        let alive = true;
        socket.on('pong', () => (alive = true));
        const heartbeat = setInterval(() => {
          if (!alive) return socket.terminate();
          alive = false;
          socket.ping();
        }, HEARTBEAT_MS);
        const sessionCheck = setInterval(() => {
          sessionRepo.lookup(token).then(
            (current) => {
              if (!current) socket.close(4401, 'session ended');
              else session.follow(current);
            },
            // The store failing is no ended session: its health says it (once), the next check asks again.
            (error: unknown) => {
              if (hub.storage.isStorageError(error)) hub.storage.report(error);
              else request.log.error({ err: error }, 'session check failed');
            },
          );
        }, SESSION_CHECK_MS);

        socket.on('message', (data) => {
          session.receive(data.toString()).catch((error: unknown) => request.log.error({ err: error }, 'browser message failed'));
        });
        socket.on('close', () => {
          clearInterval(heartbeat);
          clearInterval(sessionCheck);
          sessions.delete(session);
          session.close();
        });
      },
    },
  );
};
