// The logger store and its aggregates on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CounterBucket, RangeBucket } from '@riohub/hub-api';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type HubDatabase } from '../db/database';
import { aggregate, bucketStartAtOrAfter, rollUpHours } from './logger-aggregates';
import { LoggerStore } from './logger-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);

describe('logger store', () => {
  let dir: string;
  let db: HubDatabase;
  let store: LoggerStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'riohub-logger-store-'));
    db = openDatabase(dir);
    store = new LoggerStore(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function logger(id: string, type: 'counter' | 'range' = 'counter') {
    const ensured = store.ensure({ id, remote: 'lobby', remoteId: id, type, unit: type === 'counter' ? 'kWh' : '°C' });
    if (!ensured.ok) throw new Error('not ensured');
    return ensured.logger;
  }

  function counterBuckets(id: string, interval: 'hour' | 'day' | 'month', from: number, to: number): CounterBucket[] {
    return aggregate(db, store.keyOf(id) as number, 'counter', interval, from, to) as CounterBucket[];
  }

  it('stores each sample once, resuming after the last one, even when a page repeats some', () => {
    logger('energy');
    expect(store.appendPage('energy', [[T0, 1], [T0 + 1000, 2], [T0 + 2000, 3]])).toBe(3);
    expect(store.appendPage('energy', [[T0 + 1000, 2], [T0 + 2000, 3], [T0 + 3000, 4]])).toBe(1);
    expect(store.get('energy')).toMatchObject({ resumeAfter: T0 + 3000, samples: 4 });
    expect(store.range('energy', T0, T0 + 10_000, 10)).toEqual({
      samples: [[T0, 1], [T0 + 1000, 2], [T0 + 2000, 3], [T0 + 3000, 4]],
      truncated: false,
    });
    expect(store.range('energy', T0 + 1000, T0 + 3000, 1)).toEqual({ samples: [[T0 + 1000, 2]], truncated: true });
    expect(store.readAfter('energy', T0 + 1000, 10)).toEqual({ samples: [[T0 + 2000, 3], [T0 + 3000, 4]], more: false });
    expect(store.readAfter('energy', T0, 2)).toEqual({ samples: [[T0 + 1000, 2], [T0 + 2000, 3]], more: true });
    expect(store.localLoggers()).toEqual([{ id: 'energy', type: 'counter', unit: 'kWh' }]);
  });

  it('never lets two remote loggers share a local id', () => {
    logger('energy');
    const other = store.ensure({ id: 'energy', remote: 'floor2', remoteId: 'energy', type: 'counter', unit: 'kWh' });
    expect(other).toMatchObject({ ok: false, owner: { remote: 'lobby' } });
  });

  it('sums a counter per hour from the steps between samples, a reset counting from zero', () => {
    logger('energy');
    // 10 kWh per hour, a sample every 15 minutes; the meter is replaced at 02:30 and restarts at 0.5.
    const samples: [number, number][] = [];
    for (let quarter = 0; quarter <= 16; quarter++) {
      const time = T0 + quarter * 15 * 60_000;
      samples.push([time, quarter < 10 ? 100 + quarter * 2.5 : 0.5 + (quarter - 10) * 2.5]);
    }
    store.appendPage('energy', samples);
    const hours = counterBuckets('energy', 'hour', T0, T0 + 5 * HOUR);
    expect(hours.map((b) => b.start)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 4 * HOUR]);
    // The hour of the reset: 02:00 (+2.5), 02:15 (+2.5), 02:30 (the new reading 0.5), 02:45 (+2.5).
    expect(hours.map((b) => b.consumption)).toEqual([7.5, 10, 8, 10, 2.5]);
    for (const bucket of hours) expect(bucket.consumption).toBeGreaterThanOrEqual(0);
    // A range starting mid-way counts the step into its first bucket from the sample before it.
    expect(counterBuckets('energy', 'hour', T0 + HOUR, T0 + 2 * HOUR)).toEqual([{ start: T0 + HOUR, consumption: 10 }]);
    // Buckets whose start is in [from, to): 00:30 starts no bucket.
    expect(counterBuckets('energy', 'hour', T0 + HOUR / 2, T0 + 2 * HOUR).map((b) => b.start)).toEqual([T0 + HOUR]);
    expect(counterBuckets('energy', 'day', T0, T0 + DAY)).toEqual([{ start: T0, consumption: 38 }]);
  });

  it('gives a range its min, max and average per day and per calendar month (UTC)', () => {
    logger('temperature', 'range');
    // Four samples a day from 30 January to 2 February: the value is the day of the month.
    const samples: [number, number][] = [];
    for (let day = 0; day < 4; day++) {
      for (let sample = 0; sample < 4; sample++) {
        const time = Date.UTC(2025, 0, 30 + day) + sample * 6 * HOUR;
        samples.push([time, new Date(time).getUTCDate() + sample / 10]);
      }
    }
    store.appendPage('temperature', samples);
    const key = store.keyOf('temperature') as number;
    const days = aggregate(db, key, 'range', 'day', Date.UTC(2025, 0, 30), Date.UTC(2025, 1, 3)) as RangeBucket[];
    expect(days).toHaveLength(4);
    expect(days[0]).toEqual({ start: Date.UTC(2025, 0, 30), min: 30, max: 30.3, avg: 30.15, count: 4 });
    const months = aggregate(db, key, 'range', 'month', Date.UTC(2025, 0, 1), Date.UTC(2025, 2, 1)) as RangeBucket[];
    expect(months).toEqual([
      { start: Date.UTC(2025, 0, 1), min: 30, max: 31.3, avg: 30.65, count: 8 },
      { start: Date.UTC(2025, 1, 1), min: 1, max: 2.3, avg: 1.65, count: 8 },
    ]);
    expect(bucketStartAtOrAfter('month', Date.UTC(2025, 0, 15))).toBe(Date.UTC(2025, 1, 1));
    expect(bucketStartAtOrAfter('month', Date.UTC(2024, 11, 1))).toBe(Date.UTC(2024, 11, 1));
  });

  it('sums a counter per month across the month boundary', () => {
    logger('energy');
    const samples: [number, number][] = [];
    for (let hour = 0; hour < 48; hour++) samples.push([Date.UTC(2025, 0, 31) + hour * HOUR, hour]);
    store.appendPage('energy', samples);
    expect(counterBuckets('energy', 'month', Date.UTC(2025, 0, 1), Date.UTC(2025, 2, 1))).toEqual([
      { start: Date.UTC(2025, 0, 1), consumption: 23 },
      { start: Date.UTC(2025, 1, 1), consumption: 24 },
    ]);
  });

  it('keeps hourly rollups equal to the raw samples across pages, resets and retention', async () => {
    logger('energy');
    // Samples 7 minutes apart over two days, in pages of 50 that split hours; resets every 300.
    const samples = Array.from({ length: 412 }, (_, i): [number, number] => [T0 + i * 7 * 60_000, i % 300 === 299 ? 0.2 : (i % 300) * 0.7]);
    for (let i = 0; i < samples.length; i += 50) store.appendPage('energy', samples.slice(i, i + 50));
    const key = store.keyOf('energy') as number;
    const fromRaw = (from: number, to: number) => {
      const hours = new Map<number, number>();
      for (const bucket of aggregate(db, key, 'counter', 'minute', from, to) as CounterBucket[]) {
        const hour = Math.floor(bucket.start / HOUR) * HOUR;
        hours.set(hour, (hours.get(hour) ?? 0) + bucket.consumption);
      }
      return [...hours].map(([start, consumption]) => ({ start, consumption: Number(consumption.toPrecision(12)) }));
    };
    expect(counterBuckets('energy', 'hour', T0, T0 + 2 * DAY)).toEqual(fromRaw(T0, T0 + 2 * DAY));
    const ranged = aggregate(db, key, 'range', 'day', T0, T0 + 2 * DAY) as RangeBucket[];
    expect(ranged.map((b) => b.count)).toEqual([206, 206]);

    store.setRetention('energy', 1);
    await store.applyRetention(T0 + DAY + 30 * 60_000);
    const cutoff = T0 + 30 * 60_000;
    expect(counterBuckets('energy', 'hour', T0, T0 + 2 * DAY)).toEqual(fromRaw(cutoff, T0 + 2 * DAY));
    expect((aggregate(db, key, 'range', 'day', T0, T0 + 2 * DAY) as RangeBucket[])[0]?.count).toBe(206 - Math.ceil(30 / 7));
  });

  it('keeps, page by page, exactly the hourly rollups the SQL recomputes from the raw samples', () => {
    // Pages store the first hour through the SQL and later hours computed from the page: the
    // rows must be the very same numbers, to the last bit, whatever the pages and the values.
    const value = fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double({ min: -1e6, max: 1e9, noNaN: true }), fc.constantFrom(0, 0.1, 0.2, 1e15 + 0.3));
    const step = fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 1, max: 5 * HOUR }));
    const series = fc.array(fc.tuple(step, value), { minLength: 1, maxLength: 400 });
    const cuts = fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 10 });
    let round = 0;
    fc.assert(
      fc.property(series, cuts, fc.integer({ min: 0, max: 3 }), (steps, sizes, overlap) => {
        const id = `series${round++}`;
        logger(id, round % 2 === 0 ? 'counter' : 'range');
        const key = store.keyOf(id) as number;
        let time = T0 + 17_000;
        const samples = steps.map(([gap, reading]): [number, number] => [(time += gap), reading]);
        // Pages of varying sizes, each repeating a few samples of the page before.
        for (let at = 0, page = 0; at < samples.length; page++) {
          const size = sizes[page % sizes.length] as number;
          store.appendPage(id, samples.slice(Math.max(0, at - overlap), at + size));
          at += size;
        }
        const hours = () => db.prepare('SELECT hour, min, max, total, count, consumption FROM logger_hours WHERE logger = ? ORDER BY hour').all(key);
        const paged = hours();
        rollUpHours(db, key, (samples[0] as [number, number])[0], (samples.at(-1) as [number, number])[0]);
        expect(paged).toEqual(hours());
        expect(store.get(id)).toMatchObject({ samples: samples.length, resumeAfter: samples.at(-1)?.[0] });
      }),
      { numRuns: 150 },
    );
  });

  it('deletes samples past the retention in chunks, keeping the count and the resume point', async () => {
    logger('energy');
    const now = T0 + 10 * DAY;
    // 120,000 samples over the last ten days: more than two delete chunks.
    const step = (10 * DAY) / 120_000;
    const samples = Array.from({ length: 120_000 }, (_, index): [number, number] => [T0 + Math.round((index + 1) * step), index]);
    store.appendPage('energy', samples);
    store.setRetention('energy', 3);
    const deleted = await store.applyRetention(now);
    const kept = samples.filter(([time]) => time >= now - 3 * DAY).length;
    expect(deleted).toBe(120_000 - kept);
    expect(store.get('energy')).toMatchObject({ samples: kept, resumeAfter: samples.at(-1)?.[0], retentionDays: 3 });
    expect(store.firstSample('energy')?.[0]).toBeGreaterThanOrEqual(now - 3 * DAY);

    await store.deleteRemote('lobby');
    expect(store.list()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM logger_samples').pluck().get()).toBe(0);
  });
});
