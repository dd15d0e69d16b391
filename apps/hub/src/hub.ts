/**
 * The hub's core, apart from any web framework: the tree, one link per enabled remote, their
 * status and topology, settings that take effect at once, and writes with their log.
 */
import { EventEmitter } from 'node:events';
import {
  ERROR_CODES,
  fail,
  ok,
  type ApiError,
  type ConnectionTest,
  type Device,
  type PointRef,
  type RemoteSettings,
  type RemoteStatus,
  type RemoteView,
  type Result,
  type WriteRecord,
  type WriteRequest,
  type WriteStatus,
  staleBelowReason,
} from '@riohub/hub-api';
import {
  describeWriteRefusal,
  isValidName,
  isValidValue,
  MAX_VALUE_BYTES,
  type HsycoTopology,
  type Write,
  type WriteResult,
} from '@riohub/protocol';
import { readMeta, writeMeta, type HubDatabase } from './db/database';
import { describeStorageError, isStorageError, StorageHealth } from './db/storage-health';
import { asLinkError, RemoteClient } from './links/remote-client';
import { RemoteLink, stateQuery, type LinkSink } from './links/remote-link';
import { LoggerService } from './loggers/logger-service';
import { RemoteRepo, type StoredRemote } from './remotes/remote-repo';
import { validateRemote } from './remotes/remote-schema';
import { PointTree } from './tree/point-tree';
import { WriteLog } from './writes/write-log';
import type { WriteOutcome } from './metrics/hub-metrics';

export type HubRole = 'active' | 'inactive';

/** The status of a remote nothing is known of yet (`points` is counted when a view is made). */
const NO_STATUS: RemoteStatus = { connection: 'offline', points: 0, unsupported: [] };

/** Whether two entries point at the same server, so that a stored password may go to it. */
function sameServer(a: RemoteSettings, b: RemoteSettings): boolean {
  return a.host === b.host && a.port === b.port && a.tls === b.tls && (a.tls !== 'pin' || a.fingerprint === b.fingerprint || a.fingerprint === '');
}

function passwordAgain(): { ok: false; error: ApiError } {
  return fail(ERROR_CODES.INVALID, 'the address or security changed: enter the password again', { password: 'is required for a new server' });
}

/** Why a remote's points cannot be written, as `Point.readOnly` says it. */
const readOnlyReasons = {
  controlRefused: (remote: string) => `${remote} refuses control (it answered "control disabled")`,
  publicApi: (remote: string) => `${remote} serves the public API only: writes are not supported`,
};

/**
 * The datapoints a remote's topology shows to be readings rather than commands: the `.pos` of a
 * shutter (`AUTOM`), the position it reports while it travels. Full names, with why.
 */
function readingsOf(topology: HsycoTopology, remote: string): Map<string, string> {
  const readings = new Map<string, string>();
  for (const [name, params] of topology.devices) {
    if (params[0] === 'AUTOM') readings.set(`${remote}.${name}.pos`, `the position of shutter ${remote}.${name}, which it reports`);
  }
  return readings;
}

/** How long an applied write waits for its value to come back before it stays "applied". */
const CONFIRM_TIMEOUT_MS = 30_000;
/** How long a remote's `control disabled` answer is taken as its stand, before it is asked again. */
const CONTROL_REFUSAL_MEMORY_MS = 60_000;

export interface HubEvents {
  /** Remote entries whose settings or status changed. */
  remotes: [views: RemoteView[]];
  /** Points that no longer exist. */
  removed: [points: PointRef[]];
  /** A write whose value came back through the poll. */
  confirmed: [record: WriteRecord];
  /** A remote entry that was deleted. */
  deleted: [name: string];
  /** The merged topology changed: a remote's devices, or the set of remotes. */
  topology: [];
  /** A remote answered a poll, `seconds` after it was sent (metrics). */
  polled: [remote: string, seconds: number];
  /** Values of a remote's points changed in the tree, `count` of them, from one answer (metrics). */
  changed: [remote: string, count: number];
  /** Writes settled with an outcome: `count` names of one request (metrics). */
  written: [outcome: WriteOutcome, count: number];
}

