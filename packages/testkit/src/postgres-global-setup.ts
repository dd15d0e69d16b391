/**
 * Vitest's global setup for the suite's run on PostgreSQL (`RIOHUB_TEST_STORE=postgres`): one
 * throwaway cluster for the whole run, whose admin URL reaches every test in
 * `RIOHUB_TEST_POSTGRES`; each test hub makes a database of its own on it.
 */
import { startPostgres } from './postgres';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env['RIOHUB_TEST_STORE'] !== 'postgres') return undefined;
  const cluster = await startPostgres();
  process.env['RIOHUB_TEST_POSTGRES'] = cluster.url();
  return () => cluster.close();
}
