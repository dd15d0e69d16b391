/**
 * The store a test runs on: the SQLite file in the test's data folder, or, when the suite runs on
 * PostgreSQL (`RIOHUB_TEST_STORE=postgres`, which puts the throwaway cluster's URL in
 * `RIOHUB_TEST_POSTGRES`), a fresh database of that cluster.
 */
import { createTestDatabase, dropTestDatabase } from '@riohub/testkit';
import { openStore } from '../db/database';
import type { SecretBox } from '../db/secret-box';
import type { Store } from '../db/store';

/** Whether this run's stores are PostgreSQL's. */
export const onPostgres = process.env['RIOHUB_TEST_STORE'] === 'postgres';

export interface TestDatabase {
  /** `--database`: a `postgres://` URL, or `undefined` for the SQLite file in the data folder. */
  database: string | undefined;
  /** Drops a PostgreSQL database (after the hub closed); nothing for SQLite, whose folder the test removes. */
  drop(): Promise<void>;
}

export async function testDatabase(): Promise<TestDatabase> {
  const admin = process.env['RIOHUB_TEST_POSTGRES'];
  if (!onPostgres) return { database: undefined, drop: async () => {} };
  if (!admin) throw new Error('RIOHUB_TEST_STORE=postgres without RIOHUB_TEST_POSTGRES: run the suite through vitest.config.ts, whose global setup starts the cluster');
  const database = await createTestDatabase(admin);
  return { database, drop: () => dropTestDatabase(admin, database) };
}

/** A migrated store of this run's kind, for tests of the store's users; closing it drops a PostgreSQL database. */
export async function openTestStore(dataDir: string, secrets?: SecretBox): Promise<Store> {
  const { database, drop } = await testDatabase();
  const store = await openStore(dataDir, database, secrets);
  const close = store.close.bind(store);
  // The store's own close only ends its connections: the throwaway database is dropped after it, so callers close once.
  store.close = async () => {
    await close();
    await drop();
  };
  return store;
}
