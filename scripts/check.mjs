// The whole test command: typecheck, lint, unit and integration tests, end-to-end tests in
// Chromium. Runs every step even after a failure, then prints one summary line of all tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = 'test-results';
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const steps = [
  ['typecheck', 'tsc', ['-p', 'tsconfig.json']],
  ['lint', 'eslint', ['--max-warnings', '0', '.']],
  ['unit and integration tests', 'vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}/vitest.json`]],
  ['dashboard build', 'pnpm', ['--filter', '@riohub/web', 'build']],
  ['chromium', 'bash', ['scripts/ensure-chromium.sh']],
  ['end-to-end tests', 'e2e/node_modules/.bin/playwright', ['test', '-c', 'e2e/playwright.config.ts']],
];

const failedSteps = [];
for (const [name, command, args] of steps) {
  if (name === 'end-to-end tests' && (failedSteps.includes('chromium') || failedSteps.includes('dashboard build'))) {
    failedSteps.push(name);
    continue;
  }
  console.error(`\n=== ${name} ===`);
  const run = spawnSync(command, args, { stdio: 'inherit' });
  if (run.error) console.error(`${name}: could not run ${command}: ${run.error.message} (run it as \`pnpm check\`)`);
  if (run.status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
if (existsSync(`${results}/vitest.json`)) {
  const vitest = JSON.parse(readFileSync(`${results}/vitest.json`, 'utf8'));
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
}
if (existsSync(`${results}/e2e.json`)) {
  const { stats } = JSON.parse(readFileSync(`${results}/e2e.json`, 'utf8'));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
}
// Nothing ran at all is a failure, never a pass.
if (passed + failed === 0) failedSteps.push('no test ran');

console.error(failedSteps.length ? `\nFAILED: ${failedSteps.join(', ')}` : '\nall steps passed');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length ? 1 : 0);
