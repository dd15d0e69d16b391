/** Whether the hub is fit to serve: its database and its links (readiness, the dashboard's banner). */
import { z } from 'zod';

/** `ok: false` while the hub cannot write its database: reads go on, changes are refused. */
export const storageStatusSchema = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.string(), since: z.number() })]);
export type StorageStatus = z.infer<typeof storageStatusSchema>;

/**
 * `GET /readyz` (and its older name `GET /api/health`): anyone may ask (a load balancer, an
 * orchestrator's probe, a monitor); 503 while not ready.
 */
export const healthViewSchema = z
  .object({
    /** The database is open and takes writes, and the links have started. */
    ready: z.boolean(),
    storage: storageStatusSchema,
    /** The remote links and logger replication have started (false while the hub starts or stops). */
    links: z.boolean(),
  })
  .meta({ id: 'HealthView' });
export type HealthView = z.infer<typeof healthViewSchema>;

/** `GET /healthz`: the process answers (liveness); nothing it depends on is asked. */
export const livenessViewSchema = z.object({ alive: z.literal(true) });
export type LivenessView = z.infer<typeof livenessViewSchema>;
