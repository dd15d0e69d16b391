/**
 * The hub's and the simulator's command lines, each bundled into one JavaScript file for a test
 * run, so that every process a test spawns starts with plain node. Through tsx's loader, this
 * 2-core machine took 1.1–1.3 s to run the simulator's `--help` and 1.9–2.3 s the hub's; bundled,
 * 0.7–0.8 s and 1.3 s; and the suite spawns hundreds of them, four test files at a time.
 *
 * The bundle runs the same sources as tsx does: the workspace packages are inlined, every npm
 * package stays an import of the very file the source's own import resolves to (so each still
 * comes from the dependencies of the package that declares it), and each module keeps its own
 * `import.meta.url`, so paths it finds beside itself (the dashboard's build, the other app) are
 * the same. Types are checked by the typecheck step, not here.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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

/** Each source module's `import.meta.url` as it is when tsx runs it, not the bundle's. */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(bundler) {
    bundler.onLoad({ filter: /\.tsx?$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: args.path.endsWith('x') ? 'tsx' : 'ts',
    }));
  },
};

/**
 * Bundles both apps into a folder of this run's own (inside the repository's `node_modules`, so
 * that a bare `import.meta.resolve` in them still finds the workspace's packages) and names it in
 * the environment every spawned app and test worker inherits. Returns the removal of the folder.
 */
export async function bundleAppsForTests(): Promise<() => void> {
  const folder = join(root, 'node_modules', '.cache', `riohub-test-apps-${process.pid}`);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
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
    logLevel: 'warning',
    plugins: [npmPackagesAsResolved, ownImportMetaUrl],
  });
  process.env[APP_BUNDLES_ENV] = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
