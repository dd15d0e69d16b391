/** `/api/hub`: this hub's instance id and high-availability role (elected on PostgreSQL); a role change is in the audit. */
import { ERROR_CODES, fail, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { settingsChanges } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import { mapRoute } from './route-map';

export const hubRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const info = () => ok({ instanceId: hub.instanceId, siteId: hub.siteId, role: hub.role, points: hub.pointCount, ...(hub.pair ? { pair: hub.pair.standing() } : {}) });

  mapRoute(app, 'hub', async (_request, reply, answer) => answer(info()));

  mapRoute(app, 'setHubRole', async (request, reply, answer) => {
    const { role } = request.body;
    const result = await app.audit.inTurn('hub', async () => {
      const before = hub.role;
      const changed = await hub.setRole(role);
      return audited(request, 'hub.role', 'hub', changed.ok ? info() : changed, (after) => settingsChanges({ role: before }, { role: after.role }));
    });
    if (result.ok) request.log.info({ role, user: request.user?.name }, 'hub role changed');
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'hub.role', 'hub', fail(ERROR_CODES.INVALID, 'the request is not valid', fields), () => []) });
};
