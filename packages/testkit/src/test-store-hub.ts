/**
 * A hub process on the store of the test run: the SQLite file in its data folder, or, when the run
 * is on PostgreSQL (`RIOHUB_TEST_STORE=postgres`, whose global setup puts the throwaway cluster's
 * admin URL in `RIOHUB_TEST_POSTGRES`), a database of that cluster of its own.
 *
 * The database goes with the data folder, as the SQLite file would: a hub restarted on the folder
 * of one started before gets that hub's database back, and the database is dropped when its folder
 * is removed (by `stop` of the hub that made the folder). A folder the caller gave outlives its
 * hubs, and so does its database, until the cluster is removed at the end of the run.
 */
import { spawnHub, type HubProcess, type HubProcessOptions } from '@riohub/sim-launcher';
import { createTestDatabase, dropTestDatabase } from './postgres';

/** The PostgreSQL database of each data folder a hub ran on in this process. */
const databaseOfDataDir = new Map<string, string>();

/** The throwaway cluster's admin URL when this run's stores are PostgreSQL's; `undefined` on SQLite. */
function testPostgresAdminUrl(): string | undefined {
  if (process.env['RIOHUB_TEST_STORE'] !== 'postgres') return undefined;
  const admin = process.env['RIOHUB_TEST_POSTGRES'];
  if (!admin) throw new Error('RIOHUB_TEST_STORE=postgres without RIOHUB_TEST_POSTGRES: run the tests through their config, whose global setup starts the cluster');
  return admin;
}

/** `spawnHub` on this run's store; a hub told its database (`--database`, `RIOHUB_DATABASE`) keeps it. */
export async function spawnHubOnTestStore(adminPassword: string, options: HubProcessOptions = {}): Promise<HubProcess> {
  const admin = testPostgresAdminUrl();
  const databaseGiven = options.env?.['RIOHUB_DATABASE'] !== undefined || (options.args ?? []).some((arg) => arg === '--database' || arg.startsWith('--database='));
  if (admin === undefined || databaseGiven) return spawnHub(adminPassword, options);

  const kept = options.dataDir === undefined ? undefined : databaseOfDataDir.get(options.dataDir);
  const database = kept ?? (await createTestDatabase(admin));
  let hub: HubProcess;
  try {
    hub = await spawnHub(adminPassword, { ...options, env: { ...options.env, RIOHUB_DATABASE: database } });
  } catch (error) {
    if (kept === undefined) await dropTestDatabase(admin, database);
    throw error;
  }
  databaseOfDataDir.set(hub.dataDir, database);
  const stop = hub.stop.bind(hub);
  return {
    ...hub,
    async stop() {
      await stop();
      // The folder the hub made is gone with it: so is its database. One given to it is kept for a restart.
      if (options.dataDir === undefined && databaseOfDataDir.delete(hub.dataDir)) await dropTestDatabase(admin, database);
    },
  };
}
