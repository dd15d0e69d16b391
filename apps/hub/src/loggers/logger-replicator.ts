/**
 * One remote's logger replication (PROTOCOL.md "Data loggers"): every `dataloggerspollinterval`
 * seconds at most, read the remote's logger list (`riologs`), then page through each logger with
 * `riolog` from the last sample stored until `more` is false. Each page is stored with its resume
 * point in one transaction, so a restart, an outage or a page cut short resumes without a gap or
 * a duplicate. The next page is asked for while the one before is stored (one page ahead, never
 * more): it is stored only once that one is, and only if it starts where the stored resume point
 * now is; stopped, failed or out of step, it is dropped unstored. Failures are reported per
 * logger and retried with backoff. No Fastify here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_CODES, type RemoteSettings, type ReplicationState } from '@riohub/hub-api';
import { MAX_LOG_SAMPLES, type LogResponse } from '@riohub/protocol';
import { asLinkError, RemoteClient } from '../links/remote-client';
import type { LoggerStore } from './logger-store';

const DAY_MS = 86_400_000;
/** Backoff after a failed round, as the remote link's: 0.5 s doubling to 30 s, with jitter. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/** A logger this replicator fills: its id on the remote and where it is stored here. */
export interface ReplicationTarget {
  id: string;
  remoteId: string;
}

export interface LoggerState {
  replication: ReplicationState;
  error?: string;
}

export interface ReplicatorOptions {
  settings: RemoteSettings;
  password: string;
  targets: readonly ReplicationTarget[];
  store: LoggerStore;
  log: (level: 'info' | 'warn', message: string) => void;
  /** Samples asked for per page (the protocol's maximum by default). */
  pageSize?: number;
  /** Called when a logger's state changed or samples were stored. */
  onChange?: () => void;
  /** Called with the samples a page added to a logger (by its local id), once stored. */
  onStored?: (id: string, count: number) => void;
  /** Called when a page could not be stored for a reason of the storage itself (a full disk, a lost database server). */
  onStorageError?: (error: unknown) => void;
}

/** Where a replicator's catch-up time went (the benchmark's stage breakdown), summed over pages. */
export interface FetchTimes {
  pages: number;
  /** From asking for a page to its answer decoded (remote, wire, decode), overlapping the store of the page before. */
  fetchMs: number;
  /** Waiting for a page with nothing else to do: what the page ahead did not hide. */
  waitMs: number;
}

/** A page asked for: its answer once it comes, and the means to drop it. */
interface PendingPage {
  after: number;
  answer: Promise<LogResponse>;
  cancel(): void;
}

export class LoggerReplicator {
  /** Time spent fetching pages since the replicator was made. */
  readonly times: FetchTimes = { pages: 0, fetchMs: 0, waitMs: 0 };
  private readonly client: RemoteClient;
  private readonly abort = new AbortController();
  private readonly states = new Map<string, LoggerState>();
  private running: Promise<void> | undefined;
  private lastFailure: string | undefined;

  constructor(private readonly options: ReplicatorOptions) {
    this.client = new RemoteClient(options.settings, options.password);
    for (const target of options.targets) this.states.set(target.id, { replication: 'catching up' });
  }

  get remote(): string {
    return this.options.settings.name;
  }

  private setState(id: string, state: LoggerState): void {
    const previous = this.states.get(id);
    this.states.set(id, state);
    if (previous?.replication !== state.replication || previous.error !== state.error) this.options.onChange?.();
  }

  /** The local ids of the loggers this replicator copies. */
  get targetIds(): string[] {
    return this.options.targets.map((target) => target.id);
  }

  /** The replication state of a logger by its local id; undefined when this replicator has no such logger. */
  state(id: string): LoggerState | undefined {
    return this.states.get(id);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.client.close();
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    const intervalMs = this.options.settings.options.dataloggerspollinterval * 1000;
    let failures = 0;
    while (!signal.aborted) {
      const startedAt = Date.now();
      try {
        await this.poll(signal);
        failures = 0;
        this.lastFailure = undefined;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        this.fail(error);
      }
      // A retry after a failure is a poll too: never sooner than the interval.
      const wait = Math.max(intervalMs - (Date.now() - startedAt), failures > 0 ? backoff(failures) : 0);
      await sleep(wait, undefined, { signal }).catch(() => {});
    }
  }

