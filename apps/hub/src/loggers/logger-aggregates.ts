/**
 * Aggregates of a logger's samples per minute, hour, day or month (UTC): a counter's consumption
 * (the positive steps between consecutive samples, a step down being a meter reset that counts
 * the new reading from zero) and a range's min, max and average. Minutes are grouped from the raw
 * samples; hours, days and months from hourly rollups kept beside them, so a year by month reads
 * 8,760 rows. Months are grouped from days.
 *
 * Both stores give the very same numbers, to the last bit. SQLite groups in SQL, and its sum() of
 * doubles adds with Kahan–Babuška–Neumaier compensation; PostgreSQL's sum(double precision) is a
 * plain sum (its last digits differ, and so, now and then, a rounded answer), and its exactly
 * rounded alternative (`sum(value::numeric)`) is neither SQLite's answer nor exact (a double
 * becomes a numeric of 15 digits). So on PostgreSQL the rows are read (raw samples, or hourly
 * rollups) and grouped here, with SQLite's compensated sum reproduced step for step
 * (`CompensatedSum`) in the order SQLite adds them (time order): the same code that computes a
 * page's later hours on either store. (The same sum written as a PostgreSQL aggregate costs
 * microseconds a row, more than reading the rows.) The tests hold the two paths equal on SQLite.
 */
import { BUCKET_WIDTH_MS as WIDTH_MS, bucketStartAtOrAfter, type AggregateInterval, type CounterBucket, type LoggerType, type RangeBucket } from '@riohub/hub-api';
import type { Queryable, Store } from '../db/store';
import { insertColumns, insertRows } from './statements';

export { bucketStartAtOrAfter };

const HOUR_MS = WIDTH_MS.hour;
/** Hours of samples read at once when PostgreSQL's rollups are recomputed (a month of minutes is 44,640 rows). */
const ROLLUP_READ_MS = 31 * WIDTH_MS.day;

/** A bucket's figures, as SQLite's min(), max(), sum() and count() give them. */
export interface Figures {
  start: number;
  min: number;
  max: number;
  total: number;
  count: number;
  consumption: number;
}

/**
 * Recomputes the hourly rollups (`logger_hours`) of every hour from the one holding `first` to
 * the one holding `last`, from the raw samples: after a page is stored, and after samples are
 * deleted. An hour left without samples loses its row. On PostgreSQL, by reading the samples
 * (`rollUpRead`, see the top). Inside a transaction, the store's statements are part of it.
 */
export async function rollUpHours(store: Store, key: number, first: number, last: number): Promise<void> {
  const start = hourOf(first);
  const end = hourOf(last) + HOUR_MS;
  if (store.kind === 'postgres') return rollUpRead(store, key, start, end);
  await store.run('DELETE FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ?', [key, start, end]);
  // A counter's first step in the range is from the last sample before it.
  await store.run(
    `INSERT INTO logger_hours (logger, hour, min, max, total, count, consumption)
     WITH ordered AS (
       SELECT time, value, lag(value) OVER (ORDER BY time) AS previous
       FROM logger_samples
       WHERE logger = ? AND time < ? AND time >= coalesce(
         (SELECT max(time) FROM logger_samples WHERE logger = ? AND time < ?), ?))
     SELECT ?, (time / ${HOUR_MS}) * ${HOUR_MS}, min(value), max(value), sum(value), count(*),
            coalesce(sum(CASE WHEN previous IS NULL THEN 0 WHEN value >= previous THEN value - previous ELSE value END), 0)
     FROM ordered WHERE time >= ?
     GROUP BY time / ${HOUR_MS}`,
    [key, end, key, start, start, key, start],
  );
}

/**
 * `rollUpHours` by reading the samples and computing their rollups here, as SQLite's SQL does:
 * a month of hours at a time, so that years of samples are never read at once.
 */
export async function rollUpRead(store: Store, key: number, start: number, end: number): Promise<void> {
  for (let from = start; from < end; from += ROLLUP_READ_MS) {
    const to = Math.min(end, from + ROLLUP_READ_MS);
    const before = await store.get<{ value: number }>('SELECT value FROM logger_samples WHERE logger = ? AND time < ? ORDER BY time DESC LIMIT 1', [key, from]);
    const samples = await store.values<[number, number]>('SELECT time, value FROM logger_samples WHERE logger = ? AND time >= ? AND time < ? ORDER BY time', [key, from, to]);
    await store.run('DELETE FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ?', [key, from, to]);
    await insertHours(store, key, foldSamples(samples, 0, before?.value, HOUR_MS));
  }
}

