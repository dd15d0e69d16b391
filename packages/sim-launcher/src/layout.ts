/**
 * Where the apps this package starts are, in either layout it runs in: the repository (this file
 * is `packages/sim-launcher/src/layout.ts`, the apps' TypeScript runs through tsx) or a release
 * folder from `pnpm release` (this file is compiled into `packages/sim-launcher/dist/`, the apps
 * are compiled JavaScript run by plain node, and there is no tsx to load). A test run may bundle
 * each app's sources into one file first (`bundleAppsForTests` in `@riohub/testkit`), so that the
 * processes its tests spawn start without tsx's loader; it names the folder in `APP_BUNDLES_ENV`.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const compiled = basename(here) === 'dist';

/** The environment variable naming the folder of a test run's app bundles (`hub.mjs`, `sim.mjs`). */
export const APP_BUNDLES_ENV = 'RIOHUB_TEST_APP_BUNDLES';

export type AppName = 'hub' | 'sim';

export interface AppEntry {
  /** The app's command-line script. */
  path: string;
  /** Options for node before it: the tsx loader for sources, nothing for compiled code. */
  nodeArgs: string[];
}

/** The command line of `apps/<app>`. */
export function appEntry(app: AppName): AppEntry {
  const bundles = process.env[APP_BUNDLES_ENV];
  // Their inline source maps make a stack trace name the sources' lines, as under tsx.
  if (bundles) return { path: join(bundles, `${app}.mjs`), nodeArgs: ['--enable-source-maps'] };
  return compiled
    ? { path: join(root, 'apps', app, 'dist', 'cli.js'), nodeArgs: [] }
    : // Resolved here (a development dependency) so the app runs the same from any working directory.
      { path: join(root, 'apps', app, 'src', 'cli.ts'), nodeArgs: ['--import', import.meta.resolve('tsx')] };
}

/** node's arguments that run `apps/<app>` with `args`; `nodeOptions` go to node itself. */
export function appArgs(app: AppName, args: readonly string[], nodeOptions: readonly string[] = []): string[] {
  const { path, nodeArgs } = appEntry(app);
  return [...nodeArgs, ...nodeOptions, path, ...args];
}
