/**
 * One browser's WebSocket: its subscription, a snapshot in chunks, then deltas. Changes wait in a
 * map keyed by name, so a slow browser holds at most one pending value per point: it falls behind
 * in time, never in correctness. Nothing is sent while the socket's buffer is full.
 */
import {
  ERROR_CODES,
  fail,
  pointKindSchema,
  roleAllows,
  underPrefix,
  writeRequestSchema,
  type ClientMessage,
  type Point,
  type PointKind,
  type PointRef,
  type Result,
  type ServerMessage,
  type User,
  type WriteRecord,
} from '@riohub/hub-api';
import { TRACE_STAGES, traceStage } from '@riohub/rio-server';
import type { WebSocket } from 'ws';
import type { Hub } from '../hub';
import type { JsonEnvelope } from '../tree/point-tree';

/** A snapshot message (`{ type: 'snapshot', payload: { points, last } }`) around points the tree writes as JSON. */
const SNAPSHOT_ENVELOPE: JsonEnvelope = { open: '{"type":"snapshot","payload":{"points":[', close: '],"last":false}}', lastClose: '],"last":true}}' };

const POINT_KINDS = pointKindSchema.options;

/** Above this many bytes waiting in the socket, the session stops sending and lets changes coalesce. */
const HIGH_WATER_BYTES = 1 << 20;
/** Points per snapshot or delta message. */
const CHUNK = 5_000;
/** How often a backed-up session looks again. */
const RETRY_MS = 20;
/** Buffered for a browser past this, it is not reading: its socket is ended (see `keepsUp`). */
const MAX_BUFFERED_BYTES = 16 << 20;
/** Limits on a subscription: it is checked against every change. */
const MAX_PREFIXES = 100;
const MAX_PREFIX_LENGTH = 1000;

type Pending = Record<PointKind, Map<string, Point>>;

/**
 * New maps for the changes to come: the pending ones are never emptied in place. V8 links a Map's
 * replaced hash table to the next one (on clear(), and on a delete that shrinks it), so once a
 * table of a long-lived map has reached the old generation, every later table, with the points in
 * it, outlives each young collection until a full one. Emptied in place, the hub's scavenges took
 * 3–4 ms at 10,000 changes a second, mostly copying points long sent; with new maps, about 1 ms
 * (0.3 ms in a program with the tree alone, 3.6 ms there with maps emptied in place).
 */
function emptyPending(): Pending {
  return { io: new Map(), ui: new Map(), hub: new Map() };
}

