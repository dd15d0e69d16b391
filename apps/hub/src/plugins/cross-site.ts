/**
 * What another site may do with a signed-in browser: nothing. Security headers on every answer
 * (a content security policy with no inline script that no page may frame, nosniff, no referrer,
 * HSTS when served over HTTPS), and every request that changes state, or opens the live socket,
 * refused with 403 when its Origin (or, lacking one, its Referer) is not the hub itself. The
 * session cookie is SameSite=Strict as well; this holds without relying on it, and covers pages
 * on another port of the same host, which SameSite counts as the same site.
 */
import helmet from '@fastify/helmet';
import { ERROR_CODES, fail, HTTP_STATUS } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export interface CrossSiteOptions {
  /** The hub is served over HTTPS: browsers are told to keep to it (HSTS). */
  https: boolean;
}

/** A year, in seconds: what HSTS preload lists ask for. */
const HSTS_MAX_AGE_S = 31_536_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin a browser says the request comes from: its Origin, else its Referer's; none from other clients. */
function claimedOrigin(request: FastifyRequest): string | undefined {
  const { origin, referer } = request.headers;
  if (origin !== undefined) return origin;
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** Whether a browser request comes from a page of this hub (`null`, a sandboxed or opaque origin, never does). */
export function fromThisHub(request: FastifyRequest): boolean {
  const origin = claimedOrigin(request);
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

const crossSitePlugin: FastifyPluginAsync<CrossSiteOptions> = async (app, { https }) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        // 'self' covers the live socket on the same host (ws: and wss:) in current browsers.
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false } : false,
  });
  app.addHook('onRequest', async (request, reply) => {
    const changesState = !SAFE_METHODS.has(request.method) || request.headers.upgrade?.toLowerCase() === 'websocket';
    if (!changesState || fromThisHub(request)) return;
    // The route, not the URL: a Remote I/O API URL carries a password.
    request.log.warn({ method: request.method, route: request.routeOptions.url, origin: claimedOrigin(request) }, 'cross-site request refused');
    return reply.code(HTTP_STATUS.forbidden).send(fail(ERROR_CODES.FORBIDDEN, 'refused: the request comes from a page of another site'));
  });
};

export default fp(crossSitePlugin, { name: 'riohub-cross-site' });
