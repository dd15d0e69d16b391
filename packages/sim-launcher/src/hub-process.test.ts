// What a hub started by spawnHub writes to stderr reaches the test's stderr, all but the warning
// every test hub logs about its cheap password hashes; a real hub, with a preload of the test's
// own writing two more lines to the same stderr before it. And what a hub or a simulator that
// exits before it listens said, in the error the test sees.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAST_HASHES_WARNING, spawnHub, type HubProcess } from './hub-process';
import { spawnSim } from './sim-process';

const OTHER_LINES = ['a line that is not JSON', JSON.stringify({ level: 40, msg: 'another warning' })];

let folder: string;
let preload: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'riohub-test-hub-stderr-'));
  preload = join(folder, 'write-to-stderr.mjs');
  writeFileSync(preload, OTHER_LINES.map((line) => `process.stderr.write(${JSON.stringify(`${line}\n`)});\n`).join(''));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Stops the hub and waits until everything it wrote to stderr was read. */
async function stopAndDrain(hub: HubProcess): Promise<void> {
  const stderr = hub.child.stderr;
  const closed = stderr && !stderr.closed ? once(stderr, 'close') : Promise.resolve();
  await hub.stop();
  await closed;
}

/** Runs `run` with this process's stderr kept from the terminal, and returns what was written to it. */
async function stderrOf(run: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  });
  try {
    await run();
  } finally {
    write.mockRestore();
  }
  return written.join('');
}

describe('spawnHub', () => {
  const env = { RIOHUB_INSECURE_FAST_PASSWORD_HASHES: '1' };

  it('logs the warning of cheap password hashes, which is what the pass-through leaves out', async () => {
    const hub = await spawnHub('admin-password', { env, captureLog: true });
    await stopAndDrain(hub);
    expect(hub.log.filter((line) => line.msg.startsWith(FAST_HASHES_WARNING))).toEqual([expect.objectContaining({ level: 40 })]);
  });

  it('says, when the hub exits before it listens, its exit code and what it wrote', async () => {
    await stderrOf(() =>
      expect(spawnHub('admin-password', { env, args: ['--host', '0.0.0.0'] })).rejects.toThrow(
        /^the hub exited with code 2 before it listened; it wrote to stderr:\n(.*\n)*riohub: --host 0\.0\.0\.0 is not loopback/,
      ),
    );
  });

  it("passes the hub's stderr on, all but that warning", async () => {
    const passedOn = await stderrOf(async () => stopAndDrain(await spawnHub('admin-password', { env, nodeArgs: ['--import', preload] })));
    expect(passedOn).toContain(OTHER_LINES.map((line) => `${line}\n`).join(''));
    expect(passedOn).not.toContain(FAST_HASHES_WARNING);
  });
});

describe('spawnSim', () => {
  it('says, when the simulator exits before it listens, its exit code and what it wrote', async () => {
    await expect(spawnSim(['--password', 'sim-password', '--no-such-option'])).rejects.toThrow(
      /^the simulator exited with code 2 before it listened; it wrote to stderr:\nriohub-sim: Unknown option '--no-such-option'/,
    );
  });
});
