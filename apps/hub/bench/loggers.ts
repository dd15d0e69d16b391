// Benchmark: replicated data loggers. Prints the catch-up rate of a hub replicating a simulator
// with a year of minute samples per logger (real HTTPS, real SQLite file) and where its time went
// (the hub's store, its decoding, its thread idle waiting for the simulator's pages), then the
// time of the dashboard's aggregate queries over five years of minute samples per logger, stored
// as replication stores pages (a hundred thousand samples a page). Run with `pnpm bench loggers`.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { AggregateInterval, LoggerView } from '@riohub/hub-api';
import { decodeLogResponse, MAX_LOG_SAMPLES } from '@riohub/protocol';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { DATABASE_FILE, openDatabase, truncateLog } from '../src/db/database';
import type { Store } from '../src/db/store';
import { aggregate } from '../src/loggers/logger-aggregates';
import { LoggerStore } from '../src/loggers/logger-store';
import { startTestHub } from '../src/testing/test-hub';

const SIM_PASSWORD = 'bench';
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const format = (n: number) => Math.round(n).toLocaleString('en-US');

/** A hub catching up with a simulator's year of minute samples (two loggers). */
async function catchUpRate(): Promise<void> {
  const sim = await spawnSim(['--password', SIM_PASSWORD, '--history-days', '365', '--history-step', '60', '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  const hub = await startTestHub();
  try {
    const load = loadavg();
    const started = performance.now();
    const idleBefore = performance.eventLoopUtilization();
    await hub.admin.addSim('bench', sim, SIM_PASSWORD, { dataloggers: 'energy;temperature', dataloggerspollinterval: 1 });
    let views: LoggerView[] = [];
    while (!(views.length === 2 && views.every((view) => view.replication === 'up to date'))) {
      await sleep(50);
      views = await hub.admin.data<LoggerView[]>('GET', '/api/loggers');
    }
    const seconds = (performance.now() - started) / 1000;
    const busy = performance.eventLoopUtilization(idleBefore).utilization;
    const samples = views.reduce((sum, view) => sum + view.samples, 0);
    console.log(`catch-up: ${format(samples)} samples (2 loggers, a year of minutes each) in ${seconds.toFixed(1)} s: ${format(samples / seconds)} samples/s`);
    const times = hub.running.hub.loggers.times();
    const decodeMs = await decodeTime(sim);
    const pageMs = await pageTime(sim);
    const { store } = times;
    const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
    const share = (value: number) => `${((100 * value) / (seconds * 1000)).toFixed(0)}%`;
    const storeMs = store.transactionMs;
    const decodedMs = decodeMs * store.pages;
    const threadMs = busy * seconds * 1000;
    console.log(
      `  stages (load ${load.map((value) => value.toFixed(2)).join(' ')} at start): ${store.pages} pages; the hub's thread busy ${ms(threadMs)} (${share(threadMs)}), idle ${ms(seconds * 1000 - threadMs)}\n` +
        `  store ${ms(storeMs)} (${share(storeMs)}): insert ${ms(store.insertMs)}, rollups ${ms(store.rollupMs)}, commit ${ms(storeMs - store.insertMs - store.rollupMs)}\n` +
        `  decode ${ms(decodedMs)} (${share(decodedMs)}, ${decodeMs.toFixed(1)} ms a page); wire and the rest of the thread ${ms(threadMs - storeMs - decodedMs)} (HTTPS, the hub's own API polled by this benchmark)\n` +
        `  fetch: a page answered in ${(times.fetch.fetchMs / times.fetch.pages).toFixed(1)} ms while the one before is stored; waited for ${ms(times.fetch.waitMs)} in all; ` +
        `the simulator alone answers a page in ${pageMs.toFixed(1)} ms (${format((MAX_LOG_SAMPLES / pageMs) * 1000)} samples/s)`,
    );
  } finally {
    await hub.close();
    await sim.stop('SIGKILL');
  }
}

/** Median milliseconds to decode one full `riolog` page of the simulator's. */
async function decodeTime(sim: SimProcess): Promise<number> {
  const client = new RioTestClient(sim.url, sim.certificate);
  try {
    const { body } = await client.get(`/x/riolog?1*${SIM_PASSWORD}*energy*0*${MAX_LOG_SAMPLES}`);
    return await timed(() => decodeLogResponse(body), 21);
  } finally {
    await client.close();
  }
}

/** Median milliseconds from asking the simulator for a full page to its last byte (HTTPS, not decoded). */
async function pageTime(sim: SimProcess): Promise<number> {
  const client = new RioTestClient(sim.url, sim.certificate);
  try {
    const durations: number[] = [];
    for (let i = 0; i < 21; i++) durations.push((await client.get(`/x/riolog?1*${SIM_PASSWORD}*temperature*0*${MAX_LOG_SAMPLES}`)).elapsedMs);
    return durations.sort((a, b) => a - b)[10] as number;
  } finally {
    await client.close();
  }
}

/** Median milliseconds of a query run several times. */
async function timed(run: () => unknown, times = 5): Promise<number> {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

/** What the store takes on disk: the SQLite file (its log emptied into it), or PostgreSQL's database. */
async function storedBytes(db: Store, dir: string): Promise<{ what: string; bytes: number }> {
  if (db.kind === 'postgres') {
    const size = await db.get<{ bytes: number }>('SELECT pg_database_size(current_database()) AS bytes');
    return { what: 'database', bytes: size?.bytes ?? 0 };
  }
  truncateLog(db);
  return { what: 'file', bytes: statSync(join(dir, DATABASE_FILE)).size };
}

/** The dashboard's queries over five years of minutes of two loggers, stored in `db` (empty). */
async function queryTimes(db: Store, dir: string): Promise<void> {
  const store = new LoggerStore(db);
  const end = Date.UTC(2026, 0, 1);
  const start = end - 5 * 365 * DAY;
  const count = (end - start) / MINUTE;
  const fillStarted = performance.now();
  for (const [id, type] of [['energy', 'counter'], ['temperature', 'range']] as const) {
    await store.ensure({ id, remote: 'bench', remoteId: id, type, unit: '' });
    for (let from = 0; from < count; from += 100_000) {
      const page = Array.from({ length: Math.min(count, from + 100_000) - from }, (_, index): [number, number] => {
        const i = from + index;
        const time = start + i * MINUTE;
        return [time, type === 'counter' ? i * 0.01 : 21 + 2 * Math.sin((time / DAY) * 2 * Math.PI)];
      });
      await store.appendPage(id, page);
    }
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const { what, bytes } = await storedBytes(db, dir);
  console.log(`filled ${format(2 * count)} samples (2 loggers × 5 years of minutes, with their hourly rollups) in ${fillSeconds.toFixed(1)} s; ${what} ${(bytes / 2 ** 20).toFixed(0)} MiB, ${(bytes / (2 * count)).toFixed(1)} bytes/sample`);

  const lastYear = Date.UTC(2025, 0, 1);
  const midDay = Date.UTC(2023, 5, 15);
  const cases: [string, AggregateInterval, number, number][] = [
    ['a year by month', 'month', lastYear, lastYear + 365 * DAY],
    ['a day by hour', 'hour', midDay, midDay + DAY],
    ['a month by day', 'day', Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1)],
    ['a day by minute', 'minute', midDay, midDay + DAY],
    ['five years by month', 'month', start, end],
  ];
  for (const [label, interval, from, to] of cases) {
    for (const [id, type] of [['energy', 'counter'], ['temperature', 'range']] as const) {
      const key = (await store.keyOf(id)) as number;
      let buckets = 0;
      const ms = await timed(async () => (buckets = (await aggregate(db, key, type, interval, from, to)).length));
      console.log(`${label.padEnd(20)} ${type.padEnd(8)} ${String(buckets).padStart(3)} buckets: ${ms.toFixed(1)} ms`);
    }
  }
  const rawMs = await timed(() => store.range('temperature', midDay, midDay + DAY, 100_000));
  console.log(`raw samples of a day (1,440): ${rawMs.toFixed(1)} ms`);
}

await catchUpRate();
const dir = mkdtempSync(join(tmpdir(), 'riohub-bench-loggers-'));
const db = openDatabase(dir);
try {
  await queryTimes(db, dir);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