export interface HubLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

interface PendingWrite {
  record: WriteRecord;
  timer: NodeJS.Timeout;
}

export class Hub extends EventEmitter<HubEvents> {
  readonly tree = new PointTree();
  readonly repo: RemoteRepo;
  readonly writeLog: WriteLog;
  /** Replicated data loggers: storage, replication per remote, queries. */
  readonly loggers: LoggerService;
  readonly instanceId: string;
  /** Whether the database takes writes; reads and live values go on while it does not. */
  readonly storage: StorageHealth;
  private readonly links = new Map<string, RemoteLink>();
  private readonly statuses = new Map<string, RemoteStatus>();
  private readonly topologies = new Map<string, Device[]>();
  private readonly locations = new Map<string, [string, string][]>();
  /** Per remote, the instance ids it last reported: its own, then those below it. */
  private readonly remoteMembers = new Map<string, readonly string[]>();
  /** Remotes that answered a write with `control disabled`, and when: not asked again for a while. */
  private readonly controlRefusedAt = new Map<string, number>();
  /** Per remote, when its `control disabled` is forgotten (its points writable again). */
  private readonly controlRefusalTimers = new Map<string, NodeJS.Timeout>();
  /** Applied writes waiting for their value, by kind and full name. */
  private readonly pending = new Map<string, PendingWrite>();
  private readonly sink: LinkSink;
  /** Per remote, the tail of its settings changes: one at a time, so links never overlap. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private running = false;

  constructor(
    db: HubDatabase,
    private readonly logger: HubLogger,
  ) {
    super();
    this.repo = new RemoteRepo(db);
    this.writeLog = new WriteLog(db);
    this.storage = new StorageHealth(db, logger);
    this.loggers = new LoggerService(db, logger, () => this.repo.list().map((stored) => stored.settings), this.storage);
    this.db = db;
    let instanceId = readMeta(db, 'instance_id');
    if (!instanceId) {
      instanceId = crypto.randomUUID();
      writeMeta(db, 'instance_id', instanceId);
    }
    this.instanceId = instanceId;
    this.sink = this.createSink();
  }

  private readonly db: HubDatabase;

  get role(): HubRole {
    return readMeta(this.db, 'role') === 'inactive' ? 'inactive' : 'active';
  }

  /** Whether the links and logger replication have started, and not begun to stop (readiness). */
  get started(): boolean {
    return this.running;
  }

  /** Starts every remote's link, but those a change before the start has opened already. */
  start(): void {
    this.loggers.start();
    for (const stored of this.repo.list()) if (!this.links.has(stored.settings.name)) this.open(stored);
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    // Changes under way finish first, so that none opens a link after the others were stopped.
    await Promise.all(this.queues.values());
    await Promise.all([...this.links.values()].map((link) => link.stop()));
    this.links.clear();
    await this.loggers.stop();
    this.storage.close();
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    for (const timer of this.controlRefusalTimers.values()) clearTimeout(timer);
    this.controlRefusalTimers.clear();
    this.pending.clear();
  }

  /** Switches the high-availability role; links with `shutdownWhenInactive` follow it at once. */
  async setRole(role: HubRole): Promise<void> {
    writeMeta(this.db, 'role', role);
    const affected = this.repo.list().filter((stored) => stored.settings.options.shutdownWhenInactive);
    for (const { settings } of affected) await this.serialize(settings.name, () => this.reopen(settings.name));
  }

  remotes(): RemoteView[] {
    return this.repo.list().map((stored) => this.view(stored));
  }

  remote(name: string): RemoteView | undefined {
    const stored = this.repo.get(name);
    return stored && this.view(stored);
  }

  topology(): Device[] {
    return [...this.topologies.values()].flat();
  }

  /** The locations of every remote's topology, their ids prefixed like its devices. */
  topologyLocations(): [string, string][] {
    return [...this.locations.values()].flat();
  }

  /** This hub's instance id, then every id its remotes report (PROTOCOL.md `members`). */
  members(): string[] {
    return [...new Set([this.instanceId, ...[...this.remoteMembers.values()].flat()])];
  }

