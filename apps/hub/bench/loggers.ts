// Benchmark: replicated data loggers. Prints the catch-up rate of a hub replicating a simulator
// with a year of minute samples per logger (real HTTPS, real SQLite file) and where its time went
// (the hub's store, its decoding, its thread idle waiting for the simulator's pages), then the
// time of the dashboard's aggregate queries over five years of minute samples per logger, stored
// as replication stores pages (a hundred thousand samples a page). Run with `pnpm bench loggers`.
// With `--database postgres://…` (or RIOHUB_DATABASE; `postgres` alone for a throwaway cluster)
// it measures the same on SQLite and on a fresh database of that server (lib/bench-postgres.ts),
// and prints each figure side by side.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { AggregateInterval, LoggerView } from '@riohub/hub-api';
import { decodeLogResponse, MAX_LOG_SAMPLES } from '@riohub/protocol';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { DATABASE_FILE, openDatabase, openPostgres, truncateLog } from '../src/db/database';
import type { Store } from '../src/db/store';
import { aggregate } from '../src/loggers/logger-aggregates';
import { LoggerStore } from '../src/loggers/logger-store';
import { startTestHub } from '../src/testing/test-hub';
import { databaseArgument, openBenchPostgres, type BenchPostgres } from './lib/bench-postgres';

const SIM_PASSWORD = 'bench';
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const format = (n: number) => Math.round(n).toLocaleString('en-US');

/** What one catch-up measured (milliseconds unless named otherwise). */
interface CatchUp {
  load: number[];
  samples: number;
  seconds: number;
  pages: number;
  threadMs: number;
  storeMs: number;
  insertMs: number;
  rollupMs: number;
  /** Decoding one full page. */
  decodeMs: number;
  /** A page answered while the one before is stored, on average. */
  fetchMs: number;
  waitMs: number;
  /** The simulator alone answering one full page. */
  pageMs: number;
}

