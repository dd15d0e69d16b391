/**
 * `/api/hub/served-api` (admin): the settings of the hub's own Remote I/O API, applied at once.
 * Changes are in the audit, the password only as set, changed or cleared.
 */
import { ERROR_CODES, fail, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { secretChange, settingsChanges, without } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import type { ServedApiSettings } from '../served/served-api-settings';
import { mapRoute } from './route-map';

export const servedApiRoutes: FastifyPluginAsync<{ hub: Hub; settings: ServedApiSettings }> = async (app, { hub, settings }) => {
  mapRoute(app, 'servedApi', async (_request, reply, answer) => answer(ok(settings.view(hub.instanceId))));

  mapRoute(app, 'updateServedApi', async (request, reply, answer) => {
    const passwordSent = request.body.password !== undefined;
    const result = await app.audit.inTurn('served-api', async () => {
      // Before and after this change, whatever other changes are queued around it.
      const change = await settings.update(request.body);
      const before = settings.view(hub.instanceId, change.before);
      return audited(request, 'served-api.update', 'served-api', ok(settings.view(hub.instanceId, change.after)), (after) => [
        ...settingsChanges(without(before, 'hasPassword', 'instanceId'), without(after, 'hasPassword', 'instanceId')),
        ...secretChange('password', passwordSent, before.hasPassword, after.hasPassword),
      ]);
    });
    // The view carries no password; what changed is logged without it.
    if (result.ok) request.log.info({ user: request.user?.name, served: result.data }, 'served API settings changed');
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'served-api.update', 'served-api', fail(ERROR_CODES.INVALID, 'the served API settings are not valid', fields), () => []) });
};