  private forgetTopology(name: string): void {
    const had = this.topologies.delete(name);
    this.locations.delete(name);
    this.tree.setReadings(name, new Map());
    if (had) this.emit('topology');
  }

  /**
   * What a remote's answer to a write says of its control: `control disabled` makes all its points
   * read only for as long as the refusal is remembered (then the next write asks again: an admin
   * of the remote may have allowed control), or until its link restarts or a write is applied.
   */
  private noteControl(remote: string, result: Result<WriteResult>): void {
    if (!result.ok) return;
    if (!result.data.ok && result.data.error === 'control disabled') {
      this.controlRefusedAt.set(remote, Date.now());
      this.tree.setRemoteReadOnly(remote, readOnlyReasons.controlRefused(remote));
      clearTimeout(this.controlRefusalTimers.get(remote));
      const timer = setTimeout(() => this.forgetControlRefusal(remote), CONTROL_REFUSAL_MEMORY_MS);
      timer.unref();
      this.controlRefusalTimers.set(remote, timer);
    } else if (result.data.ok) {
      this.forgetControlRefusal(remote);
    }
  }

  private forgetControlRefusal(remote: string): void {
    clearTimeout(this.controlRefusalTimers.get(remote));
    this.controlRefusalTimers.delete(remote);
    this.controlRefusedAt.delete(remote);
    if (this.tree.remoteReadOnly(remote) === readOnlyReasons.controlRefused(remote)) this.tree.setRemoteReadOnly(remote, undefined);
  }

  /** Runs changes to one remote one after another, in the order they were asked for. */
  private serialize<T>(name: string, change: () => Promise<T>): Promise<T> {
    const next = (this.queues.get(name) ?? Promise.resolve()).then(change, change);
    const tail = next.catch(() => undefined);
    this.queues.set(name, tail);
    void tail.then(() => {
      if (this.queues.get(name) === tail) this.queues.delete(name);
    });
    return next;
  }

  createRemote(body: unknown): Promise<Result<RemoteView>> {
    const name = (body as { name?: unknown } | null)?.name;
    return this.serialize(typeof name === 'string' ? name : '', () => this.create(body));
  }

  /**
   * The changes below run one after another per remote. `before` is told the entry as it is when
   * this change's turn comes (after those queued ahead of it), for an audit that credits each
   * change with exactly what it changed.
   */
  updateRemote(name: string, body: unknown, before?: (view: RemoteView | undefined) => void): Promise<Result<RemoteView>> {
    return this.serialize(name, () => {
      before?.(this.remote(name));
      return this.update(name, body);
    });
  }

  trustCertificate(name: string, fingerprint: string, before?: (view: RemoteView | undefined) => void): Promise<Result<RemoteView>> {
    return this.serialize(name, () => {
      before?.(this.remote(name));
      return this.trust(name, fingerprint);
    });
  }

  deleteRemote(name: string, before?: (view: RemoteView | undefined) => void): Promise<Result<{ name: string }>> {
    return this.serialize(name, () => {
      before?.(this.remote(name));
      return this.remove(name);
    });
  }

  private async create(body: unknown): Promise<Result<RemoteView>> {
    const checked = validateRemote(body, undefined);
    if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
    if (this.repo.get(checked.settings.name)) {
      return fail(ERROR_CODES.CONFLICT, `a remote named ${checked.settings.name} exists already`, { name: 'is taken' });
    }
    const loggerClashes = this.loggers.clashes(checked.settings);
    if (loggerClashes) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', loggerClashes);
    this.repo.insert(checked.settings, checked.password ?? '');
    await this.reopen(checked.settings.name);
    this.emit('topology');
    return ok(this.remote(checked.settings.name) as RemoteView);
  }

  private async update(name: string, body: unknown): Promise<Result<RemoteView>> {
    const stored = this.repo.get(name);
    if (!stored) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    const checked = validateRemote({ name, ...(body as object) }, stored.settings);
    if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
    if (checked.settings.name !== name) return fail(ERROR_CODES.INVALID, 'a remote cannot be renamed', { name: 'cannot change' });
    const loggerClashes = this.loggers.clashes(checked.settings);
    if (loggerClashes) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', loggerClashes);
    if (checked.password === undefined && !sameServer(stored.settings, checked.settings)) return passwordAgain();
    this.repo.update(checked.settings, checked.password);
    await this.reopen(name);
    return ok(this.remote(name) as RemoteView);
  }

