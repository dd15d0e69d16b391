/** `/api/hub`: this hub's instance id and high-availability role. */
import { ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../hub';
import { parse, send } from './reply';

const roleSchema = z.object({ role: z.enum(['active', 'inactive'], 'must be active or inactive') }).strict();

export const hubRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const info = () => ok({ instanceId: hub.instanceId, role: hub.role, points: hub.tree.size });

  app.get('/', { config: { role: 'viewer' } }, async (_request, reply) => send(reply, info()));

  app.put('/role', { config: { role: 'admin' } }, async (request, reply) => {
    const input = parse(roleSchema, request.body);
    if (!input.ok) return send(reply, input);
    await hub.setRole(input.data.role);
    request.log.info({ role: input.data.role, user: request.user?.name }, 'hub role changed');
    return send(reply, info());
  });
};
