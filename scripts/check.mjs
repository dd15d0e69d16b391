// The whole test command: typecheck, lint, unit and integration tests, end-to-end tests in
// Chromium, the hub's tests and the end-to-end tests again on PostgreSQL. Runs every step even
// after a failure, then prints one summary line of all tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';

const results = 'test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

// The dashboard is built before the hub's tests, which check that it is served to anyone.
const steps = [
  ['typecheck', 'tsc', ['-p', 'tsconfig.json']],
  ['lint', 'eslint', ['--max-warnings', '0', '.']],
  ['dashboard build', 'pnpm', ['--filter', '@riohub/web', 'build']],
  // The MQTT bridge's tests run a real broker: installed as root when missing, otherwise a failure saying what to install.
  ['mosquitto', 'bash', ['scripts/ensure-mosquitto.sh']],
  ['unit and integration tests', 'vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest.json`]],
  // The hub's tests again with every store on PostgreSQL: a throwaway cluster of Debian's server
  // (installed as root when missing), started and removed by the run's global setup.
  ['postgresql', 'bash', ['scripts/ensure-postgresql.sh']],
  [
    'hub tests on PostgreSQL',
    'vitest',
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest-postgres.json`],
    { RIOHUB_TEST_STORE: 'postgres' },
  ],
  ['chromium', 'bash', ['scripts/ensure-chromium.sh']],
  ['end-to-end tests', 'e2e/node_modules/.bin/playwright', ['test', '-c', 'e2e/playwright.config.ts']],
  // The end-to-end tests again with every hub on PostgreSQL (a database of its own on a throwaway
  // cluster, started and removed by the run's global setup); their report is e2e-postgres.json.
  ['end-to-end tests on PostgreSQL', 'e2e/node_modules/.bin/playwright', ['test', '-c', 'e2e/playwright.config.ts'], { RIOHUB_TEST_STORE: 'postgres' }],
  // The release (`pnpm release`) built from a clean copy of the repository and run with plain node;
  // then the image and the compose topology in a real Docker engine (installed and started as root
  // by scripts/ensure-docker.sh, which otherwise fails with what to install).
  ['release test', 'vitest', ['run', '--config', 'scripts/tests/vitest.config.ts', 'scripts/tests/release.test.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest-release.json`]],
  ['container test', 'vitest', ['run', '--config', 'scripts/tests/vitest.config.ts', 'scripts/tests/container.test.ts', 'scripts/tests/container-pair.test.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest-container.json`]],
];

const failedSteps = [];
/** How long each step took, printed at the end beside the summary. */
const stepSeconds = [];
for (const [name, command, args, env] of steps) {
  if (name === 'end-to-end tests' && (failedSteps.includes('chromium') || failedSteps.includes('dashboard build'))) {
    failedSteps.push(name);
    continue;
  }
  if (name === 'end-to-end tests on PostgreSQL' && ['postgresql', 'chromium', 'dashboard build'].some((step) => failedSteps.includes(step))) {
    failedSteps.push(name);
    continue;
  }
  if (name === 'hub tests on PostgreSQL' && failedSteps.includes('postgresql')) {
    failedSteps.push(name);
    continue;
  }
  console.error(`\n=== ${name} ===`);
  const started = performance.now();
  const run = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  stepSeconds.push(`${name} ${Math.round((performance.now() - started) / 1000)} s`);
  if (run.error) console.error(`${name}: could not run ${command}: ${run.error.message} (run it as \`pnpm check\`)`);
  if (run.status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
// Named again at the very end, with the first line of why, where a CI log's tail shows them.
const failedTests = [];
/** ` (first line of the message)`, without colours and cut short: enough to tell an assertion from a timeout. */
const why = (message) => {
  // eslint-disable-next-line no-control-regex
  const line = String(message ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((text) => text.trim() !== '')?.trim();
  return line ? ` (${line.length > 300 ? `${line.slice(0, 300)}…` : line})` : '';
};
// Every Vitest run's results: the unit and integration tests, the release and container tests.
for (const json of readdirSync(results).filter((name) => /^vitest.*\.json$/.test(name)).sort()) {
  const vitest = JSON.parse(readFileSync(`${results}/${json}`, 'utf8'));
  // The same test failing on one store only says which.
  const store = json === 'vitest-postgres.json' ? '[postgres] ' : '';
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  for (const file of vitest.testResults) {
    const name = store + file.name.replace(`${process.cwd()}/`, '');
    const tests = file.assertionResults.filter((test) => test.status === 'failed').map((test) => `${name} › ${test.fullName}${why(test.failureMessages?.[0])}`);
    // A file can fail outside any test (an import, a hook): its message says how.
    failedTests.push(...(tests.length === 0 && file.status === 'failed' ? [`${name}: ${file.message}`] : tests));
  }
}
// Both end-to-end passes' results: on SQLite, then with every hub on PostgreSQL.
for (const [json, store] of [['e2e.json', ''], ['e2e-postgres.json', '[postgres] ']]) {
  if (!existsSync(`${results}/${json}`)) continue;
  const { stats, suites } = JSON.parse(readFileSync(`${results}/${json}`, 'utf8'));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  const walk = (suite, path) => {
    for (const spec of (suite.specs ?? []).filter((spec) => !spec.ok)) {
      const error = spec.tests?.flatMap((test) => test.results ?? []).find((result) => result.error)?.error;
      failedTests.push(`${store}${spec.file} › ${[...path, spec.title].join(' › ')}${why(error?.message)}`);
    }
    for (const child of suite.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const suite of suites) walk(suite, []);
}
for (const test of failedTests) console.error(`failed: ${test}`);
// Nothing ran at all is a failure, never a pass.
if (passed + failed === 0) failedSteps.push('no test ran');

console.error(`\nsteps: ${stepSeconds.join(', ')}`);
console.error(failedSteps.length ? `\nFAILED: ${failedSteps.join(', ')}` : '\nall steps passed');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
