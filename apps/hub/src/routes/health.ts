/** `/api/health` (anyone): whether the hub is fit to serve, for monitors and load balancers; 503 while not. */
import { ok, type HealthView } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { Hub } from '../hub';
import { mapRoute } from './route-map';

export const healthRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'health', async (_request, reply) => {
    const storage = hub.storage.status();
    const health: HealthView = { ready: storage.ok, storage };
    return reply.code(health.ready ? 200 : 503).send(ok(health));
  });
};
