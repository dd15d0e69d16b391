/**
 * Replicated data loggers (PROTOCOL.md "Data loggers"): what the hub stores of each remote's
 * loggers, and the queries over `/api/loggers`.
 *
 * Routes (all need sign-in as a viewer at least, except the retention change: admin):
 * - `GET /api/loggers` → `Result<LoggerView[]>`
 * - `GET /api/loggers/:id/samples?from=<ms>&to=<ms>` → `Result<RawSeries>`; samples with
 *   `from <= time < to`, oldest first, at most `RAW_SAMPLE_LIMIT` (then `truncated: true`).
 * - `GET /api/loggers/:id/aggregates?interval=<AggregateInterval>&from=<ms>&to=<ms>`
 *   → `Result<AggregateSeries>`; buckets whose start is in `[from, to)`.
 * - The same two with `.csv` after the last path segment (`/samples.csv`, `/aggregates.csv`):
 *   `text/csv` with a header row, times as ISO 8601 UTC, as a download.
 * - `PUT /api/loggers/:id` with `{ "retentionDays": <n> | null }` (admin) → `Result<LoggerView>`;
 *   `null` keeps every sample.
 * The `:id` is the local id (`lobby.energy`, or `energy` without the name prefix), URL-encoded.
 */

import { z } from 'zod';

export const loggerTypeSchema = z.enum(['counter', 'range']);
export type LoggerType = z.infer<typeof loggerTypeSchema>;

/** `[epoch ms, value]` */
export const loggerSampleSchema = z.tuple([z.number(), z.number()]);
export type LoggerSample = z.infer<typeof loggerSampleSchema>;

/** How a logger's replication stands: caught up, paging through history, or failing (with why). */
export const replicationStateSchema = z.enum(['up to date', 'catching up', 'failing']);
export type ReplicationState = z.infer<typeof replicationStateSchema>;

export const loggerViewSchema = z
  .object({
    /** The local id: `<remote>.<remote id>`, or the remote id when `dataloggersnameprefix` is off. */
    id: z.string(),
    remote: z.string(),
    /** The id on the remote. */
    remoteId: z.string(),
    type: loggerTypeSchema,
    unit: z.string(),
    /** Samples stored. */
    samples: z.number(),
    firstSample: loggerSampleSchema.optional(),
    lastSample: loggerSampleSchema.optional(),
    replication: replicationStateSchema,
    /** With `failing`: the reason, e.g. `unknown logger on the remote`, `lobby is offline`. */
    error: z.string().optional(),
    /** Samples older than this many days are deleted; `null` keeps everything. */
    retentionDays: z.number().nullable(),
  })
  .meta({ id: 'LoggerView' });
export type LoggerView = z.infer<typeof loggerViewSchema>;

export const AGGREGATE_INTERVALS = ['minute', 'hour', 'day', 'month'] as const;

/** Aggregate buckets, in UTC: `minute`, `hour`, `day` (00:00 UTC), `month` (the 1st, 00:00 UTC). */
export const aggregateIntervalSchema = z.enum(AGGREGATE_INTERVALS, `interval must be one of ${AGGREGATE_INTERVALS.join(', ')}`);
export type AggregateInterval = z.infer<typeof aggregateIntervalSchema>;

/** The most raw samples one request returns. */
export const RAW_SAMPLE_LIMIT = 100_000;

/** Buckets one aggregate request may return: a narrower range or a longer interval beyond. */
export const MAX_BUCKETS = 100_000;

