/**
 * Health for probes and monitors, open to anyone and to any host name: `/healthz` (the process
 * answers), `/readyz` (the store takes writes, the links have started; 503 otherwise) and
 * `/api/health`, readiness under its first name. The store is closed only after the links have
 * stopped, so a closed store is never ready either.
 */
import { ok, type HealthView } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Hub } from '../hub';
import { mapRoute } from './route-map';

export interface HealthRoutesOptions {
  hub: Hub;
}

/** The readiness as `request` may see it: why the storage fails only for a signed-in user. */
function readiness(hub: Hub, request: FastifyRequest): HealthView {
  const status = hub.storage.status();
  const links = hub.started;
  const storage = status.ok || request.user ? status : { ok: false as const, error: 'storage failing', since: status.since };
  return { ready: status.ok && links, storage, links };
}

/** `/healthz` and `/readyz`, at the root. */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { hub }) => {
  mapRoute(app, 'alive', async (_request, _reply, answer) => answer(ok({ alive: true })));
  mapRoute(app, 'ready', async (request, reply) => {
    const health = readiness(hub, request);
    return reply.code(health.ready ? 200 : 503).send(ok(health));
  });
};

/** `/api/health`: the same readiness as `/readyz`. */
export const apiHealthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { hub }) => {
  mapRoute(app, 'health', async (request, reply) => {
    const health = readiness(hub, request);
    return reply.code(health.ready ? 200 : 503).send(ok(health));
  });
};
