/**
 * One remote's link (PROTOCOL.md "Client behaviour"): the long-poll loop with the returned
 * timestamp, the full state at start and after every failure, backoff with jitter, online/offline
 * with stale points, discovery, the clock check and sync, loop refusal, and writes.
 * Every answer that is the remote's whole state replaces all the hub holds of it, so the mirror
 * never keeps what the remote no longer has; a state past the remote's `maxpoints` is refused.
 * The remote's `quality` (part B) marks its datapoints stale or ok as it says, so a point is stale
 * here exactly while it is stale below.
 * While offline it reports since when and when it tries next; `retryNow` cuts the backoff short.
 * No Fastify here: the hub wires it to the tree and the browsers.
 */
import { isDeepStrictEqual } from 'node:util';
import { ERROR_CODES, fail, ok, type RemoteOptions, type RemoteSettings, type RemoteStatus, type Result } from '@riohub/hub-api';
import type { Entry, HsycoState, HsycoTopology, QualityEntry, Write, WriteResult } from '@riohub/protocol';
import { asLinkError, LinkError, RemoteClient } from './remote-client';

/** Backoff after failures: 0.5 s doubling to 30 s, each wait drawn between half and all of it. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;
/** A clock sync is not repeated sooner than this. */
const CLOCK_SYNC_INTERVAL_MS = 60_000;

/** The options of an entry's data loggers: the logger service's, read by no link (the fleet restarts their replication). */
export const LOGGER_OPTIONS = ['dataloggers', 'dataloggersnameprefix', 'dataloggerspollinterval'] as const satisfies readonly (keyof RemoteOptions)[];

/** The caps on what a remote may make the hub hold: checked on every answer, from the next one on. */
const CAP_OPTIONS = ['maxpoints', 'maxanswermb'] as const satisfies readonly (keyof RemoteOptions)[];

/**
 * The options a running link can take (`retune`): those it reads as it goes, each time it needs
 * them, the caps, and the loggers'. A change of these alone does not take the remote offline and
 * stale for a reconnection.
 */
const LIVE_OPTIONS = ['drift', 'clocksync', 'startupevents', ...CAP_OPTIONS, ...LOGGER_OPTIONS] as const satisfies readonly (keyof RemoteOptions)[];

/** What a link reports to; the hub implements it. */
export interface LinkSink {
  /**
   * Datapoints (`io`) or GUI variables (`ui`) of the remote, unprefixed. `full`: the whole state of
   * that kind (what is missing from it is gone); `silent`: an alignment that raises no events.
   * Returns how many points of that kind the hub holds of the remote after it.
   */
  applyState(remote: string, kind: 'io' | 'ui', entries: readonly Entry[], how: { full: boolean; silent: boolean }): number;
  /**
   * The remote's datapoints whose quality changed (unprefixed); with `full`, every stale one, and
   * every datapoint it does not list is ok.
   */
  applyQuality(remote: string, quality: readonly QualityEntry[], how: { full: boolean }): void;
  /** An answer of the remote is applied whole: what it changed may go on now. */
  applied(remote: string): void;
  /** How many of `entries` (unprefixed) the hub does not hold yet for the remote. */
  countNew(remote: string, kind: 'io' | 'ui', entries: readonly Entry[]): number;
  /** One of the remote entry's own points, e.g. `connection`, `time.delta`. */
  setOwnPoint(remote: string, suffix: string, value: string): void;
  /** Forgets one of the remote entry's own points (what it measured no longer exists). */
  removeOwnPoint(remote: string, suffix: string): void;
  setOnline(remote: string, online: boolean): void;
  setTopology(remote: string, topology: HsycoTopology): void;
  /** The instance ids the remote reports (`members`: its own, then those it concentrates). */
  setMembers(remote: string, members: readonly string[]): void;
  status(remote: string, status: Partial<RemoteStatus>): void;
  /** The remote answered a poll `seconds` after it was sent (held polls included). */
  polled(remote: string, seconds: number): void;
  log(level: 'info' | 'warn', remote: string, message: string): void;
}

export interface LinkContext {
  instanceId: string;
  sink: LinkSink;
}

