/** `/api/ws` (viewer): the live channel to browsers. Sessions hear the tree, the hub's events and the loggers' states. */
import { ERROR_CODES, fail, type PointRef, type RemoteView, type StorageStatus, type WriteRecord } from '@riohub/hub-api';
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
  const unsubscribe = hub.tree.onChange(({ point }) => {
    for (const session of sessions) session.offer(point);
  });
  const onRemotes = (remotes: RemoteView[]) => {
    for (const session of sessions) session.send({ type: 'remotes', payload: { remotes } });
  };
  const onRemoved = (points: PointRef[]) => {
    for (const session of sessions) session.send({ type: 'removed', payload: { points } });
  };
  const onConfirmed = (record: WriteRecord) => {
    for (const session of sessions) if (session.userName === record.user) session.send({ type: 'write-confirmed', payload: { record } });
  };
  const onDeleted = (name: string) => {
    for (const session of sessions) session.send({ type: 'remote-deleted', payload: { name } });
  };
  // One list for every session, read once per push.
  let loggersPush: NodeJS.Timeout | undefined;
  const unsubscribeLoggers = hub.loggers.onChange(() => {
    loggersPush ??= setTimeout(() => {
      loggersPush = undefined;
      if (sessions.size === 0) return;
      const loggers = hub.loggers.views();
      for (const session of sessions) session.send({ type: 'loggers', payload: { loggers } });
    }, LOGGERS_PUSH_MS);
  });
  // The merged topology goes out whole, once per burst of changes (remotes reconnecting together).
  let topologyPush: NodeJS.Immediate | undefined;
  const onTopology = () => {
    topologyPush ??= setImmediate(() => {
      topologyPush = undefined;
      if (sessions.size === 0) return;
      const devices = hub.topology();
      for (const session of sessions) session.send({ type: 'topology', payload: { devices } });
    });
  };
  const onStorage = (storage: StorageStatus) => {
    for (const session of sessions) session.send({ type: 'storage', payload: storage });
  };
  hub.storage.on('change', onStorage);
  hub.on('remotes', onRemotes);
  hub.on('removed', onRemoved);
  hub.on('confirmed', onConfirmed);
  hub.on('deleted', onDeleted);
  hub.on('topology', onTopology);
  app.addHook('onClose', async () => {
    unsubscribe();
    unsubscribeLoggers();
    clearTimeout(loggersPush);
    hub.storage.off('change', onStorage);
    hub.off('remotes', onRemotes);
    hub.off('removed', onRemoved);
    hub.off('confirmed', onConfirmed);
    hub.off('deleted', onDeleted);
    hub.off('topology', onTopology);
    clearImmediate(topologyPush);
  });

  // Pages of other sites are refused before this, by the cross-site plugin.
  mapRoute(
    app,
    'live',
    async (_request, _reply, answer) => answer(fail(ERROR_CODES.INVALID, 'this is the live WebSocket: open it with an upgrade request')),
    (socket, request) => {
      const token = request.cookies[SESSION_COOKIE] ?? '';
      const user = signedInUser(request);
      const session = new BrowserSession(socket, user, hub, () => sessionRepo.lookup(token));
      sessions.add(session);
      session.send({ type: 'remotes', payload: { remotes: hub.remotes() } });
      session.send({ type: 'loggers', payload: { loggers: hub.loggers.views() } });
      session.send({ type: 'storage', payload: hub.storage.status() });
      session.send({ type: 'topology', payload: { devices: hub.topology() } });

      let alive = true;
      socket.on('pong', () => (alive = true));
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, HEARTBEAT_MS);
      const sessionCheck = setInterval(() => {
        if (!sessionRepo.lookup(token)) socket.close(4401, 'session ended');
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
  );
};
