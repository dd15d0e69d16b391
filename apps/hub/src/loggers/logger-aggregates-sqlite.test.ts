// PostgreSQL's aggregates are grouped in JS from the rows read (logger-aggregates.ts) because its
// sum() is not SQLite's compensated one: this proves, on SQLite, that the JS grouping gives
// SQLite's SQL answers to the last bit. (Its subject is SQLite's SQL: not run on PostgreSQL.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AggregateInterval } from '@riohub/hub-api';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import type { Store } from '../db/store';
import { aggregateRead, aggregateSql, bucketStartAtOrAfter } from './logger-aggregates';
import { LoggerStore } from './logger-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("logger aggregates grouped in JS against SQLite's SQL", () => {
  let dir: string;
  let db: Store;
  let store: LoggerStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'riohub-logger-aggregates-'));
    db = openDatabase(dir);
    store = new LoggerStore(db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const value = fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double({ min: -1e6, max: 1e9, noNaN: true }), fc.constantFrom(0, 0.1, 0.2, 1e15 + 0.3));
  const step = fc.oneof(fc.integer({ min: 1, max: 120_000 }), fc.integer({ min: 1, max: 5 * HOUR }));

  async function logger(id: string): Promise<void> {
    const ensured = await store.ensure({ id, remote: 'lobby', remoteId: id, type: 'counter', unit: 'kWh' });
    if (!ensured.ok) throw new Error('not ensured');
  }

  async function keyOf(id: string): Promise<number> {
    return (await store.keyOf(id)) as number;
  }

  it('groups the buckets read as SQLite groups them in SQL, to the last bit', async () => {
    const interval = fc.constantFrom<AggregateInterval>('minute', 'hour', 'day', 'month');
    const span = fc.tuple(fc.integer({ min: -2 * DAY, max: 40 * DAY }), fc.integer({ min: 0, max: 80 * DAY }));
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(step, value), { minLength: 1, maxLength: 2000, size: 'large' }), interval, span, async (steps, by, [from, length]) => {
        const id = `series${round++}`;
        await logger(id);
        const key = await keyOf(id);
        // Series of 28 days and more cross a month: start a day and a bit before the end of January.
        let time = Date.UTC(2025, 0, 30, 22, 59, 13);
        await store.appendPage(id, steps.map(([gap, reading]): [number, number] => [(time += gap), reading]));
        const start = bucketStartAtOrAfter(by, Date.UTC(2025, 0, 30) + from);
        const end = bucketStartAtOrAfter(by, Date.UTC(2025, 0, 30) + from + length);
        expect(await aggregateRead(db, key, by, start, end)).toEqual(await aggregateSql(db, key, by, start, end));
      }),
      { numRuns: 200 },
    );
  });

});
