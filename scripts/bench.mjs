// `pnpm bench`: runs every benchmark (`apps/*/bench/*.ts`, `e2e/bench/*.ts`), one after another,
// each in its own process so that one's memory figures are not another's. Each prints its figures.
// Words pick benchmarks; options (`--name value` or `--name=value`) go on to each one run
// (`pnpm bench loggers --database postgres://…`). `--list` prints what would run, and what each
// needs installed, and runs nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a benchmark runs besides Node, by name, given the run's options (`{ database }`, below):
 * installed before it starts by the same scripts as the test command's (with apt, as root, when
 * missing; otherwise they stop with what to install).
 */
const NEEDS = {
  'vs-mqtt': () => ['mosquitto'],
  mqtt: () => ['mosquitto'],
  'datapoints-page': () => ['chromium'],
  // `--database postgres` asks `loggers` for a throwaway cluster of Debian's server.
  loggers: ({ database }) => (database === 'postgres' ? ['postgresql'] : []),
};

const folders = [...readdirSync('apps').map((app) => join('apps', app, 'bench')), join('e2e', 'bench')];
const files = folders.filter((folder) => existsSync(folder)).flatMap((folder) =>
  readdirSync(folder)
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => join(folder, file)),
);
const args = process.argv.slice(2);
const only = [];
const options = [];
let listOnly = false;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  // An option's value is the next argument, unless it is written `--name=value` or another option follows.
  // `pnpm bench -- vs-mqtt` hands the `--` on.
  if (arg === '--') continue;
  if (arg === '--list') listOnly = true;
  else if (!arg.startsWith('--')) only.push(arg);
  else if (arg.includes('=') || i + 1 === args.length || args[i + 1].startsWith('--')) options.push(arg);
  else options.push(arg, args[++i]);
}
const baseName = (file) => file.split('/').at(-1).replace(/\.ts$/, '');
// A word that names a benchmark runs that one (`mqtt` is not `vs-mqtt`); any other word, every one whose path has it.
const picks = (file) => only.some((word) => (files.some((other) => baseName(other) === word) ? baseName(file) === word : file.includes(word)));
const chosen = files.filter((file) => only.length === 0 || picks(file));
if (chosen.length === 0) {
  console.error(`no benchmark matches ${only.join(' ')}: pnpm bench --list names them`);
  process.exit(1);
}
// The database is `--database` (else RIOHUB_DATABASE), read as lib/bench-postgres.ts reads them.
const databaseOption = options.findIndex((option) => option === '--database' || option.startsWith('--database='));
const given = options[databaseOption];
const database = given === undefined ? process.env.RIOHUB_DATABASE : given.includes('=') ? given.slice(given.indexOf('=') + 1) : options[databaseOption + 1];
const runOptions = { database };
const needsOf = (file) => NEEDS[baseName(file)]?.(runOptions) ?? [];

if (listOnly) {
  for (const file of chosen) {
    const needs = needsOf(file);
    console.log(needs.length > 0 ? `${file} (needs ${needs.join(', ')}: ${needs.map((need) => `scripts/ensure-${need}.sh`).join(', ')})` : file);
  }
  process.exit(0);
}

/** Whether each need is installed: checked (and installed when missing) once a run. */
const ensured = new Map();
const ensure = (need) => {
  if (!ensured.has(need)) ensured.set(need, spawnSync('bash', [`scripts/ensure-${need}.sh`], { stdio: 'inherit' }).status === 0);
  return ensured.get(need);
};
let failed = 0;
for (const file of chosen) {
  console.log(`\n== ${file}`);
  const unmet = needsOf(file).find((need) => !ensure(need));
  if (unmet) {
    console.log(`${file}: not run, ${unmet} is missing (above)`);
    failed++;
    continue;
  }
  const run = spawnSync('tsx', [file, ...options], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
