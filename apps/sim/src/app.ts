/** Builds the simulator's Fastify app (never listens: see server.ts). */
import { MAX_REQUEST_LINE_BYTES, redactUrl, rioServerPlugin, type RioServerSettings, type RioSource } from '@riohub/rio-server';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Certificate } from '@riohub/certificate';

export interface SimAppOptions {
  source: RioSource;
  settings: RioServerSettings;
  /** HTTPS with this certificate; `undefined`: plain HTTP. */
  tls: Certificate | undefined;
  logLevel?: string;
}

/** Clients keep their connection between polls; longer than any poll cycle. */
const KEEP_ALIVE_MS = 75_000;

export async function buildSimApp(options: SimAppOptions): Promise<FastifyInstance> {
  const common = {
    keepAliveTimeout: KEEP_ALIVE_MS,
    // The API's requests are read from their raw URL (`1*<timestamp>*<password>`), never as a
    // query of keys and values: Fastify's parse of each one was work on every poll's way.
    routerOptions: { querystringParser: () => ({}) },
    forceCloseConnections: true,
    // A poll every few milliseconds is no news; the API plugin logs what is (refusals, writes).
    // The URL carries the password, so the request serializer leaves its query out everywhere.
    logController: new LogController({ disableRequestLogging: true }),
    logger: {
      level: options.logLevel ?? 'info',
      stream: process.stderr,
      serializers: { req: (request: { method: string; url: string }) => ({ method: request.method, url: redactUrl(request.url) }) },
    },
  };
  // Two calls because Fastify types its instance by server kind; the app only needs the common surface.
  const app = (
    options.tls
      ? Fastify({ ...common, https: { ...options.tls, maxHeaderSize: MAX_REQUEST_LINE_BYTES } })
      : Fastify({ ...common, http: { maxHeaderSize: MAX_REQUEST_LINE_BYTES } })
  ) as unknown as FastifyInstance;
  await app.register(rioServerPlugin, { source: options.source, settings: options.settings });
  return app;
}