/**
 * The hourly rollups after `samples` (increasing, each later than every sample stored before)
 * were added to a logger's raw samples: the same rows `rollUpHours` over their span makes, for
 * a fraction of its cost. The hour of the first sample may hold samples stored before, so it is
 * recomputed from the table; every later hour holds only these samples and is computed here, as
 * SQLite's SQL does, and written with few statements (statements.ts).
 */
export async function rollUpAppended(store: Store, key: number, samples: readonly (readonly [number, number])[]): Promise<void> {
  const firstSample = samples[0];
  const lastSample = samples.at(-1);
  if (!firstSample || !lastSample) return;
  await rollUpHours(store, key, firstSample[0], firstSample[0]);
  const next = hourOf(firstSample[0]) + HOUR_MS;
  let i = 1;
  while (i < samples.length && (samples[i] as readonly [number, number])[0] < next) i++;
  if (i === samples.length) return;
  await store.run('DELETE FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ?', [key, next, hourOf(lastSample[0]) + HOUR_MS]);
  await insertHours(store, key, foldSamples(samples, i, (samples[i - 1] as readonly [number, number])[1], HOUR_MS));
}

const HOURS_HEAD = 'INSERT INTO logger_hours (logger, hour, min, max, total, count, consumption)';
const HOUR_COLUMNS = 7;
/** The SQL types of `logger_hours`' columns after the logger, for PostgreSQL's insert of arrays. */
const HOUR_TYPES = ['bigint', 'double precision', 'double precision', 'double precision', 'bigint', 'double precision'];

async function insertHours(store: Store, key: number, hours: readonly Figures[]): Promise<void> {
  if (hours.length === 0) return;
  if (store.kind === 'postgres') {
    const column = (of: (hour: Figures) => number) => hours.map(of);
    const columns = [column((h) => h.start), column((h) => h.min), column((h) => h.max), column((h) => h.total), column((h) => h.count), column((h) => h.consumption)];
    await insertColumns(store, HOURS_HEAD, key, HOUR_TYPES, columns);
    return;
  }
  const rows: number[] = [];
  for (const { start, min, max, total, count, consumption } of hours) rows.push(key, start, min, max, total, count, consumption);
  await insertRows(store, HOURS_HEAD, HOUR_COLUMNS, rows, hours.length);
}

/**
 * The buckets `width` ms wide of `samples` from index `from` on (increasing), as SQLite's
 * aggregates over the samples give them: a counter's step into each sample from the one before
 * (into the first, from `previous`; none without it), each sum added in time order.
 */
function foldSamples(samples: readonly (readonly [number, number])[], from: number, previous: number | undefined, width: number): Figures[] {
  const buckets = new BucketFold();
  for (let i = from; i < samples.length; i++) {
    const [time, value] = samples[i] as readonly [number, number];
    // A step down is a meter reset: the new reading is what was consumed.
    buckets.add(Math.floor(time / width) * width, value, value, 1, value, previous === undefined ? 0 : value >= previous ? value - previous : value);
    previous = value;
  }
  return buckets.done();
}

/** Buckets (increasing) grouped into wider ones, each starting at `startOf` its first: as SQLite's min(min), sum(total), … of them. */
function foldBuckets(buckets: readonly Figures[], startOf: (time: number) => number): Figures[] {
  const wider = new BucketFold();
  for (const part of buckets) wider.add(startOf(part.start), part.min, part.max, part.count, part.total, part.consumption);
  return wider.done();
}

/** Figures added in time order, grouped by bucket start as SQLite's min(), max(), sum() and count() group them. */
class BucketFold {
  private readonly buckets: Figures[] = [];
  private bucket: Figures | undefined;
  private readonly total = new CompensatedSum();
  private readonly consumption = new CompensatedSum();

  /** Adds figures to the bucket starting at `start` (a new one unless the last started there); numbers, not an object, as foldSamples adds one a sample. */
  add(start: number, min: number, max: number, count: number, total: number, consumption: number): void {
    let bucket = this.bucket;
    if (start !== bucket?.start) {
      this.close();
      bucket = { start, min, max, total: 0, count: 0, consumption: 0 };
      this.bucket = bucket;
    }
    if (min < bucket.min) bucket.min = min;
    if (max > bucket.max) bucket.max = max;
    bucket.count += count;
    this.total.add(total);
    this.consumption.add(consumption);
  }

  /** The buckets, the last one closed. */
  done(): Figures[] {
    this.close();
    return this.buckets;
  }

