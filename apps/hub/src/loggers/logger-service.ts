/**
 * The hub's replicated loggers: one replicator per polled remote that lists loggers, the local ids
 * each remote entry maps its loggers to (and the clashes between them, refused when saved), what
 * the dashboard sees of each logger, its queries, and retention applied periodically.
 */
import {
  ERROR_CODES,
  fail,
  ok,
  type AggregateInterval,
  type AggregateSeries,
  type CounterBucket,
  type LoggerType,
  type LoggerView,
  type RangeBucket,
  type RawSeries,
  type RemoteSettings,
  type Result,
} from '@riohub/hub-api';
import type { LoggerInfo, LogPage } from '@riohub/protocol';
import type { StorageHealth } from '../db/storage-health';
import type { Queryable, Store } from '../db/store';
import { LoggerReplicator, type FetchTimes, type LoggerState, type ReplicationTarget } from './logger-replicator';
import { LoggerStore, type StoreTimes, type StoredLogger } from './logger-store';

/** How often retention runs besides at start and on change. */
const RETENTION_INTERVAL_MS = 3_600_000;
/** How soon replicators are started again after the loggers stored could not be read. */
const ROUND_RETRY_MS = 2_000;

/** What a logger not yet seen on its remote is shown as until `riologs` says what it is. */
const UNKNOWN_KIND: { type: LoggerType; unit: string } = { type: 'range', unit: '' };

/** The remote logger ids an entry lists (`dataloggers`), trimmed and without repeats. */
export function remoteLoggerIds(settings: RemoteSettings): string[] {
  return [...new Set(settings.options.dataloggers.split(';').map((id) => id.trim()).filter((id) => id !== ''))];
}

/** The local id of one of a remote's loggers (`dataloggersnameprefix`). */
export function localLoggerId(settings: RemoteSettings, remoteId: string): string {
  return settings.options.dataloggersnameprefix ? `${settings.name}.${remoteId}` : remoteId;
}

/** A configured logger: which remote entry maps which of its loggers to which local id. */
interface Claim {
  id: string;
  remote: string;
  remoteId: string;
}

export interface LoggerServiceLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface LoggerServiceOptions {
  /** Samples per `riolog` page (tests use small pages). */
  pageSize?: number;
  /** Run inside each page's transaction: throws when this hub may no longer store pages (a deposed active hub). */
  fence?: (tx: Queryable) => Promise<void>;
  /** Whether replicators run (default true): false for a standby hub. */
  replicating?: boolean;
}

export class LoggerService {
  readonly store: LoggerStore;
  private readonly replicators = new Map<string, LoggerReplicator>();
  /** The polled remotes that list loggers, kept so that loggers a clash held back start once it is gone. */
  private readonly polled = new Map<string, { settings: RemoteSettings; password: string }>();
  /** Replicators started, and restarted because a clash came or went, one round after another. */
  private restarts: Promise<void> = Promise.resolve();
  /** Whether a round is queued in `restarts` and not begun: it will see every change made until it begins. */
  private roundQueued = false;
  private roundRetry: NodeJS.Timeout | undefined;
  private stopping = false;
  private replicating: boolean;
  private readonly pageSize: number | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly storedListeners = new Set<(id: string, count: number) => void>();
  private retentionTimer: NodeJS.Timeout | undefined;
  private retentionRun: Promise<unknown> = Promise.resolve();

  constructor(
    store: Store,
    private readonly log: LoggerServiceLog,
    /** Every remote entry, in creation order. */
    private readonly remotes: () => RemoteSettings[],
    /** Told of every storage failure: logger pages and retention are the hub's busiest writers. */
    private readonly storage: Pick<StorageHealth, 'report' | 'isStorageError'>,
    options: LoggerServiceOptions = {},
  ) {
    this.store = new LoggerStore(store, options.fence);
    this.pageSize = options.pageSize;
    this.replicating = options.replicating ?? true;
  }

