/**
 * Password guessing on the hub's own Remote I/O API, limited as sign-ins are (auth/sign-in-throttle.ts,
 * README "Sign-in throttling"). The API has one password and no names, so every client guesses one
 * account: an address gets two wrong passwords free, then waits longer after each; addresses the
 * API has not served get five between them, then one every 20 s. While held back, a client's
 * request is dropped unchecked, its right password too, exactly as a wrong one is (a right password
 * answered at once would tell a guesser that stops waiting after a few milliseconds which guess was
 * right). A client the API served keeps being served while others guess. Unlike a sign-in, a right
 * password does not wipe its address's failures: a poller sends one every few seconds, and each
 * would give a guesser on its address (behind the same proxy or NAT) two free tries anew. A wrong
 * password an address sent before is no new guess and counts as nothing: a client left with an old
 * password sends the same one at every retry, and counted, it would keep its address held back
 * (and a right client behind the same proxy with it) for as long as it runs.
 */
import type { GuessLimiter } from '@riohub/rio-server';
import type { FastifyBaseLogger } from 'fastify';
import { endedAttackFields, REFILL_MS, SignInThrottle } from '../auth/sign-in-throttle';

/** The one account of the throttle: the served API's password. */
const ACCOUNT = 'served Remote I/O API';
/** How often an ended attack is looked for (and old entries forgotten). */
const SWEEP_MS = 10_000;
/** Wrong passwords remembered per address, and addresses remembered: their digests, oldest out first. */
const WRONG_KEPT = 4;
const ADDRESSES_KEPT = 10_000;

export class ServedApiGuesses implements GuessLimiter {
  /** A client's right password, every poll, must not give a guesser on its address fresh tries. */
  private readonly throttle = new SignInThrottle({ successForgives: false });
  private readonly sweeper: NodeJS.Timeout;
  /** Per address, the digests of its latest wrong passwords. */
  private readonly wrong = new Map<string, string[]>();

  constructor(private readonly log: FastifyBaseLogger) {
    // An attack that stopped is reported even when no client comes again.
    this.sweeper = setInterval(() => {
      this.throttle.sweep();
      this.logReports();
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  mayCheck(address: string): boolean {
    const { check } = this.throttle.begin(ACCOUNT, address);
    if (!check) this.logReports();
    return check;
  }

  checked(address: string, right: boolean, digest: Buffer): boolean {
    if (!right) {
      const given = digest.toString('base64');
      const kept = this.wrong.get(address) ?? [];
      if (kept.includes(given)) {
        this.throttle.settleRepeat(ACCOUNT, address);
        return false;
      }
      // Kept in the order last wrong, so that the oldest address goes first past the bound.
      this.wrong.delete(address);
      this.wrong.set(address, [...kept.slice(1 - WRONG_KEPT), given]);
      if (this.wrong.size > ADDRESSES_KEPT) this.wrong.delete(this.wrong.keys().next().value as string);
    }
    const worthALine = this.throttle.settle(ACCOUNT, address, right);
    this.logReports();
    return worthALine;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /** One line when guessing starts, one when it has stopped: never one per guess. */
  private logReports(): void {
    for (const report of this.throttle.takeReports()) {
      if (report.kind === 'started') {
        this.log.warn(
          { perMinute: 60_000 / REFILL_MS },
          'served Remote I/O API: too many wrong passwords; addresses it has not served are held back, their requests dropped unchecked',
        );
      } else {
        this.log.warn(endedAttackFields(report), 'served Remote I/O API: password guessing ended');
      }
    }
  }
}