  private close(): void {
    const bucket = this.bucket;
    if (!bucket) return;
    bucket.total = this.total.value();
    bucket.consumption = this.consumption.value();
    this.buckets.push(bucket);
    this.total.reset();
    this.consumption.reset();
  }
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

/** The epoch ms of the first of the month (UTC) of an epoch-ms time. */
function monthOf(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * The buckets whose start is in `[from, to)`: the samples between the first bucket start at or
 * after `from` and the first at or after `to`. Minutes come from the raw samples; hours, days
 * and months from the hourly rollups.
 */
export async function aggregate(
  store: Store,
  key: number,
  type: LoggerType,
  interval: AggregateInterval,
  from: number,
  to: number,
): Promise<CounterBucket[] | RangeBucket[]> {
  const start = bucketStartAtOrAfter(interval, from);
  const end = bucketStartAtOrAfter(interval, to);
  if (start >= end) return [];
  const rows = store.kind === 'postgres' ? await aggregateRead(store, key, interval, start, end) : await aggregateSql(store, key, interval, start, end);
  if (type === 'counter') return rows.map((row) => ({ start: row.start, consumption: tidy(row.consumption) }));
  return rows.map(({ start: at, min, max, total, count }) => ({ start: at, min, max, avg: tidy(total / count), count }));
}

/** The buckets from `start` to `end` (bucket starts), grouped by SQLite. */
export async function aggregateSql(store: Queryable, key: number, interval: AggregateInterval, start: number, end: number): Promise<Figures[]> {
  // Widths go into the SQL as integer literals: better-sqlite3 binds every number as REAL, and
  // integer division needs integers on both sides. Months are grouped from days, so the date
  // function runs once per day at most.
  const width = interval === 'minute' ? WIDTH_MS.minute : interval === 'hour' ? WIDTH_MS.hour : WIDTH_MS.day;
  const groups =
    interval === 'minute'
      ? `WITH ordered AS (
           SELECT time, value, lag(value) OVER (ORDER BY time) AS previous
           FROM logger_samples
           WHERE logger = ? AND time < ? AND time >= coalesce(
             (SELECT max(time) FROM logger_samples WHERE logger = ? AND time < ?), ?))
         SELECT (time / ${width}) * ${width} AS start, min(value) AS min, max(value) AS max, sum(value) AS total, count(*) AS count,
                coalesce(sum(CASE WHEN previous IS NULL THEN 0 WHEN value >= previous THEN value - previous ELSE value END), 0) AS consumption
         FROM ordered WHERE time >= ?
         GROUP BY time / ${width}`
      : `SELECT (hour / ${width}) * ${width} AS start, min(min) AS min, max(max) AS max, sum(total) AS total, sum(count) AS count,
                sum(consumption) AS consumption
         FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ?
         GROUP BY hour / ${width}`;
  const params = interval === 'minute' ? [key, end, key, start, start, start] : [key, start, end];
  const sql =
    interval === 'month'
      ? `SELECT CAST(strftime('%s', start / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000 AS start, min(min) AS min, max(max) AS max,
                sum(total) AS total, sum(count) AS count, sum(consumption) AS consumption
         FROM (${groups}) GROUP BY 1 ORDER BY 1`
      : `${groups} ORDER BY start`;
  return store.all<Figures>(sql, params);
}

/** The buckets from `start` to `end` (bucket starts), grouped here from the rows read (PostgreSQL's, see the top). */
export async function aggregateRead(store: Queryable, key: number, interval: AggregateInterval, start: number, end: number): Promise<Figures[]> {
  if (interval === 'minute') {
    // From the last sample before the first bucket: the step into its first sample.
    const samples = await store.values<[number, number]>(
      `SELECT time, value FROM logger_samples
       WHERE logger = ? AND time < ? AND time >= coalesce((SELECT max(time) FROM logger_samples WHERE logger = ? AND time < ?), ?)
       ORDER BY time`,
      [key, end, key, start, start],
    );
    const before = samples[0] !== undefined && samples[0][0] < start ? samples[0][1] : undefined;
    return foldSamples(samples, before === undefined ? 0 : 1, before, WIDTH_MS.minute);
  }
  const hours = (
    await store.values<[number, number, number, number, number, number]>(
      'SELECT hour, min, max, total, count, consumption FROM logger_hours WHERE logger = ? AND hour >= ? AND hour < ? ORDER BY hour',
      [key, start, end],
    )
  ).map(([hour, min, max, total, count, consumption]): Figures => ({ start: hour, min, max, total, count, consumption }));
  const width = interval === 'hour' ? WIDTH_MS.hour : WIDTH_MS.day;
  const buckets = foldBuckets(hours, (time) => Math.floor(time / width) * width);
  return interval === 'month' ? foldBuckets(buckets, monthOf) : buckets;
}

/** Sums of decimal readings carry binary noise (0.30000000000000004): twelve digits are plenty. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}