  /**
   * Starts or stops replicating every polled remote's loggers: a hub of a pair replicates only
   * while it is the active one (pair/hub-pair.ts). Queries and retention's reads go on either way.
   */
  setReplicating(replicating: boolean): void {
    if (this.replicating === replicating) return;
    this.replicating = replicating;
    // Stopped at once, without reading the store first: a hub that lost the database stops too.
    if (!replicating) for (const name of [...this.replicators.keys()]) void this.stopReplicator(name);
    else this.followClashes();
    this.changed();
  }

  start(): void {
    this.runRetention();
    this.retentionTimer ??= setInterval(() => this.runRetention(), RETENTION_INTERVAL_MS);
    this.retentionTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    clearTimeout(this.roundRetry);
    await this.restarts;
    // Every replicator belongs to a polled remote: closing those stops them all.
    await Promise.all([...this.polled.keys()].map((name) => this.close(name)));
    await this.retentionRun;
  }

  /**
   * Calls `listener` whenever what `views()` returns may have changed: a replication state, new
   * samples, a retention, a remote's loggers started or stopped. Calls come in bursts while a
   * logger catches up: listeners coalesce them. Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with the samples each stored page added to a logger (metrics). Returns the unsubscribe function. */
  onStored(listener: (id: string, count: number) => void): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Where the replication's time went so far: fetching (the running replicators) and storing (benchmarks). */
  times(): { fetch: FetchTimes; store: StoreTimes } {
    const fetch: FetchTimes = { pages: 0, fetchMs: 0, waitMs: 0 };
    for (const { times } of this.replicators.values()) {
      fetch.pages += times.pages;
      fetch.fetchMs += times.fetchMs;
      fetch.waitMs += times.waitMs;
    }
    return { fetch, store: { ...this.store.times } };
  }

  /**
   * Starts replicating a polled remote's loggers (those whose local id is not in dispute): at
   * once shown catching up, started once the stored loggers are read (after the rounds queued
   * before).
   */
  open(settings: RemoteSettings, password: string): void {
    if (settings.options.api !== 'extended' || this.polled.has(settings.name) || this.stopping) return;
    this.polled.set(settings.name, { settings, password });
    this.followClashes();
    this.changed();
  }

  async close(name: string): Promise<void> {
    this.polled.delete(name);
    await this.stopReplicator(name);
    // Its settings may have changed on the way (disabled, another prefix): a clash may be gone.
    this.followClashes();
    this.changed();
  }

  private startReplicator(name: string, blocked: Map<string, string>): void {
    const polled = this.polled.get(name);
    // Closed while its start waited for the stored loggers: not started.
    if (!polled || this.replicators.has(name) || this.stopping || !this.replicating) return;
    const { settings, password } = polled;
    const targets: ReplicationTarget[] = this.claimsOf(settings).filter((claim) => !blocked.has(claim.id));
    if (targets.length === 0) return;
    const replicator = new LoggerReplicator({
      settings,
      password,
      targets,
      store: this.store,
      pageSize: this.pageSize,
      log: (level, message) => this.log[level]({ remote: settings.name }, message),
      onChange: () => this.changed(),
      onStored: (id, count) => {
        for (const listener of this.storedListeners) listener(id, count);
      },
      onStorageError: (error) => this.storage.report(error),
    });
    this.replicators.set(name, replicator);
    replicator.start();
  }

  private async stopReplicator(name: string): Promise<void> {
    const replicator = this.replicators.get(name);
    if (!replicator) return;
    this.replicators.delete(name);
    await replicator.stop();
  }

