// The logger store and its aggregates on a real store: the SQLite file, or PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CounterBucket, RangeBucket } from '@riohub/hub-api';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../db/store';
import { openTestStore } from '../testing/test-store';
import { aggregate, bucketStartAtOrAfter, rollUpHours, rollUpRead } from './logger-aggregates';
import { LoggerStore } from './logger-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);

describe('logger store', () => {
  let dir: string;
  let db: Store;
  let store: LoggerStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'riohub-logger-store-'));
    db = await openTestStore(dir);
    store = new LoggerStore(db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function logger(id: string, type: 'counter' | 'range' = 'counter') {
    const ensured = await store.ensure({ id, remote: 'lobby', remoteId: id, type, unit: type === 'counter' ? 'kWh' : '°C' });
    if (!ensured.ok) throw new Error('not ensured');
    return ensured.logger;
  }

  async function keyOf(id: string): Promise<number> {
    return (await store.keyOf(id)) as number;
  }

  async function counterBuckets(id: string, interval: 'hour' | 'day' | 'month', from: number, to: number): Promise<CounterBucket[]> {
    return (await aggregate(db, await keyOf(id), 'counter', interval, from, to)) as CounterBucket[];
  }

  /** A logger's hourly rollups as stored. */
  function hours(key: number) {
    return db.all('SELECT hour, min, max, total, count, consumption FROM logger_hours WHERE logger = ? ORDER BY hour', [key]);
  }

  it('stores each sample once, resuming after the last one, even when a page repeats some', async () => {
    await logger('energy');
    expect(await store.appendPage('energy', [[T0, 1], [T0 + 1000, 2], [T0 + 2000, 3]])).toBe(3);
    expect(await store.appendPage('energy', [[T0 + 1000, 2], [T0 + 2000, 3], [T0 + 3000, 4]])).toBe(1);
    expect(await store.get('energy')).toMatchObject({ resumeAfter: T0 + 3000, samples: 4 });
    expect(await store.range('energy', T0, T0 + 10_000, 10)).toEqual({
      samples: [[T0, 1], [T0 + 1000, 2], [T0 + 2000, 3], [T0 + 3000, 4]],
      truncated: false,
    });
    expect(await store.range('energy', T0 + 1000, T0 + 3000, 1)).toEqual({ samples: [[T0 + 1000, 2]], truncated: true });
    expect(await store.readAfter('energy', T0 + 1000, 10)).toEqual({ samples: [[T0 + 2000, 3], [T0 + 3000, 4]], more: false });
    expect(await store.readAfter('energy', T0, 2)).toEqual({ samples: [[T0 + 1000, 2], [T0 + 2000, 3]], more: true });
    expect(await store.localLoggers()).toEqual([{ id: 'energy', type: 'counter', unit: 'kWh' }]);
  });

  // Doubles a logger may hold: -0, decimals with no exact binary form, a large one with a
  // fraction, the largest and smallest (subnormal) of either sign, and neighbours in between.
  const DOUBLES = [-0, 0.1, 0.2, 0.30000000000000004, 1 / 3, 1e15 + 0.3, 2 ** 53 + 2, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE];
  const ALSO = [2.2250738585072014e-308, 2.225073858507201e-308, 1e-300, -1e300, 123_456_789.123_456_78, 1 + Number.EPSILON, Math.PI];

  /** Whether the stores read a double back as it was given: -0 reads back as 0 on both (SQLite keeps a whole REAL as an integer). */
  const storedAs = (given: number, read: number | undefined) => Object.is(read, Object.is(given, -0) ? 0 : given);

  it('reads every double back as it was stored, to the last bit, raw and in the hourly rollups', async () => {
    await logger('temperature', 'range');
    const doubles = [...DOUBLES, ...ALSO];
    // One sample an hour: each hour's min and max are that sample.
    await store.appendPage('temperature', doubles.map((value, i): [number, number] => [T0 + i * HOUR, value]));
    const { samples } = await store.range('temperature', T0, T0 + DAY, 100);
    expect(samples.map(([, value], i) => storedAs(doubles[i] as number, value) || `${doubles[i]} read as ${value}`)).toEqual(doubles.map(() => true));
    const rollups = (await hours(await keyOf('temperature'))) as { min: number; max: number }[];
    expect(rollups.map(({ min, max }, i) => (storedAs(doubles[i] as number, min) && storedAs(doubles[i] as number, max)) || `${doubles[i]}: ${min}, ${max}`)).toEqual(doubles.map(() => true));
  });

  it('reads any double back as it was stored', async () => {
    let time = T0;
    await logger('any', 'range');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...DOUBLES)), { minLength: 1, maxLength: 50 }), async (values) => {
        const first = time + 1;
        const page = values.map((value): [number, number] => [++time, value]);
        await store.appendPage('any', page);
        const { samples } = await store.range('any', first, time + 1, 100);
        expect(samples.map(([, value], i) => storedAs(values[i] as number, value))).toEqual(values.map(() => true));
      }),
      { numRuns: 50 },
    );
  });

  it('moves the resume point forward only', async () => {
    await logger('energy');
    await store.appendPage('energy', [[T0, 1]]);
    await store.skipTo('energy', T0 - DAY);
    expect((await store.get('energy'))?.resumeAfter).toBe(T0);
    await store.skipTo('energy', T0 + DAY);
    expect((await store.get('energy'))?.resumeAfter).toBe(T0 + DAY);
    expect(await store.appendPage('energy', [[T0 + HOUR, 2]])).toBe(0);
  });

  it('never lets two remote loggers share a local id', async () => {
    await logger('energy');
    const other = await store.ensure({ id: 'energy', remote: 'floor2', remoteId: 'energy', type: 'counter', unit: 'kWh' });
    expect(other).toMatchObject({ ok: false, owner: { remote: 'lobby' } });
    // Its owner's type and unit are its own to change.
    await store.ensure({ id: 'energy', remote: 'floor2', remoteId: 'energy', type: 'range', unit: 'W' });
    expect(await store.get('energy')).toMatchObject({ remote: 'lobby', type: 'counter', unit: 'kWh' });
    expect(await store.ensure({ id: 'energy', remote: 'lobby', remoteId: 'energy', type: 'counter', unit: 'MWh' })).toMatchObject({ ok: true, logger: { unit: 'MWh' } });
  });

  it('sums a counter per hour from the steps between samples, a reset counting from zero', async () => {
    await logger('energy');
    // 10 kWh per hour, a sample every 15 minutes; the meter is replaced at 02:30 and restarts at 0.5.
    const samples: [number, number][] = [];
    for (let quarter = 0; quarter <= 16; quarter++) {
      const time = T0 + quarter * 15 * 60_000;
      samples.push([time, quarter < 10 ? 100 + quarter * 2.5 : 0.5 + (quarter - 10) * 2.5]);
    }
    await store.appendPage('energy', samples);
    const hours = await counterBuckets('energy', 'hour', T0, T0 + 5 * HOUR);
    expect(hours.map((b) => b.start)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 4 * HOUR]);
    // The hour of the reset: 02:00 (+2.5), 02:15 (+2.5), 02:30 (the new reading 0.5), 02:45 (+2.5).
    expect(hours.map((b) => b.consumption)).toEqual([7.5, 10, 8, 10, 2.5]);
    for (const bucket of hours) expect(bucket.consumption).toBeGreaterThanOrEqual(0);
    // A range starting mid-way counts the step into its first bucket from the sample before it.
    expect(await counterBuckets('energy', 'hour', T0 + HOUR, T0 + 2 * HOUR)).toEqual([{ start: T0 + HOUR, consumption: 10 }]);
    // Buckets whose start is in [from, to): 00:30 starts no bucket.
    expect((await counterBuckets('energy', 'hour', T0 + HOUR / 2, T0 + 2 * HOUR)).map((b) => b.start)).toEqual([T0 + HOUR]);
    expect(await counterBuckets('energy', 'day', T0, T0 + DAY)).toEqual([{ start: T0, consumption: 38 }]);
    // Minutes from the raw samples: the step into 01:00 is from 00:45.
    expect(await aggregate(db, await keyOf('energy'), 'counter', 'minute', T0 + HOUR, T0 + HOUR + 16 * 60_000)).toEqual([
      { start: T0 + HOUR, consumption: 2.5 },
      { start: T0 + HOUR + 15 * 60_000, consumption: 2.5 },
    ]);
  });

  it('gives a range its min, max and average per day and per calendar month (UTC)', async () => {
    await logger('temperature', 'range');
    // Four samples a day from 30 January to 2 February: the value is the day of the month.
    const samples: [number, number][] = [];
    for (let day = 0; day < 4; day++) {
      for (let sample = 0; sample < 4; sample++) {
        const time = Date.UTC(2025, 0, 30 + day) + sample * 6 * HOUR;
        samples.push([time, new Date(time).getUTCDate() + sample / 10]);
      }
    }
    await store.appendPage('temperature', samples);
    const key = await keyOf('temperature');
    const days = (await aggregate(db, key, 'range', 'day', Date.UTC(2025, 0, 30), Date.UTC(2025, 1, 3))) as RangeBucket[];
    expect(days).toHaveLength(4);
    expect(days[0]).toEqual({ start: Date.UTC(2025, 0, 30), min: 30, max: 30.3, avg: 30.15, count: 4 });
    const months = (await aggregate(db, key, 'range', 'month', Date.UTC(2025, 0, 1), Date.UTC(2025, 2, 1))) as RangeBucket[];
    expect(months).toEqual([
      { start: Date.UTC(2025, 0, 1), min: 30, max: 31.3, avg: 30.65, count: 8 },
      { start: Date.UTC(2025, 1, 1), min: 1, max: 2.3, avg: 1.65, count: 8 },
    ]);
    expect(bucketStartAtOrAfter('month', Date.UTC(2025, 0, 15))).toBe(Date.UTC(2025, 1, 1));
    expect(bucketStartAtOrAfter('month', Date.UTC(2024, 11, 1))).toBe(Date.UTC(2024, 11, 1));
  });

  it('sums a counter per month across the month boundary', async () => {
    await logger('energy');
    const samples: [number, number][] = [];
    for (let hour = 0; hour < 48; hour++) samples.push([Date.UTC(2025, 0, 31) + hour * HOUR, hour]);
    await store.appendPage('energy', samples);
    expect(await counterBuckets('energy', 'month', Date.UTC(2025, 0, 1), Date.UTC(2025, 2, 1))).toEqual([
      { start: Date.UTC(2025, 0, 1), consumption: 23 },
      { start: Date.UTC(2025, 1, 1), consumption: 24 },
    ]);
  });

  it('keeps hourly rollups equal to the raw samples across pages, resets and retention', async () => {
    await logger('energy');
    // Samples 7 minutes apart over two days, in pages of 50 that split hours; resets every 300.
    const samples = Array.from({ length: 412 }, (_, i): [number, number] => [T0 + i * 7 * 60_000, i % 300 === 299 ? 0.2 : (i % 300) * 0.7]);
    for (let i = 0; i < samples.length; i += 50) await store.appendPage('energy', samples.slice(i, i + 50));
    const key = await keyOf('energy');
    const fromRaw = async (from: number, to: number) => {
      const hours = new Map<number, number>();
      for (const bucket of (await aggregate(db, key, 'counter', 'minute', from, to)) as CounterBucket[]) {
        const hour = Math.floor(bucket.start / HOUR) * HOUR;
        hours.set(hour, (hours.get(hour) ?? 0) + bucket.consumption);
      }
      return [...hours].map(([start, consumption]) => ({ start, consumption: Number(consumption.toPrecision(12)) }));
    };
    expect(await counterBuckets('energy', 'hour', T0, T0 + 2 * DAY)).toEqual(await fromRaw(T0, T0 + 2 * DAY));
    const ranged = (await aggregate(db, key, 'range', 'day', T0, T0 + 2 * DAY)) as RangeBucket[];
    expect(ranged.map((b) => b.count)).toEqual([206, 206]);

    await store.setRetention('energy', 1);
    await store.applyRetention(T0 + DAY + 30 * 60_000);
    const cutoff = T0 + 30 * 60_000;
    expect(await counterBuckets('energy', 'hour', T0, T0 + 2 * DAY)).toEqual(await fromRaw(cutoff, T0 + 2 * DAY));
    expect(((await aggregate(db, key, 'range', 'day', T0, T0 + 2 * DAY)) as RangeBucket[])[0]?.count).toBe(206 - Math.ceil(30 / 7));
  });

  // Readings of every kind: integers, any double, decimals whose sums carry binary noise, and one
  // so large that adding small ones to it loses their digits without compensation.
  const value = fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double({ min: -1e6, max: 1e9, noNaN: true }), fc.constantFrom(0, 0.1, 0.2, 1e15 + 0.3));
  const step = fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 1, max: 5 * HOUR }));
  const series = fc.array(fc.tuple(step, value), { minLength: 1, maxLength: 400 });

  it('keeps, page by page, exactly the hourly rollups the SQL recomputes from the raw samples', async () => {
    // Pages store the first hour through the SQL and later hours computed from the page: the
    // rows must be the very same numbers, to the last bit, whatever the pages and the values.
    // The same rows again when computed from the samples read (PostgreSQL's way, see
    // logger-aggregates.ts): on SQLite, this holds the two stores' rollups equal.
    const cuts = fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 10 });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(series, cuts, fc.integer({ min: 0, max: 3 }), async (steps, sizes, overlap) => {
        const id = `series${round++}`;
        await logger(id, round % 2 === 0 ? 'counter' : 'range');
        const key = await keyOf(id);
        let time = T0 + 17_000;
        const samples = steps.map(([gap, reading]): [number, number] => [(time += gap), reading]);
        // Pages of varying sizes, each repeating a few samples of the page before.
        for (let at = 0, page = 0; at < samples.length; page++) {
          const size = sizes[page % sizes.length] as number;
          await store.appendPage(id, samples.slice(Math.max(0, at - overlap), at + size));
          at += size;
        }
        const first = (samples[0] as [number, number])[0];
        const last = (samples.at(-1) as [number, number])[0];
        const paged = await hours(key);
        await rollUpHours(db, key, first, last);
        expect(paged).toEqual(await hours(key));
        await rollUpRead(db, key, Math.floor(first / HOUR) * HOUR, Math.floor(last / HOUR) * HOUR + HOUR);
        expect(paged).toEqual(await hours(key));
        expect(await store.get(id)).toMatchObject({ samples: samples.length, resumeAfter: samples.at(-1)?.[0] });
      }),
      { numRuns: 150 },
    );
  });

  it('deletes samples past the retention in chunks, keeping the count and the resume point', async () => {
    await logger('energy');
    const now = T0 + 10 * DAY;
    // 120,000 samples over the last ten days: more than two delete chunks.
    const step = (10 * DAY) / 120_000;
    const samples = Array.from({ length: 120_000 }, (_, index): [number, number] => [T0 + Math.round((index + 1) * step), index]);
    await store.appendPage('energy', samples);
    await store.setRetention('energy', 3);
    const deleted = await store.applyRetention(now);
    const kept = samples.filter(([time]) => time >= now - 3 * DAY).length;
    expect(deleted).toBe(120_000 - kept);
    expect(await store.get('energy')).toMatchObject({ samples: kept, resumeAfter: samples.at(-1)?.[0], retentionDays: 3 });
    expect((await store.firstSample('energy'))?.[0]).toBeGreaterThanOrEqual(now - 3 * DAY);
    expect(await hours(await keyOf('energy'))).toHaveLength(3 * 24 + 1);

    await store.deleteRemote('lobby');
    expect(await store.list()).toEqual([]);
    expect(await db.get('SELECT count(*) AS samples FROM logger_samples')).toEqual({ samples: 0 });
    expect(await db.get('SELECT count(*) AS hours FROM logger_hours')).toEqual({ hours: 0 });
  });
});
