// `pnpm bench`: runs every benchmark (`apps/*/bench/*.ts`, `e2e/bench/*.ts`), one after another,
// each in its own process so that one's memory figures are not another's. Each prints its figures.
// Words pick benchmarks; options (`--name value` or `--name=value`) go on to each one run
// (`pnpm bench loggers --database postgres://…`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

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
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  // An option's value is the next argument, unless it is written `--name=value` or another option follows.
  if (!arg.startsWith('--')) only.push(arg);
  else if (arg.includes('=') || i + 1 === args.length || args[i + 1].startsWith('--')) options.push(arg);
  else options.push(arg, args[++i]);
}
const baseName = (file) => file.split('/').at(-1).replace(/\.ts$/, '');
// A word that names a benchmark runs that one (`mqtt` is not `vs-mqtt`); any other word, every one whose path has it.
const picks = (file) => only.some((word) => (files.some((other) => baseName(other) === word) ? baseName(file) === word : file.includes(word)));
let failed = 0;
for (const file of files) {
  if (only.length > 0 && !picks(file)) continue;
  console.log(`\n== ${file}`);
  const run = spawnSync('tsx', [file, ...options], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
