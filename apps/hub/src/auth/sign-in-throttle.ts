/**
 * Slows down password guessing, per address and per account, and answers throttled attempts at
 * once (429 with when to retry) instead of holding their sockets.
 *
 * Four limits, checked in this order; a refused attempt is never checked, costs no scrypt and
 * counts as nothing:
 * 1. One attempt per (address, name) at a time, so parallel guesses cannot share one decision,
 *    and ADDRESS_IN_FLIGHT per address whatever the names.
 * 2. Per (address, name): two failures free, then the next attempt is accepted only 1 s, 2 s,
 *    4 s … (at most 30 s) after the last failure. This is what one address guessing meets.
 * 3. Per name, across every address: a token bucket of BURST failures that refills by one every
 *    REFILL_MS. Each attempt from an untrusted address takes a token before it is checked (so
 *    parallel attempts cannot overspend it) and gets it back when the password was right. When
 *    the bucket is empty, untrusted addresses are refused until the next token. However many
 *    addresses a guesser rotates through, the passwords checked for one name in any window of
 *    T ms are at most BURST + T / REFILL_MS (5 + 3 a minute): see `accountBudget`.
 * 4. Per untrusted address, across every name (checked before the name's bucket): a bucket of
 *    ADDRESS_BURST failures refilling one every ADDRESS_REFILL_MS, so that names made up by the
 *    thousand cannot have a password hashed each.
 *
 * Who is trusted, and why not more: an address where this name signed in within the last 30
 * days, as long as it has fewer than two failures of its own since. It skips the account bucket
 * (limits 1 and 2 still apply), so the real admin at a known workstation signs in at once during
 * an attack. A new address has no such proof; letting "clean" addresses check the password
 * anyway would give a guesser one checked guess per address it rotates to (unbounded with IPv6),
 * and accepting the right password while refusing wrong ones would tell the guesser which one is
 * right. So a new address waits for a token like anyone else: it is told when (at most
 * REFILL_MS), and the wait lasts only while the attack does. Trust lives in memory: a restart
 * forgets it, and the attack's state, together.
 *
 * Unknown names are throttled exactly like real ones, so throttling never tells which exist.
 *
 * Logging: a failure is worth a line while the name is not under attack (at most BURST of them
 * per episode); an attack is reported once when the bucket first runs dry, and once when it has
 * refilled completely, with what was refused and checked meanwhile (`takeReports`).
 *
 * Memory is bounded: at most MAX_PAIRS (address, name) entries (the oldest go first; forgetting
 * one only forgives that address's own delay, the account bucket still binds), MAX_TRUSTED
 * trusted pairs (created only by a right password), MAX_NAMES buckets (names beyond that share
 * one overflow bucket, so spraying names neither grows memory nor resets a bucket), and
 * MAX_ADDRESSES address buckets (the oldest forgotten first: the names' buckets still bind).
 */

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** Failures from one address older than this are forgotten. */
const MEMORY_MS = 15 * 60_000;
/** Failures per (address, name) free before delays start. */
const FREE_FAILURES = 2;
/** Failed sign-ins per name free across all addresses, and how fast the allowance refills. */
export const BURST = 5;
export const REFILL_MS = 20_000;
/** How long a successful sign-in makes its address trusted for that name. */
const TRUST_MS = 30 * 24 * 3_600_000;
const MAX_PAIRS = 10_000;
/** Attempts from one address checked at once, whatever their names. */
const ADDRESS_IN_FLIGHT = 2;
/**
 * Failed sign-ins from one untrusted address across all names: free, then one every
 * ADDRESS_REFILL_MS. Names are free to make up, so per-name limits alone let one address have
 * thousands of passwords hashed (about a second of a core each) and queue everyone behind them.
 */
export const ADDRESS_BURST = 10;
const ADDRESS_REFILL_MS = 6_000;
const MAX_ADDRESSES = 10_000;
const MAX_NAMES = 4_096;
const MAX_TRUSTED = 1_000;
/** Distinct addresses counted per attack, for its report. */
const ADDRESSES_COUNTED = 32;
/** When a refused caller should try again while another attempt of its own is being checked. */
const IN_FLIGHT_RETRY_MS = 1_000;

