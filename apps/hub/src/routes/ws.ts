/** `/api/ws` (viewer): the live channel to browsers. Sessions hear the tree and the hub's events. */
import type { RemoteView, WriteRecord } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type {} from '@fastify/websocket';
import { BrowserSession } from '../browsers/browser-session';
import type { Hub } from '../hub';

export const wsRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const sessions = new Set<BrowserSession>();
  const unsubscribe = hub.tree.onChange(({ point }) => {
    for (const session of sessions) session.offer(point);
  });
  const onRemotes = (remotes: RemoteView[]) => {
    for (const session of sessions) session.send({ type: 'remotes', payload: { remotes } });
  };
  const onRemoved = (names: string[]) => {
    for (const session of sessions) session.send({ type: 'removed', payload: { names } });
  };
  const onConfirmed = (record: WriteRecord) => {
    for (const session of sessions) if (session.userName === record.user) session.send({ type: 'write-confirmed', payload: { record } });
  };
  hub.on('remotes', onRemotes);
  hub.on('removed', onRemoved);
  hub.on('confirmed', onConfirmed);
  app.addHook('onClose', async () => {
    unsubscribe();
    hub.off('remotes', onRemotes);
    hub.off('removed', onRemoved);
    hub.off('confirmed', onConfirmed);
  });

  app.get('/ws', { websocket: true, config: { role: 'viewer' } }, (socket, request) => {
    const session = new BrowserSession(socket, request.user as NonNullable<typeof request.user>, hub);
    sessions.add(session);
    session.send({ type: 'remotes', payload: { remotes: hub.remotes() } });
    socket.on('message', (data) => {
      session.receive(data.toString()).catch((error: unknown) => request.log.error({ err: error }, 'browser message failed'));
    });
    socket.on('close', () => {
      sessions.delete(session);
      session.close();
    });
  });
};
