/**
 * What the bridge has yet to publish, as the latest message per topic: a topic that changes ten
 * times while the broker is slow or away is published once, with its last value. Its size is
 * bounded by the number of topics, never by the rate of changes or how long the broker is down,
 * and the hub only ever sets a map entry: a slow broker never slows it.
 *
 * Messages go out in the order their topics first became pending, at most `window` at a time
 * unwritten (QoS 0: until the socket took them; QoS 1 and 2: until acknowledged), so a slow
 * socket holds back the bridge, not the hub's memory.
 */

export interface OutgoingMessage {
  /** The payload, or a function that makes it when it is sent (a discovery config, made once). */
  payload: string | (() => string);
  retain: boolean;
}

/**
 * A message waiting, made by a constructor rather than an object literal, which a burst of changes
 * held at once (the first sync of a remote's points) would make old for good (see entryOf in
 * packages/protocol/src/entry-of.ts).
 */
class PendingMessage implements OutgoingMessage {
  constructor(
    public payload: OutgoingMessage['payload'],
    public retain: boolean,
  ) {}
}

/** Sends one message; resolves once written (or acknowledged), rejects when the connection went. */
export type Send = (topic: string, payload: string, retain: boolean) => Promise<void>;

export class CoalescingPublisher {
  private readonly pending = new Map<string, OutgoingMessage>();
  private send: Send | undefined;
  private inFlight = 0;
  /** Bumped when the connection changes: a callback of an earlier one no longer counts. */
  private generation = 0;
  private scheduled = false;

  constructor(private readonly window = 256) {}

  /** How many topics wait to be published. */
  get size(): number {
    return this.pending.size;
  }

  /** Publishes `payload` at `topic` soon, replacing whatever was pending there. */
  set(topic: string, payload: OutgoingMessage['payload'], retain = true): void {
    const waiting = this.pending.get(topic);
    if (waiting) {
      waiting.payload = payload;
      waiting.retain = retain;
    } else {
      this.pending.set(topic, new PendingMessage(payload, retain));
    }
    this.schedule();
  }

  /** A connection to publish through, or none: pending messages wait for the next one. */
  attach(send: Send | undefined): void {
    this.send = send;
    this.generation++;
    this.inFlight = 0;
    this.schedule();
  }

  clear(): void {
    this.pending.clear();
  }

  /** Resolves once nothing is pending or in flight (or no connection is left to drain through). */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((this.pending.size > 0 || this.inFlight > 0) && this.send && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.pending.size === 0 && this.inFlight === 0;
  }

  /** Sends in the next turn of the event loop, so that a burst of changes is coalesced first. */
  private schedule(): void {
    if (this.scheduled || !this.send) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const send = this.send;
    if (!send) return;
    const generation = this.generation;
    // The oldest topics the window has room for, taken in one pass: most often all of them.
    const batch: [string, OutgoingMessage][] = [];
    for (const entry of this.pending) {
      if (this.inFlight + batch.length >= this.window) break;
      batch.push(entry);
    }
    if (batch.length === this.pending.size) this.pending.clear();
    else for (const [topic] of batch) this.pending.delete(topic);
    for (const [topic, message] of batch) {
      this.inFlight++;
      const payload = typeof message.payload === 'function' ? message.payload() : message.payload;
      const settle = () => {
        if (generation !== this.generation) return;
        this.inFlight--;
        this.schedule();
      };
      // A message lost with its connection is published again: everything is, after a reconnect.
      send(topic, payload, message.retain).then(settle, settle);
    }
  }
}
