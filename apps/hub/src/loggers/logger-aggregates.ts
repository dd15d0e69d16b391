/**
 * Aggregates of a logger's samples per minute, hour, day or month (UTC), computed in SQLite:
 * a counter's consumption (the positive steps between consecutive samples, a step down being a
 * meter reset that counts the new reading from zero) and a range's min, max and average.
 * Minutes are grouped from the raw samples; hours, days and months from hourly rollups kept
 * beside them, so a year by month reads 8,760 rows. Fixed widths are grouped by integer
 * division of the time; months from days, so the date function runs once per day at most.
 */
import { BUCKET_WIDTH_MS as WIDTH_MS, bucketStartAtOrAfter, type AggregateInterval, type CounterBucket, type LoggerType, type RangeBucket } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';
import { insertRows, statement } from './statements';

export { bucketStartAtOrAfter };

const HOUR_MS = WIDTH_MS.hour;

/**
 * Recomputes the hourly rollups (db/database.ts, `logger_hours`) of every hour from the one
 * holding `first` to the one holding `last`, from the raw samples: after a page is stored, and
 * after samples are deleted. An hour left without samples loses its row.
 */
export function rollUpHours(db: HubDatabase, key: number, first: number, last: number): void {
  const start = hourOf(first);
  const end = hourOf(last) + HOUR_MS;
  statement(db, 'DELETE FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ?').run(key, start, end);
  // A counter's first step in the range is from the last sample before it.
  statement(
    db,
    `INSERT INTO logger_hours (logger, hour, min, max, total, count, consumption)
     WITH ordered AS (
       SELECT time, value, lag(value) OVER (ORDER BY time) AS previous
       FROM logger_samples
       WHERE logger = :key AND time < :end AND time >= coalesce(
         (SELECT max(time) FROM logger_samples WHERE logger = :key AND time < :start), :start))
     SELECT :key, (time / ${HOUR_MS}) * ${HOUR_MS}, min(value), max(value), sum(value), count(*),
            coalesce(sum(CASE WHEN previous IS NULL THEN 0 WHEN value >= previous THEN value - previous ELSE value END), 0)
     FROM ordered WHERE time >= :start
     GROUP BY time / ${HOUR_MS}`,
  ).run({ key, start, end });
}

const HOUR_COLUMNS = 7;

/**
 * The hourly rollups after `samples` (increasing, each later than every sample stored before)
 * were added to a logger's raw samples: the same rows `rollUpHours` over their span makes, for
 * a fraction of its cost. The hour of the first sample may hold samples stored before, so it is
 * recomputed from the table; every later hour holds only these samples and is computed here, as
 * the SQL does (sum() adds with Kahan–Babuška–Neumaier compensation, reproduced step for step),
 * and written with one multi-row insert per hundred hours.
 */
export function rollUpAppended(db: HubDatabase, key: number, samples: readonly (readonly [number, number])[]): void {
  const firstSample = samples[0];
  const lastSample = samples.at(-1);
  if (!firstSample || !lastSample) return;
  rollUpHours(db, key, firstSample[0], firstSample[0]);
  const next = hourOf(firstSample[0]) + HOUR_MS;
  let i = 1;
  while (i < samples.length && (samples[i] as readonly [number, number])[0] < next) i++;
  if (i === samples.length) return;
  statement(db, 'DELETE FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ?').run(key, next, hourOf(lastSample[0]) + HOUR_MS);
  const rows: number[] = [];
  let previous = (samples[i - 1] as readonly [number, number])[1];
  let hour = -1;
  let min = 0;
  let max = 0;
  let count = 0;
  const total = new CompensatedSum();
  const consumption = new CompensatedSum();
  const flush = () => rows.push(key, hour, min, max, total.value(), count, consumption.value());
  for (; i < samples.length; i++) {
    const [time, value] = samples[i] as readonly [number, number];
    const at = hourOf(time);
    if (at !== hour) {
      if (count > 0) flush();
      hour = at;
      min = value;
      max = value;
      count = 0;
      total.reset();
      consumption.reset();
    }
    if (value < min) min = value;
    if (value > max) max = value;
    count++;
    total.add(value);
    // A step down is a meter reset: the new reading is what was consumed.
    consumption.add(value >= previous ? value - previous : value);
    previous = value;
  }
  flush();
  insertRows(db, 'INSERT INTO logger_hours (logger, hour, min, max, total, count, consumption)', HOUR_COLUMNS, rows, rows.length / HOUR_COLUMNS);
}

