import { describe, expect, it } from 'vitest';
import { Turns } from './turns';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Turns', () => {
  it('runs the work on one key one piece after another, in the order asked, and other keys alongside', async () => {
    const turns = new Turns();
    const seen: string[] = [];
    const piece = (key: string, name: string, turnsToTake: number) =>
      turns.run(key, async () => {
        seen.push(`${name} starts`);
        for (let i = 0; i < turnsToTake; i += 1) await tick();
        seen.push(`${name} ends`);
        return name;
      });
    const results = await Promise.all([piece('a', 'a1', 3), piece('a', 'a2', 0), piece('b', 'b1', 1)]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    // b1 neither waits for a1 nor is waited for; a2 starts only once a1 has ended.
    expect(seen).toEqual(['a1 starts', 'b1 starts', 'b1 ends', 'a1 ends', 'a2 starts', 'a2 ends']);
  });

  it('goes on after a piece that fails, which fails alone', async () => {
    const turns = new Turns();
    const failed = turns.run('a', () => Promise.reject(new Error('refused')));
    const next = turns.run('a', async () => 'done');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('done');
  });

  it('settles once everything asked until then has ended', async () => {
    const turns = new Turns();
    let ended = 0;
    for (const key of ['a', 'a', 'b']) {
      void turns.run(key, async () => {
        await tick();
        ended += 1;
      });
    }
    await turns.settled();
    expect(ended).toBe(3);
  });
});
