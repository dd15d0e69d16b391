/**
 * What another site may do with a signed-in browser: nothing. Security headers on every answer
 * (a content security policy with no inline script that no page may frame, nosniff, no referrer,
 * HSTS when served over HTTPS), and every request that changes state, or opens the live socket,
 * refused with 403 when its Origin (or, lacking one, its Referer) is not the hub itself. The
 * session cookie is SameSite=Strict as well; this holds without relying on it, and covers pages
 * on another port of the same host, which SameSite counts as the same site.
 */
import { isIP } from 'node:net';
import helmet from '@fastify/helmet';
import { ERROR_CODES, fail, HTTP_STATUS } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hostOf } from '../links/remote-client';

export interface CrossSiteOptions {
  /** The hub is served over HTTPS: browsers are told to keep to it (HSTS). */
  https: boolean;
  /** Host names (lower case) the dashboard and its API answer to; IP addresses always. */
  allowedHosts: readonly string[];
}

/** A year, in seconds: what HSTS preload lists ask for. */
const HSTS_MAX_AGE_S = 31_536_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 421 Misdirected Request: this server does not serve that name. */
const HTTP_STATUS_MISDIRECTED = 421;

/**
 * Routes answered to any host name: probes reach the hub by whatever name their orchestrator
 * gives it, and learn only whether it is alive or ready.
 */
const ANY_HOST_ROUTES = new Set(['/healthz', '/readyz']);

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

/**
 * Whether a browser request comes from a page of this hub (`null`, a sandboxed or opaque origin,
 * never does). The hub's host is the one the browser asked for: `Host`, or behind a trusted
 * reverse proxy (--trust-proxy) its `X-Forwarded-Host`.
 */
export function fromThisHub(request: FastifyRequest): boolean {
  const origin = claimedOrigin(request);
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** The name in a `Host` header, without its port or an IPv6 address's brackets. */
function hostNameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return hostOf(new URL(`http://${host}`)).toLowerCase();
  } catch {
    return undefined;
  }
}

const crossSitePlugin: FastifyPluginAsync<CrossSiteOptions> = async (app, { https, allowedHosts }) => {
  const allowed = new Set(allowedHosts);
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
  // DNS rebinding: a page whose own name resolves to the hub is same-origin with it. Its requests
  // carry that name, which is none of the hub's. The Remote I/O API is left to its password and
  // address list, so that other hubs may reach it by any name; liveness and readiness say nothing.
  // /metrics is not among them: it answers loopback clients without a token, which is what a page
  // rebound to 127.0.0.1 would be. Behind a trusted proxy the name is its X-Forwarded-Host.
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route?.startsWith('/x/') || (route !== undefined && ANY_HOST_ROUTES.has(route))) return;
    const name = hostNameOf(request.host);
    if (name !== undefined && (isIP(name) !== 0 || allowed.has(name))) return;
    request.log.warn({ host: request.host }, 'request for a host name this hub does not answer to refused');
    return reply
      .code(HTTP_STATUS_MISDIRECTED)
      .send(fail(ERROR_CODES.FORBIDDEN, `this hub does not answer to the name ${name ?? '(none)'}: if it is the hub's, start it with --allowed-hosts ${name ?? '<name>'} (a guard against DNS rebinding)`));
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
