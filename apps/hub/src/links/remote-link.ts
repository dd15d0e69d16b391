/**
 * One remote's link (PROTOCOL.md "Client behaviour"): the long-poll loop with the returned
 * timestamp, the full state at start and after every failure, backoff with jitter, online/offline
 * with stale points, discovery, the clock check and sync, loop refusal, and writes.
 * No Fastify here: the hub wires it to the tree and the browsers.
 */
import { ERROR_CODES, fail, ok, type RemoteSettings, type RemoteStatus, type Result } from '@riohub/hub-api';
import type { Entry, HsycoState, HsycoTopology, Write, WriteResult } from '@riohub/protocol';
import { LinkError, RemoteClient } from './remote-client';

/** Backoff after failures: 0.5 s doubling to 30 s, each wait drawn between half and all of it. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;
/** A clock sync is not repeated sooner than this. */
const CLOCK_SYNC_INTERVAL_MS = 60_000;

/** What a link reports to; the hub implements it. */
export interface LinkSink {
  /** Datapoints (`io`) or GUI variables (`ui`) of the remote, unprefixed; `silent`: no events. */
  applyState(remote: string, kind: 'io' | 'ui', entries: readonly Entry[], silent: boolean): void;
  /** One of the remote entry's own points, e.g. `connection`, `time.delta`. */
  setOwnPoint(remote: string, suffix: string, value: string): void;
  setOnline(remote: string, online: boolean): void;
  setTopology(remote: string, topology: HsycoTopology): void;
  status(remote: string, status: Partial<RemoteStatus>): void;
  log(level: 'info' | 'warn', remote: string, message: string): void;
}

export interface LinkContext {
  instanceId: string;
  sink: LinkSink;
}

export class RemoteLink {
  private readonly client: RemoteClient;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private online = false;
  private topotime: number | undefined;
  private lastClockSync = 0;
  private lastFailure: string | undefined;

  constructor(
    readonly settings: RemoteSettings,
    password: string,
    private readonly context: LinkContext,
  ) {
    this.client = new RemoteClient(settings, password);
  }

  get name(): string {
    return this.settings.name;
  }

  get isOnline(): boolean {
    return this.online;
  }

  start(): void {
    const { sink } = this.context;
    sink.status(this.name, { connection: 'offline', unsupported: unsupportedBy(this.settings) });
    sink.setOnline(this.name, false);
    sink.setOwnPoint(this.name, 'connection', 'offline');
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
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
      const failure = error instanceof LinkError ? error : new LinkError(ERROR_CODES.INTERNAL, String(error));
      return fail(failure.code, failure.message);
    }
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let timestamp = 1;
    let failures = 0;
    let aligned = false;
    while (!signal.aborted) {
      try {
        const sentAt = Date.now();
        const state = await this.readState(timestamp);
        const answeredAt = Date.now();
        this.refuseLoop(state);
        const full = timestamp === 1;
        // With startupevents off, the first full state after (re)connecting aligns silently.
        const silent = full && !aligned && !this.settings.options.startupevents;
        this.applyState(state, silent);
        aligned = true;
        this.markOnline(answeredAt);
        if (this.settings.options.discovery && this.settings.options.api === 'extended' && state.topotime !== this.topotime) {
          this.context.sink.setTopology(this.name, await this.client.readTopology(signal));
          this.topotime = state.topotime;
        }
        if (state.system && state.clock !== undefined) await this.checkClock(state.clock, sentAt, answeredAt);
        timestamp = state.timestamp;
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        timestamp = 1;
        aligned = false;
        this.markOffline(error);
        await sleep(backoff(failures), signal);
      }
    }
  }

  private readState(timestamp: number): Promise<HsycoState> {
    const { api, io, ui } = this.settings.options;
    return api === 'public'
      ? this.client.readState(timestamp, 1, { io: true, ui: false }, this.abort.signal)
      : this.client.readState(timestamp, 2, { io, ui }, this.abort.signal);
  }

  private refuseLoop(state: HsycoState): void {
    if (state.members?.includes(this.context.instanceId)) {
      throw new LinkError(
        ERROR_CODES.LOOP,
        `loop: ${this.name} already concentrates this hub (its members include this hub's instance id)`,
      );
    }
  }

  private applyState(state: HsycoState, silent: boolean): void {
    const { sink } = this.context;
    if (state.io && this.settings.options.io) sink.applyState(this.name, 'io', state.io, silent);
    if (state.ui && this.settings.options.ui) sink.applyState(this.name, 'ui', state.ui, silent);
  }

  private markOnline(at: number): void {
    const { sink } = this.context;
    sink.status(this.name, { lastAnswerAt: at });
    if (this.online) return;
    this.online = true;
    sink.setOnline(this.name, true);
    sink.setOwnPoint(this.name, 'connection', 'online');
    sink.status(this.name, { connection: 'online', error: undefined, offeredFingerprint: undefined });
    this.lastFailure = undefined;
    sink.log('info', this.name, 'online');
  }

  private markOffline(error: unknown): void {
    const { sink } = this.context;
    const failure = error instanceof LinkError ? error : new LinkError(ERROR_CODES.INTERNAL, String(error));
    sink.status(this.name, {
      connection: 'offline',
      error: { code: failure.code, message: failure.message },
      offeredFingerprint: failure.offeredFingerprint,
    });
    // Logged when the reason changes, not at every retry.
    if (failure.message !== this.lastFailure) sink.log('warn', this.name, `offline: ${failure.message}`);
    this.lastFailure = failure.message;
    if (!this.online) return;
    this.online = false;
    sink.setOnline(this.name, false);
    sink.setOwnPoint(this.name, 'connection', 'offline');
  }

  /** `time.delta` and `time.alarm`, allowing for half the round trip; optionally sets the clock. */
  private async checkClock(remoteClock: number, sentAt: number, answeredAt: number): Promise<void> {
    const { sink } = this.context;
    const { drift, clocksync } = this.settings.options;
    const deltaMs = remoteClock - (sentAt + answeredAt) / 2;
    const deltaSeconds = Math.round(deltaMs / 1000);
    const alarm = Math.abs(deltaMs) > drift * 1000;
    sink.setOwnPoint(this.name, 'time.delta', String(deltaSeconds));
    sink.setOwnPoint(this.name, 'time.alarm', alarm ? '1' : '0');
    sink.status(this.name, { clockDelta: deltaSeconds });
    if (!alarm || !clocksync || Date.now() - this.lastClockSync < CLOCK_SYNC_INTERVAL_MS) return;
    this.lastClockSync = Date.now();
    const result = await this.write('io', [['system.time', String(Date.now())]]);
    if (result.ok && result.data.ok) sink.log('info', this.name, `clock was ${deltaSeconds} s off: set to the hub's clock`);
    else sink.log('warn', this.name, `clock is ${deltaSeconds} s off and could not be set: ${describe(result)}`);
  }
}

function describe(result: Result<WriteResult>): string {
  if (!result.ok) return result.error.message;
  return result.data.ok ? 'ok' : result.data.error;
}

function unsupportedBy(settings: RemoteSettings): string[] {
  return settings.options.api === 'public' ? ['writes', 'topology', 'gui variables', 'clock', 'data loggers'] : [];
}

function backoff(failures: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
