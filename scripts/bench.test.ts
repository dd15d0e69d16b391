// `pnpm bench` installs what a benchmark runs besides Node before it starts (Mosquitto for the MQTT
// benches, Chromium for the dashboard's, PostgreSQL for a throwaway cluster), as the test command
// does, and does not start a benchmark whose need is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
/** This environment without a database named for the benches. */
const withoutDatabase: NodeJS.ProcessEnv = { ...process.env };
delete withoutDatabase['RIOHUB_DATABASE'];

function bench(args: string[], env: NodeJS.ProcessEnv = withoutDatabase) {
  return spawnSync(process.execPath, ['scripts/bench.mjs', ...args], { cwd: root, env, encoding: 'utf8' });
}

const listed = (args: string[], env?: NodeJS.ProcessEnv) => bench(['--list', ...args], env).stdout.trim();

describe('pnpm bench', () => {
  const bin = mkdtempSync(join(tmpdir(), 'riohub-bench-path-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('lists each benchmark with what it needs installed', () => {
    const all = bench(['--list']);
    expect(all.status).toBe(0);
    expect(all.stdout).toContain('apps/hub/bench/vs-mqtt.ts (needs mosquitto: scripts/ensure-mosquitto.sh)');
    expect(all.stdout).toContain('apps/hub/bench/mqtt.ts (needs mosquitto: scripts/ensure-mosquitto.sh)');
    expect(all.stdout).toContain('e2e/bench/datapoints-page.ts (needs chromium: scripts/ensure-chromium.sh)');
    expect(all.stdout).toMatch(/^apps\/hub\/bench\/loggers\.ts$/m);
    // `pnpm bench -- mqtt` hands its `--` on: still the one benchmark.
    expect(listed(['--', 'mqtt'])).toBe('apps/hub/bench/mqtt.ts (needs mosquitto: scripts/ensure-mosquitto.sh)');
  });

  it('needs PostgreSQL for the loggers only when asked for a throwaway cluster, the option before the environment', () => {
    const needing = 'apps/hub/bench/loggers.ts (needs postgresql: scripts/ensure-postgresql.sh)';
    expect(listed(['loggers', '--database', 'postgres', '--runs', '1'])).toBe(needing);
    expect(listed(['loggers', '--database=postgres'])).toBe(needing);
    expect(listed(['loggers'], { ...withoutDatabase, RIOHUB_DATABASE: 'postgres' })).toBe(needing);
    expect(listed(['loggers', '--database', 'sqlite'], { ...withoutDatabase, RIOHUB_DATABASE: 'postgres' })).toBe('apps/hub/bench/loggers.ts');
    expect(listed(['loggers', '--database', 'postgres://bench@127.0.0.1:5432/bench'])).toBe('apps/hub/bench/loggers.ts');
  });

  it('fails on a name that matches no benchmark', () => {
    const none = bench(['no-such-bench']);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no benchmark matches no-such-bench');
  });

  it('runs the install script before the benchmark, and stops there when it cannot install', () => {
    // A machine without the broker and without apt: only what the scripts themselves use.
    for (const tool of ['bash', 'dirname']) symlinkSync(spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), join(bin, tool));
    const run = bench(['vs-mqtt'], { PATH: bin, MOSQUITTO_PATH: join(bin, 'mosquitto') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`benchmarks need mosquitto at ${join(bin, 'mosquitto')}`);
    expect(run.stdout).toContain('apps/hub/bench/vs-mqtt.ts: not run, mosquitto is missing (above)');
  });
});
