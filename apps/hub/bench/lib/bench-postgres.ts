// PostgreSQL for a bench that sets the two stores side by side: `--database postgres://…` (or
// RIOHUB_DATABASE) names a server, reached through the URL's database; `--database postgres`
// starts a throwaway cluster (@riohub/testkit, Debian's postgresql). Each measurement gets a
// database of its own, made there under a unique name and dropped after: the bench never writes
// into a database it did not make, and refuses, before it starts, one that would hold tables.
import { constants } from 'node:os';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase, startPostgres, type PostgresCluster } from '@riohub/testkit';
import { redactUrl } from '../../src/db/postgres-store';

export interface BenchPostgres {
  /** What the figures were measured on: the server's version, where it is, and how it syncs. */
  readonly description: string;
  /** A new, empty database on the server; drop it with `drop`. */
  freshDatabase(): Promise<string>;
  drop(url: string): Promise<void>;
  /** Drops the databases still made, and stops a throwaway cluster. */
  close(): Promise<void>;
}

/**
 * The `--database` of the bench's arguments (`--database <value>` or `--database=<value>`), else
 * RIOHUB_DATABASE: `undefined` (or `sqlite`) for SQLite alone.
 */
export function databaseArgument(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const at = argv.findIndex((arg) => arg === '--database' || arg.startsWith('--database='));
  const arg = argv[at];
  const given = arg === undefined ? env['RIOHUB_DATABASE'] : arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1];
  if (arg !== undefined && (given === undefined || given.startsWith('--'))) throw new Error('--database needs a value: postgres://user:password@host:5432/name, or postgres for a throwaway cluster');
  return given === undefined || given === '' || given === 'sqlite' ? undefined : given;
}

/** The server `database` names (a URL, or `postgres` for a throwaway cluster started here). */
export async function openBenchPostgres(database: string): Promise<BenchPostgres> {
  if (database !== 'postgres' && !/^postgres(ql)?:\/\//.test(database)) {
    throw new Error('--database: expected postgres://user:password@host:5432/name, or postgres for a throwaway cluster (scripts/ensure-postgresql.sh installs Debian\'s postgresql)');
  }
  const cluster: PostgresCluster | undefined = database === 'postgres' ? await startPostgres() : undefined;
  const server = cluster ? cluster.url() : database;
  const made = new Set<string>();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // A throwaway cluster goes with its databases (stopped first: its connections are cut
      // while the process waits, before a client that would take it ill hears of it).
      if (cluster) await cluster.close();
      else for (const url of made) await dropTestDatabase(server, url).catch(() => {});
      made.clear();
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    })());
  // An interrupted bench still drops what it made and stops its cluster; the signal repeated
  // meanwhile must not end the process before that is done. tsx, which runs the bench, kills a
  // child that has not told it within 30 ms that it heard the signal: that word goes out first,
  // before stopping the cluster holds the thread.
  const interrupted = (signal: NodeJS.Signals) => {
    setTimeout(() => void close().finally(() => process.exit(128 + (constants.signals[signal] as number))), 100);
  };
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  try {
    const settings = await query<{ name: string; setting: string }>(server, "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit')");
    const setting = (name: string) => settings.find((row) => row.name === name)?.setting ?? '?';
    const where = cluster ? `a throwaway cluster on 127.0.0.1:${cluster.port}` : redactUrl(server);
    const postgres: BenchPostgres = {
      description: `PostgreSQL ${setting('server_version')} (${where}; fsync ${setting('fsync')}, synchronous_commit ${setting('synchronous_commit')})`,
      async freshDatabase() {
        let url: string;
        try {
          url = await createTestDatabase(server);
        } catch (error) {
          if ((error as { code?: unknown }).code === '42501') throw new Error(`the bench makes a database of its own on ${redactUrl(server)} and drops it after: its user needs CREATEDB`, { cause: error });
          throw error;
        }
        made.add(url);
        const [tables] = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
        if ((tables?.n ?? 0) > 0) {
          const n = tables?.n ?? 0;
          throw new Error(`${redactUrl(url)} holds ${n} table${n === 1 ? '' : 's'} (copied from the server's template1): the bench runs on an empty database only`);
        }
        return url;
      },
      async drop(url) {
        made.delete(url);
        await dropTestDatabase(server, url);
      },
      close,
    };
    // Told before anything is measured: whether the bench may make a database there, and an empty one.
    await postgres.drop(await postgres.freshDatabase());
    return postgres;
  } catch (error) {
    await close();
    throw error;
  }
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'riohub-bench' });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}
