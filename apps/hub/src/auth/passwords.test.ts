// Users' passwords are hashed at OWASP's minimum for scrypt (N=2^17, r=8, p=1), and a hash made
// with an earlier, cheaper cost is upgraded at the user's next sign-in, through a real hub and its
// store: the old hash is written into it as an older riohub stored it. The rest of the suite runs
// with the test cost (RIOHUB_INSECURE_FAST_PASSWORD_HASHES=1, from its global setup); here it is
// unset, as for every hub people use.
import { Writable } from 'node:stream';
import { FAST_HASHES_WARNING } from '@riohub/sim-launcher';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashAtCost } from '../testing/hash-at-cost';
import { HubClient, startTestHub, type TestHub } from '../testing/test-hub';
import { FAST_HASHES_ENV, hashPassword, needsRehash, OWASP_SCRYPT_COST, scryptCost, verifyPassword } from './passwords';

beforeAll(() => {
  vi.stubEnv(FAST_HASHES_ENV, undefined);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

/** A hash as riohub stored them before (N=2^14, r=8, p=1). */
const oldHash = (password: string) => hashAtCost(password, 16_384);

describe('password hashes', () => {
  it("hashes at OWASP's scrypt minimum, and verifies", async () => {
    expect(scryptCost()).toEqual({ N: 131_072, r: 8, p: 1 });
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(needsRehash(hash)).toBe(false);
  });

  it('verifies a hash of the earlier cost and says it needs upgrading', async () => {
    const hash = oldHash('old-pass-1');
    expect(await verifyPassword('old-pass-1', hash)).toBe(true);
    expect(needsRehash(hash)).toBe(true);
  });

  describe(`with ${FAST_HASHES_ENV}=1, the test suite's cost`, () => {
    beforeEach(() => {
      vi.stubEnv(FAST_HASHES_ENV, '1');
    });
    afterEach(() => {
      vi.stubEnv(FAST_HASHES_ENV, undefined);
    });

    it('hashes at N=2^10, and such a hash needs upgrading once the variable is unset', async () => {
      const hash = await hashPassword('correct horse');
      expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(await verifyPassword('correct horse', hash)).toBe(true);
      expect(needsRehash(hash)).toBe(false);
      vi.stubEnv(FAST_HASHES_ENV, undefined);
      expect(scryptCost()).toBe(OWASP_SCRYPT_COST);
      expect(needsRehash(hash)).toBe(true);
    });

    it("checks a password asked first (a trusted pair's sign-in) before those already waiting", async () => {
      const hash = await hashPassword('correct horse');
      const finished: string[] = [];
      const waiting = Array.from({ length: 20 }, (_, index) => verifyPassword(`guess ${index}`, hash).then(() => finished.push(`guess ${index}`)));
      const first = verifyPassword('correct horse', hash, { first: true }).then((right) => (finished.push('first'), right));
      expect(await first).toBe(true);
      await Promise.all(waiting);
      // Two run at once: it waited for one of those two at most, then ran beside the others in
      // turn, and on a busy machine a few of those may finish first. Not behind the twenty.
      expect(finished.indexOf('first')).toBeLessThanOrEqual(6);
    });

    it('keeps hashing in turn while trusted sign-ins keep coming (an admin creating a user is not starved)', async () => {
      const hash = await hashPassword('correct horse');
      const finished: string[] = [];
      const trusted = Array.from({ length: 20 }, (_, index) =>
        verifyPassword('correct horse', hash, { first: true }).then(() => finished.push(`trusted ${index}`)),
      );
      const newUser = hashPassword('a new user').then(() => finished.push('new user'));
      await Promise.all([...trusted, newUser]);
      // Trusted work never takes the second slot while ordinary work waits: the new user's hash
      // waits for one of the two running at most (then, as above, a few may finish before it).
      expect(finished.indexOf('new user')).toBeLessThanOrEqual(6);
    });

    it('makes a hub warn at start that its passwords are cheap to guess', async () => {
      const log: { level: number; msg: string }[] = [];
      const logStream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n')) if (line.trim()) log.push(JSON.parse(line) as (typeof log)[number]);
          done();
        },
      });
      const hub = await startTestHub(undefined, { logStream });
      try {
        expect(log.filter((line) => line.msg.includes(FAST_HASHES_ENV))).toEqual([
          expect.objectContaining({ level: 40, msg: expect.stringContaining('unset it for a hub people use') }),
        ]);
        // The text by which the test kit's spawnHub leaves this warning out of the stderr it passes on.
        expect(log.filter((line) => line.msg.startsWith(FAST_HASHES_WARNING))).toHaveLength(1);
      } finally {
        await hub.close();
      }
    });
  });
});

describe('upgrade at sign-in', () => {
  let hub: TestHub;
  const storedHash = async (name: string) =>
    ((await hub.running.store.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE name = ?', [name])) as { password_hash: string }).password_hash;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.admin.data('POST', '/api/users', { name: 'olga', role: 'viewer', password: 'new-cost-pass' });
  });
  afterAll(() => hub.close());

  it('stores new users at the current cost', async () => {
    expect(await storedHash('olga')).toMatch(/^scrypt\$131072\$8\$1\$/);
  });

  it('upgrades an old hash at the next sign-in with the right password, and not on a wrong one', async () => {
    const old = oldHash('old-pass-1');
    await hub.running.store.run('UPDATE users SET password_hash = ? WHERE name = ?', [old, 'olga']);

    const refused = await new HubClient(hub.url).call('POST', '/api/session', { name: 'olga', password: 'old-pass-2' });
    expect(refused.status).toBe(401);
    expect(await storedHash('olga')).toBe(old);

    const olga = await hub.signIn('olga', 'old-pass-1');
    expect(await olga.data('GET', '/api/session')).toEqual({ name: 'olga', role: 'viewer' });
    const upgraded = await storedHash('olga');
    expect(upgraded).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(upgraded).not.toBe(old);
    // The same password, now under the new hash; the session it was upgraded in goes on.
    await hub.signIn('olga', 'old-pass-1');
    expect(await olga.data('GET', '/api/session')).toEqual({ name: 'olga', role: 'viewer' });
    expect(await storedHash('olga')).toBe(upgraded);
  });
});
