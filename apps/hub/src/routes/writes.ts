/** `/api/writes`: an operator's write to a remote, and the write log. */
import { ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { Hub } from '../hub';
import { signedInUser } from '../plugins/auth';
import { mapRoute } from './route-map';

export const writeRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'write', async (request, reply, answer) => {
    return answer(await hub.write(request.body, { user: signedInUser(request).name, via: 'rest' }));
  });

  mapRoute(app, 'writeLog', async (request, reply, answer) => {
    return answer(ok(await hub.writes.history(request.query.limit, request.query.before)));
  });
};
