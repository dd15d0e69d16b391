/** Operator writes and the write log. */
import { z } from 'zod';

/**
 * `sending`: recorded before it goes out, until the remote answers (a write the hub stopped
 * during stays so: its outcome is unknown); `applied`: the remote accepted it; `confirmed`: the
 * new value came back through the poll; `refused`: the remote said no (control disabled, unknown
 * name, bad value), or the hub did before sending (read only, stale, unknown, or another name of
 * the same request was refused); `failed`: it never reached the remote (offline, no answer).
 */
export const writeStatusSchema = z.enum(['sending', 'applied', 'confirmed', 'refused', 'failed']);
export type WriteStatus = z.infer<typeof writeStatusSchema>;

/** A write, over REST (`POST /api/writes`) or the WebSocket. */
export const writeRequestSchema = z
  .object({
    /** The full, prefixed name: `lobby.dummy.light.1`. */
    name: z.string().min(1).max(1000),
    value: z.string(),
    /** `ui` for a GUI variable; default `io`. */
    kind: z.enum(['io', 'ui']).optional(),
  })
  .strict()
  .meta({ id: 'WriteRequest' });
export type WriteRequest = z.infer<typeof writeRequestSchema>;

/**
 * Through what a write came: the dashboard's live channel, the REST API (`POST /api/writes`), the
 * hub's own Remote I/O API (a hub or client above), or an MQTT `set`.
 */
export const writeViaSchema = z.enum(['dashboard', 'rest', 'remote-io', 'mqtt']);
export type WriteVia = z.infer<typeof writeViaSchema>;

/** Who asked for a write and through what: both go to the write log. */
export const writeOriginSchema = z.object({
  /** The signed-in user, `remote API client <address>`, or `mqtt <client id>`. */
  user: z.string(),
  via: writeViaSchema,
});
export type WriteOrigin = z.infer<typeof writeOriginSchema>;

export const writeRecordSchema = writeOriginSchema
  .extend({
    id: z.number(),
    at: z.number(),
    remote: z.string(),
    name: z.string(),
    kind: z.enum(['io', 'ui']),
    oldValue: z.string().nullable(),
    newValue: z.string(),
    status: writeStatusSchema,
    error: z.string().optional(),
  })
  .meta({ id: 'WriteRecord' });
export type WriteRecord = z.infer<typeof writeRecordSchema>;

/** Whether a write's writer has a dashboard to hear it confirmed (`write-confirmed`): one signed in, through the dashboard or REST. */
export function confirmationHasListener(record: WriteRecord): boolean {
  return record.via === 'dashboard' || record.via === 'rest';
}

/** `GET /api/writes`: `limit` and `before` (an id: older records). */
export const writeLogQuerySchema = z.object({
  limit: z.coerce.number<number>().int().min(1).max(1000).default(100),
  before: z.coerce.number<number>().int().min(1).optional(),
});
