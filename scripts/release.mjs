// `pnpm release <dir>`: a self-contained folder that runs riohub with plain node and nothing else:
//
//   <dir>/bin/riohub, <dir>/bin/riohub-sim     the two commands
//   <dir>/apps/hub/dist, <dir>/apps/sim/dist   compiled code (`pnpm build`)
//   <dir>/packages/*/dist                      compiled workspace packages the apps import
//   <dir>/apps/web/dist                        the built dashboard, which the hub serves
//   <dir>/node_modules, …/node_modules         production dependencies only, from pnpm-lock.yaml
//
// The folder keeps the workspace's layout, so every package resolves its own dependencies as in
// the repository and the hub finds the dashboard and the simulator where it always does. Each
// package.json in it points at `dist/` (its `exports`, `bin`) instead of `src/`: the release step
// rewrites them, so the repository's manifests keep pointing at the TypeScript sources that
// `npm start`, Vitest, Vite and tsx run without a build, and the release holds no TypeScript at all
// (no special resolution condition that every node process, the simulators the hub starts
// included, would have to be given). Dependencies are installed by pnpm from the same lockfile
// with `--prod`, so tsx, typescript, vitest, eslint and playwright are not in it; the release
// checks that.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compiledProjects } from './build.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const out = process.argv[2] ? resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2]) : undefined;
/** What a production install must not contain. */
export const DEV_ONLY = ['tsx', 'typescript', 'vitest', 'eslint', '@playwright/test', 'playwright', 'playwright-core', 'vite', 'esbuild'];
/** The apps a release runs; the workspace packages they import come with them. */
const RELEASED_APPS = ['@riohub/hub', '@riohub/sim'];

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}
function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', process.stderr, 'inherit'] });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed${result.error ? `: ${result.error.message}` : ''}`);
}
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file, value) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
};

if (!out) fail('usage: pnpm release <dir> (a new or empty folder)');
if (existsSync(out) && readdirSync(out).length > 0) fail(`${out} is not empty: give a new or empty folder`);
// Inside the repository, pnpm would take the folder for part of this workspace.
if (out === root || out.startsWith(`${root}/`)) fail(`${out} is inside the repository: give a folder outside it`);

run(process.execPath, [join(root, 'scripts/build.mjs')], root);
mkdirSync(out, { recursive: true });

// The workspace's shape, for pnpm to install from the lockfile as it is: every manifest the lockfile
// knows (unchanged dependencies, or the frozen install refuses), the root without its scripts.
const rootManifest = readJson(join(root, 'package.json'));
delete rootManifest.scripts;
writeJson(join(out, 'package.json'), rootManifest);
for (const file of ['pnpm-workspace.yaml', 'pnpm-lock.yaml']) cpSync(join(root, file), join(out, file));
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    if (existsSync(join(root, group, name, 'package.json'))) cpSync(join(root, group, name, 'package.json'), join(out, group, name, 'package.json'));
  }
}
cpSync(join(root, 'e2e/package.json'), join(out, 'e2e/package.json'));

// Compiled code, and manifests pointing at it.
for (const { dir } of compiledProjects()) {
  const at = join(out, dir.slice(root.length + 1));
  cpSync(join(dir, 'dist'), join(at, 'dist'), { recursive: true, filter: (file) => !file.endsWith('.map') });
  const manifest = readJson(join(at, 'package.json'));
  delete manifest.scripts;
  if (manifest.exports) manifest.exports = { '.': './dist/index.js' };
  if (manifest.bin) manifest.bin = Object.fromEntries(Object.keys(manifest.bin).map((name) => [name, './dist/cli.js']));
  writeJson(join(at, 'package.json'), manifest);
}
cpSync(join(root, 'apps/web/dist'), join(out, 'apps/web/dist'), { recursive: true });

// Production dependencies of the released apps and the workspace packages they import, from the
// lockfile; the store this machine already has is used first.
run('pnpm', ['install', '--prod', '--frozen-lockfile', '--prefer-offline', '--config.confirmModulesPurge=false', ...RELEASED_APPS.flatMap((name) => ['--filter', `${name}...`])], out);

// What was only there to satisfy the lockfile.
for (const path of ['e2e', 'packages/testkit', 'apps/web/package.json']) rmSync(join(out, path), { recursive: true, force: true });

const found = readdirSync(join(out, 'node_modules/.pnpm')).filter((entry) => DEV_ONLY.some((name) => entry.startsWith(`${name.replace('/', '+')}@`)));
if (found.length) fail(`development packages in the release: ${found.join(', ')}`);

mkdirSync(join(out, 'bin'), { recursive: true });
for (const [command, app] of [['riohub', 'hub'], ['riohub-sim', 'sim']]) {
  writeFileSync(
    join(out, 'bin', command),
    `#!/bin/sh\n# ${command}: the compiled ${app} of this release, run by plain node.\nexec node "$(dirname "$(readlink -f "$0")")/../apps/${app}/dist/cli.js" "$@"\n`,
  );
  chmodSync(join(out, 'bin', command), 0o755);
}
writeFileSync(join(out, 'VERSION'), `${rootManifest.version}\n`);
console.error(`release: ${out} (bin/riohub, bin/riohub-sim; plain node ${rootManifest.engines?.node ?? ''})`);