/** SQLite's sum() of doubles: a Kahan–Babuška–Neumaier sum, the compensation added at the end unless it overflowed. */
class CompensatedSum {
  private sum = 0;
  private error = 0;

  reset(): void {
    this.sum = 0;
    this.error = 0;
  }

  add(value: number): void {
    const sum = this.sum + value;
    this.error += Math.abs(this.sum) > Math.abs(value) ? this.sum - sum + value : value - sum + this.sum;
    this.sum = sum;
  }

  value(): number {
    return Number.isFinite(this.error) ? this.sum + this.error : this.sum;
  }
}

function hourOf(time: number): number {
  return Math.floor(time / HOUR_MS) * HOUR_MS;
}

/**
 * The buckets whose start is in `[from, to)`: the samples between the first bucket start at or
 * after `from` and the first at or after `to`. Minutes come from the raw samples; hours, days
 * and months from the hourly rollups.
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
  const params = { key, start, end };
  // Widths go into the SQL as integer literals: better-sqlite3 binds every number as REAL, and
  // integer division needs integers on both sides. Months are grouped from days.
  const width = interval === 'minute' ? WIDTH_MS.minute : interval === 'hour' ? WIDTH_MS.hour : WIDTH_MS.day;
  const groups =
    interval === 'minute'
      ? `WITH ordered AS (
           SELECT time, value, lag(value) OVER (ORDER BY time) AS previous
           FROM logger_samples
           WHERE logger = :key AND time < :end AND time >= coalesce(
             (SELECT max(time) FROM logger_samples WHERE logger = :key AND time < :start), :start))
         SELECT (time / ${width}) * ${width} AS start, min(value) AS min, max(value) AS max, sum(value) AS total, count(*) AS count,
                coalesce(sum(CASE WHEN previous IS NULL THEN 0 WHEN value >= previous THEN value - previous ELSE value END), 0) AS consumption
         FROM ordered WHERE time >= :start
         GROUP BY time / ${width}`
      : `SELECT (hour / ${width}) * ${width} AS start, min(min) AS min, max(max) AS max, sum(total) AS total, sum(count) AS count,
                sum(consumption) AS consumption
         FROM logger_hours WHERE logger = :key AND hour >= :start AND hour < :end
         GROUP BY hour / ${width}`;
  const sql =
    interval === 'month'
      ? `SELECT ${monthOf('start')} AS start, min(min) AS min, max(max) AS max, sum(total) AS total, sum(count) AS count,
                sum(consumption) AS consumption
         FROM (${groups}) GROUP BY 1 ORDER BY 1`
      : `${groups} ORDER BY start`;
  const rows = statement(db, sql).all(params) as (Omit<RangeBucket, 'avg'> & { total: number; consumption: number })[];
  if (type === 'counter') return rows.map((row) => ({ start: row.start, consumption: tidy(row.consumption) }));
  return rows.map(({ start: at, min, max, total, count }) => ({ start: at, min, max, avg: tidy(total / count), count }));
}

/** The epoch ms of the first of the month of an epoch-ms column, in SQL. */
function monthOf(column: string): string {
  return `CAST(strftime('%s', ${column} / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000`;
}

/** Sums of decimal readings carry binary noise (0.30000000000000004): twelve digits are plenty. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}
