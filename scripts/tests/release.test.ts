/**
 * `pnpm release`, as a user gets it: built from a clean copy of this repository (what git tracks,
 * nothing it ignores: no node_modules, no dist), then run from the release folder alone, the copy
 * deleted, with plain node on a PATH that has nothing else of the toolchain.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, signIn, startServer, waitFor } from './processes';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'riohub-release-test-'));
const release = join(work, 'release');
const ADMIN_PASSWORD = 'release-test-admin-pw';
/** Only node: no pnpm, tsx or anything from the repository's node_modules. */
const plainEnv = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: work, RIOHUB_ADMIN_PASSWORD: ADMIN_PASSWORD };
const stops: (() => Promise<void>)[] = [];

beforeAll(() => {
  const clone = join(work, 'clone');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root }).toString().split('\0');
  for (const file of files) {
    if (file && existsSync(join(root, file))) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(root, file), join(clone, file));
    }
  }
  run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: clone });
  run('pnpm', ['release', release], { cwd: clone });
  // The release must stand alone.
  rmSync(clone, { recursive: true, force: true });
});

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  rmSync(work, { recursive: true, force: true });
});

describe('the release folder', () => {
  it('holds compiled code and production dependencies only', () => {
    expect(existsSync(join(release, 'bin/riohub'))).toBe(true);
    expect(existsSync(join(release, 'bin/riohub-sim'))).toBe(true);
    expect(existsSync(join(release, 'apps/web/dist/index.html'))).toBe(true);
    const installed = readdirSync(join(release, 'node_modules/.pnpm'));
    for (const devOnly of ['tsx', 'typescript', 'vitest', 'eslint', '@playwright+test', 'playwright', 'vite', 'esbuild']) {
      expect(installed.filter((entry) => entry.startsWith(`${devOnly}@`))).toEqual([]);
    }
    expect(installed.some((entry) => entry.startsWith('better-sqlite3@'))).toBe(true);
    // No TypeScript of ours: every workspace package points at its compiled dist/.
    const sources = execFileSync('find', [release, '-path', '*/node_modules', '-prune', '-o', '-name', '*.ts', '-print']).toString().trim();
    expect(sources).toBe('');
  });

  it('runs the hub with plain node: it serves the dashboard and links the demo simulators', async () => {
    const hub = await startServer(join(release, 'bin/riohub'), ['--demo', '--port', '0', '--data', join(work, 'hub-data')], { cwd: work, env: plainEnv });
    stops.push(hub.stop);

    const page = await fetch(`${hub.url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script as string, hub.url));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const api = await signIn(hub.url, 'admin', ADMIN_PASSWORD);
    const online = await waitFor('both demo simulators online', async () => {
      const { body } = await api<{ data: { name: string; status: { connection: string; points: number } }[] }>('/api/remotes');
      const up = body.data.filter((remote) => remote.status.connection === 'online' && remote.status.points > 0).map((remote) => remote.name);
      return up.length === 2 ? up.sort() : undefined;
    });
    expect(online).toEqual(['floor2', 'lobby']);
    const { body: points } = await api<{ data: { total: number } }>('/api/points?prefix=lobby.dummy.light');
    expect(points.data.total).toBeGreaterThan(0);

    // A write goes through to the simulator and back.
    const written = await api<{ ok: boolean; data: { status: string } }>('/api/writes', { method: 'POST', body: { name: 'lobby.virtual.1', value: 'from the release' } });
    expect(written).toMatchObject({ status: 200, body: { ok: true, data: { status: 'applied' } } });
  });

  it('runs the simulator alone with plain node', async () => {
    const sim = await startServer(join(release, 'bin/riohub-sim'), ['--http', '--port', '0', '--password', 'release-sim-pw', '--data', join(work, 'sim-data')], { cwd: work, env: plainEnv });
    stops.push(sim.stop);
    const answer = await fetch(`${sim.url}/x/rioget?1*1*release-sim-pw`);
    expect(answer.status).toBe(200);
    const { hsycostate } = (await answer.json()) as { hsycostate: { io: Record<string, string> } };
    expect(Object.keys(hsycostate.io)).toContain('dummy.light.1');
  });
});
