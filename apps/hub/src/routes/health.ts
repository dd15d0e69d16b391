/** `/api/health` (anyone): whether the hub is fit to serve, for monitors and load balancers; 503 while not. */
import { ok, type HealthView } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { Hub } from '../hub';
import { mapRoute } from './route-map';

export const healthRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'health', async (request, reply) => {
    const status = hub.storage.status();
    // Anybody learns whether the hub is ready and since when not; why, only a signed-in user.
    const storage = status.ok || request.user ? status : { ok: false as const, error: 'storage failing', since: status.since };
    const health: HealthView = { ready: status.ok, storage };
    return reply.code(health.ready ? 200 : 503).send(ok(health));
  });
};
