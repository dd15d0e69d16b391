/**
 * `/metrics` in Prometheus' text format (metrics/hub-metrics.ts). Open without sign-in to clients
 * on this machine (loopback, or behind --trust-proxy the forwarded client's address); from
 * elsewhere only with `Authorization: Bearer <RIOHUB_METRICS_TOKEN>`, and not at all while that is
 * unset.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ERROR_CODES, fail } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HubMetrics } from '../metrics/hub-metrics';
import { mapRoute } from './route-map';

export interface MetricsRoutesOptions {
  metrics: HubMetrics;
  /** `RIOHUB_METRICS_TOKEN`: admits scrapers from other machines; unset, only loopback is. */
  token: string | undefined;
  /** `--trust-proxy` is set: `request.ip` is then the client's, as its proxy forwarded it. */
  trustsProxy: boolean;
}

/** Whether an address (as `request.ip` has it) is this machine's loopback. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/** Compared as digests, in constant time: neither its length nor a prefix leaks. */
function sameToken(given: string, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics, token, trustsProxy }) => {
  mapRoute(app, 'metrics', async (request, reply) => {
    const given = bearerToken(request);
    // Behind a reverse proxy on this machine every client comes from loopback: a request it
    // forwarded (and --trust-proxy did not resolve) is no local one, and needs the token.
    const forwarded = !trustsProxy && (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined);
    const local = isLoopbackAddress(request.ip) && !forwarded;
    const admitted = (token !== undefined && given !== undefined && sameToken(given, token)) || local;
    if (!admitted) {
      if (token === undefined) {
        return reply
          .code(403)
          .send(fail(ERROR_CODES.FORBIDDEN, 'metrics are served to this machine only: set RIOHUB_METRICS_TOKEN to read them from elsewhere with Authorization: Bearer'));
      }
      reply.header('www-authenticate', 'Bearer realm="riohub metrics"');
      return reply.code(401).send(fail(ERROR_CODES.UNAUTHENTICATED, 'metrics need Authorization: Bearer with the token in RIOHUB_METRICS_TOKEN'));
    }
    const { contentType, text } = await metrics.scrape();
    return reply.type(contentType).send(text);
  });
};