/** The width of each fixed-width bucket (months vary). */
export const BUCKET_WIDTH_MS: Record<Exclude<AggregateInterval, 'month'>, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** The first bucket start at or after `time` (UTC). */
export function bucketStartAtOrAfter(interval: AggregateInterval, time: number): number {
  if (interval !== 'month') return Math.ceil(time / BUCKET_WIDTH_MS[interval]) * BUCKET_WIDTH_MS[interval];
  const date = new Date(time);
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return start === time ? start : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

export const rawSeriesSchema = z
  .object({
    id: z.string(),
    type: loggerTypeSchema,
    unit: z.string(),
    samples: z.array(loggerSampleSchema),
    /** More samples exist in the range than were returned. */
    truncated: z.boolean(),
  })
  .meta({ id: 'RawSeries' });
export type RawSeries = z.infer<typeof rawSeriesSchema>;

/**
 * A counter's consumption in one bucket: the sum of the positive steps between consecutive
 * samples (a step down is a meter reset: the new reading counts from zero, never negative).
 */
export const counterBucketSchema = z.object({ start: z.number(), consumption: z.number() });
export type CounterBucket = z.infer<typeof counterBucketSchema>;

/** A range logger's samples in one bucket. */
export const rangeBucketSchema = z.object({ start: z.number(), min: z.number(), max: z.number(), avg: z.number(), count: z.number() });
export type RangeBucket = z.infer<typeof rangeBucketSchema>;

export const aggregateSeriesSchema = z
  .discriminatedUnion('type', [
    z.object({ id: z.string(), type: z.literal('counter'), unit: z.string(), interval: aggregateIntervalSchema, buckets: z.array(counterBucketSchema) }),
    z.object({ id: z.string(), type: z.literal('range'), unit: z.string(), interval: aggregateIntervalSchema, buckets: z.array(rangeBucketSchema) }),
  ])
  .meta({ id: 'AggregateSeries' });
export type AggregateSeries = z.infer<typeof aggregateSeriesSchema>;

/** The end of year 9999 UTC: SQLite's date functions, which group months, stop there. */
const MAX_TIME = Date.UTC(10_000, 0, 1);
const DIGITS = /^[0-9]{1,16}$/;

/**
 * A query parameter holding a time in epoch ms: digits only on the wire (`Number` would take an
 * empty string for 0, and `1e3` or ` 12 ` as numbers), a number to the client and the handler.
 * Times past the last date, as clients send for "until the end", mean that last date.
 */
const time = (name: string) =>
  z.preprocess(
    // Typed as the number a client gives (routeUrl writes it out); what arrives is its text.
    (sent: number) => {
      const text: unknown = sent;
      return typeof text === 'string' && DIGITS.test(text) ? Number(text) : text;
    },
    z
      .number({ error: (issue) => (issue.input === undefined ? `${name} is required: a time in epoch milliseconds` : `${name} must be a time in epoch milliseconds (a whole number)`) })
      // Out of range first: past 2^53 a number is no safe integer, which .int() would report instead.
      .refine(Number.isSafeInteger, `${name} is out of range`)
      .int(`${name} must be a time in epoch milliseconds (a whole number)`)
      .min(0, `${name} must be a time in epoch milliseconds (a whole number)`)
      .transform((value) => Math.min(value, MAX_TIME)),
  );

function bucketCount(interval: Exclude<AggregateInterval, 'month'>, from: number, to: number): number {
  return (bucketStartAtOrAfter(interval, to) - bucketStartAtOrAfter(interval, from)) / BUCKET_WIDTH_MS[interval];
}

/** Epoch ms, `from <= time < to`. */
export const rangeQuerySchema = z
  .object({ from: time('from'), to: time('to') })
  .strict()
  .refine(({ from, to }) => from <= to, { message: 'from must not be after to', path: ['from'] });
export type RangeQuery = z.input<typeof rangeQuerySchema>;

export const aggregateQuerySchema = z
  .object({ interval: aggregateIntervalSchema, from: time('from'), to: time('to') })
  .strict()
  .refine(({ from, to }) => from <= to, { message: 'from must not be after to', path: ['from'] })
  .refine(({ interval, from, to }) => interval === 'month' || bucketCount(interval, from, to) <= MAX_BUCKETS, {
    message: `more than ${MAX_BUCKETS} buckets: narrow the range or choose a longer interval`,
    path: ['interval'],
  });
export type AggregateQuery = z.input<typeof aggregateQuerySchema>;

/** `PUT /api/loggers/:id`: the retention in days, `null` to keep everything. */
export const retentionSchema = z
  .object({
    retentionDays: z
      .number('retentionDays must be a number of days or null')
      .int('retentionDays must be a whole number of days')
      .min(1, 'retentionDays must be 1 to 36500, or null to keep everything')
      .max(36_500, 'retentionDays must be 1 to 36500, or null to keep everything')
      .nullable(),
  })
  .strict();
