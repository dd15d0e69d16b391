/**
 * The global setup of Vitest's and Playwright's runs on PostgreSQL (`RIOHUB_TEST_STORE=postgres`):
 * one throwaway cluster for the whole run, whose admin URL reaches every test (both runners start
 * their workers with the environment the setup left) in `RIOHUB_TEST_POSTGRES`; each test hub
 * makes a database of its own on it. The function it returns is the run's teardown in both.
 */
import { startPostgres } from './postgres';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env['RIOHUB_TEST_STORE'] !== 'postgres') return undefined;
  const cluster = await startPostgres();
  process.env['RIOHUB_TEST_POSTGRES'] = cluster.url();
  return () => cluster.close();
}
