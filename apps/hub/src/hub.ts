/**
 * The hub's core, apart from any web framework: the tree, one link per enabled remote, their
 * status and topology, settings that take effect at once, and writes with their log.
 */
import { EventEmitter } from 'node:events';
import {
  ERROR_CODES,
  fail,
  ok,
  type ConnectionTest,
  type Device,
  type RemoteStatus,
  type RemoteView,
  type Result,
  type WriteRecord,
  type WriteRequest,
} from '@riohub/hub-api';
import { isValidName, isValidValue, MAX_VALUE_BYTES, type Entry, type HsycoTopology } from '@riohub/protocol';
import { readMeta, writeMeta, type HubDatabase } from './db/database';
import { LinkError, RemoteClient } from './links/remote-client';
import { RemoteLink, type LinkSink } from './links/remote-link';
import { RemoteRepo, type StoredRemote } from './remotes/remote-repo';
import { validateRemote } from './remotes/remote-schema';
import { PointTree } from './tree/point-tree';
import { WriteLog } from './writes/write-log';

export type HubRole = 'active' | 'inactive';

/** How long an applied write waits for its value to come back before it stays "applied". */
const CONFIRM_TIMEOUT_MS = 30_000;

export interface HubEvents {
  /** Remote entries whose settings or status changed. */
  remotes: [views: RemoteView[]];
  /** Points that no longer exist. */
  removed: [names: string[]];
  /** A write whose value came back through the poll. */
  confirmed: [record: WriteRecord];
}

export interface HubLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

interface PendingWrite {
  record: WriteRecord;
  timer: NodeJS.Timeout;
}

export class Hub extends EventEmitter<HubEvents> {
  readonly tree = new PointTree();
  readonly repo: RemoteRepo;
  readonly writeLog: WriteLog;
  readonly instanceId: string;
  private readonly links = new Map<string, RemoteLink>();
  private readonly statuses = new Map<string, RemoteStatus>();
  private readonly topologies = new Map<string, Device[]>();
  /** Applied writes waiting for their value, by kind and full name. */
  private readonly pending = new Map<string, PendingWrite>();
  private readonly sink: LinkSink;