const NO_REPORTS: readonly AttackReport[] = [];

/** The most passwords checked for one name from untrusted addresses within `windowMs`. */
export function accountBudget(windowMs: number): number {
  return BURST + Math.floor(windowMs / REFILL_MS) + 1;
}

export type Verdict =
  /** `trusted`: the name signed in from this address lately, so its check goes before the others' (passwords.ts). */
  | { check: true; trusted: boolean }
  | { check: false; retryAfterMs: number; why: 'in-flight' | 'address' | 'any-name' | 'account' };

/** An attack on one name (or on the overflow bucket, `name` undefined). */
export interface AttackReport {
  kind: 'started' | 'ended';
  name: string | undefined;
  startedAt: number;
  /** When it started or ended (the throttle's clock). */
  at: number;
  /** Attempts refused, and passwords checked and wrong, since it started. */
  refused: number;
  failed: number;
  /** Distinct addresses seen, counted up to ADDRESSES_COUNTED. */
  addresses: number;
  addressesCapped: boolean;
}

interface Pair {
  failures: number;
  last: number;
}

interface Attack {
  startedAt: number;
  refused: number;
  failed: number;
  addresses: Set<string>;
}

interface Bucket {
  tokens: number;
  at: number;
  attack: Attack | undefined;
}

export interface SignInThrottleOptions {
  /** Epoch ms; tests pass their own clock. */
  now?: () => number;
  /**
   * Whether a right password forgives its address's failures (default). Not where right passwords
   * come every second from an address a guesser may share (a poller's, behind one proxy): each
   * would give the guesser two free failures anew. Failures are then forgotten only with time.
   */
  successForgives?: boolean;
}

export class SignInThrottle {
  private readonly now: () => number;
  private readonly successForgives: boolean;
  private readonly pairs = new Map<string, Pair>();
  private readonly inFlight = new Set<string>();
  /** Attempts being checked, per address. */
  private readonly addressInFlight = new Map<string, number>();
  /** Per untrusted address, its allowance of failures across names. */
  private readonly addressBuckets = new Map<string, Bucket>();
  /** Pairs whose last sign-in succeeded, with when. */
  private readonly trusted = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly overflow: Bucket;
  /** Pairs that took a token for the attempt being checked. */
  private readonly reserved = new Set<string>();
  private reports: AttackReport[] = [];
  private sweptAt = 0;

  constructor(options: SignInThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    this.successForgives = options.successForgives ?? true;
    this.overflow = { tokens: BURST, at: this.now(), attack: undefined };
  }

