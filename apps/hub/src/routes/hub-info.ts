/** `/api/hub`: this hub's instance id and high-availability role; a role change is in the audit. */
import { ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { settingsChanges } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import { parse, send } from './reply';

const roleSchema = z.object({ role: z.enum(['active', 'inactive'], 'must be active or inactive') }).strict();

export const hubRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const info = () => ok({ instanceId: hub.instanceId, role: hub.role, points: hub.tree.size });

  app.get('/', { config: { role: 'viewer' } }, async (_request, reply) => send(reply, info()));

  app.put('/role', { config: { role: 'admin' } }, async (request, reply) => {
    const before = hub.role;
    const input = parse(roleSchema, request.body);
    if (input.ok) {
      await hub.setRole(input.data.role);
      request.log.info({ role: input.data.role, user: request.user?.name }, 'hub role changed');
    }
    const result = input.ok ? info() : input;
    audited(request, 'hub.role', 'hub', result, (after) => settingsChanges({ role: before }, { role: after.role }));
    return send(reply, result);
  });
};
