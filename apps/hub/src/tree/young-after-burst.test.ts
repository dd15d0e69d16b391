import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('../testing/young-after-burst.ts', import.meta.url));

describe('objects of each change after a burst of changes', () => {
  // What V8 made old would hold each answer's strings through every young collection: the hub's
  // collections copied some 650 KB instead of 50 and paused it 2–4 ms at 10,000 changes a second.
  it('are still made young: the pairs of the change reader, the points of the tree, the pairs of a served answer', () => {
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', import.meta.resolve('tsx'), PROGRAM], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const young = JSON.parse(run.stdout) as { pairs: number; points: number; served: number };
    // A young collection during the check may promote a few.
    expect(young.pairs).toBeGreaterThan(0.9);
    expect(young.points).toBeGreaterThan(0.9);
    expect(young.served).toBeGreaterThan(0.9);
  });
});