/**
 * Which `rioget` a remote entry speaks: v1 (part A only) or v2 with its sections. A v1 answer
 * always carries the datapoints; with `io` off (an entry stored before that was refused) they are
 * left unread, rather than replicated against the entry.
 */
export function stateQuery(settings: RemoteSettings): { version: 1 | 2; sections: { io: boolean; ui: boolean } } {
  const { api, io, ui } = settings.options;
  return api === 'public' ? { version: 1, sections: { io, ui: false } } : { version: 2, sections: { io, ui } };
}

export class RemoteLink {
  private readonly client: RemoteClient;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private online = false;
  private topotime: number | undefined;
  private lastClockSync = 0;
  /** Set when the remote refused a clock sync (control disabled): not asked again. */
  private clockSyncRefused = false;
  /** The round trip of the last request the remote answered at once (a full state). */
  private roundTripMs = 0;
  private lastFailure: string | undefined;
  /**
   * Whether `time.delta` and `time.alarm` may be set: a remote that drops its SYSTEM clock loses
   * them. True at first, since an earlier link of the same remote may have left them.
   */
  private clockMeasured = true;
  /** The remote's clock difference last measured, in seconds, while it is measured. */
  private clockDelta: number | undefined;
  /** How many points of each kind the hub holds of this remote, for the `maxpoints` cap. */
  private readonly held = { io: 0, ui: 0 };
  /** Ends the wait before the next attempt at once, while the link waits out its backoff. */
  private wake: (() => void) | undefined;

  constructor(
    /** Replaced by `retune` only, with options it reads as it goes. */
    private current: RemoteSettings,
    private readonly password: string,
    private readonly context: LinkContext,
    /** Since when the remote has been offline, carried over from the link this one replaces. */
    private offlineSince?: number,
  ) {
    this.client = new RemoteClient(current, password);
  }

  get name(): string {
    return this.current.name;
  }

  get settings(): RemoteSettings {
    return this.current;
  }

  /**
   * Takes an entry's new settings without reconnecting when they differ from the link's only in
   * LIVE_OPTIONS, and returns true; changes nothing and returns false otherwise (the remote must be
   * reached anew). The clock is judged again at once on the difference last measured: a held poll
   * may bring the next measure only 10 s later. A change of the caps is reached anew too when the
   * remote is offline (at once, not after its backoff: it may be failing for the cap), or when
   * `maxpoints` falls below the points the hub holds of it (its state is then refused, as it
   * would be on connecting).
   */
  retune(settings: RemoteSettings, password: string): boolean {
    if (password !== this.password || !isDeepStrictEqual(withoutLiveOptions(settings), withoutLiveOptions(this.current))) return false;
    const capsChanged = CAP_OPTIONS.some((option) => settings.options[option] !== this.current.options[option]);
    if (capsChanged && (!this.online || settings.options.maxpoints < this.held.io + this.held.ui)) return false;
    this.current = settings;
    this.client.capAnswers(settings.options.maxanswermb);
    // Saved again, the entry asks control again, as a new link would.
    this.clockSyncRefused = false;
    if (this.online && this.clockDelta !== undefined) void this.judgeClock(this.clockDelta);
    return true;
  }

  start(): void {
    this.context.sink.status(this.name, { connection: 'offline', offlineSince: this.offlineSince, unsupported: unsupportedBy(this.settings) });
    this.running ??= this.run();
  }

  /**
   * Tries again at once when the link is waiting out its backoff. Returns whether the link is
   * trying (now, or it already was); false when it is online or stopped.
   */
  retryNow(): boolean {
    if (this.online || this.abort.signal.aborted) return false;
    this.wake?.();
    return true;
  }

  async stop(): Promise<void> {
    this.online = false;
    this.abort.abort();
    await this.running;
    await this.client.close();
  }

