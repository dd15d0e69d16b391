/** Datapoints and GUI variables as the hub shows them: every remote's, under its prefix, and its own. */
import { z } from 'zod';

/** `io`: a remote's datapoint; `ui`: a remote's GUI variable; `hub`: a datapoint the hub owns. */
export const pointKindSchema = z.enum(['io', 'ui', 'hub']);
export type PointKind = z.infer<typeof pointKindSchema>;

/**
 * `stale`: the value is the last one known, not live: the remote is offline, or the remote serves
 * it as stale because the server that owns it, further below, is unreachable (PROTOCOL.md part B
 * `quality`). A write to it is refused at once.
 */
export const pointStateSchema = z.enum(['ok', 'stale']);
export type PointState = z.infer<typeof pointStateSchema>;

/** Why a point of an online remote is stale, in the words a refused write and the dashboard use. */
export function staleBelowReason(remote: string): string {
  return `the server that owns it, below ${remote}, is unreachable`;
}

export const pointSchema = z
  .object({
    /** The full name, prefixed: `lobby.dummy.light.1`. */
    name: z.string(),
    kind: pointKindSchema,
    value: z.string(),
    /** Epoch milliseconds of the last change seen by the hub. */
    changedAt: z.number(),
    /** The remote it belongs to (the prefix). */
    remote: z.string(),
    state: pointStateSchema,
    /**
     * Present when the point cannot be written, saying why (the hub computes it): one of the hub's
     * own points, a reading (a shutter's `.pos`, an I/O server's `.connection`), or a remote that
     * refuses control or serves the public API only. Absent: writable, as far as the hub knows.
     */
    readOnly: z.string().optional(),
  })
  .meta({ id: 'Point' });
export type Point = z.infer<typeof pointSchema>;

/** Names a point: the name alone is not unique across kinds. */
export const pointRefSchema = z.object({ kind: pointKindSchema, name: z.string() });
export type PointRef = z.infer<typeof pointRefSchema>;

export const pointPageSchema = z.object({
  points: z.array(pointSchema),
  /** How many points match the prefix in all. */
  total: z.number(),
  offset: z.number(),
});
export type PointPage = z.infer<typeof pointPageSchema>;

/** A device of the merged topology: a remote's device under its prefix. */
export const deviceSchema = z.object({
  name: z.string(),
  remote: z.string(),
  /** `[type, subtype, I/O server type]`, e.g. `["LIGHT","DIMMER","DUMMY"]`. */
  params: z.array(z.string()),
});
export type Device = z.infer<typeof deviceSchema>;

/** `GET /api/points`: a page of the points under a prefix. */
export const pointsQuerySchema = z.object({
  /** `''` (the default): all; matches at a dot boundary. */
  prefix: z.string().max(1000).default(''),
  offset: z.coerce.number<number>().int().min(0).default(0),
  limit: z.coerce.number<number>().int().min(1).max(10_000).default(1000),
});
export type PointsQuery = z.input<typeof pointsQuerySchema>;

/** `GET /api/points/:name`: which kind; anything but the three means none (a datapoint, else a GUI variable, else a hub point). */
export const pointQuerySchema = z.object({ kind: pointKindSchema.optional().catch(undefined) });

/** Whether `name` falls under `prefix`: equal, or below it at a dot boundary; `''` matches all. */
export function underPrefix(name: string, prefix: string): boolean {
  if (prefix === '') return true;
  if (!name.startsWith(prefix)) return false;
  return name.length === prefix.length || prefix.endsWith('.') || name.charCodeAt(prefix.length) === 46;
}