  /** Starts an attempt: check its password, or refuse it now and say when to try again. */
  begin(name: string, address: string): Verdict {
    const now = this.now();
    const key = pairKey(name, address);
    if (this.inFlight.has(key) || (this.addressInFlight.get(address) ?? 0) >= ADDRESS_IN_FLIGHT) {
      return { check: false, retryAfterMs: IN_FLIGHT_RETRY_MS, why: 'in-flight' };
    }
    const pair = this.livePair(key, now);
    if (pair && pair.failures >= FREE_FAILURES) {
      const allowedAt = pair.last + Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (pair.failures - FREE_FAILURES));
      if (now < allowedAt) return { check: false, retryAfterMs: allowedAt - now, why: 'address' };
    }
    const trusted = this.isTrusted(key, pair, now);
    if (!trusted) {
      const fromAddress = this.addressBucketFor(address, now);
      if (fromAddress.tokens < 1) return { check: false, retryAfterMs: Math.ceil((1 - fromAddress.tokens) * ADDRESS_REFILL_MS), why: 'any-name' };
      const bucket = this.bucketFor(name, now);
      if (bucket.tokens < 1) {
        const attack = this.attackOn(bucket, name, now);
        attack.refused++;
        countAddress(attack, address);
        return { check: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * REFILL_MS), why: 'account' };
      }
      bucket.tokens -= 1;
      fromAddress.tokens -= 1;
      this.reserved.add(key);
    }
    this.inFlight.add(key);
    this.addressInFlight.set(address, (this.addressInFlight.get(address) ?? 0) + 1);
    return { check: true, trusted };
  }

  /**
   * Ends a checked attempt. Returns whether a failure is worth its own log line: not while its
   * name is under attack, whose report counts it instead.
   */
  settle(name: string, address: string, signedIn: boolean): boolean {
    const now = this.now();
    const key = pairKey(name, address);
    const reserved = this.endAttempt(key, address);
    const bucket = this.bucketFor(name, now);
    if (signedIn) {
      if (reserved) this.giveBack(name, address, now);
      if (this.successForgives) this.pairs.delete(key);
      this.trusted.delete(key);
      this.trusted.set(key, now);
      if (this.trusted.size > MAX_TRUSTED) this.trusted.delete(this.trusted.keys().next().value as string);
      return false;
    }
    const pair = this.livePair(key, now);
    this.pairs.delete(key);
    this.pairs.set(key, { failures: (pair?.failures ?? 0) + 1, last: now });
    if (this.pairs.size > MAX_PAIRS) this.forgetPairs(now);
    if (reserved && bucket.tokens < 1 && !bucket.attack) this.attackOn(bucket, name, now);
    if (!bucket.attack) return true;
    bucket.attack.failed++;
    countAddress(bucket.attack, address);
    return false;
  }

  /**
   * Ends a checked attempt that was no new guess (the served API: a wrong password its address
   * sent before, as a client left with an old one sends at every retry): it counts as nothing,
   * and gives back the tokens it took.
   */
  settleRepeat(name: string, address: string): void {
    if (this.endAttempt(pairKey(name, address), address)) this.giveBack(name, address, this.now());
  }

  /** An attempt is no longer being checked; returns whether it took tokens. */
  private endAttempt(key: string, address: string): boolean {
    this.inFlight.delete(key);
    const left = (this.addressInFlight.get(address) ?? 1) - 1;
    if (left > 0) this.addressInFlight.set(address, left);
    else this.addressInFlight.delete(address);
    return this.reserved.delete(key);
  }

  /** The tokens an attempt took, given back: it was no failure. */
  private giveBack(name: string, address: string, now: number): void {
    const bucket = this.bucketFor(name, now);
    bucket.tokens = Math.min(BURST, bucket.tokens + 1);
    const fromAddress = this.addressBucketFor(address, now);
    fromAddress.tokens = Math.min(ADDRESS_BURST, fromAddress.tokens + 1);
  }

  /** Attacks that started or ended since the last call, oldest first; each is reported once. */
  takeReports(): readonly AttackReport[] {
    // Called after every attempt (each poll of the served API): nothing allocated when empty.
    if (this.reports.length === 0) return NO_REPORTS;
    const taken = this.reports;
    this.reports = [];
    return taken;
  }

  /** What the throttle holds, for tests of its bounds. */
  size(): { pairs: number; names: number; trusted: number; addresses: number } {
    return { pairs: this.pairs.size, names: this.buckets.size, trusted: this.trusted.size, addresses: this.addressBuckets.size };
  }

  /**
   * Ends the attacks whose bucket has refilled, and forgets what no longer matters: call it every
   * few seconds, so an attack that stopped is reported even when nobody tries that name again.
   */
  sweep(): void {
    const now = this.now();
    this.sweptAt = now;
    for (const [name, bucket] of this.buckets) {
      refill(bucket, now);
      this.endIfRefilled(bucket, name);
      // A full bucket is what an absent name gets anyway.
      if (bucket.tokens >= BURST && !bucket.attack) this.buckets.delete(name);
    }
    refill(this.overflow, now);
    this.endIfRefilled(this.overflow, undefined);
    for (const [key, at] of this.trusted) if (now - at > TRUST_MS) this.trusted.delete(key);
    for (const [address, bucket] of this.addressBuckets) {
      refillUpTo(bucket, now, ADDRESS_BURST, ADDRESS_REFILL_MS);
      if (bucket.tokens >= ADDRESS_BURST) this.addressBuckets.delete(address);
    }
    this.forgetPairs(now);
  }

  private endIfRefilled(bucket: Bucket, name: string | undefined): void {
    if (!bucket.attack || bucket.tokens < BURST) return;
    this.reports.push(report('ended', name, bucket.attack, bucket.at));
    bucket.attack = undefined;
  }

  private attackOn(bucket: Bucket, name: string, now: number): Attack {
    if (!bucket.attack) {
      bucket.attack = { startedAt: now, refused: 0, failed: 0, addresses: new Set() };
      this.reports.push(report('started', bucket === this.overflow ? undefined : name, bucket.attack, now));
    }
    return bucket.attack;
  }

  private bucketFor(name: string, now: number): Bucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      // At most one sweep a second, so spraying new names cannot make every attempt a full scan.
      if (this.buckets.size >= MAX_NAMES && now - this.sweptAt >= 1_000) this.sweep();
      if (this.buckets.size >= MAX_NAMES) bucket = this.overflow;
      else {
        bucket = { tokens: BURST, at: now, attack: undefined };
        this.buckets.set(name, bucket);
      }
    }
    refill(bucket, now);
    this.endIfRefilled(bucket, bucket === this.overflow ? undefined : name);
    return bucket;
  }

  /** An address's allowance across names: a full one is what an absent address gets. */
  private addressBucketFor(address: string, now: number): Bucket {
    let bucket = this.addressBuckets.get(address);
    if (!bucket) {
      // The oldest goes first: forgetting one forgives only that address (the name's limits still bind).
      if (this.addressBuckets.size >= MAX_ADDRESSES) this.addressBuckets.delete(this.addressBuckets.keys().next().value as string);
      bucket = { tokens: ADDRESS_BURST, at: now, attack: undefined };
      this.addressBuckets.set(address, bucket);
    }
    refillUpTo(bucket, now, ADDRESS_BURST, ADDRESS_REFILL_MS);
    return bucket;
  }

  private isTrusted(key: string, pair: Pair | undefined, now: number): boolean {
    const at = this.trusted.get(key);
    return at !== undefined && now - at <= TRUST_MS && (pair?.failures ?? 0) < FREE_FAILURES;
  }

  private livePair(key: string, now: number): Pair | undefined {
    const pair = this.pairs.get(key);
    return pair && now - pair.last <= MEMORY_MS ? pair : undefined;
  }

  private forgetPairs(now: number): void {
    for (const [key, pair] of this.pairs) if (now - pair.last > MEMORY_MS) this.pairs.delete(key);
    // Oldest first (entries are re-inserted on every failure).
    for (const key of this.pairs.keys()) {
      if (this.pairs.size <= MAX_PAIRS) break;
      this.pairs.delete(key);
    }
  }
}