  /** Sends writes to the remote; fails at once while it is offline, never queues. */
  async write(kind: 'io' | 'ui', writes: Write[]): Promise<Result<WriteResult>> {
    if (this.settings.options.api === 'public') {
      return fail(ERROR_CODES.NOT_SUPPORTED, `${this.name} serves the public API only: writes are not supported by this remote`);
    }
    if (!this.online) return fail(ERROR_CODES.REMOTE_OFFLINE, `${this.name} is offline: nothing was sent`);
    try {
      return ok(await this.client.write(kind, writes, this.abort.signal));
    } catch (error) {
      if (this.abort.signal.aborted) {
        return fail(ERROR_CODES.CONNECTION_FAILED, `the link to ${this.name} closed while the write was on its way: it may have been applied`);
      }
      const failure = asLinkError(error);
      // Sent, and no answer: the remote may have applied it, as a link closed under it may.
      if (failure.code === ERROR_CODES.NO_ANSWER) {
        return fail(failure.code, `the write was sent and ${this.name} did not answer (${failure.detail ?? failure.message}): it may have been applied: check the value`);
      }
      return fail(failure.code, failure.message);
    }
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    const { version, sections } = stateQuery(this.settings);
    let timestamp = 1;
    let failures = 0;
    let aligned = false;
    let seenTopotime: number | undefined;
    /** Answers in a row to a timestamp the remote did not know. */
    let unknownTimestamps = 0;
    while (!signal.aborted) {
      try {
        const sentAt = Date.now();
        const state = await this.client.readState(timestamp, version, sections, signal);
        const answeredAt = Date.now();
        const full = isFullState(state, timestamp);
        /** Whether the answer was applied (not refused). */
        let taken = false;
        try {
          this.refuseLoop(state);
          if (answersUnknownTimestamp(state, timestamp)) {
            // By part A that is the whole state, but nothing says so: read it whole, rather than
            // delete everything an answer without some section is taken to lack; a server that
            // keeps doing it is failing, not restarting.
            if (++unknownTimestamps > MAX_UNKNOWN_TIMESTAMPS) {
              throw new LinkError(ERROR_CODES.BAD_RESPONSE, `bad response: ${this.name} answers every timestamp with an older one`);
            }
            timestamp = 1;
            continue;
          }
          if (!full) unknownTimestamps = 0;
          this.refuseOverCap(state, sections, full);
          if (state.members) this.context.sink.setMembers(this.name, state.members);
          if (timestamp === 1) this.roundTripMs = answeredAt - sentAt;
          // Online first, in the same turn: the points of a first state come in ok, rather than each
          // stale (the remote was offline) and then flipped to ok, twice the news for every listener.
          this.markOnline(answeredAt);
          // With startupevents off, the first full state after (re)connecting aligns silently.
          this.applyState(state, sections, { full, silent: !aligned && !this.settings.options.startupevents });
          aligned = true;
          taken = true;
        } finally {
          // What the answer changed goes on first, then the bookkeeping (the metric, the status, the
          // clock, the topology). Also for an answer refused, or failed part way through applying.
          this.context.sink.applied(this.name);
          if (taken) this.context.sink.status(this.name, { lastAnswerAt: answeredAt });
          this.context.sink.polled(this.name, (answeredAt - sentAt) / 1000);
        }
        // The clock points follow the state in the same turn (a remote restarted without its
        // SYSTEM clock loses them with its other datapoints), before the topology is read.
        if (state.system && state.clock !== undefined) await this.checkClock(state.clock, answeredAt);
        else if (!state.system) this.forgetClock();
        await this.discover(state.topotime);
        // Version 1 has no `full` flag: what a stock server removed shows only in a full read, and
        // its removals come with a topology change (PROTOCOL.md part B), so read it whole then.
        const topologyChanged = seenTopotime !== undefined && state.topotime !== seenTopotime;
        seenTopotime = state.topotime;
        timestamp = version === 1 && topologyChanged && !full ? 1 : state.timestamp;
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        timestamp = 1;
        unknownTimestamps = 0;
        aligned = false;
        this.markOffline(error);
        await this.waitBeforeRetry(backoff(failures), signal);
      }
    }
  }