  /**
   * Queues a round that starts the replicators of remotes just polled and restarts those whose
   * loggers in dispute changed: a clash edited or deleted away lets the loggers it held back
   * start, without waiting for their own remote to be saved again. Whether a logger is in dispute
   * depends on the loggers stored, read from the store, so rounds run one after another; one that
   * could not read them is tried again a little later.
   */
  private followClashes(): void {
    if (this.roundQueued || this.stopping) return;
    this.roundQueued = true;
    this.restarts = this.restarts
      .then(async () => {
        this.roundQueued = false;
        const blocked = await this.blockedClaims();
        for (const [name, { settings }] of this.polled) {
          const wanted = this.replicating ? this.claimsOf(settings).filter((claim) => !blocked.has(claim.id)) : [];
          const running = this.replicators.get(name)?.targetIds ?? [];
          if (wanted.length === running.length && wanted.every((claim) => running.includes(claim.id))) continue;
          await this.stopReplicator(name);
          this.startReplicator(name, await this.blockedClaims());
          this.changed();
        }
      })
      .catch((error: unknown) => {
        this.reportStorage(error);
        this.log.warn({ err: error }, 'loggers not started or restarted');
        if (this.stopping) return;
        clearTimeout(this.roundRetry);
        this.roundRetry = setTimeout(() => this.followClashes(), ROUND_RETRY_MS);
        this.roundRetry.unref();
      });
  }

  /** A remote entry was deleted: its loggers and their history go with it. */
  async deleteRemote(name: string): Promise<void> {
    await this.close(name);
    await this.store.deleteRemote(name);
    this.followClashes();
    await this.restarts;
    this.changed();
  }

  /**
   * Why an entry's loggers cannot be saved: a local id another remote's logger maps to too (or
   * whose history is stored here), as field errors; undefined when there is no clash. `planned`:
   * checked against other entries than the fleet's (a settings file's, before it is applied), the
   * history of the `deleted` ones left out.
   */
  async clashes(settings: RemoteSettings, planned?: { remotes: readonly RemoteSettings[]; deleted: ReadonlySet<string> }): Promise<Record<string, string> | undefined> {
    const taken = new Map<string, Claim>();
    for (const other of planned?.remotes ?? this.remotes()) {
      if (other.name === settings.name) continue;
      for (const claim of this.claimsOf(other)) if (!taken.has(claim.id)) taken.set(claim.id, claim);
    }
    for (const stored of await this.store.list()) {
      if (stored.remote !== settings.name && !planned?.deleted.has(stored.remote) && !taken.has(stored.id)) taken.set(stored.id, stored);
    }
    const clashing = this.claimsOf(settings).flatMap((claim) => {
      const other = taken.get(claim.id);
      return other ? [`${claim.id} is already ${other.remote}'s ${other.remoteId}`] : [];
    });
    if (clashing.length === 0) return undefined;
    const message = `two loggers cannot share a local id: ${clashing.join('; ')}`;
    return settings.options.dataloggersnameprefix
      ? { 'options.dataloggers': message }
      : { 'options.dataloggers': message, 'options.dataloggersnameprefix': `${message} (the name prefix keeps them apart)` };
  }

  /**
   * Every logger: those the remote entries list, then stored ones no entry lists any more.
   * Replication states are taken before the stored rows are read, here and in `viewOf`: a logger
   * is `up to date` only once its last page is stored, so rows read after the state hold that
   * page. Read the other way round, a page stored during the read showed `up to date` with the
   * samples before it.
   */
  async views(): Promise<LoggerView[]> {
    const remotes = this.remotes();
    const listed: { claim: Claim; state: LoggerState }[] = [];
    const shown = new Set<string>();
    for (const settings of remotes) {
      for (const claim of this.claimsOf(settings)) {
        if (shown.has(claim.id)) continue;
        shown.add(claim.id);
        listed.push({ claim, state: this.stateOf(settings, claim.id) });
      }
    }
    const stored = await this.storedById();
    const blocked = this.blockedBy(stored);
    const views = listed.map(({ claim, state }) => this.listedView(claim, state, stored.get(claim.id), blocked));
    for (const logger of stored.values()) {
      if (!shown.has(logger.id)) views.push(this.unlistedView(logger, remotes));
    }
    return Promise.all(views);
  }