  /** Trusts the certificate a pinned remote offered (trust on first use, or a renewed one). */
  private async trust(name: string, fingerprint: string): Promise<Result<RemoteView>> {
    const stored = this.repo.get(name);
    if (!stored) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    const offered = this.statuses.get(name)?.offeredFingerprint;
    if (!offered || offered !== fingerprint) {
      return fail(ERROR_CODES.CONFLICT, 'that is not the certificate the remote offers now', { fingerprint: 'does not match' });
    }
    this.repo.update({ ...stored.settings, tls: 'pin', fingerprint }, undefined);
    await this.reopen(name);
    return ok(this.remote(name) as RemoteView);
  }

  private async remove(name: string): Promise<Result<{ name: string }>> {
    if (!this.repo.delete(name)) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    await this.close(name);
    await this.loggers.deleteRemote(name);
    this.statuses.delete(name);
    this.remoteMembers.delete(name);
    this.forgetControlRefusal(name);
    this.forgetTopology(name);
    this.emit('topology');
    const removed = this.tree.removeRemote(name);
    if (removed.length > 0) this.emit('removed', removed);
    this.emit('deleted', name);
    this.logger.info({ remote: name }, 'remote deleted');
    return ok({ name });
  }

  /**
   * "Retry now": the remote's link tries again at once instead of waiting out its backoff. Refused
   * for an entry that has no link (disabled, inactive, or its password cannot be decrypted).
   */
  retryRemote(name: string): Result<RemoteView> {
    const view = this.remote(name);
    if (!view) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    const link = this.links.get(name);
    if (!link) {
      const why =
        view.status.error?.message ??
        (view.status.connection === 'inactive' ? 'this hub is inactive and the entry is shut down while it is' : 'it is disabled: enable it to connect');
      return fail(ERROR_CODES.CONFLICT, `${name} is not polled, so there is nothing to retry: ${why}`);
    }
    link.retryNow();
    return ok(this.remote(name) as RemoteView);
  }

  /** Checks a remote entry without saving it: reachable, trusted, answering with this password. */
  async testConnection(body: unknown): Promise<Result<ConnectionTest>> {
    const name = (body as { name?: unknown } | null)?.name;
    const stored = typeof name === 'string' ? this.repo.get(name) : undefined;
    const checked = validateRemote(body, stored?.settings);
    if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
    // The stored password goes only to the server it was stored for.
    if (checked.password === undefined && !(stored && sameServer(stored.settings, checked.settings))) return passwordAgain();
    const password = checked.password ?? stored?.password ?? '';
    const client = new RemoteClient(checked.settings, password);
    try {
      const { version } = stateQuery(checked.settings);
      const state = await client.readState(1, version, { io: true, ui: false });
      const loop = state.members?.includes(this.instanceId);
      return ok({
        reachable: true,
        trusted: true,
        points: state.io?.length ?? 0,
        system: state.system,
        ...(state.members ? { members: [...state.members] } : {}),
        ...(loop ? { error: { code: ERROR_CODES.LOOP, message: 'loop: this remote already concentrates this hub' } } : {}),
      });
    } catch (error) {
      const failure = asLinkError(error);
      const tlsReached = failure.code === ERROR_CODES.CERTIFICATE_UNTRUSTED || failure.code === ERROR_CODES.CERTIFICATE_CHANGED;
      return ok({
        reachable: tlsReached,
        trusted: false,
        ...(failure.offeredFingerprint ? { fingerprint: failure.offeredFingerprint } : {}),
        error: failure.toJSON(),
      });
    } finally {
      await client.close();
    }
  }

