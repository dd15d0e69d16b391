// The served API's guess limiter on its own: a client left with an old password, and a guesser,
// both from the address a right client polls from (one host, or one proxy for all of them).
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ServedApiGuesses } from './served-api-guesses';

const ADDRESS = '10.0.0.7';
const digest = (password: string) => createHash('sha256').update(password).digest();

/** One request: whether it was let in (checked and right). */
function poll(guesses: ServedApiGuesses, password: string, right: boolean): boolean {
  if (!guesses.mayCheck(ADDRESS)) return false;
  guesses.checked(ADDRESS, right, digest(password));
  return right;
}

describe("the served API's guess limiter", () => {
  let guesses: ServedApiGuesses | undefined;
  afterEach(() => guesses?.close());

  it('keeps a right client served beside one that retries an old password, which counts once', () => {
    guesses = new ServedApiGuesses(pino({ level: 'silent' }));
    const limiter = guesses;
    expect(poll(limiter, 'current', true)).toBe(true);
    for (let round = 0; round < 100; round++) {
      poll(limiter, 'old password', false);
      expect(poll(limiter, 'current', true)).toBe(true);
    }
  });

  it('holds the address back once guesses are new ones, the right client with it', () => {
    guesses = new ServedApiGuesses(pino({ level: 'silent' }));
    const limiter = guesses;
    expect(poll(limiter, 'current', true)).toBe(true);
    for (const guess of ['guess-1', 'guess-2', 'guess-3']) poll(limiter, guess, false);
    expect(limiter.mayCheck(ADDRESS)).toBe(false);
  });
});
