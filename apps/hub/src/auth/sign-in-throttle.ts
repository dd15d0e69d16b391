/**
 * Slows down guessing: after failed sign-ins for a name from an address, every further attempt
 * for it waits longer (1 s, 2 s, 4 s … up to 30 s) before it is answered, right or wrong. One
 * attempt per name and address at a time, so parallel guesses cannot share one delay.
 */
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** Failures older than this are forgotten. */
const MEMORY_MS = 15 * 60_000;
/** Failures free before delays start. */
const FREE_FAILURES = 2;

export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; last: number }>();
  private readonly inFlight = new Set<string>();

  /** Starts an attempt: how long to hold it, or `undefined` while another one is being checked. */
  begin(name: string, address: string): number | undefined {
    const key = `${address}\u0000${name}`;
    if (this.inFlight.has(key)) return undefined;
    this.inFlight.add(key);
    return this.delayFor(name, address);
  }

  end(name: string, address: string): void {
    this.inFlight.delete(`${address}\u0000${name}`);
  }

  private delayFor(name: string, address: string): number {
    const entry = this.failures.get(`${address}\u0000${name}`);
    if (!entry || Date.now() - entry.last > MEMORY_MS || entry.count < FREE_FAILURES) return 0;
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (entry.count - FREE_FAILURES));
  }

  failed(name: string, address: string): void {
    const key = `${address}\u0000${name}`;
    const entry = this.failures.get(key);
    const fresh = !entry || Date.now() - entry.last > MEMORY_MS;
    this.failures.set(key, { count: fresh ? 1 : entry.count + 1, last: Date.now() });
    if (this.failures.size > 10_000) this.forgetOld();
  }

  succeeded(name: string, address: string): void {
    this.failures.delete(`${address}\u0000${name}`);
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [key, entry] of this.failures) if (now - entry.last > MEMORY_MS) this.failures.delete(key);
  }
}
