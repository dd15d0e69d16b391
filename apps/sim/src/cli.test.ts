// The simulator's command line, run as a real process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeState } from '@riohub/protocol';
import { RioTestClient, runSimCli, spawnSim } from '@riohub/testkit';
import { describe, expect, it } from 'vitest';

async function runToExit(args: string[], env: Record<string, string> = {}) {
  const child = runSimCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A command line that should have been refused but started a server would never exit: end it.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('riohub-sim command line', () => {
  it.each([
    [['--port', '9443'], 'a password is required'],
    [['--password', 'pw', '--bogus'], "Unknown option '--bogus'"],
    [['--password', 'pw', '--port', '70000'], '--port "70000": expected a whole number from 0 to 65535'],
    [['--password', 'pw', '--lights=-1'], '--lights "-1"'],
    [['--password', 'pw', '--control', 'yes'], '--control "yes": expected true or false'],
    [['--password', 'pw', '--address', '127.0.0.1,example.com'], '--address: bad address "example.com"'],
    [['--password', 'pw', '--clock-offset', 'soon'], '--clock-offset "soon"'],
    [['--password', 'pw', '--api', 'private'], '--api "private"'],
    [['--password', 'pw', 'stray'], 'Unexpected argument'],
    [['--password', 'pw', '--history-step', '0'], '--history-step "0": expected a whole number from 1 to 86400'],
    [['--password', 'pw', '--history-days', '5000'], '--history-days "5000": expected a whole number from 0 to 3660'],
  ])('refuses %j with a clear message and exit code 2', async (args, message) => {
    const { code, stdout, stderr } = await runToExit(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: riohub-sim');
  });

  it('refuses an unknown RIOHUB_LOG_LEVEL with a clear message and exit code 2', async () => {
    const { code, stdout, stderr } = await runToExit(['--password', 'pw'], { RIOHUB_LOG_LEVEL: 'loud' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('RIOHUB_LOG_LEVEL "loud": expected one of fatal, error, warn, info, debug, trace, silent');
  });

  it('logs from the level in RIOHUB_LOG_LEVEL up: at warn, refusals but not each applied write', async () => {
    const sim = await spawnSim(['--http', '--password', 'pw'], { env: { RIOHUB_LOG_LEVEL: 'warn' } });
    const client = new RioTestClient(sim.url, undefined);
    try {
      expect((await client.get('/x/rioset?1*pw*dummy.light.1*1')).status).toBe(200);
      // A wrong password gets no answer (the connection is held): the refusal is in the log at once.
      await fetch(`${sim.url}/x/rioget?1*1*wrong-pw`, { signal: AbortSignal.timeout(300) }).catch(() => undefined);
      await expect.poll(() => sim.stderr(), { timeout: 5_000 }).toContain('remote API request refused');
    } finally {
      await client.close();
      await sim.stop();
    }
    expect(sim.stderr()).not.toContain('remote write applied');
    expect(sim.stderr()).not.toContain('wrong-pw');
  });

  it('prints its usage with --help and exits 0', async () => {
    const { code, stdout } = await runToExit(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--changes-per-second');
    expect(stdout).toContain('RIOHUB_LOG_LEVEL');
    expect(stdout.match(/RIOHUB_SIM_PASSWORD/g)).toHaveLength(1);
  });

  it('prints exactly one line when ready, logs to stderr, and exits 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const sim = await spawnSim(['--password', 'pw']);
      expect(sim.stdout()).toMatch(/^riohub-sim listening on https:\/\/127\.0\.0\.1:\d+\n$/);
      expect(await sim.stop(signal)).toBe(0);
      expect(sim.stdout().split('\n').filter(Boolean)).toHaveLength(1);
      expect(sim.stderr()).toContain('"msg":"stopping"');
    }
  });

  it('takes its password from RIOHUB_SIM_PASSWORD and never logs it', async () => {
    const sim = await spawnSim(['--http'], { env: { RIOHUB_SIM_PASSWORD: 's3cret-pw' } });
    const client = new RioTestClient(sim.url, undefined);
    try {
      expect(sim.url).toMatch(/^http:\/\//);
      expect((await client.get('/x/rioget?1*1*s3cret-pw')).status).toBe(200);
      await client.get('/x/rioset?1*s3cret-pw*dummy.light.1*1');
      await client.get('/x/rioset?1*s3cret-pw*dummy.light.1');
    } finally {
      await client.close();
      await sim.stop();
    }
    expect(sim.stderr()).toContain('remote write applied');
    expect(sim.stderr()).not.toContain('s3cret-pw');
  });

  it('keeps its certificate, instance id and logger history in --data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'riohub-sim-data-'));
    try {
      const runs = [];
      for (let run = 0; run < 2; run++) {
        const sim = await spawnSim(['--password', 'pw'], { dataDir });
        const client = new RioTestClient(sim.url, sim.certificate);
        const state = decodeState((await client.get('/x/rioget?2*1*pw*io')).body);
        const log = JSON.parse((await client.get('/x/riolog?1*pw*energy*0')).body) as {
          hsycolog: { samples: [number, number][] };
        };
        runs.push({ certificate: sim.certificate, id: state.members?.[0], first: log.hsycolog.samples[0] });
        await client.close();
        await sim.stop();
      }
      expect(runs[1]?.certificate).toBe(runs[0]?.certificate);
      expect(runs[1]?.id).toBe(runs[0]?.id);
      expect(runs[1]?.first).toEqual(runs[0]?.first);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
