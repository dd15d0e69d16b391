/** `/api/hub/served-api` (admin): the settings of the hub's own Remote I/O API, applied at once. */
import { ERROR_CODES, fail, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { Hub } from '../hub';
import type { ServedApiSettings } from '../served/served-api-settings';
import { send } from './reply';

export const servedApiRoutes: FastifyPluginAsync<{ hub: Hub; settings: ServedApiSettings }> = async (app, { hub, settings }) => {
  app.get('/', { config: { role: 'admin' } }, async (_request, reply) => send(reply, ok(settings.view(hub.instanceId))));

  app.put('/', { config: { role: 'admin' } }, async (request, reply) => {
    const updated = settings.update(request.body);
    if (!updated.ok) return send(reply, fail(ERROR_CODES.INVALID, 'the served API settings are not valid', updated.fields));
    const view = settings.view(hub.instanceId);
    // The view carries no password; what changed is logged without it.
    request.log.info({ user: request.user?.name, served: view }, 'served API settings changed');
    return send(reply, ok(view));
  });
};