  /** One logger's view, as `views()` has it, without reading every other logger's samples. */
  async viewOf(id: string): Promise<LoggerView | undefined> {
    const remotes = this.remotes();
    for (const settings of remotes) {
      const claim = this.claimsOf(settings).find((candidate) => candidate.id === id);
      if (!claim) continue;
      const state = this.stateOf(settings, claim.id);
      const stored = await this.storedById();
      return this.listedView(claim, state, stored.get(id), this.blockedBy(stored));
    }
    const stored = await this.store.get(id);
    return stored && this.unlistedView(stored, remotes);
  }

  /** `state`: the logger's replication state, taken before `stored` was read. */
  private listedView(claim: Claim, state: LoggerState, stored: StoredLogger | undefined, blocked: Map<string, string>): Promise<LoggerView> {
    const own = stored && stored.remote === claim.remote && stored.remoteId === claim.remoteId ? stored : undefined;
    const reason = blocked.get(claim.id);
    return this.view(claim, own, reason ? { replication: 'failing', error: reason } : state);
  }

  private unlistedView(stored: StoredLogger, remotes: RemoteSettings[]): Promise<LoggerView> {
    const owner = remotes.find((settings) => settings.name === stored.remote);
    const error = owner ? `not replicated: not in ${stored.remote}'s dataloggers` : `not replicated: no remote named ${stored.remote}`;
    return this.view(stored, stored, { replication: 'failing', error });
  }

  /**
   * The stored loggers as the hub's own Remote I/O API serves them on (`riologs`, `riolog`): by
   * local id, samples with time > `after`, oldest first, at most `limit`.
   */
  served(): { list(): Promise<LoggerInfo[]>; read(id: string, after: number, limit: number): Promise<LogPage | undefined> } {
    const { store } = this;
    return {
      list: () => store.localLoggers(),
      async read(id, after, limit) {
        const logger = await store.get(id);
        if (!logger) return undefined;
        const { samples, more } = await store.readAfter(id, after, limit);
        return { id, type: logger.type, unit: logger.unit, samples, more };
      },
    };
  }

  async setRetention(id: string, retentionDays: number | null): Promise<Result<LoggerView>> {
    const view = await this.viewOf(id);
    if (!view) return fail(ERROR_CODES.NOT_FOUND, `no logger ${id}`);
    // Whose history it would trim is the question in dispute: nothing changes until it is settled.
    const dispute = (await this.blockedClaims()).get(id);
    if (dispute) return fail(ERROR_CODES.CONFLICT, `${id} is in dispute: ${dispute}`);
    if (!(await this.store.get(id))) {
      // Listed but not yet seen on its remote: recorded now, so the retention applies from the first page.
      const ensured = await this.store.ensure({ id, remote: view.remote, remoteId: view.remoteId, type: view.type, unit: view.unit });
      if (!ensured.ok) return fail(ERROR_CODES.CONFLICT, `${id} is in dispute: ${view.error ?? ''}`);
    }
    await this.store.setRetention(id, retentionDays);
    await this.store.applyRetention(Date.now(), id);
    this.changed();
    return ok((await this.viewOf(id)) as LoggerView);
  }

  async samples(id: string, from: number, to: number, limit: number): Promise<Result<RawSeries>> {
    const view = await this.viewOf(id);
    if (!view) return fail(ERROR_CODES.NOT_FOUND, `no logger ${id}`);
    const { samples, truncated } = await this.store.range(id, from, to, limit);
    return ok({ id, type: view.type, unit: view.unit, samples, truncated });
  }

  async aggregates(id: string, interval: AggregateInterval, from: number, to: number): Promise<Result<AggregateSeries>> {
    const view = await this.viewOf(id);
    if (!view) return fail(ERROR_CODES.NOT_FOUND, `no logger ${id}`);
    const buckets = await this.store.aggregate(id, view.type, interval, from, to);
    const base = { id, unit: view.unit, interval };
    return ok(view.type === 'counter' ? { ...base, type: 'counter', buckets: buckets as CounterBucket[] } : { ...base, type: 'range', buckets: buckets as RangeBucket[] });
  }