  /**
   * An operator's write: sent to the owning remote at once, or failed at once. Recorded as
   * `sending` before it goes out, and not sent when that cannot be recorded; its outcome is
   * recorded after, or logged when the storage fails in between (the write did reach the remote).
   */
  async write(user: string, request: WriteRequest): Promise<Result<WriteRecord>> {
    const kind = request.kind ?? 'io';
    if (!isValidName(request.name)) return fail(ERROR_CODES.INVALID, `bad name "${request.name}"`, { name: 'is not a valid name' });
    if (!isValidValue(request.value)) {
      return fail(ERROR_CODES.INVALID, `the value is over ${MAX_VALUE_BYTES} bytes`, { value: 'is too long' });
    }
    const point = this.tree.get(kind, request.name);
    const remote = point?.remote;
    if (!point || !remote || !this.repo.get(remote)) {
      return fail(ERROR_CODES.NOT_FOUND, `no ${kind === 'ui' ? 'GUI variable' : 'datapoint'} ${request.name}`);
    }
    const link = this.links.get(remote);
    const intent = this.recordIntent([{ at: Date.now(), user, remote, name: request.name, kind, oldValue: point.value, newValue: request.value }]);
    if (!intent.ok) return intent;
    const [sending] = intent.data as [WriteRecord];
    // Stale from below: the level below would refuse it too, as would every level under that.
    const result = this.isStaleBelow(kind, request.name, remote)
      ? fail(ERROR_CODES.POINT_STALE, `${request.name} is stale: ${staleBelowReason(remote)}: nothing was sent`)
      : link
        ? await link.write(kind, [[request.name.slice(remote.length + 1), request.value]])
        : fail(ERROR_CODES.REMOTE_OFFLINE, `${remote} is ${this.statuses.get(remote)?.connection ?? 'offline'}: nothing was sent`);
    this.noteControl(remote, result);
    if (!result.ok) {
      const record = this.settle(sending, 'failed', result.error.message);
      this.logger.warn({ remote, name: request.name, user, error: result.error.code }, 'write failed');
      return fail(result.error.code, result.error.message, undefined, record);
    }
    if (!result.data.ok) {
      const reason = describeWriteRefusal(result.data);
      const record = this.settle(sending, 'refused', `${remote} refused: ${reason}`);
      return fail(ERROR_CODES.REMOTE_REFUSED, `${remote} refused the write: ${reason}`, undefined, record);
    }
    const record = this.settle(sending, 'applied');
    this.logger.info({ remote, name: request.name, user }, 'write applied');
    if (this.tree.get(kind, request.name)?.value === request.value) this.confirm(record);
    else this.awaitConfirmation(record);
    return ok(record);
  }

  /** Whether a point of an online remote is stale because the remote serves it so (its owner below is unreachable). */
  private isStaleBelow(kind: 'io' | 'ui', name: string, remote: string): boolean {
    return this.tree.isOnline(remote) && this.tree.isStaleBelow(kind, name);
  }

  /** Records writes as `sending`, all or none; a storage failure refuses them before anything is sent. */
  private recordIntent(writes: readonly Omit<WriteRecord, 'id' | 'status'>[]): Result<WriteRecord[]> {
    try {
      return ok(this.storage.write(() => this.db.transaction(() => writes.map((write) => this.writeLog.record({ ...write, status: 'sending' })))()));
    } catch (error) {
      if (!isStorageError(error)) throw error;
      this.emit('written', 'failed', writes.length);
      return fail(ERROR_CODES.STORAGE_FAILED, `${describeStorageError(error)}: the write cannot be recorded, so nothing was sent`);
    }
  }

  /**
   * Records a write's outcome. It has happened whatever the storage says: a failure to record
   * it is logged with the whole write, so that the log holds what the write log could not.
   */
  private settle(record: WriteRecord, status: WriteStatus, error?: string): WriteRecord {
    const settled: WriteRecord = { ...record, status, ...(error === undefined ? {} : { error }) };
    // A confirmation follows an applied write, which was counted then.
    if (status === 'applied' || status === 'refused' || status === 'failed') this.emit('written', status, 1);
    try {
      this.storage.write(() => this.writeLog.setStatus(record.id, status, error));
    } catch (failure) {
      this.logger.error({ write: settled, err: failure }, 'write outcome not recorded: the write log still says sending');
    }
    return settled;
  }

