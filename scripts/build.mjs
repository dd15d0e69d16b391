// `pnpm build`: compiles every app and package to JavaScript that plain node runs, and builds the
// dashboard. Each workspace package's `src/index.ts` becomes `dist/index.js`, each app's
// `src/cli.ts` becomes `dist/cli.js`; every bare import (npm packages and the other workspace
// packages) stays an import, resolved at run time through that package's own dependencies, so the
// build also checks that each one is declared in `dependencies` (not only `devDependencies`, which
// a production install leaves out). Types are checked by `pnpm typecheck`, not here.
//
// esbuild rather than `tsc` emitting: the sources import each other without extensions
// (`moduleResolution: Bundler`), which Node's ESM loader does not resolve; esbuild resolves them
// and writes one file per package.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** Every workspace project that compiles, with its entry point. */
export function compiledProjects() {
  const projects = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name);
      if (!existsSync(join(dir, 'package.json'))) continue;
      const entry = ['src/index.ts', 'src/cli.ts'].find((file) => existsSync(join(dir, file)));
      if (entry && name !== 'web') projects.push({ dir, entry, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) });
    }
  }
  return projects;
}

/** The package an import names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const builtins = new Set(builtinModules);

async function compile({ dir, entry, manifest }) {
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(dir, entry)],
    outdir: join(dir, 'dist'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const undeclared = new Set();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const { path, external } of input.imports) {
      if (!external || path.startsWith('node:') || builtins.has(path)) continue;
      if (!declared.has(packageOf(path))) undeclared.add(packageOf(path));
    }
  }
  return [...undeclared].map((name) => `${manifest.name} imports ${name} at run time, but it is not in its dependencies`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = [];
  for (const project of compiledProjects()) {
    problems.push(...(await compile(project)));
    console.error(`built ${relative(root, project.dir)}/dist`);
  }
  if (problems.length) {
    for (const problem of problems) console.error(`build: ${problem}`);
    process.exit(1);
  }
  const web = spawnSync('pnpm', ['--filter', '@riohub/web', 'build'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (web.status !== 0) process.exit(web.status ?? 1);
  console.error('built apps/web/dist');
}
