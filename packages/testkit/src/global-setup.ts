/**
 * The global setup of Vitest's and Playwright's runs. Both runners start their workers with the
 * environment the setup left, and the processes tests spawn inherit it:
 * - the hub's and the simulator's command lines bundled for the run (`bundleAppsForTests`), in
 *   `RIOHUB_TEST_APP_BUNDLES`; bundled again before each rerun of Vitest's watch mode;
 * - passwords hashed at a test cost (`RIOHUB_INSECURE_FAST_PASSWORD_HASHES=1`, the hub's
 *   `FAST_HASHES_ENV`): at OWASP's, the suite's ~350 hashes took a third of its CPU;
 * - on PostgreSQL (`RIOHUB_TEST_STORE=postgres`), one throwaway cluster for the whole run, whose
 *   admin URL is in `RIOHUB_TEST_POSTGRES`; each test hub makes a database of its own on it.
 * The function it returns is the run's teardown in both.
 */
import { bundleAppsForTests } from './app-bundles';
import { startPostgres } from './postgres';

/** What the setup is given: Vitest's project, which reruns in watch mode, or Playwright's configuration. */
interface Runner {
  onTestsRerun?: (handler: () => Promise<void>) => void;
}

export default async function setup(runner: Runner): Promise<() => Promise<void>> {
  process.env['RIOHUB_INSECURE_FAST_PASSWORD_HASHES'] = '1';
  const bundles = await bundleAppsForTests();
  runner.onTestsRerun?.(() => bundles.rebundle());
  try {
    const cluster = process.env['RIOHUB_TEST_STORE'] === 'postgres' ? await startPostgres() : undefined;
    if (cluster) process.env['RIOHUB_TEST_POSTGRES'] = cluster.url();
    return async () => {
      await cluster?.close();
      bundles.remove();
    };
  } catch (error) {
    bundles.remove();
    throw error;
  }
}
