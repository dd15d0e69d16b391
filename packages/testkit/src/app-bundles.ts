/**
 * The hub's and the simulator's command lines, each bundled into one JavaScript file for a test
 * run, so that every process a test spawns starts with plain node. Through tsx's loader, this
 * 2-core machine, idle, took 0.9–1.0 s to run the simulator's `--help` and 1.6–1.8 s the hub's;
 * bundled, 0.4–0.5 s and 0.8–0.9 s (under the suite's load, about twice each); and the suite
 * spawns hundreds of them, four test files at a time.
 *
 * The bundle runs the same sources as tsx does: the workspace packages are inlined, every npm
 * package stays an import of the very file the source's own import resolves to (so each still
 * comes from the dependencies of the package that declares it), and each module keeps its own
 * `import.meta.url`, so paths it finds beside itself (the dashboard's build, the other app) are
 * the same. Types are checked by the typecheck step, not here.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { APP_BUNDLES_ENV, type AppName } from '@riohub/sim-launcher';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const APPS: readonly AppName[] = ['hub', 'sim'];

/** Every bare import but the workspace's own: external, as the absolute file it resolves to from its importer. */
const npmPackagesAsResolved: Plugin = {
  name: 'npm-packages-as-resolved',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('@riohub/') || args.path.startsWith('node:')) return undefined;
      const resolved = await bundler.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // A Node built-in named without `node:` (`fs`) resolves to no file: it stays as written.
      return resolved.external ? { path: args.path, external: true } : { path: resolved.path, external: true };
    });
  },
};

/**
 * Each source module's `import.meta.url` as it is when tsx runs it, not the bundle's. The other
 * ways a module finds itself would name the bundle's folder: a source using one is refused.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(bundler) {
    bundler.onLoad({ filter: /\.tsx?$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const other = /import\.meta\.(dirname|filename)|\b__dirname\b|\b__filename\b/.exec(source);
      if (other) return { errors: [{ text: `${other[0]} would name the test bundle's folder, not ${args.path}'s: use import.meta.url` }] };
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/** Where the runs' bundles go: inside the repository's `node_modules`, so that a bare `import.meta.resolve` in them still finds the workspace's packages. */
const CACHE = join(root, 'node_modules', '.cache');
const PREFIX = 'riohub-test-apps-';

/** Folders left by runs that ended without their teardown (killed): each is named after its run's process. */
function removeAbandoned(): void {
  for (const name of readdirSync(CACHE).filter((entry) => entry.startsWith(PREFIX))) {
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (pid !== process.pid && !isRunning(pid)) rmSync(join(CACHE, name), { recursive: true, force: true });
  }
}
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Bundles both apps into `folder`, replacing what was there. */
async function bundleInto(folder: string): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(APPS.map((app) => [app, join(root, 'apps', app, 'src', 'cli.ts')])),
    outdir: folder,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Class and function names as in the sources: errors are told apart and printed by them.
    keepNames: true,
    // A spawned app's stack trace names the source's lines (appEntry runs it with --enable-source-maps).
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [npmPackagesAsResolved, ownImportMetaUrl],
  });
}

/**
 * Bundles both apps into a folder of this run's own and names it in the environment every
 * spawned app and test worker inherits. Returns the bundling again (for a watch mode's rerun,
 * after sources changed) and the removal of the folder.
 */
export async function bundleAppsForTests(): Promise<{ rebundle: () => Promise<void>; remove: () => void }> {
  mkdirSync(CACHE, { recursive: true });
  removeAbandoned();
  const folder = mkdtempSync(join(CACHE, `${PREFIX}${process.pid}-`));
  // Readable by every user, as the sources are: a test runs the hub as another user (storage-faults.test.ts).
  chmodSync(folder, 0o755);
  try {
    await bundleInto(folder);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  process.env[APP_BUNDLES_ENV] = folder;
  return { rebundle: () => bundleInto(folder), remove: () => rmSync(folder, { recursive: true, force: true }) };
}
