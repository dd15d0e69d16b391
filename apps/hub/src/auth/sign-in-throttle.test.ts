// The sign-in throttle's decisions, on its own clock: per address, per account, reports, bounds.
import { describe, expect, it } from 'vitest';
import { accountBudget, BURST, REFILL_MS, SignInThrottle, type Verdict } from './sign-in-throttle';

function clocked() {
  const clock = { now: 1_000_000 };
  const throttle = new SignInThrottle({ now: () => clock.now });
  return { clock, throttle };
}

const addresses = Array.from({ length: 250 }, (_, index) => `127.0.0.${index + 2}`);

/** One guess: checked and wrong, or refused. */
function guess(throttle: SignInThrottle, name: string, address: string): Verdict {
  const verdict = throttle.begin(name, address);
  if (verdict.check) throttle.settle(name, address, false);
  return verdict;
}

describe('sign-in throttle', () => {
  it('checks at most the account budget for one name guessed from 250 rotating addresses', () => {
    const { clock, throttle } = clocked();
    let checked = 0;
    let sent = 0;
    // Ten minutes; every address tries once a second, each waiting out its own delays.
    for (let second = 0; second < 600; second++) {
      for (const address of addresses) {
        sent++;
        if (guess(throttle, 'admin', address).check) checked++;
      }
      clock.now += 1_000;
    }
    expect(sent).toBe(150_000);
    expect(checked).toBeLessThanOrEqual(accountBudget(600_000));
    // The budget is a rate, not a lock-out: guesses keep being checked at it.
    expect(checked).toBeGreaterThanOrEqual(BURST + 600_000 / REFILL_MS - 1);
  });

  it('cannot be overspent by attempts checked in parallel', () => {
    const { throttle } = clocked();
    const verdicts = addresses.map((address) => throttle.begin('admin', address));
    expect(verdicts.filter((verdict) => verdict.check)).toHaveLength(BURST);
    expect(verdicts.at(-1)).toMatchObject({ check: false, why: 'account' });
  });

  it('lets the admin in at once from an address where it signed in before, during an attack', () => {
    const { clock, throttle } = clocked();
    expect(throttle.begin('admin', '10.0.0.7')).toEqual({ check: true, trusted: false });
    throttle.settle('admin', '10.0.0.7', true);
    for (const address of addresses) guess(throttle, 'admin', address);
    clock.now += 1_000;
    expect(guess(throttle, 'admin', '127.0.0.99')).toMatchObject({ check: false, why: 'account' });
    // A typo from there is checked too, and the next try is not held back by the attack.
    expect(guess(throttle, 'admin', '10.0.0.7')).toEqual({ check: true, trusted: true });
    expect(throttle.begin('admin', '10.0.0.7')).toEqual({ check: true, trusted: true });
    throttle.settle('admin', '10.0.0.7', true);
  });

  it('tells a new address during an attack to retry within one refill, never after 30 s', () => {
    const { clock, throttle } = clocked();
    for (const address of addresses) guess(throttle, 'admin', address);
    const verdict = throttle.begin('admin', '192.168.1.20');
    expect(verdict).toMatchObject({ check: false, why: 'account' });
    const wait = verdict.check ? 0 : verdict.retryAfterMs;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(REFILL_MS);
    clock.now += wait;
    expect(throttle.begin('admin', '192.168.1.20')).toEqual({ check: true, trusted: false });
    // The right password gives the token back and trusts the address from then on.
    throttle.settle('admin', '192.168.1.20', true);
    expect(throttle.begin('admin', '192.168.1.20')).toEqual({ check: true, trusted: true });
  });

  it('gives a trusted address that starts failing no way around the account limit', () => {
    const { throttle, clock } = clocked();
    throttle.begin('admin', '10.0.0.7');
    throttle.settle('admin', '10.0.0.7', true);
    for (const address of addresses) guess(throttle, 'admin', address);
    guess(throttle, 'admin', '10.0.0.7');
    guess(throttle, 'admin', '10.0.0.7');
    clock.now += 1_000;
    expect(throttle.begin('admin', '10.0.0.7')).toMatchObject({ check: false, why: 'account' });
  });

  it('makes one address wait 1 s, 2 s, 4 s … up to 30 s after two free failures, without holding it', () => {
    const { clock, throttle } = clocked();
    const waits: { why: string; ms: number }[] = [];
    let failures = 0;
    while (failures < 12) {
      const verdict = throttle.begin('otto', '10.0.0.9');
      if (verdict.check) {
        throttle.settle('otto', '10.0.0.9', false);
        failures++;
        // Other names from the same address are not slowed by it.
        expect(throttle.begin('vera', '10.0.0.9')).toMatchObject({ check: true });
        throttle.settle('vera', '10.0.0.9', true);
      } else {
        waits.push({ why: verdict.why, ms: verdict.retryAfterMs });
        clock.now += verdict.retryAfterMs;
      }
    }
    const own = waits.filter((wait) => wait.why === 'address').map((wait) => wait.ms);
    expect(own).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    // Where the account's allowance ran out first, the wait is the next refill's, never more.
    for (const wait of waits.filter((each) => each.why === 'account')) expect(wait.ms).toBeLessThanOrEqual(REFILL_MS);
  });

  it("gives a guesser sharing a client's address no fresh free failures from the client's right passwords, where successes do not forgive", () => {
    // Ten minutes: a client that polls with the right password every half second, whenever let,
    // and a guesser on the same address (a reverse proxy's, a NAT's) that sends two guesses every
    // 2 s, leaving the client time to be let in between.
    const checkedGuesses = (successForgives: boolean) => {
      const clock = { now: 1_000_000 };
      const throttle = new SignInThrottle({ now: () => clock.now, successForgives });
      let checked = 0;
      for (let tick = 0; tick < 12_000; tick++) {
        clock.now += 50;
        if (tick % 10 === 0 && throttle.begin('api', '10.0.0.1').check) throttle.settle('api', '10.0.0.1', true);
        if (tick % 40 !== 5) continue;
        checked += [guess(throttle, 'api', '10.0.0.1'), guess(throttle, 'api', '10.0.0.1')].filter((verdict) => verdict.check).length;
      }
      return checked;
    };
    // Forgiven at each right password, the guesser has its two free failures every time.
    expect(checkedGuesses(true)).toBe(600);
    // Not forgiven: two free, the delays' ramp (1 s, 2 s … 16 s), then one each time 30 s runs out.
    expect(checkedGuesses(false)).toBeLessThanOrEqual(2 + 5 + Math.ceil(600 / 30));
  });

  it('checks one attempt per name and address at a time', () => {
    const { throttle } = clocked();
    expect(throttle.begin('vera', '10.0.0.1')).toEqual({ check: true, trusted: false });
    expect(throttle.begin('vera', '10.0.0.1')).toMatchObject({ check: false, why: 'in-flight' });
    expect(throttle.begin('vera', '10.0.0.2')).toEqual({ check: true, trusted: false });
    throttle.settle('vera', '10.0.0.1', true);
    expect(throttle.begin('vera', '10.0.0.1')).toEqual({ check: true, trusted: true });
  });

  it('reports an attack once when it starts and once when it has stopped, with its counts', () => {
    const { clock, throttle } = clocked();
    const worthALine: boolean[] = [];
    let refused = 0;
    for (let round = 0; round < 3; round++) {
      for (const address of addresses) {
        const verdict = throttle.begin('admin', address);
        if (verdict.check) worthALine.push(throttle.settle('admin', address, false));
        else refused++;
      }
      clock.now += 1_000;
    }
    // The failures before the allowance ran dry get a line each; after that, only the report.
    expect(worthALine.filter(Boolean)).toHaveLength(BURST - 1);
    const started = throttle.takeReports();
    expect(started).toEqual([expect.objectContaining({ kind: 'started', name: 'admin', addresses: 0 })]);
    expect(throttle.takeReports()).toEqual([]);
    clock.now += REFILL_MS;
    throttle.sweep();
    expect(throttle.takeReports()).toEqual([]);
    clock.now += REFILL_MS * BURST;
    throttle.sweep();
    expect(throttle.takeReports()).toEqual([
      expect.objectContaining({ kind: 'ended', name: 'admin', refused, failed: 1, addresses: 32, addressesCapped: true }),
    ]);
    throttle.sweep();
    expect(throttle.takeReports()).toEqual([]);
  });

  it('stays bounded under 100,000 names and addresses, and spraying names resets no bucket', () => {
    const { clock, throttle } = clocked();
    for (const address of addresses.slice(0, BURST + 1)) guess(throttle, 'admin', address);
    expect(throttle.begin('admin', '10.9.9.9')).toMatchObject({ check: false, why: 'account' });
    for (let index = 0; index < 100_000; index++) {
      guess(throttle, `name-${index}`, `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);
      if (index % 1_000 === 0) clock.now += 100;
    }
    const size = throttle.size();
    expect(size.pairs).toBeLessThanOrEqual(10_000);
    expect(size.names).toBeLessThanOrEqual(4_096);
    expect(size.trusted).toBe(0);
    expect(throttle.begin('admin', '10.9.9.10')).toMatchObject({ check: false, why: 'account' });
    // Names past the tracked ones share one bucket: spraying them is throttled as one.
    const sprayed = Array.from({ length: 50 }, (_, index) => guess(throttle, `late-${index}`, `10.8.0.${index}`));
    expect(sprayed.filter((verdict) => verdict.check).length).toBeLessThanOrEqual(BURST);
  });
});
