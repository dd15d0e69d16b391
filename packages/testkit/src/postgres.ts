/**
 * A real PostgreSQL server for tests (Debian's `postgresql`, installed by
 * scripts/ensure-postgresql.sh): a throwaway cluster made with `initdb` in a temporary folder and
 * run with `pg_ctl` on a free loopback port, trusting local connections (nothing but this
 * machine's loopback reaches it). Durability is traded for speed (no fsync): a test that kills
 * the server kills it with `-m immediate`, which loses nothing committed to the kernel. Each
 * test hub gets a database of its own (`createDatabase`).
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { accepts, freePort } from './ports';

/** The folder of `initdb` and `pg_ctl`: `POSTGRES_BIN`, else the newest Debian installs. */
export function postgresBinaries(): string {
  const given = process.env['POSTGRES_BIN'];
  if (given) return given;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(root, version, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
  if (!found) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run scripts/ensure-postgresql.sh, or set POSTGRES_BIN');
  return found;
}

export interface PostgresCluster {
  port: number;
  /** Its data folder (`postgresql.conf` and the rest of the server's own files). */
  dataDir: string;
  /** `postgres://riohub@127.0.0.1:<port>/<database>` (`postgres` by default). */
  url(database?: string): string;
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Stops the server at once (`pg_ctl -m immediate`): every connection is cut, as in a crash. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

const USER = 'riohub';

/** Runs a PostgreSQL program as the folder's owner: `postgres` when the tests run as root (initdb refuses root). */
function runAs(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const run = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}${run.error?.message ?? ''}`);
}

/** Tries of a start whose port was taken meanwhile. */
const START_TRIES = 3;

/** The size of the server's log: where the next start's lines begin. */
function logSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The last lines the server logged from byte `from` on (one start's): why that start failed. */
function lastLogLines(file: string, from: number, count = 20): string {
  const said = existsSync(file) ? readFileSync(file).subarray(from).toString('utf8').trimEnd() : '';
  return said === '' ? '(nothing in the server log)' : said.split('\n').slice(-count).join('\n');
}

/** `port`: where to listen first (default: a free one); should it be taken by then, another free one. */
export async function startPostgres(options: { port?: number } = {}): Promise<PostgresCluster> {
  const bin = postgresBinaries();
  const folder = mkdtempSync(join(tmpdir(), 'riohub-test-postgres-'));
  if (process.getuid?.() === 0) chownSync(folder, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
  const data = join(folder, 'data');
  const log = join(folder, 'server.log');
  runAs(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', USER, '--locale=C', '-E', 'UTF8', '--no-sync']);
  let port = options.port ?? (await freePort());
  let started = false;
  const serverOptions = () =>
    [`-p ${port}`, `-k ${folder}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=400'].join(' ');
  const url = (database = 'postgres') => `postgres://${USER}@127.0.0.1:${port}/${database}`;
  const cluster: PostgresCluster = {
    port,
    dataDir: data,
    url,
    async start() {
      // A free port can be taken before the server binds it: by then any of the run's thousands of
      // connections may have it as its own end. A first start moves to another; a restart, whose
      // URL the hubs hold, waits for it to be let go.
      for (let tries = 1; ; tries++) {
        // The log keeps every start's lines: this one's are judged alone.
        const logged = logSize(log);
        try {
          runAs(join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions(), '-l', log, '-w', 'start']);
          break;
        } catch (error) {
          const said = lastLogLines(log, logged);
          if (tries >= START_TRIES || !/could not bind|already in use/i.test(said)) throw new Error(`${(error as Error).message}\nits log:\n${said}`, { cause: error });
          if (started) await new Promise((resolve) => setTimeout(resolve, 1_000));
          else cluster.port = port = await freePort();
        }
      }
      started = true;
      const deadline = Date.now() + 10_000;
      while (!(await accepts(port))) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL did not listen on ${port}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      runAs(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    createDatabase: () => createTestDatabase(url()),
    dropDatabase: (databaseUrl) => dropTestDatabase(url(), databaseUrl),
    async close() {
      try {
        await cluster.stop();
      } catch {
        // Already stopped.
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

let made = 0;

/** A new, empty database on the server of `adminUrl` (a URL of its `postgres` database); its URL. */
export async function createTestDatabase(adminUrl: string): Promise<string> {
  const name = `riohub_${process.pid}_${++made}_${Date.now().toString(36)}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database `createTestDatabase` made, cutting its connections. */
export async function dropTestDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^riohub_\w+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
