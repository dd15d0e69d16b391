/**
 * The remote entries and their links: one link per polled remote, started, restarted and stopped
 * as settings change; each remote's status as its link reports it; the hub's high-availability
 * role. Changes to one remote run one after another, so its links never overlap.
 */
import { ERROR_CODES, fail, ok, type RemoteChange, type RemoteInput, type RemoteStatus, type RemoteView, type Result } from '@riohub/hub-api';
import { readMeta, writeMeta, type HubDatabase } from '../db/database';
import type { HubEventBus } from '../hub-events';
import { createLinkSink } from '../links/link-sink';
import { RemoteLink, type LinkSink } from '../links/remote-link';
import type { LoggerService } from '../loggers/logger-service';
import type { TopologyRegistry } from '../topology/topology-registry';
import type { PointTree } from '../tree/point-tree';
import type { WritePipeline } from '../writes/write-pipeline';
import { passwordAgain, sameServer } from './remote-credentials';
import { RemoteRepo, type StoredRemote } from './remote-repo';
import { validateRemote } from './remote-schema';

export type HubRole = 'active' | 'inactive';

/** The status of a remote nothing is known of yet (`points` is counted when a view is made). */
const NO_STATUS: RemoteStatus = { connection: 'offline', points: 0, unsupported: [] };

/** Why a public-API remote's points cannot be written. */
const publicApiReadOnly = (remote: string) => `${remote} serves the public API only: writes are not supported`;

/** Changes to a remote's status that browsers are told of (every answer moves `lastAnswerAt`). */
const NEWS: readonly (keyof RemoteStatus)[] = ['connection', 'offeredFingerprint', 'clockDelta', 'offlineSince', 'nextRetryAt', 'points'];

/** Told the entry as it is when a change's turn comes, for an audit that credits each change with exactly what it changed. */
export type BeforeChange = (view: RemoteView | undefined) => void;