  /** Waits out a backoff, reported as `nextRetryAt`; ends early on `retryNow` or a stop. */
  private waitBeforeRetry(ms: number, signal: AbortSignal): Promise<void> {
    this.context.sink.status(this.name, { nextRetryAt: Date.now() + Math.round(ms) });
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        if (!signal.aborted) this.context.sink.status(this.name, { nextRetryAt: undefined });
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /**
   * Refuses, before anything of it is applied, a state that would leave the hub holding more than
   * `maxpoints` of this remote's datapoints and GUI variables. Counts are kept per kind: a full
   * state sets them, changes add the names the hub does not hold yet.
   */
  private refuseOverCap(state: HsycoState, sections: { io: boolean; ui: boolean }, full: boolean): void {
    const { maxpoints } = this.settings.options;
    // At most what the hub would hold if every name of the answer were new: within the cap, no
    // name need be looked up (this runs on every answer; the tree says what it holds after).
    let bound = 0;
    for (const kind of KINDS) {
      if (sections[kind]) bound += (full ? 0 : this.held[kind]) + (state[kind]?.length ?? 0);
    }
    if (bound <= maxpoints) return;
    let total = 0;
    for (const kind of KINDS) {
      if (!sections[kind]) continue;
      const entries = state[kind] ?? [];
      total += full ? entries.length : this.held[kind] + (entries.length === 0 ? 0 : this.context.sink.countNew(this.name, kind, entries));
    }
    if (total > maxpoints) {
      throw new LinkError(
        ERROR_CODES.BAD_RESPONSE,
        `${full ? 'state' : 'changes'} of ${total.toLocaleString('en-US')} points, over this remote's maxpoints of ${maxpoints.toLocaleString('en-US')}: refused`,
      );
    }
  }

  private refuseLoop(state: HsycoState): void {
    if (state.members?.includes(this.context.instanceId)) {
      throw new LinkError(
        ERROR_CODES.LOOP,
        `loop: ${this.name} already concentrates this hub (its members include this hub's instance id)`,
      );
    }
  }

  /**
   * A full state replaces each kind asked for: a section it lacks is that kind with nothing in it.
   * Quality follows the values it qualifies: a full state without `quality` (every stock server's)
   * has nothing stale.
   */
  private applyState(state: HsycoState, sections: { io: boolean; ui: boolean }, how: { full: boolean; silent: boolean }): void {
    for (const kind of KINDS) {
      if (!sections[kind]) continue;
      const entries = state[kind] ?? (how.full ? [] : undefined);
      if (entries) this.held[kind] = this.context.sink.applyState(this.name, kind, entries, how);
    }
    if (sections.io && (how.full || state.quality)) this.context.sink.applyQuality(this.name, state.quality ?? [], { full: how.full });
  }

  /** The remote no longer has a SYSTEM clock: nothing is measured, so nothing is shown. */
  private forgetClock(): void {
    if (!this.clockMeasured) return;
    this.clockMeasured = false;
    this.clockDelta = undefined;
    this.context.sink.removeOwnPoint(this.name, 'time.delta');
    this.context.sink.removeOwnPoint(this.name, 'time.alarm');
    this.context.sink.status(this.name, { clockDelta: undefined });
  }

  /** Reads the topology when it changed. A failure is reported and retried; the link stays up. */
  private async discover(topotime: number): Promise<void> {
    if (!this.settings.options.discovery || this.settings.options.api !== 'extended' || topotime === this.topotime) return;
    try {
      this.context.sink.setTopology(this.name, await this.client.readTopology(this.abort.signal));
      this.topotime = topotime;
    } catch (error) {
      if (!this.abort.signal.aborted) this.context.sink.log('warn', this.name, `topology not read: ${asLinkError(error).message}`);
    }
  }

  /** Online from this answer on; every later answer's `lastAnswerAt` is set once it has gone on. */
  private markOnline(at: number): void {
    if (this.online) return;
    const { sink } = this.context;
    sink.status(this.name, { lastAnswerAt: at });
    this.online = true;
    this.offlineSince = undefined;
    sink.setOnline(this.name, true);
    sink.setOwnPoint(this.name, 'connection', 'online');
    sink.status(this.name, { connection: 'online', error: undefined, offeredFingerprint: undefined, offlineSince: undefined, nextRetryAt: undefined });
    this.lastFailure = undefined;
    sink.log('info', this.name, 'online');
  }

  private markOffline(error: unknown): void {
    const { sink } = this.context;
    const failure = asLinkError(error);
    this.offlineSince ??= Date.now();
    sink.status(this.name, {
      connection: 'offline',
      error: failure.toJSON(),
      offeredFingerprint: failure.offeredFingerprint,
      offlineSince: this.offlineSince,
    });
    // Logged when the reason changes, not at every retry.
    const reason = failure.detail ? `${failure.message} (${failure.detail})` : failure.message;
    if (reason !== this.lastFailure) sink.log('warn', this.name, `offline: ${reason}`);
    this.lastFailure = reason;
    if (!this.online) return;
    this.online = false;
    sink.setOnline(this.name, false);
    sink.setOwnPoint(this.name, 'connection', 'offline');
  }

  /**
   * `time.delta` and `time.alarm`. The remote writes `clock` as it answers, which for a held poll
   * is long after the request left: compare with the arrival, less half a round trip (measured
   * on the last answer that came at once).
   */
  private checkClock(remoteClock: number, answeredAt: number): Promise<void> {
    const deltaSeconds = Math.round((remoteClock - (answeredAt - this.roundTripMs / 2)) / 1000);
    this.clockMeasured = true;
    this.clockDelta = deltaSeconds;
    return this.judgeClock(deltaSeconds);
  }

  /** Shows a clock difference, with the alarm past `drift`, and sets the remote's clock when asked to (`clocksync`). */
  private async judgeClock(deltaSeconds: number): Promise<void> {
    const { sink } = this.context;
    const { drift, clocksync } = this.settings.options;
    const alarm = Math.abs(deltaSeconds) > drift;
    sink.setOwnPoint(this.name, 'time.delta', String(deltaSeconds));
    sink.setOwnPoint(this.name, 'time.alarm', alarm ? '1' : '0');
    sink.status(this.name, { clockDelta: deltaSeconds });
    if (!alarm || !clocksync || this.clockSyncRefused || Date.now() - this.lastClockSync < CLOCK_SYNC_INTERVAL_MS) return;
    this.lastClockSync = Date.now();
    const result = await this.write('io', [['system.time', String(Math.round(Date.now() + this.roundTripMs / 2))]]);
    if (result.ok && result.data.ok) return sink.log('info', this.name, `clock was ${deltaSeconds} s off: set to the hub's clock`);
    const reason = result.ok ? (result.data.ok ? '' : result.data.error) : result.error.message;
    if (result.ok && !result.data.ok && result.data.error === 'control disabled') this.clockSyncRefused = true;
    sink.log('warn', this.name, `clock is ${deltaSeconds} s off and could not be set: ${reason}`);
  }
}

const KINDS = ['io', 'ui'] as const;

/** Settings as far as a running link cannot take them live: every field but LIVE_OPTIONS. */
function withoutLiveOptions(settings: RemoteSettings): object {
  const options: Partial<RemoteOptions> = { ...settings.options };
  for (const option of LIVE_OPTIONS) delete options[option];
  return { ...settings, options };
}

/** Whole reads in a row after answers older than the timestamp sent, before the remote counts as failing. */
const MAX_UNKNOWN_TIMESTAMPS = 3;

/** Whether an answer is the remote's whole state: asked for (timestamp 1), or flagged (`full`, part B). */
export function isFullState(state: HsycoState, sentTimestamp: number): boolean {
  return sentTimestamp === 1 || state.full === true;
}

/**
 * An unflagged answer older than the timestamp sent: the server did not know that timestamp (part
 * A: after a restart with its clock set back), so it answered with what it takes for its whole
 * state; the link asks for it explicitly instead of trusting the guess.
 */
function answersUnknownTimestamp(state: HsycoState, sentTimestamp: number): boolean {
  return sentTimestamp !== 1 && state.full !== true && state.timestamp < sentTimestamp;
}

function unsupportedBy(settings: RemoteSettings): string[] {
  return settings.options.api === 'public' ? ['writes', 'topology', 'gui variables', 'clock', 'data loggers'] : [];
}

function backoff(failures: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
