// `pnpm bench`: runs every benchmark (`apps/*/bench/*.ts`, `e2e/bench/*.ts`), one after another,
// each in its own process so that one's memory figures are not another's. Each prints its figures.
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
const only = process.argv.slice(2);
let failed = 0;
for (const file of files) {
  if (only.length > 0 && !only.some((word) => file.includes(word))) continue;
  console.log(`\n== ${file}`);
  const run = spawnSync('tsx', [file], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
