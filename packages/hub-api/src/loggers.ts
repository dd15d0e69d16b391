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

export type LoggerType = 'counter' | 'range';

/** `[epoch ms, value]` */
export type LoggerSample = [number, number];

/** How a logger's replication stands: caught up, paging through history, or failing (with why). */
export type ReplicationState = 'up to date' | 'catching up' | 'failing';

export interface LoggerView {
  /** The local id: `<remote>.<remote id>`, or the remote id when `dataloggersnameprefix` is off. */
  id: string;
  remote: string;
  /** The id on the remote. */
  remoteId: string;
  type: LoggerType;
  unit: string;
  /** Samples stored. */
  samples: number;
  firstSample?: LoggerSample;
  lastSample?: LoggerSample;
  replication: ReplicationState;
  /** With `failing`: the reason, e.g. `unknown logger on the remote`, `lobby is offline`. */
  error?: string;
  /** Samples older than this many days are deleted; `null` keeps everything. */
  retentionDays: number | null;
}

/** Aggregate buckets, in UTC: `minute`, `hour`, `day` (00:00 UTC), `month` (the 1st, 00:00 UTC). */
export type AggregateInterval = 'minute' | 'hour' | 'day' | 'month';

export const AGGREGATE_INTERVALS: readonly AggregateInterval[] = ['minute', 'hour', 'day', 'month'];

/** The most raw samples one request returns. */
export const RAW_SAMPLE_LIMIT = 100_000;

export interface RawSeries {
  id: string;
  type: LoggerType;
  unit: string;
  samples: LoggerSample[];
  /** More samples exist in the range than were returned. */
  truncated: boolean;
}

/**
 * A counter's consumption in one bucket: the sum of the positive steps between consecutive
 * samples (a step down is a meter reset: the new reading counts from zero, never negative).
 */
export interface CounterBucket {
  start: number;
  consumption: number;
}

/** A range logger's samples in one bucket. */
export interface RangeBucket {
  start: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}

export type AggregateSeries =
  | { id: string; type: 'counter'; unit: string; interval: AggregateInterval; buckets: CounterBucket[] }
  | { id: string; type: 'range'; unit: string; interval: AggregateInterval; buckets: RangeBucket[] };
