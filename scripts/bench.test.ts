// `pnpm bench` installs what a benchmark runs besides Node before it starts (Mosquitto for the MQTT
// benches, Chromium for the dashboard's, PostgreSQL for a throwaway cluster), as the test command
// does, and does not start a benchmark whose need is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function bench(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['scripts/bench.mjs', ...args], { cwd: root, env, encoding: 'utf8' });
}

describe('pnpm bench', () => {
  const bin = mkdtempSync(join(tmpdir(), 'riohub-bench-path-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('lists each benchmark with what it needs installed', () => {
    const listed = bench(['--list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('apps/hub/bench/vs-mqtt.ts (needs mosquitto: scripts/ensure-mosquitto.sh)');
    expect(listed.stdout).toContain('apps/hub/bench/mqtt.ts (needs mosquitto: scripts/ensure-mosquitto.sh)');
    expect(listed.stdout).toContain('e2e/bench/datapoints-page.ts (needs chromium: scripts/ensure-chromium.sh)');
    expect(listed.stdout).toMatch(/^apps\/hub\/bench\/loggers\.ts$/m);
    expect(bench(['--list', 'loggers', '--database', 'postgres']).stdout.trim()).toBe('apps/hub/bench/loggers.ts (needs postgresql: scripts/ensure-postgresql.sh)');
    expect(bench(['--list', 'mqtt']).stdout.trim()).toBe('apps/hub/bench/mqtt.ts (needs mosquitto: scripts/ensure-mosquitto.sh)');
  });

  it('runs the install script before the benchmark, and stops there when it cannot install', () => {
    // A machine without the broker and without apt: only what the scripts themselves use.
    for (const tool of ['bash', 'dirname']) symlinkSync(spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(bin, tool));
    const run = bench(['vs-mqtt'], { PATH: bin, MOSQUITTO_PATH: join(bin, 'mosquitto') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`benchmarks need mosquitto at ${join(bin, 'mosquitto')}`);
    expect(run.stdout).toContain('apps/hub/bench/vs-mqtt.ts: not run, mosquitto is missing (above)');
    // tsx is not on that PATH either: the benchmark was never started.
    expect(run.stderr).not.toContain('tsx');
  });
});