  /**
   * A write through the hub's own Remote I/O API (`rioset`, `riouiset`), names as this hub serves
   * them. All or nothing across remotes: every name is checked first (known, writable, its remote
   * online and accepting control, not stale below it), and nothing is sent unless all pass. A
   * remote can still refuse after another applied its part; the answer then says `partly applied`
   * and which names failed.
   * Every name goes to the write log under `client`.
   */
  async writeForwarded(kind: 'io' | 'ui', writes: readonly Write[], client: string): Promise<WriteResult> {
    const reasons: Record<string, string> = {};
    const byRemote = new Map<string, { link: RemoteLink; writes: Write[]; records: Omit<WriteRecord, 'id' | 'status'>[] }>();
    const at = Date.now();
    for (const [name, value] of writes) {
      // The served API shows the hub's own point where a remote's datapoint has the same name.
      if (kind === 'io' && this.tree.get('hub', name)) {
        reasons[name] = 'read only: a datapoint of the hub itself';
        continue;
      }
      const point = this.tree.get(kind, name);
      const remote = point?.remote;
      if (!point || !remote) {
        reasons[name] = 'unknown';
        continue;
      }
      const link = this.links.get(remote);
      const refusedAt = this.controlRefusedAt.get(remote);
      if (!link || !this.tree.isOnline(remote)) reasons[name] = `${remote} is ${this.statuses.get(remote)?.connection ?? 'offline'}`;
      else if (this.isStaleBelow(kind, name, remote)) reasons[name] = `${name} is stale: ${staleBelowReason(remote)}`;
      else if (link.settings.options.api === 'public') reasons[name] = `${remote} serves the public API only: writes are not supported`;
      else if (refusedAt !== undefined && at - refusedAt < CONTROL_REFUSAL_MEMORY_MS) reasons[name] = `${remote} refuses control`;
      if (reasons[name] || !link) continue;
      const group = byRemote.get(remote) ?? { link, writes: [], records: [] };
      group.writes.push([name.slice(remote.length + 1), value]);
      group.records.push({ at, user: client, remote, name, kind, oldValue: point.value, newValue: value });
      byRemote.set(remote, group);
    }
    const refused = Object.keys(reasons);
    if (refused.length > 0) {
      const records = writes.map(([name, value]) => ({
        at, user: client, remote: this.tree.get(kind, name)?.remote ?? '', name, kind, oldValue: this.tree.get(kind, name)?.value ?? null, newValue: value,
        status: 'refused' as const, error: reasons[name] ?? 'not sent: other names of the same write were refused',
      }));
      // Nothing was sent: a storage failure here loses no outcome, and the answer stands.
      try {
        this.storage.write(() => this.db.transaction(() => records.forEach((record) => this.writeLog.record(record)))());
      } catch (error) {
        if (!isStorageError(error)) throw error;
      }
      this.emit('written', 'refused', records.length);
      return { ok: false, error: 'not applied', names: refused, reasons };
    }
    const groups = [...byRemote.entries()];
    const intent = this.recordIntent(groups.flatMap(([, group]) => group.records));
    if (!intent.ok) {
      const why = intent.error.message;
      return { ok: false, error: 'not applied', names: writes.map(([name]) => name), reasons: Object.fromEntries(writes.map(([name]) => [name, why])) };
    }
    const sending = new Map(intent.data.map((record) => [record.name, record]));
    const outcomes = await Promise.all(groups.map(([, group]) => group.link.write(kind, group.writes)));
    let applied = 0;
    groups.forEach(([remote, group], index) => {
      const outcome = outcomes[index] as Result<WriteResult>;
      const why = !outcome.ok ? outcome.error.message : outcome.data.ok ? undefined : `${remote} refused: ${describeWriteRefusal(outcome.data)}`;
      this.noteControl(remote, outcome);
      for (const base of group.records) {
        const record = sending.get(base.name) as WriteRecord;
        if (why) {
          reasons[base.name] = why;
          this.settle(record, outcome.ok ? 'refused' : 'failed', why);
          continue;
        }
        applied++;
        const settled = this.settle(record, 'applied');
        if (this.tree.get(kind, base.name)?.value === base.newValue) this.confirm(settled);
        else this.awaitConfirmation(settled);
      }
    });
    const failed = Object.keys(reasons);
    if (failed.length === 0) return { ok: true };
    this.logger.warn({ client, failed: failed.length, applied }, 'forwarded write refused');
    return { ok: false, error: applied > 0 ? 'partly applied' : 'not applied', names: failed, reasons };
  }