export interface FleetParts {
  db: HubDatabase;
  instanceId: string;
  tree: PointTree;
  events: HubEventBus;
  topology: TopologyRegistry;
  writes: WritePipeline;
  loggers: LoggerService;
  logger: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export class RemoteFleet {
  readonly repo: RemoteRepo;
  private readonly links = new Map<string, RemoteLink>();
  private readonly statuses = new Map<string, RemoteStatus>();
  /** Per remote, the tail of its settings changes. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly sink: LinkSink;

  constructor(private readonly parts: FleetParts) {
    this.repo = new RemoteRepo(parts.db);
    this.sink = createLinkSink({ ...parts, status: (remote, change) => this.updateStatus(remote, change) });
  }

  get role(): HubRole {
    return readMeta(this.parts.db, 'role') === 'inactive' ? 'inactive' : 'active';
  }

  /** Starts every remote's link, but those a change before the start has opened already. */
  start(): void {
    for (const stored of this.repo.list()) if (!this.links.has(stored.settings.name)) this.open(stored);
  }

  async stop(): Promise<void> {
    // Changes under way finish first, so that none opens a link after the others were stopped.
    await Promise.all(this.queues.values());
    await Promise.all([...this.links.values()].map((link) => link.stop()));
    this.links.clear();
  }

  /** The link of a polled remote. */
  link(remote: string): RemoteLink | undefined {
    return this.links.get(remote);
  }

  /** How a remote's connection is described: `online`, `offline`, `disabled`, `inactive`. */
  connection(remote: string): string {
    return this.statuses.get(remote)?.connection ?? 'offline';
  }

  list(): RemoteView[] {
    return this.repo.list().map((stored) => this.view(stored));
  }

  get(name: string): RemoteView | undefined {
    const stored = this.repo.get(name);
    return stored && this.view(stored);
  }

  /** Switches the high-availability role; links with `shutdownWhenInactive` follow it at once. */
  async setRole(role: HubRole): Promise<void> {
    writeMeta(this.parts.db, 'role', role);
    const affected = this.repo.list().filter((stored) => stored.settings.options.shutdownWhenInactive);
    for (const { settings } of affected) await this.serialize(settings.name, () => this.reopen(settings.name));
  }

  create(input: RemoteInput): Promise<Result<RemoteView>> {
    return this.serialize(input.name, async () => {
      const checked = validateRemote(input, undefined);
      if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
      if (this.repo.get(checked.settings.name)) {
        return fail(ERROR_CODES.CONFLICT, `a remote named ${checked.settings.name} exists already`, { name: 'is taken' });
      }
      const loggerClashes = this.parts.loggers.clashes(checked.settings);
      if (loggerClashes) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', loggerClashes);
      this.repo.insert(checked.settings, checked.password ?? '');
      await this.reopen(checked.settings.name);
      this.parts.events.emit('topology');
      return ok(this.get(checked.settings.name) as RemoteView);
    });
  }

  update(name: string, change: RemoteChange, before?: BeforeChange): Promise<Result<RemoteView>> {
    return this.change(name, before, async (stored) => {
      const checked = validateRemote({ name, ...change }, stored.settings);
      if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
      if (checked.settings.name !== name) return fail(ERROR_CODES.INVALID, 'a remote cannot be renamed', { name: 'cannot change' });
      const loggerClashes = this.parts.loggers.clashes(checked.settings);
      if (loggerClashes) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', loggerClashes);
      if (checked.password === undefined && !sameServer(stored.settings, checked.settings)) return passwordAgain();
      this.repo.update(checked.settings, checked.password);
      await this.reopen(name);
      return ok(this.get(name) as RemoteView);
    });
  }

  /** Trusts the certificate a pinned remote offered (trust on first use, or a renewed one). */
  trust(name: string, fingerprint: string, before?: BeforeChange): Promise<Result<RemoteView>> {
    return this.change(name, before, async (stored) => {
      const offered = this.statuses.get(name)?.offeredFingerprint;
      if (!offered || offered !== fingerprint) {
        return fail(ERROR_CODES.CONFLICT, 'that is not the certificate the remote offers now', { fingerprint: 'does not match' });
      }
      this.repo.update({ ...stored.settings, tls: 'pin', fingerprint }, undefined);
      await this.reopen(name);
      return ok(this.get(name) as RemoteView);
    });
  }

  delete(name: string, before?: BeforeChange): Promise<Result<{ name: string }>> {
    return this.change(name, before, async () => {
      const { tree, events, topology, writes, loggers, logger } = this.parts;
      this.repo.delete(name);
      await this.close(name);
      await loggers.deleteRemote(name);
      this.statuses.delete(name);
      topology.forgetMembers(name);
      writes.forgetControlRefusal(name);
      topology.forget(name);
      events.emit('topology');
      const removed = tree.removeRemote(name);
      if (removed.length > 0) events.emit('removed', removed);
      events.emit('deleted', name);
      logger.info({ remote: name }, 'remote deleted');
      return ok({ name });
    });
  }

  /**
   * "Retry now": the remote's link tries again at once instead of waiting out its backoff. Refused
   * for an entry that has no link (disabled, inactive, or its password cannot be decrypted).
   */
  retry(name: string): Result<RemoteView> {
    const view = this.get(name);
    if (!view) return fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    const link = this.links.get(name);
    if (!link) {
      const why =
        view.status.error?.message ??
        (view.status.connection === 'inactive' ? 'this hub is inactive and the entry is shut down while it is' : 'it is disabled: enable it to connect');
      return fail(ERROR_CODES.CONFLICT, `${name} is not polled, so there is nothing to retry: ${why}`);
    }
    link.retryNow();
    return ok(this.get(name) as RemoteView);
  }

  /** A change to an existing entry, in its remote's turn; `before` sees the entry as that turn finds it. */
  private change<T>(name: string, before: BeforeChange | undefined, apply: (stored: StoredRemote) => Promise<Result<T>>): Promise<Result<T>> {
    return this.serialize(name, () => {
      before?.(this.get(name));
      const stored = this.repo.get(name);
      return stored ? apply(stored) : Promise.resolve(fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`));
    });
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

  private updateStatus(remote: string, change: Partial<RemoteStatus>): void {
    const before = this.statuses.get(remote) ?? NO_STATUS;
    const after: RemoteStatus = { ...before, ...change };
    for (const key of Object.keys(after) as (keyof RemoteStatus)[]) if (after[key] === undefined) delete after[key];
    this.statuses.set(remote, after);
    if (NEWS.some((key) => before[key] !== after[key]) || before.error?.message !== after.error?.message) {
      const view = this.get(remote);
      if (view) this.parts.events.emit('remotes', [view]);
    }
  }

  private view(stored: StoredRemote): RemoteView {
    const status = this.statuses.get(stored.settings.name) ?? NO_STATUS;
    return {
      ...stored.settings,
      hasPassword: stored.password !== '',
      // The one point count (RemoteStatus.points): its datapoints and GUI variables, not the hub's own.
      status: { ...status, points: this.parts.tree.countOf(stored.settings.name) },
    };
  }

  /** (Re)starts the link of a remote from its stored settings. */
  private async reopen(name: string): Promise<void> {
    await this.close(name);
    const stored = this.repo.get(name);
    if (stored) this.open(stored);
    const view = this.get(name);
    if (view) this.parts.events.emit('remotes', [view]);
  }

  private open(stored: StoredRemote): void {
    const { tree, events, topology, writes, loggers, instanceId } = this.parts;
    const { settings } = stored;
    const { name } = settings;
    // Until the link proves otherwise: offline, its points stale, and none of a kind it no longer brings.
    tree.setOnline(name, false);
    tree.set('hub', `${name}.connection`, 'offline', name);
    // A new link asks control again; a public-API remote takes no writes at all.
    writes.forgetControlRefusal(name);
    tree.setRemoteReadOnly(name, settings.options.api === 'public' ? publicApiReadOnly(name) : undefined);
    const dropped = [
      ...(settings.options.io ? [] : tree.removeMissing(name, 'io', () => false)),
      ...(settings.options.ui && settings.options.api === 'extended' ? [] : tree.removeMissing(name, 'ui', () => false)),
    ];
    if (dropped.length > 0) events.emit('removed', dropped);
    // What the link will not read again must not linger: the devices, and a public remote's members.
    if (!settings.options.discovery || settings.options.api !== 'extended') topology.forget(name);
    if (settings.options.api !== 'extended') topology.forgetMembers(name);
    if (!settings.enabled || (settings.options.shutdownWhenInactive && this.role === 'inactive')) {
      this.statuses.set(name, { ...NO_STATUS, connection: settings.enabled ? 'inactive' : 'disabled' });
      // Nothing is measured while it is not polled.
      topology.forget(name);
      topology.forgetMembers(name);
      const unmeasured = ['time.delta', 'time.alarm']
        .map((suffix) => ({ kind: 'hub' as const, name: `${name}.${suffix}` }))
        .filter((ref) => tree.delete(ref.kind, ref.name));
      if (unmeasured.length > 0) events.emit('removed', unmeasured);
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
    const link = new RemoteLink(settings, stored.password, { instanceId, sink: this.sink }, offlineSince);
    this.links.set(name, link);
    link.start();
    loggers.open(settings, stored.password);
  }

  private async close(name: string): Promise<void> {
    // Out of the map at once: nothing routes a write to a link that is stopping.
    const link = this.links.get(name);
    this.links.delete(name);
    await Promise.all([this.parts.loggers.close(name), link?.stop()]);
  }
}
