// Hubs starting at once on one new data folder each make or read its secret key: every one must
// end with the same key, none with a file another has created but not yet written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';

/** Runs loadSecretKey for each folder it is sent, once the main thread releases all the workers together. */
const WORKER = `
const { parentPort } = require('node:worker_threads');
require('tsx/cjs/api').register();
const { loadSecretKey } = require(${JSON.stringify(fileURLToPath(new URL('./secret-box.ts', import.meta.url)))});
parentPort.on('message', ({ folder, gate }) => {
  Atomics.wait(new Int32Array(gate), 0, 0);
  try {
    parentPort.postMessage(loadSecretKey(folder, {}).key.toString('hex'));
  } catch (error) {
    parentPort.postMessage('error: ' + error.message);
  }
});
`;

describe('the secret key file', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('is the same key for every hub that starts on a new folder at the same moment', async () => {
    const workers = Array.from({ length: 4 }, () => new Worker(WORKER, { eval: true }));
    try {
      const outcomes: string[][] = [];
      for (let round = 0; round < 40; round++) {
        const folder = mkdtempSync(join(tmpdir(), 'riohub-key-race-'));
        folders.push(folder);
        const gate = new SharedArrayBuffer(4);
        const keys = Promise.all(workers.map((worker) => new Promise<string>((resolve) => worker.once('message', resolve))));
        for (const worker of workers) worker.postMessage({ folder, gate });
        // Every worker is waiting at the gate (or about to) before it opens.
        await new Promise((resolve) => setTimeout(resolve, 20));
        Atomics.store(new Int32Array(gate), 0, 1);
        Atomics.notify(new Int32Array(gate), 0);
        outcomes.push(await keys);
      }
      const differing = outcomes.filter((keys) => new Set(keys).size !== 1 || keys.some((key) => key.startsWith('error')));
      expect(differing).toEqual([]);
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
  }, 60_000);
});