  private awaitConfirmation(record: WriteRecord): void {
    const key = `${record.kind}:${record.name}`;
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => this.pending.delete(key), CONFIRM_TIMEOUT_MS);
    this.pending.set(key, { record, timer });
  }

  /**
   * Called from a link's poll, which a failure here must not take offline: the storage's is
   * logged by settle, a listener's here.
   */
  private confirm(record: WriteRecord): void {
    const confirmed = this.settle(record, 'confirmed');
    try {
      this.emit('confirmed', confirmed);
    } catch (error) {
      this.logger.error({ err: error, write: confirmed.id }, 'a listener failed on a confirmed write');
    }
  }

  private createSink(): LinkSink {
    return {
      applyState: (remote, kind, entries, { full, silent }) => {
        const prefix = `${remote}.`;
        if (full) {
          const present = new Set(entries.map(([name]) => prefix + name));
          const gone = this.tree.removeMissing(remote, kind, (name) => present.has(name));
          if (gone.length > 0) this.emit('removed', gone);
        }
        let changed = 0;
        for (const [name, value] of entries) {
          const fullName = prefix + name;
          if (this.tree.set(kind, fullName, value, remote, !silent)) changed++;
          if (this.pending.size === 0) continue;
          const waiting = this.pending.get(`${kind}:${fullName}`);
          if (waiting && waiting.record.newValue === value) {
            clearTimeout(waiting.timer);
            this.pending.delete(`${kind}:${fullName}`);
            this.confirm(waiting.record);
          }
        }
        if (changed > 0) this.emit('changed', remote, changed);
        // Browsers hear of a changed point count with the remote's status.
        this.updateStatus(remote, { points: this.tree.countOf(remote) });
      },
      applyQuality: (remote, quality, { full }) => {
        const prefix = `${remote}.`;
        if (full) {
          const stale = new Set(quality.filter(([, value]) => value === 'stale').map(([name]) => prefix + name));
          this.tree.replaceStaleBelow(remote, 'io', (name) => stale.has(name));
          return;
        }
        for (const [name, value] of quality) this.tree.setStaleBelow('io', prefix + name, value === 'stale');
      },
      countNew: (remote, kind, entries) => {
        let count = 0;
        for (const [name] of entries) if (!this.tree.get(kind, `${remote}.${name}`)) count++;
        return count;
      },
      setOwnPoint: (remote, suffix, value) => {
        this.tree.set('hub', `${remote}.${suffix}`, value, remote);
      },
      removeOwnPoint: (remote, suffix) => {
        const ref = { kind: 'hub' as const, name: `${remote}.${suffix}` };
        if (this.tree.delete(ref.kind, ref.name)) this.emit('removed', [ref]);
      },
      setOnline: (remote, online) => this.tree.setOnline(remote, online),
      setTopology: (remote: string, topology: HsycoTopology) => {
        this.topologies.set(
          remote,
          topology.devices.map(([name, params]) => ({ name: `${remote}.${name}`, remote, params: [...params] })),
        );
        this.locations.set(remote, topology.locations.map(([id, label]) => [`${remote}.${id}`, label]));
        this.tree.setReadings(remote, readingsOf(topology, remote));
        this.emit('topology');
      },
      setMembers: (remote, members) => {
        const known = this.remoteMembers.get(remote);
        if (!known || known.length !== members.length || known.some((id, index) => id !== members[index])) this.remoteMembers.set(remote, [...members]);
      },
      status: (remote, change) => this.updateStatus(remote, change),
      polled: (remote, seconds) => this.emit('polled', remote, seconds),
      log: (level, remote, message) => this.logger[level]({ remote }, message),
    };
  }

  private updateStatus(remote: string, change: Partial<RemoteStatus>): void {
    const before = this.statuses.get(remote) ?? NO_STATUS;
    const after: RemoteStatus = { ...before, ...change };
    for (const key of Object.keys(after) as (keyof RemoteStatus)[]) if (after[key] === undefined) delete after[key];
    this.statuses.set(remote, after);
    // Every answer updates lastAnswerAt; only news about the connection is worth a message.
    const news =
      before.connection !== after.connection ||
      before.error?.message !== after.error?.message ||
      before.offeredFingerprint !== after.offeredFingerprint ||
      before.clockDelta !== after.clockDelta ||
      before.offlineSince !== after.offlineSince ||
      before.nextRetryAt !== after.nextRetryAt ||
      before.points !== after.points;
    if (news) {
      const view = this.remote(remote);
      if (view) this.emit('remotes', [view]);
    }
  }

  private view(stored: StoredRemote): RemoteView {
    const status = this.statuses.get(stored.settings.name) ?? NO_STATUS;
    return {
      ...stored.settings,
      hasPassword: stored.password !== '',
      // The one point count (RemoteStatus.points): its datapoints and GUI variables, not the hub's own.
      status: { ...status, points: this.tree.countOf(stored.settings.name) },
    };
  }

  /** (Re)starts the link of a remote from its stored settings. */
  private async reopen(name: string): Promise<void> {
    await this.close(name);
    const stored = this.repo.get(name);
    if (stored) this.open(stored);
    const view = this.remote(name);
    if (view) this.emit('remotes', [view]);
  }

  private open(stored: StoredRemote): void {
    const { settings } = stored;
    const { name } = settings;
    // Until the link proves otherwise: offline, its points stale, and none of a kind it no longer brings.
    this.tree.setOnline(name, false);
    this.tree.set('hub', `${name}.connection`, 'offline', name);
    // A new link asks control again; a public-API remote takes no writes at all.
    this.tree.setRemoteReadOnly(name, settings.options.api === 'public' ? readOnlyReasons.publicApi(name) : undefined);
    const dropped = [
      ...(settings.options.io ? [] : this.tree.removeMissing(name, 'io', () => false)),
      ...(settings.options.ui && settings.options.api === 'extended' ? [] : this.tree.removeMissing(name, 'ui', () => false)),
    ];
    if (dropped.length > 0) this.emit('removed', dropped);
    // What the link will not read again must not linger: the devices, and a public remote's members.
    if (!settings.options.discovery || settings.options.api !== 'extended') this.forgetTopology(name);
    if (settings.options.api !== 'extended') this.remoteMembers.delete(name);
    if (!settings.enabled || (settings.options.shutdownWhenInactive && this.role === 'inactive')) {
      this.statuses.set(name, { ...NO_STATUS, connection: settings.enabled ? 'inactive' : 'disabled' });
      // Nothing is measured while it is not polled.
      this.forgetTopology(name);
      this.remoteMembers.delete(name);
      const unmeasured = ['time.delta', 'time.alarm']
        .map((suffix) => ({ kind: 'hub' as const, name: `${name}.${suffix}` }))
        .filter((ref) => this.tree.delete(ref.kind, ref.name));
      if (unmeasured.length > 0) this.emit('removed', unmeasured);
      return;
    }
    if (stored.passwordError) {
      // Tried with no password it would only look unreachable: the status says what to do.
      this.statuses.set(name, { ...NO_STATUS, error: { code: ERROR_CODES.INVALID, message: stored.passwordError } });
      return;
    }
    // An entry changed while its remote is down stays down since the same time.
    const offlineSince = this.statuses.get(name)?.offlineSince;
    this.statuses.delete(name);
    this.forgetControlRefusal(name);
    const link = new RemoteLink(settings, stored.password, { instanceId: this.instanceId, sink: this.sink }, offlineSince);
    this.links.set(settings.name, link);
    link.start();
    this.loggers.open(settings, stored.password);
  }

  private async close(name: string): Promise<void> {
    // Out of the map at once: nothing routes a write to a link that is stopping.
    const link = this.links.get(name);
    this.links.delete(name);
    await Promise.all([this.loggers.close(name), link?.stop()]);
  }
}
