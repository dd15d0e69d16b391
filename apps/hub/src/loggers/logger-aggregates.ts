/**
 * Aggregates of a logger's samples per minute, hour, day or month (UTC), computed in SQLite:
 * a counter's consumption (the positive steps between consecutive samples, a step down being a
 * meter reset that counts the new reading from zero) and a range's min, max and average.
 * Minutes, hours and days are fixed widths, grouped by integer division of the time; months are
 * grouped from days, so the date function runs once per day, not once per sample.
 */
import type { AggregateInterval, CounterBucket, LoggerType, RangeBucket } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';

const WIDTH_MS: Record<Exclude<AggregateInterval, 'month'>, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** The first bucket start at or after `time` (UTC). */
export function bucketStartAtOrAfter(interval: AggregateInterval, time: number): number {
  if (interval !== 'month') return Math.ceil(time / WIDTH_MS[interval]) * WIDTH_MS[interval];
  const date = new Date(time);
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return start === time ? start : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/**
 * The buckets whose start is in `[from, to)`: the samples between the first bucket start at or
 * after `from` and the first at or after `to`.
 */
export function aggregate(
  db: HubDatabase,
  key: number,
  type: LoggerType,
  interval: AggregateInterval,
  from: number,
  to: number,
): CounterBucket[] | RangeBucket[] {
  const start = bucketStartAtOrAfter(interval, from);
  const end = bucketStartAtOrAfter(interval, to);
  if (start >= end) return [];
  // Grouped by day first for months; fixed widths are grouped directly.
  const width = interval === 'month' ? WIDTH_MS.day : WIDTH_MS[interval];
  // The width goes into the SQL as an integer literal: better-sqlite3 binds every number as REAL,
  // and integer division needs integers on both sides.
  const params = { key, start, end };
  if (type === 'counter') {
    // Each step belongs to the bucket of its later sample, so the step from the last sample
    // before `start` counts too: consecutive buckets add up to the whole consumption.
    const steps = `
      WITH ordered AS (
        SELECT time, value, lag(value) OVER (ORDER BY time) AS previous
        FROM logger_samples
        WHERE logger = :key AND time < :end AND time >= coalesce(
          (SELECT max(time) FROM logger_samples WHERE logger = :key AND time < :start), :start))
      SELECT (time / ${width}) * ${width} AS start,
             sum(CASE WHEN value >= previous THEN value - previous ELSE value END) AS consumption
      FROM ordered WHERE previous IS NOT NULL AND time >= :start
      GROUP BY time / ${width}`;
    const sql =
      interval === 'month'
        ? `SELECT ${monthOf('start')} AS start, sum(consumption) AS consumption FROM (${steps}) GROUP BY 1 ORDER BY 1`
        : `${steps} ORDER BY start`;
    return (db.prepare(sql).all(params) as CounterBucket[]).map(({ start: at, consumption }) => ({
      start: at,
      consumption: tidy(consumption),
    }));
  }
  const groups = `
    SELECT (time / ${width}) * ${width} AS start, min(value) AS min, max(value) AS max, sum(value) AS total, count(*) AS count
    FROM logger_samples WHERE logger = :key AND time >= :start AND time < :end
    GROUP BY time / ${width}`;
  const sql =
    interval === 'month'
      ? `SELECT ${monthOf('start')} AS start, min(min) AS min, max(max) AS max, sum(total) AS total, sum(count) AS count
         FROM (${groups}) GROUP BY 1 ORDER BY 1`
      : `${groups} ORDER BY start`;
  return (db.prepare(sql).all(params) as (Omit<RangeBucket, 'avg'> & { total: number })[]).map(({ start: at, min, max, total, count }) => ({
    start: at,
    min,
    max,
    avg: tidy(total / count),
    count,
  }));
}

/** The epoch ms of the first of the month of an epoch-ms column, in SQL. */
function monthOf(column: string): string {
  return `CAST(strftime('%s', ${column} / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000`;
}

/** Sums of decimal readings carry binary noise (0.30000000000000004): twelve digits are plenty. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}