/** A hub catching up with a simulator's year of minute samples (two loggers), on SQLite or the PostgreSQL database `database`. */
async function catchUp(database?: string): Promise<CatchUp> {
  const sim = await spawnSim(['--password', SIM_PASSWORD, '--history-days', '365', '--history-step', '60', '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  const hub = await startTestHub(undefined, database === undefined ? {} : { database });
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
    const { store, fetch } = hub.running.hub.loggers.times();
    return {
      load,
      samples: views.reduce((sum, view) => sum + view.samples, 0),
      seconds,
      pages: store.pages,
      threadMs: busy * seconds * 1000,
      storeMs: store.transactionMs,
      insertMs: store.insertMs,
      rollupMs: store.rollupMs,
      decodeMs: await decodeTime(sim),
      fetchMs: fetch.fetchMs / fetch.pages,
      waitMs: fetch.waitMs,
      pageMs: await pageTime(sim),
    };
  } finally {
    await hub.close();
    await sim.stop('SIGKILL');
  }
}

function printCatchUp(run: CatchUp): void {
  const { seconds, storeMs, threadMs } = run;
  const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
  const share = (value: number) => `${((100 * value) / (seconds * 1000)).toFixed(0)}%`;
  const decodedMs = run.decodeMs * run.pages;
  console.log(`catch-up: ${format(run.samples)} samples (2 loggers, a year of minutes each) in ${seconds.toFixed(1)} s: ${format(run.samples / seconds)} samples/s`);
  console.log(
    `  stages (load ${run.load.map((value) => value.toFixed(2)).join(' ')} at start): ${run.pages} pages; the hub's thread busy ${ms(threadMs)} (${share(threadMs)}), idle ${ms(seconds * 1000 - threadMs)}\n` +
      `  store ${ms(storeMs)} (${share(storeMs)}): insert ${ms(run.insertMs)}, rollups ${ms(run.rollupMs)}, commit ${ms(storeMs - run.insertMs - run.rollupMs)}\n` +
      `  decode ${ms(decodedMs)} (${share(decodedMs)}, ${run.decodeMs.toFixed(1)} ms a page); wire and the rest of the thread ${ms(threadMs - storeMs - decodedMs)} (HTTPS, the hub's own API polled by this benchmark)\n` +
      `  fetch: a page answered in ${run.fetchMs.toFixed(1)} ms while the one before is stored; waited for ${ms(run.waitMs)} in all; ` +
      `the simulator alone answers a page in ${run.pageMs.toFixed(1)} ms (${format((MAX_LOG_SAMPLES / run.pageMs) * 1000)} samples/s)`,
  );
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

/** What the fill and the queries measured. */
interface QueryTimes {
  load: number;
  samples: number;
  fillSeconds: number;
  what: string;
  bytes: number;
  queries: { label: string; type: string; buckets: number; ms: number }[];
  rawMs: number;
}

/** The dashboard's queries over five years of minutes of two loggers, stored in `db` (empty). */
async function queryTimes(db: Store, dir: string): Promise<QueryTimes> {
  const load = loadavg()[0] as number;
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

  const lastYear = Date.UTC(2025, 0, 1);
  const midDay = Date.UTC(2023, 5, 15);
  const cases: [string, AggregateInterval, number, number][] = [
    ['a year by month', 'month', lastYear, lastYear + 365 * DAY],
    ['a day by hour', 'hour', midDay, midDay + DAY],
    ['a month by day', 'day', Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1)],
    ['a day by minute', 'minute', midDay, midDay + DAY],
    ['five years by month', 'month', start, end],
  ];
  const queries: QueryTimes['queries'] = [];
  for (const [label, interval, from, to] of cases) {
    for (const [id, type] of [['energy', 'counter'], ['temperature', 'range']] as const) {
      const key = (await store.keyOf(id)) as number;
      let buckets = 0;
      const ms = await timed(async () => (buckets = (await aggregate(db, key, type, interval, from, to)).length));
      queries.push({ label, type, buckets, ms });
    }
  }
  const rawMs = await timed(() => store.range('temperature', midDay, midDay + DAY, 100_000));
  return { load, samples: 2 * count, fillSeconds, what, bytes, queries, rawMs };
}

function printQueries(run: QueryTimes): void {
  const { samples, bytes } = run;
  console.log(`filled ${format(samples)} samples (2 loggers × 5 years of minutes, with their hourly rollups) in ${run.fillSeconds.toFixed(1)} s; ${run.what} ${(bytes / 2 ** 20).toFixed(0)} MiB, ${(bytes / samples).toFixed(1)} bytes/sample`);
  for (const { label, type, buckets, ms } of run.queries) console.log(`${label.padEnd(20)} ${type.padEnd(8)} ${String(buckets).padStart(3)} buckets: ${ms.toFixed(1)} ms`);
  console.log(`raw samples of a day (1,440): ${run.rawMs.toFixed(1)} ms`);
}

/** The fill and the queries on a SQLite file of their own, and how that SQLite syncs. */
async function onSqlite(): Promise<{ times: QueryTimes; description: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'riohub-bench-loggers-'));
  const db = openDatabase(dir);
  try {
    const version = db.db.prepare('SELECT sqlite_version()').pluck().get() as string;
    const synchronous = ['off', 'normal', 'full', 'extra'][db.db.pragma('synchronous', { simple: true }) as number];
    return { times: await queryTimes(db, dir), description: `SQLite ${version} (WAL, synchronous ${synchronous})` };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `work` on a fresh database of the server, dropped after. */
async function onPostgres<T>(postgres: BenchPostgres, work: (url: string) => Promise<T>): Promise<T> {
  const url = await postgres.freshDatabase();
  try {
    return await work(url);
  } finally {
    await postgres.drop(url);
  }
}

/** A row of the side-by-side table: a figure on each store, shown by `show`. */
type Figure = [label: string, sqlite: number, postgres: number, show: (value: number) => string];

function sideBySide(lite: { catchUp: CatchUp; queries: QueryTimes }, pg: { catchUp: CatchUp; queries: QueryTimes }): Figure[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const a = lite.catchUp;
  const b = pg.catchUp;
  const both = <T>(of: (run: CatchUp) => T): [T, T] => [of(a), of(b)];
  const figures: Figure[] = [
    [`catch-up of ${format(a.samples)} samples (${a.pages} pages)`, a.samples / a.seconds, b.samples / b.seconds, (value) => `${format(value)} samples/s`],
    ['  in', ...both((run) => run.seconds * 1000), s],
    ["  the hub's thread busy", ...both((run) => run.threadMs), s],
    ['  storing the pages', ...both((run) => run.storeMs), s],
    ['    inserts', ...both((run) => run.insertMs), s],
    ['    hourly rollups', ...both((run) => run.rollupMs), s],
    ['    commits (and partitions)', ...both((run) => run.storeMs - run.insertMs - run.rollupMs), s],
    ['  decoding a page', ...both((run) => run.decodeMs), ms],
    ['  a page answered while the one before is stored', ...both((run) => run.fetchMs), ms],
    ['  waiting for pages, in all', ...both((run) => run.waitMs), s],
    ['  the simulator alone answering a page', ...both((run) => run.pageMs), ms],
    ['  load average at its start', ...both((run) => run.load[0] as number), (value) => value.toFixed(2)],
    [`fill of ${format(lite.queries.samples)} samples with their hourly rollups`, lite.queries.fillSeconds * 1000, pg.queries.fillSeconds * 1000, s],
    [`  ${lite.queries.what} / ${pg.queries.what} size`, lite.queries.bytes, pg.queries.bytes, (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB, ${(bytes / lite.queries.samples).toFixed(1)} B/sample`],
    ['  load average at its start', lite.queries.load, pg.queries.load, (value) => value.toFixed(2)],
  ];
  lite.queries.queries.forEach((query, i) => {
    const other = pg.queries.queries[i] as QueryTimes['queries'][number];
    // Both stores give the same buckets; were it not so, the row says it.
    const buckets = query.buckets === other.buckets ? `${query.buckets}` : `${query.buckets} / ${other.buckets}`;
    figures.push([`${query.label}, ${query.type} (${buckets} buckets)`, query.ms, other.ms, ms]);
  });
  figures.push(['raw samples of a day (1,440)', lite.queries.rawMs, pg.queries.rawMs, ms]);
  return figures;
}

function printTable(figures: Figure[]): void {
  const rows = figures.map(([label, lite, pg, show]) => [label, show(lite), show(pg), label.includes('load average') || lite === 0 ? '' : `${(pg / lite).toFixed(2)}×`]);
  const header = ['figure', 'SQLite', 'PostgreSQL', 'PostgreSQL / SQLite'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** A mistake in `--database`, or a server the bench may not use: told in one line. */
function refuse(error: unknown): never {
  console.error(`pnpm bench loggers: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

let database: string | undefined;
try {
  database = databaseArgument(process.argv.slice(2), process.env);
} catch (error) {
  refuse(error);
}
if (database === undefined) {
  printCatchUp(await catchUp());
  printQueries((await onSqlite()).times);
} else {
  const postgres = await openBenchPostgres(database).catch(refuse);
  try {
    const loadAtStart = loadavg();
    // One store, then the other, for each measurement: a change in the machine's load meanwhile falls on both.
    const catchUps = { sqlite: await catchUp(), postgres: await onPostgres(postgres, catchUp) };
    const sqlite = await onSqlite();
    const postgresQueries = await onPostgres(postgres, async (url) => {
      const db = await openPostgres(url);
      try {
        return await queryTimes(db, '');
      } finally {
        await db.close();
      }
    });
    const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
    console.log(`${sqlite.description} beside ${postgres.description}; load average ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`);
    printTable(sideBySide({ catchUp: catchUps.sqlite, queries: sqlite.times }, { catchUp: catchUps.postgres, queries: postgresQueries }));
  } finally {
    await postgres.close();
  }
}
