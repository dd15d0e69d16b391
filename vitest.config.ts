// Unit and integration tests sit next to the code they prove (`*.test.ts`); e2e specs live in e2e/.
// `RIOHUB_TEST_STORE=postgres` runs the hub's tests again with every store on PostgreSQL (a
// throwaway cluster started by the global setup), as the test command's second pass does.
import { configDefaults, defineConfig } from 'vitest/config';

const onPostgres = process.env['RIOHUB_TEST_STORE'] === 'postgres';

/** Tests whose subject is the SQLite file itself, not the store: they have no PostgreSQL counterpart. */
const SQLITE_FILE_TESTS = [
  // `riohub backup`/`restore` copy the SQLite file (PostgreSQL's are pg_dump's and pg_restore's).
  'apps/hub/src/db/backup.test.ts',
  // SQLite's SQL aggregates, against which PostgreSQL's JS grouping is proven.
  'apps/hub/src/loggers/logger-aggregates-sqlite.test.ts',
];

/** Tests of PostgreSQL itself, and of hubs sharing one database (each starts a cluster of its own): run in the PostgreSQL pass only. */
const POSTGRES_TESTS = ['apps/hub/src/db/postgres-store.test.ts', 'apps/hub/src/pair/**/*.test.ts', 'packages/testkit/src/postgres.test.ts'];

export default defineConfig({
  test: {
    include: onPostgres ? ['apps/hub/src/**/*.test.ts', 'packages/testkit/src/postgres.test.ts'] : ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'scripts/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(onPostgres ? SQLITE_FILE_TESTS : POSTGRES_TESTS)],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    // Integration tests start real simulator processes and wait out 10-second long-polls. On a
    // machine about three times slower than usual (seen on this 2-core VM), the failover tests
    // and a two-site chain's start took over 40 s; a bound, not a measure: a test that passes ends
    // when it passes.
    testTimeout: 120_000,
    // Most of a test's time is spent waiting on simulator processes, not on the CPU.
    maxWorkers: 4,
    hookTimeout: 120_000,
  },
});