export class BrowserSession {
  private prefixes: string[] = [];
  /** Changes to send, by kind then name (the name alone is not unique across kinds). */
  private pending = emptyPending();
  /** How many changes `pending` holds. */
  private pendingCount = 0;
  private snapshotting = false;
  /** Bumped by every subscribe, so an older snapshot still streaming gives up. */
  private generation = 0;
  private flushScheduled = false;
  private closed = false;
  /** The latest write's look-up of the session: each write waits for the one before it (see `write`). */
  private sessionCheck: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private user: User,
    private readonly hub: Hub,
    /** The session's user as it is now (from the store): signed out, deleted or demoted since the socket opened. */
    private readonly currentUser: () => Promise<User | undefined>,
  ) {}

  /** A change in the tree: kept if subscribed, sent with the next flush. */
  offer(point: Point): void {
    if (this.closed || !this.subscribed(point.name)) return;
    const pending = this.pending[point.kind];
    const before = pending.size;
    pending.set(point.name, point);
    this.pendingCount += pending.size - before;
    this.scheduleFlush(0);
  }

  /** Whether a name is under the subscription's prefixes (a loop: this runs for every change). */
  private subscribed(name: string): boolean {
    for (const prefix of this.prefixes) if (underPrefix(name, prefix)) return true;
    return false;
  }

  /**
   * Points the hub no longer holds, about to be sent as `removed`: a change of them still waiting
   * (the socket was full) must not follow that message and bring them back on screen. Deleted in
   * place: removals are rare, unlike the changes the maps are renewed for.
   */
  forget(points: readonly PointRef[]): void {
    for (const { kind, name } of points) if (this.pending[kind].delete(name)) this.pendingCount--;
  }

  private clearPending(): void {
    this.pending = emptyPending();
    this.pendingCount = 0;
  }

  send(message: ServerMessage): void {
    this.sendJson(JSON.stringify(message));
  }

  /** A message already written as JSON. */
  private sendJson(message: string): void {
    if (!this.closed && this.keepsUp()) this.socket.send(message);
  }

  /** A large message already written as JSON in UTF-8 (a snapshot chunk): sent as the text frame it is. */
  private sendLargeJson(message: Buffer): void {
    if (!this.closed && this.keepsUp()) this.socket.send(message, { binary: false });
  }

  /**
   * Whether the browser reads what it is sent. Snapshots and deltas wait below HIGH_WATER_BYTES,
   * but answers to its own messages do not: a client that sends and never reads would have the hub
   * buffer for it without end (each `subscribe`, 54 bytes, queued a chunk of up to 5,000 points).
   * Past MAX_BUFFERED_BYTES its socket is ended; a browser reconnects and subscribes afresh.
   */
  private keepsUp(): boolean {
    if (this.socket.bufferedAmount <= MAX_BUFFERED_BYTES) return true;
    this.close();
    this.socket.terminate();
    return false;
  }

  close(): void {
    this.closed = true;
    this.clearPending();
  }

  async receive(raw: string): Promise<void> {
    let message: ClientMessage;
    try {
      message = JSON.parse(raw) as ClientMessage;
    } catch {
      return this.send({ type: 'error', payload: { code: ERROR_CODES.INVALID, message: 'not JSON' } });
    }
    switch (message?.type) {
      case 'subscribe': {
        const prefixes = message.payload?.prefixes;
        const valid =
          Array.isArray(prefixes) &&
          prefixes.length <= MAX_PREFIXES &&
          prefixes.every((prefix) => typeof prefix === 'string' && prefix.length <= MAX_PREFIX_LENGTH);
        if (!valid) {
          const message = `subscribe needs prefixes: at most ${MAX_PREFIXES} strings of at most ${MAX_PREFIX_LENGTH} characters`;
          return this.send({ type: 'error', payload: { code: ERROR_CODES.INVALID, message } });
        }
        return this.subscribe(prefixes);
      }
      case 'write':
        return this.write(message.payload);
      default:
        return this.send({ type: 'error', payload: { code: ERROR_CODES.INVALID, message: `unknown message type` } });
    }
  }

  /** Answers every write, also one that failed on the way (the store down), as REST answers it. */
  private async write(payload: unknown): Promise<void> {
    const requestId = String((payload as { requestId?: unknown } | null)?.requestId ?? '');
    const answer = (result: Result<WriteRecord>) => this.send({ type: 'write-result', payload: { requestId, result } });
    try {
      await this.checkedWrite(payload, answer);
    } catch (error) {
      const { storage } = this.hub;
      if (!storage.isStorageError(error)) {
        answer(fail(ERROR_CODES.INTERNAL, 'internal error: nothing was sent'));
        throw error;
      }
      storage.report(error);
      answer(fail(ERROR_CODES.STORAGE_FAILED, `${storage.describe(error)}: nothing was sent`));
    }
  }

  private async checkedWrite(payload: unknown, answer: (result: Result<WriteRecord>) => void): Promise<void> {
    // The session is looked up for each write, one after another: writes sent in a row reach the
    // pipeline in the order they were sent, however fast the store answers each look-up.
    const check = this.sessionCheck.then(() => this.currentUser());
    this.sessionCheck = check.catch(() => undefined);
    const user = await check;
    if (!user) {
      answer(fail(ERROR_CODES.UNAUTHENTICATED, 'the session has ended: sign in again'));
      this.socket.close(4401, 'session ended');
      return;
    }
    // A role changed since the last check is told to the page here too, before the answer.
    this.follow(user);
    if (!roleAllows(this.user.role, 'operator')) return answer(fail(ERROR_CODES.FORBIDDEN, 'writing needs the operator role'));
    const { name, value, kind } = (payload ?? {}) as Record<string, unknown>;
    const input = writeRequestSchema.safeParse(kind === undefined ? { name, value } : { name, value, kind });
    if (!input.success) return answer(fail(ERROR_CODES.INVALID, 'a write needs name and value'));
    answer(await this.hub.write(input.data, { user: this.user.name, via: 'dashboard' }));
  }

  /** Replaces the subscription and streams a fresh snapshot, then the changes made meanwhile. */
  private async subscribe(prefixes: string[]): Promise<void> {
    const generation = ++this.generation;
    this.prefixes = prefixes;
    this.clearPending();
    this.snapshotting = true;
    // Chunks written as JSON straight from the tree: no Point is made. Full ones, then the rest.
    // Each, the first too, once the socket has room and no later subscribe replaced this one: a
    // burst of subscribes writes one snapshot, and one that is not read writes none.
    const chunks = this.hub.pointsAsJson(prefixes, CHUNK, SNAPSHOT_ENVELOPE);
    for (;;) {
      await this.drained(generation);
      if (this.closed || generation !== this.generation) return;
      const chunk = chunks.next();
      this.sendLargeJson(chunk.value);
      if (chunk.done) break;
    }
    this.snapshotting = false;
    this.scheduleFlush(0);
  }

  /** Resolves once the socket has room, or the session closed, or a later subscribe replaced `generation`'s. */
  private drained(generation: number): Promise<void> {
    return new Promise((resolve) => {
      const over = () => this.closed || generation !== this.generation || this.socket.bufferedAmount < HIGH_WATER_BYTES;
      const check = () => (over() ? resolve() : setTimeout(check, RETRY_MS));
      check();
    });
  }

  private scheduleFlush(delay: number): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const run = () => {
      this.flushScheduled = false;
      this.flushNow();
    };
    // Right after the change that asked: once the answer that brought it is applied whole (its
    // points are offered in one go), before the link goes on to its next poll. A macrotask
    // (setImmediate) waited behind that poll's request and whatever else the loop had queued.
    if (delay === 0) queueMicrotask(run);
    else setTimeout(run, delay);
  }

  /**
   * Sends what is pending now: when a scheduled flush comes due, and when a remote's answer is
   * applied whole, as the flush its first change queued would wait for the rest of the link's turn
   * (its status, metrics, clock and topology checks, 10–30 µs here on every answer). That flush
   * then finds nothing to send.
   */
  flushNow(): void {
    if (this.closed || this.snapshotting || this.pendingCount === 0) return;
    if (this.socket.bufferedAmount >= HIGH_WATER_BYTES) return this.scheduleFlush(RETRY_MS);
    const taken = this.pending;
    this.clearPending();
    let points: Point[] = [];
    sending: for (const [index, kind] of POINT_KINDS.entries()) {
      const entries = taken[kind].entries();
      for (const [, point] of entries) {
        points.push(point);
        if (points.length < CHUNK) continue;
        this.sendDelta(points);
        points = [];
        if (this.socket.bufferedAmount < HIGH_WATER_BYTES) continue;
        // The rest waits, in its order. Nothing was offered meanwhile: a flush runs in one go.
        for (const [name, left] of entries) this.pending[kind].set(name, left);
        for (const later of POINT_KINDS.slice(index + 1)) this.pending[later] = taken[later];
        this.pendingCount = POINT_KINDS.reduce((count, each) => count + this.pending[each].size, 0);
        break sending;
      }
    }
    if (points.length > 0) this.sendDelta(points);
    if (this.pendingCount > 0) this.scheduleFlush(RETRY_MS);
  }

  private sendDelta(points: Point[]): void {
    this.send({ type: 'delta', payload: { points } });
    traceStage(TRACE_STAGES.deltaSent, () => ({ points }));
  }

  /** The user as the store has them now: a changed role is taken, and told to the page. */
  follow(current: User): void {
    if (current.role === this.user.role) return;
    this.user = current;
    this.send({ type: 'user', payload: { user: current } });
  }

  /** For `write-result` updates of this user's confirmed writes. */
  get userName(): string {
    return this.user.name;
  }
}
