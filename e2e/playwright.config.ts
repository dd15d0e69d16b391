// End-to-end tests in Debian's Chromium (Playwright downloads no browser here).
// `RIOHUB_TEST_STORE=postgres` runs them again with every hub on PostgreSQL (a throwaway cluster
// started by the global setup, a database of its own for each hub), as the test command's second
// pass does.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const onPostgres = process.env['RIOHUB_TEST_STORE'] === 'postgres';

/** Specs whose subject is the SQLite file itself, not the store: they have no PostgreSQL counterpart. */
const SQLITE_FILE_SPECS = [
  // The disk under the SQLite file fills up (SQLITE_FULL); PostgreSQL's database is on its server's disk.
  'storage.spec.ts',
];

/** Specs of PostgreSQL itself (each starts a cluster of its own): run in the PostgreSQL pass only. */
const POSTGRES_SPECS = [
  // Two hubs sharing one database.
  'pair.spec.ts',
];

/** Each pass keeps its report and its artifacts apart, so the test command counts both. */
const pass = onPostgres ? 'e2e-postgres' : 'e2e';

export default defineConfig({
  testDir: './tests',
  testIgnore: onPostgres ? SQLITE_FILE_SPECS : POSTGRES_SPECS,
  globalSetup: '../packages/testkit/src/global-setup.ts',
  // Two cores: one worker keeps the browser and the servers it talks to from starving each other.
  workers: 1,
  forbidOnly: true,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: `../test-results/${pass}.json` }]],
  outputDir: `../test-results/${pass}-artifacts`,
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
  },
});