function pairKey(name: string, address: string): string {
  return `${address}\u0000${name}`;
}

function refill(bucket: Bucket, now: number): void {
  refillUpTo(bucket, now, BURST, REFILL_MS);
}

function refillUpTo(bucket: Bucket, now: number, burst: number, refillMs: number): void {
  if (now > bucket.at) bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) / refillMs);
  bucket.at = now;
}

function countAddress(attack: Attack, address: string): void {
  if (attack.addresses.size < ADDRESSES_COUNTED) attack.addresses.add(address);
}

/** What the log says of an attack that ended: what was refused and checked, from how many addresses, for how long. */
export function endedAttackFields(report: AttackReport): { refused: number; failed: number; addresses: number | string; minutes: number } {
  return {
    refused: report.refused,
    failed: report.failed,
    addresses: report.addressesCapped ? `${report.addresses} or more` : report.addresses,
    minutes: Math.round((report.at - report.startedAt) / 60_000),
  };
}

function report(kind: AttackReport['kind'], name: string | undefined, attack: Attack, at: number): AttackReport {
  return {
    kind,
    name,
    startedAt: attack.startedAt,
    at,
    refused: attack.refused,
    failed: attack.failed,
    addresses: attack.addresses.size,
    addressesCapped: attack.addresses.size >= ADDRESSES_COUNTED,
  };
}
