/**
 * Pending `rioget` requests. A change wakes them once per turn of the event loop (so a burst of
 * changes is answered together), or at once when the caller knows its change is whole (a write
 * applied); each is answered as soon as its own view has something new, or after the hold time
 * with no data sections.
 */
import type { ChangeStore } from './change-store';
import { TRACE_STAGES, traceStage } from './trace';

/** How long a poll with nothing new is held (PROTOCOL.md part A: 10 seconds). */
export const POLL_HOLD_MS = 10_000;

/** Distinct shared answers kept between two changes of the store. */
const MAX_SHARED_ANSWERS = 64;

export interface Poll {
  /**
   * Polls with the same key get the same answer while the store does not change (same timestamp,
   * sections and exposed names): it is computed once for all of them. Clients answered together
   * come back with the same timestamp, so many pollers cost little more than one. Asked when the
   * poll is answered, so it may depend on the state at that moment. A method, not a getter: a
   * getter in each poll's literal kept every poll's request through young collections (see the
   * lint rule in eslint.config.js).
   */
  key?(): string | undefined;
  /** Returns the answer body when there is something new for this poll, else `undefined`. */
  tryAnswer(): string | undefined;
  /** The answer when the hold time ran out. */
  idleAnswer(): string;
  send(body: string): void;
}

export class LongPolls {
  private readonly waiting = new Map<Poll, NodeJS.Timeout>();
  private flushScheduled = false;
  private readonly unsubscribe: () => void;

  /**
   * Answers by poll key, valid until the store's next change. Replaced, never emptied in place:
   * V8 links a Map's cleared table to the next one, and a table that reached the old generation
   * keeps every later one (and its answers) through each young collection.
   */
  private answers = new Map<string, string | undefined>();

  constructor(store: ChangeStore) {
    this.unsubscribe = store.onChange(() => {
      // Only when there is something to drop: this runs for every change (a simulator's 10,000 a
      // second made a third of its garbage here with a new table each time).
      if (this.answers.size > 0) this.answers = new Map();
      this.scheduleFlush();
    });
  }

  private answer(poll: Poll): string | undefined {
    // Asked once: a key may be worked out when it is asked for.
    const key = poll.key?.();
    if (key === undefined) return poll.tryAnswer();
    if (this.answers.has(key)) return this.answers.get(key);
    const body = poll.tryAnswer();
    // Keys vary only with the view asked for (filters, sections, version): few. The cap is a bound
    // for what a caller's keys might still do.
    if (this.answers.size >= MAX_SHARED_ANSWERS) this.answers = new Map();
    this.answers.set(key, body);
    return body;
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Answers at once when there is something new, else holds the poll. */
  add(poll: Poll): void {
    const body = this.answer(poll);
    if (body !== undefined) return poll.send(body);
    const timer = setTimeout(() => {
      this.waiting.delete(poll);
      poll.send(poll.idleAnswer());
    }, POLL_HOLD_MS);
    this.waiting.set(poll, timer);
    traceStage(TRACE_STAGES.pollHeld, () => ({}));
  }

  /** Forgets a poll whose client went away. */
  remove(poll: Poll): void {
    clearTimeout(this.waiting.get(poll));
    this.waiting.delete(poll);
  }

  /** Answers every held poll at once (the server is closing). */
  releaseAll(): void {
    for (const poll of [...this.waiting.keys()]) {
      this.remove(poll);
      poll.send(poll.idleAnswer());
    }
  }

  stop(): void {
    this.unsubscribe();
    this.releaseAll();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.waiting.size === 0) return;
    this.flushScheduled = true;
    // Once the change in hand is whole (a write's names, an answer's points), and before anything
    // else the loop has queued: a held poll is the one place a change waits for nothing.
    queueMicrotask(() => this.answerChanged());
  }

  /**
   * Answers the held polls now, when changes since the last answers wait for the end of this turn:
   * for a caller that knows its change is whole (a write applied) and would otherwise hold them
   * back until the request that made it has been handled through (about 30 µs of a simulator's
   * latency, the HTTP server's and Fastify's own code, on every write).
   */
  answerChanged(): void {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    for (const poll of [...this.waiting.keys()]) {
      const body = this.answer(poll);
      if (body === undefined) continue;
      this.remove(poll);
      poll.send(body);
    }
  }
}
