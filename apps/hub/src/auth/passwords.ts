/**
 * Operator passwords, stored as scrypt hashes: `scrypt$N$r$p$salt$hash`, salt and hash in base64.
 * New hashes take OWASP's minimum for scrypt (N=2^17, r=8, p=1: 128 MiB and about a second of a
 * core here); a hash of an earlier, cheaper cost still verifies and is replaced at the user's
 * next sign-in (`needsRehash`).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const OWASP_SCRYPT_COST = { N: 2 ** 17, r: 8, p: 1 } as const;

/**
 * Set to `1` by the test suite's global setup, for every hub it starts: a test run hashes some
 * 350 passwords (each hub's first admin, every sign-in), and at OWASP's cost those took a third of
 * its CPU on two cores. Never for a hub people use: it warns at start, and once the variable is
 * unset each such hash is made again at OWASP's cost at its user's next sign-in.
 */
export const FAST_HASHES_ENV = 'RIOHUB_INSECURE_FAST_PASSWORD_HASHES';
const FAST_SCRYPT_COST = { N: 2 ** 10, r: 8, p: 1 } as const;

/** The cost new hashes take. */
export function scryptCost(): { readonly N: number; readonly r: number; readonly p: number } {
  return process.env[FAST_HASHES_ENV] === '1' ? FAST_SCRYPT_COST : OWASP_SCRYPT_COST;
}

const KEY_LENGTH = 32;
/** Scrypt needs 128·N·r bytes (128 MiB at the current cost); Node refuses past 32 MiB by default. */
const MAX_MEMORY = 256 * 1024 * 1024;
/**
 * Derivations running at once: each holds 128 MiB, and sign-ins for many names arrive together
 * under attack. The rest wait their turn (the sign-in throttle bounds how many there are).
 */
const MAX_CONCURRENT = 2;

/**
 * Which derivations go first when some wait: `first`, those of a name signing in where it signed
 * in lately (a trusted pair of the sign-in throttle), so that sign-ins from many addresses, each
 * within its own limits, cannot queue an operator at a known workstation behind them. They never
 * take the second slot while ordinary work waits, so that an account signing in again and again
 * from its trusted addresses cannot starve the rest (other sign-ins, an admin creating a user).
 */
export interface DeriveOrder {
  first?: boolean;
}

let running = 0;
let runningFirst = 0;
const waitingFirst: (() => void)[] = [];
const waiting: (() => void)[] = [];

/** Takes a slot, waiting in its queue when both are busy. */
function acquire(first: boolean): Promise<void> | undefined {
  if (running < MAX_CONCURRENT) {
    running++;
    if (first) runningFirst++;
    return undefined;
  }
  return new Promise<void>((resolve) => (first ? waitingFirst : waiting).push(resolve));
}

/** Hands the freed slot straight to the next in turn, so nothing arriving meanwhile takes it. */
function release(first: boolean): void {
  if (first) runningFirst--;
  const takeFirst = waitingFirst.length > 0 && (waiting.length === 0 || runningFirst < MAX_CONCURRENT - 1);
  const next = takeFirst ? waitingFirst.shift() : waiting.shift();
  if (!next) {
    running--;
    return;
  }
  if (takeFirst) runningFirst++;
  next();
}

async function derive(password: string, salt: Buffer, options: ScryptOptions, { first = false }: DeriveOrder): Promise<Buffer> {
  await acquire(first);
  try {
    return await new Promise((resolve, reject) =>
      scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key))),
    );
  } finally {
    release(first);
  }
}

export async function hashPassword(password: string, order: DeriveOrder = {}): Promise<string> {
  const cost = scryptCost();
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost, order);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The cost a stored hash was made with; undefined when it is not one of ours. */
function costOf(stored: string): { N: number; r: number; p: number; salt: string; hash: string } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  return { N: Number(n), r: Number(r), p: Number(p), salt, hash };
}

export async function verifyPassword(password: string, stored: string, order: DeriveOrder = {}): Promise<boolean> {
  const cost = costOf(stored);
  if (!cost) return false;
  const expected = Buffer.from(cost.hash, 'base64');
  const key = await derive(password, Buffer.from(cost.salt, 'base64'), { N: cost.N, r: cost.r, p: cost.p }, order);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Whether a stored hash is below the current cost, and should be made again from the password. */
export function needsRehash(stored: string): boolean {
  const cost = costOf(stored);
  const current = scryptCost();
  return !cost || cost.N < current.N || cost.r < current.r || cost.p < current.p;
}

/** A hash no password matches, at the current cost, so that an unknown name costs as much time as a known one. */
export function unmatchableHash(): string {
  const { N, r, p } = scryptCost();
  return `scrypt$${N}$${r}$${p}$${'A'.repeat(22)}==$${'A'.repeat(43)}=`;
}

/** A password for the first admin when none is given: 20 characters from 120 random bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
