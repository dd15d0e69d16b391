/** `/api/hub`: this hub's instance id and high-availability role; a role change is in the audit. */
import { ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { settingsChanges } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import { parse } from './reply';
import { mapRoute } from './route-map';

const roleSchema = z.object({ role: z.enum(['active', 'inactive'], 'must be active or inactive') }).strict();

export const hubRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const info = () => ok({ instanceId: hub.instanceId, role: hub.role, points: hub.pointCount });

  mapRoute(app, 'hub', async (_request, reply, answer) => answer(info()));

  mapRoute(app, 'setHubRole', async (request, reply, answer) => {
    const before = hub.role;
    const input = parse(roleSchema, request.body);
    if (input.ok) {
      await hub.setRole(input.data.role);
      request.log.info({ role: input.data.role, user: request.user?.name }, 'hub role changed');
    }
    const result = input.ok ? info() : input;
    audited(request, 'hub.role', 'hub', result, (after) => settingsChanges({ role: before }, { role: after.role }));
    return answer(result);
  });
};
