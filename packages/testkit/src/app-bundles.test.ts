// The run's global setup bundles both apps, and every app a test spawns runs from those bundles
// with plain node: were the variable lost on the way to the workers, tests would pass as before,
// each spawned process a second slower through tsx, and nothing would say so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_BUNDLES_ENV, appEntry, runSimCli } from '@riohub/sim-launcher';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

describe('app bundles for test runs', () => {
  it('are where every spawned app starts from, with no loader', () => {
    const folder = process.env[APP_BUNDLES_ENV];
    expect(folder).toBeTruthy();
    for (const app of ['hub', 'sim'] as const) {
      expect(appEntry(app)).toEqual({ path: join(folder!, `${app}.mjs`), nodeArgs: ['--enable-source-maps'] });
      expect(existsSync(appEntry(app).path)).toBe(true);
    }
  });

  it('keep each module’s own import.meta.url, so a path found beside a source is the same', () => {
    const hub = readFileSync(appEntry('hub').path, 'utf8');
    // The hub finds the dashboard's build from its app.ts; the launcher finds the simulator from its layout.ts.
    expect(hub).toContain(JSON.stringify(pathToFileURL(join(root, 'apps/hub/src/app.ts')).href));
    expect(hub).toContain(JSON.stringify(pathToFileURL(join(root, 'packages/sim-launcher/src/layout.ts')).href));
    expect(hub).not.toContain('import.meta.url');
  });

  it('run: the simulator prints its usage and exits 0', async () => {
    const child = runSimCli(['--help']);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: riohub-sim /);
  });
});