  /** One round: the remote's logger list, then every logger paged until caught up. */
  private async poll(signal: AbortSignal): Promise<void> {
    const infos = await this.client.readLoggers(signal);
    for (const target of this.options.targets) {
      if (signal.aborted) return;
      const info = infos.find((candidate) => candidate.id === target.remoteId);
      if (!info) {
        this.setState(target.id, { replication: 'failing', error: `unknown logger on ${this.remote}` });
        continue;
      }
      const ensured = await this.options.store.ensure({ id: target.id, remote: this.remote, remoteId: target.remoteId, type: info.type, unit: info.unit });
      if (!ensured.ok) {
        const { owner } = ensured;
        this.setState(target.id, { replication: 'failing', error: `configuration error: ${target.id} holds the history of ${owner.remote}'s ${owner.remoteId}` });
        continue;
      }
      await this.catchUp(target, ensured.logger.retentionDays, signal);
    }
  }

  /** Pages through one logger until the remote says nothing more follows, one page ahead. */
  private async catchUp(target: ReplicationTarget, retentionDays: number | null, signal: AbortSignal): Promise<void> {
    const { store } = this.options;
    // History the retention would delete at once is not fetched at all.
    if (retentionDays !== null) await store.skipTo(target.id, Date.now() - retentionDays * DAY_MS);
    let pending = this.ask(target, (await store.get(target.id))?.resumeAfter ?? 0, signal);
    try {
      for (;;) {
        const waitFrom = performance.now();
        const response = await pending.answer;
        this.times.waitMs += performance.now() - waitFrom;
        if (signal.aborted) return;
        if (!response.ok) {
          this.setState(target.id, { replication: 'failing', error: `unknown logger on ${this.remote}` });
          return;
        }
        const { samples } = response.page;
        const more = response.page.more && samples.length > 0;
        // The page after this one, asked for now: it starts where this one leaves the resume point.
        const next = more ? Math.max(pending.after, (samples.at(-1) as readonly [number, number])[0]) : undefined;
        if (next !== undefined) pending = this.ask(target, next, signal);
        const added = await store.appendPage(target.id, samples);
        if (added > 0) this.options.onStored?.(target.id, added);
        if (samples.length > 0) this.options.onChange?.();
        this.setState(target.id, { replication: more ? 'catching up' : 'up to date' });
        if (next === undefined) return;
        // Stored elsewhere meanwhile (never by this hub): the page ahead is dropped and asked again.
        const resumeAfter = (await store.get(target.id))?.resumeAfter ?? 0;
        if (resumeAfter !== next) {
          pending.cancel();
          pending = this.ask(target, resumeAfter, signal);
        }
      }
    } finally {
      // A page still ahead (the link stopped, or this page failed to store) is never stored.
      pending.cancel();
    }
  }

  /** Asks for the page after `after` now; its answer is awaited later, or dropped with `cancel`. */
  private ask(target: ReplicationTarget, after: number, signal: AbortSignal): PendingPage {
    const controller = new AbortController();
    const cancel = () => controller.abort();
    if (signal.aborted) cancel();
    signal.addEventListener('abort', cancel, { once: true });
    const askedAt = performance.now();
    const answer = this.client.readLog(target.remoteId, after, this.options.pageSize ?? MAX_LOG_SAMPLES, controller.signal).finally(() => {
      signal.removeEventListener('abort', cancel);
      this.times.pages++;
      this.times.fetchMs += performance.now() - askedAt;
    });
    // A page dropped unawaited must not surface as an unhandled rejection.
    answer.catch(() => {});
    return { after, answer, cancel };
  }

  private fail(error: unknown): void {
    const { store } = this.options;
    const storage = store.isStorageError(error);
    if (storage) this.options.onStorageError?.(error);
    const { code, message } = asLinkError(error);
    const unreachable = code === ERROR_CODES.NO_ANSWER || code === ERROR_CODES.CONNECTION_FAILED || code.startsWith('certificate');
    // The hub's own disk is not the remote's fault: the reason says whose it is.
    const reason = storage
      ? `${store.describeStorageError(error)}: ${this.remote}'s samples are not stored`
      : unreachable
        ? `${this.remote} is offline: ${message}`
        : `${this.remote}: ${message}`;
    for (const target of this.options.targets) this.setState(target.id, { replication: 'failing', error: reason });
    // Logged when the reason changes, not at every retry.
    if (message !== this.lastFailure) this.options.log('warn', `loggers not replicated: ${message}`);
    this.lastFailure = message;
  }
}

function backoff(failures: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