  private async view(claim: Claim, stored: StoredLogger | undefined, state: LoggerState): Promise<LoggerView> {
    const [first, last] = stored ? await Promise.all([this.store.firstSample(stored.id), this.store.lastSample(stored.id)]) : [];
    return {
      id: claim.id,
      remote: claim.remote,
      remoteId: claim.remoteId,
      type: stored?.type ?? UNKNOWN_KIND.type,
      unit: stored?.unit ?? UNKNOWN_KIND.unit,
      samples: stored?.samples ?? 0,
      ...(first ? { firstSample: first } : {}),
      ...(last ? { lastSample: last } : {}),
      replication: state.replication,
      ...(state.error ? { error: state.error } : {}),
      retentionDays: stored?.retentionDays ?? null,
    };
  }

  private stateOf(settings: RemoteSettings, id: string): LoggerState {
    const live = this.replicators.get(settings.name)?.state(id);
    if (live) return live;
    if (this.polled.has(settings.name)) return { replication: 'catching up' };
    if (settings.options.api !== 'extended') return { replication: 'failing', error: `data loggers are not supported by ${settings.name} (public API)` };
    if (!settings.enabled) return { replication: 'failing', error: `${settings.name} is disabled` };
    return { replication: 'failing', error: `${settings.name} is not polled while this hub is inactive` };
  }

  private claimsOf(settings: RemoteSettings): Claim[] {
    return remoteLoggerIds(settings).map((remoteId) => ({ id: localLoggerId(settings, remoteId), remote: settings.name, remoteId }));
  }

  /**
   * Local ids in dispute, with why: claimed by loggers of two remote entries (stored settings
   * from before the check, or edited by hand), or holding another logger's stored history.
   */
  private async blockedClaims(): Promise<Map<string, string>> {
    return this.blockedBy(await this.storedById());
  }

  private async storedById(): Promise<Map<string, StoredLogger>> {
    return new Map((await this.store.list()).map((logger) => [logger.id, logger]));
  }

  /** `blockedClaims` of the stored loggers given, by id. */
  private blockedBy(stored: ReadonlyMap<string, StoredLogger>): Map<string, string> {
    const claims = new Map<string, Claim[]>();
    for (const settings of this.remotes()) {
      for (const claim of this.claimsOf(settings)) claims.set(claim.id, [...(claims.get(claim.id) ?? []), claim]);
    }
    const blocked = new Map<string, string>();
    for (const [id, claimants] of claims) {
      if (claimants.length > 1) {
        const who = claimants.map((claim) => `${claim.remote}'s ${claim.remoteId}`).join(' and ');
        blocked.set(id, `configuration error: ${who} would both be stored as ${id}`);
        continue;
      }
      const owner = stored.get(id);
      const [claim] = claimants as [Claim];
      if (owner && (owner.remote !== claim.remote || owner.remoteId !== claim.remoteId)) {
        blocked.set(id, `configuration error: ${id} holds the history of ${owner.remote}'s ${owner.remoteId}`);
      }
    }
    return blocked;
  }

  private runRetention(): void {
    // A standby leaves the shared history to the active hub.
    if (!this.replicating) return;
    this.retentionRun = this.retentionRun
      .then(() => this.store.applyRetention(Date.now()))
      .then((deleted) => {
        if (deleted === 0) return;
        this.log.info({ deleted }, 'logger retention applied');
        this.changed();
      })
      .catch((error: unknown) => {
        this.reportStorage(error);
        this.log.warn({ err: error }, 'logger retention failed');
      });
  }

  private reportStorage(error: unknown): void {
    if (this.storage.isStorageError(error)) this.storage.report(error);
  }
}