  constructor(
    db: HubDatabase,
    private readonly logger: HubLogger,
  ) {
    super();
    this.repo = new RemoteRepo(db);
    this.writeLog = new WriteLog(db);
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

  start(): void {
    for (const stored of this.repo.list()) this.open(stored);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.stop()));
    this.links.clear();
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /** Switches the high-availability role; links with `shutdownWhenInactive` follow it at once. */
  async setRole(role: HubRole): Promise<void> {
    writeMeta(this.db, 'role', role);
    const affected = this.repo.list().filter((stored) => stored.settings.options.shutdownWhenInactive);
    for (const stored of affected) await this.reopen(stored.settings.name);
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

  async createRemote(body: unknown): Promise<Result<RemoteView>> {
    const checked = validateRemote(body, undefined);
    if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
    if (this.repo.get(checked.settings.name)) {
      return fail(ERROR_CODES.CONFLICT, `a remote named ${checked.settings.name} exists already`, { name: 'is taken' });
    }
    this.repo.insert(checked.settings, checked.password ?? '');
    await this.reopen(checked.settings.name);
    return ok(this.remote(checked.settings.name) as RemoteView);
  }

  async updateRemote(name: string, body: unknown): Promise<Result<RemoteView>> {
    const stored = this.repo.get(name);
    if (!stored) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    const checked = validateRemote({ name, ...(body as object) }, stored.settings);
    if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
    if (checked.settings.name !== name) return fail(ERROR_CODES.INVALID, 'a remote cannot be renamed', { name: 'cannot change' });
    this.repo.update(checked.settings, checked.password);
    await this.reopen(name);
    return ok(this.remote(name) as RemoteView);
  }

  /** Trusts the certificate a pinned remote offered (trust on first use, or a renewed one). */
  async trustCertificate(name: string, fingerprint: string): Promise<Result<RemoteView>> {
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

  async deleteRemote(name: string): Promise<Result<{ name: string }>> {
    if (!this.repo.delete(name)) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    await this.close(name);
    this.statuses.delete(name);
    this.topologies.delete(name);
    const removed = this.tree.removeRemote(name);
    if (removed.length > 0) this.emit('removed', removed);
    this.logger.info({ remote: name }, 'remote deleted');
    return ok({ name });
  }

  /** Checks a remote entry without saving it: reachable, trusted, answering with this password. */
  async testConnection(body: unknown): Promise<Result<ConnectionTest>> {
    const name = (body as { name?: unknown } | null)?.name;
    const stored = typeof name === 'string' ? this.repo.get(name) : undefined;
    const checked = validateRemote(body, stored?.settings);
    if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
    const password = checked.password ?? stored?.password ?? '';
    const client = new RemoteClient(checked.settings, password);
    try {
      const extended = checked.settings.options.api === 'extended';
      const state = await client.readState(1, extended ? 2 : 1, { io: true, ui: false });
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
      const failure = error instanceof LinkError ? error : new LinkError(ERROR_CODES.INTERNAL, String(error));
      const tlsReached = failure.code === ERROR_CODES.CERTIFICATE_UNTRUSTED || failure.code === ERROR_CODES.CERTIFICATE_CHANGED;
      return ok({
        reachable: tlsReached,
        trusted: false,
        ...(failure.offeredFingerprint ? { fingerprint: failure.offeredFingerprint } : {}),
        error: { code: failure.code, message: failure.message },
      });
    } finally {
      await client.close();
    }
  }

  /** An operator's write: sent to the owning remote at once, or failed at once; always recorded. */
  async write(user: string, request: WriteRequest): Promise<Result<WriteRecord>> {
    const kind = request.kind ?? 'io';
    if (!isValidName(request.name)) return fail(ERROR_CODES.INVALID, `bad name "${request.name}"`, { name: 'is not a valid name' });
    if (!isValidValue(request.value)) {
      return fail(ERROR_CODES.INVALID, `the value is over ${MAX_VALUE_BYTES} bytes`, { value: 'is too long' });
    }
    const point = this.tree.get(kind, request.name);
    const remote = request.name.slice(0, request.name.indexOf('.'));
    const link = this.links.get(remote);
    if (!point || !this.repo.get(remote)) return fail(ERROR_CODES.NOT_FOUND, `no ${kind === 'ui' ? 'GUI variable' : 'datapoint'} ${request.name}`);

    const base = { at: Date.now(), user, remote, name: request.name, kind, oldValue: point.value, newValue: request.value };
    const result = link
      ? await link.write(kind, [[request.name.slice(remote.length + 1), request.value]])
      : fail(ERROR_CODES.REMOTE_OFFLINE, `${remote} is disabled: nothing was sent`);
    if (!result.ok) {
      const record = this.writeLog.record({ ...base, status: 'failed', error: result.error.message });
      this.logger.warn({ remote, name: request.name, user, error: result.error.code }, 'write failed');
      return fail(result.error.code, result.error.message, undefined, record);
    }
    if (!result.data.ok) {
      const reason = 'names' in result.data ? `unknown name: ${result.data.names.join(', ')}` : result.data.error;
      const record = this.writeLog.record({ ...base, status: 'refused', error: `${remote} refused: ${reason}` });
      return fail(ERROR_CODES.REMOTE_REFUSED, `${remote} refused the write: ${reason}`, undefined, record);
    }
    const record = this.writeLog.record({ ...base, status: 'applied' });
    this.logger.info({ remote, name: request.name, user }, 'write applied');
    if (this.tree.get(kind, request.name)?.value === request.value) this.confirm(record);
    else this.awaitConfirmation(record);
    return ok(record);
  }

  private awaitConfirmation(record: WriteRecord): void {
    const key = `${record.kind}:${record.name}`;
    const previous = this.pending.get(key);
    if (previous) clearTimeout(previous.timer);
    const timer = setTimeout(() => this.pending.delete(key), CONFIRM_TIMEOUT_MS);
    this.pending.set(key, { record, timer });
  }

  private confirm(record: WriteRecord): void {
    this.writeLog.setStatus(record.id, 'confirmed');
    this.emit('confirmed', { ...record, status: 'confirmed' });
  }

  private createSink(): LinkSink {
    return {
      applyState: (remote: string, kind: 'io' | 'ui', entries: readonly Entry[], silent: boolean) => {
        const prefix = `${remote}.`;
        for (const [name, value] of entries) {
          const fullName = prefix + name;
          this.tree.set(kind, fullName, value, remote, !silent);
          if (this.pending.size === 0) continue;
          const waiting = this.pending.get(`${kind}:${fullName}`);
          if (waiting && waiting.record.newValue === value) {
            clearTimeout(waiting.timer);
            this.pending.delete(`${kind}:${fullName}`);
            this.confirm(waiting.record);
          }
        }
      },
      setOwnPoint: (remote, suffix, value) => {
        this.tree.set('hub', `${remote}.${suffix}`, value, remote);
      },
      setOnline: (remote, online) => this.tree.setOnline(remote, online),
      setTopology: (remote: string, topology: HsycoTopology) => {
        this.topologies.set(
          remote,
          topology.devices.map(([name, params]) => ({ name: `${remote}.${name}`, remote, params: [...params] })),
        );
      },
      status: (remote, change) => this.updateStatus(remote, change),
      log: (level, remote, message) => this.logger[level]({ remote }, message),
    };
  }

  private updateStatus(remote: string, change: Partial<RemoteStatus>): void {
    const before = this.statuses.get(remote) ?? { connection: 'offline', points: 0, unsupported: [] };
    const after: RemoteStatus = { ...before, ...change };
    for (const key of Object.keys(after) as (keyof RemoteStatus)[]) if (after[key] === undefined) delete after[key];
    this.statuses.set(remote, after);
    // Every answer updates lastAnswerAt; only news about the connection is worth a message.
    const news =
      before.connection !== after.connection ||
      before.error?.message !== after.error?.message ||
      before.offeredFingerprint !== after.offeredFingerprint ||
      before.clockDelta !== after.clockDelta;
    if (news) {
      const view = this.remote(remote);
      if (view) this.emit('remotes', [view]);
    }
  }

  private view(stored: StoredRemote): RemoteView {
    const status = this.statuses.get(stored.settings.name) ?? { connection: 'offline', points: 0, unsupported: [] };
    return {
      ...stored.settings,
      hasPassword: stored.password !== '',
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
    if (!settings.enabled || (settings.options.shutdownWhenInactive && this.role === 'inactive')) {
      const connection = settings.enabled ? 'inactive' : 'disabled';
      this.statuses.set(settings.name, { connection, points: 0, unsupported: [] });
      this.tree.setOnline(settings.name, false);
      this.tree.set('hub', `${settings.name}.connection`, 'offline', settings.name);
      return;
    }
    this.statuses.delete(settings.name);
    const link = new RemoteLink(settings, stored.password, { instanceId: this.instanceId, sink: this.sink });
    this.links.set(settings.name, link);
    link.start();
  }

  private async close(name: string): Promise<void> {
    const link = this.links.get(name);
    if (!link) return;
    this.links.delete(name);
    await link.stop();
  }
}
