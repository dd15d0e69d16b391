/**
 * The remote entries and their links: one link per polled remote, started, restarted and stopped
 * as settings change; each remote's status as its link reports it; the hub's high-availability
 * role. Changes to one remote run one after another, so its links never overlap.
 *
 * The entries and the role live in the store; the fleet keeps a copy of them (loaded by `load`,
 * followed after each change), so that views, status news and the links' decisions never wait on
 * the store. Passwords stay in the store: one is read when its link opens.
 */
import { ERROR_CODES, fail, ok, type RemoteChange, type RemoteInput, type RemoteSettings, type RemoteStatus, type RemoteView, type Result } from '@riohub/hub-api';
import { readMeta, writeMeta, type Store } from '../db/store';
import type { HubEventBus } from '../hub-events';
import { createLinkSink } from '../links/link-sink';
import { LOGGER_OPTIONS, RemoteLink, type LinkSink } from '../links/remote-link';
import type { LoggerService } from '../loggers/logger-service';
import { PairMirror, type MirrorTarget } from '../pair/pair-mirror';
import type { TopologyRegistry } from '../topology/topology-registry';
import type { PointTree } from '../tree/point-tree';
import { Turns } from '../turns';
import type { WritePipeline } from '../writes/write-pipeline';
import { passwordAgain, sameServer } from './remote-credentials';
import { RemoteRepo, type StoredRemote } from './remote-repo';
import { validateRemote } from './remote-schema';

export type HubRole = 'active' | 'inactive';

/** The status of a remote nothing is known of yet (`points` is counted when a view is made). */
const NO_STATUS: RemoteStatus = { connection: 'offline', points: 0, unsupported: [] };

/** Why a public-API remote's points cannot be written. */
const publicApiReadOnly = (remote: string) => `${remote} serves the public API only: writes are not supported`;

/** The options a logger replicator is made with: its loggers', and the answer cap its own client applies. */
const REPLICATION_OPTIONS = [...LOGGER_OPTIONS, 'maxanswermb'] as const;

/** Changes to a remote's status that browsers are told of (every answer moves `lastAnswerAt`). */
const NEWS: readonly (keyof RemoteStatus)[] = ['connection', 'offeredFingerprint', 'clockDelta', 'offlineSince', 'nextRetryAt', 'points'];

/** Told the entry as it is when a change's turn comes, for an audit that credits each change with exactly what it changed. */
export type BeforeChange = (view: RemoteView | undefined) => void;

/** A stored entry as views show it: its settings, and whether it has a password (never the password). */
interface Entry {
  settings: RemoteSettings;
  hasPassword: boolean;
}

export interface FleetParts {
  store: Store;
  instanceId: string;
  tree: PointTree;
  events: HubEventBus;
  topology: TopologyRegistry;
  writes: WritePipeline;
  loggers: LoggerService;
  logger: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  /** Tells the other hubs sharing the store that the entries changed (pair/hub-pair.ts). */
  announce?: (topic: 'remotes') => Promise<void>;
  /**
   * One of a pair: while inactive, the remotes shut down then are mirrored from the active hub's
   * Remote I/O API (pair/pair-mirror.ts) instead of standing still.
   */
  mirrorsActive?: boolean;
}

export class RemoteFleet {
  readonly repo: RemoteRepo;
  private readonly links = new Map<string, RemoteLink>();
  private readonly statuses = new Map<string, RemoteStatus>();
  /** Each remote's settings changes, one after another. */
  private readonly changes = new Turns();
  private readonly sink: LinkSink;
  /** The stored entries by name, in the store's order. */
  private entries = new Map<string, Entry>();
  /** The tail of the reloads of `entries`: one after another, so the last one asked for is the last one kept. */
  private reloads: Promise<unknown> = Promise.resolve();
  private currentRole: HubRole = 'active';
  /** The tail of the role changes: each is stored, then kept, before the next. */
  private roleChanges: Promise<unknown> = Promise.resolve();
  /** The tail of the changes checked against every other entry (the ids their loggers take): one at a time. */
  private crossChecks: Promise<unknown> = Promise.resolve();
  private stopping = false;
  /** A standby's mirror of the active hub's tree, for the remotes it does not poll (a pair only). */
  private readonly mirror: PairMirror | undefined;
  /** The remotes mirrored from the active hub now, in the order they were opened. */
  private readonly mirrored = new Set<string>();

  constructor(private readonly parts: FleetParts) {
    // Every change made through the repo (the fleet's own, the demo's, the settings file's) is followed here.
    // Stored already: a failure to read it back or to tell the other hubs (which read it again
    // at their next reconnect) is logged, never reported as the change's own failure.
    this.repo = new RemoteRepo(parts.store, async () => {
      await this.reload().catch((error: unknown) => parts.logger.warn({ err: error }, 'could not read the remote entries again after a change'));
      await parts.announce?.('remotes').catch((error: unknown) => parts.logger.warn({ err: error }, 'could not tell the other hubs of a changed remote entry'));
    });
    this.sink = createLinkSink({ ...parts, status: (remote, change) => this.updateStatus(remote, change) });
    this.mirror = parts.mirrorsActive
      ? new PairMirror({ instanceId: parts.instanceId, sink: this.sink, mirrored: () => [...this.mirrored], statusOf: (remote) => this.statuses.get(remote), logger: parts.logger })
      : undefined;
  }

  /**
   * Mirrors the active hub of the pair `target` for the remotes shut down here; `undefined` while
   * this hub is the active one or the other has not said where it serves.
   */
  followActive(target: MirrorTarget | undefined): void {
    this.mirror?.follow(target);
  }

  /** Reads the entries and the role (unless `elected`) from the store: once, before the fleet is used. */
  async load(elected?: HubRole): Promise<void> {
    this.currentRole = elected ?? ((await readMeta(this.parts.store, 'role')) === 'inactive' ? 'inactive' : 'active');
    await this.reload();
  }

  get role(): HubRole {
    return this.currentRole;
  }

  /** Starts every remote's link, but those a change before the start has opened already. */
  async start(): Promise<void> {
    // In the store's order (the tree lists remotes in the order they were opened), each in its
    // remote's turn and as stored then: a change under way finishes first.
    for (const name of [...this.entries.keys()]) {
      await this.serialize(name, async () => {
        if (this.stopping || this.links.has(name)) return;
        const stored = await this.repo.get(name);
        if (stored && !this.stopping) this.open(stored);
      });
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Changes under way finish first, so that none opens a link after the others were stopped.
    await this.changes.settled();
    await Promise.all([...this.links.values()].map((link) => link.stop()));
    this.links.clear();
    await this.mirror?.stop();
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
    return [...this.entries.values()].map((entry) => this.view(entry));
  }

  get(name: string): RemoteView | undefined {
    const entry = this.entries.get(name);
    return entry && this.view(entry);
  }

  /** Whether an entry of that name is stored. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The settings of every stored entry, in the store's order. */
  settings(): RemoteSettings[] {
    return [...this.entries.values()].map((entry) => entry.settings);
  }

  /** Switches the high-availability role, kept in the store; links with `shutdownWhenInactive` follow it at once. */
  setRole(role: HubRole): Promise<void> {
    return this.changeRole(role, () => writeMeta(this.parts.store, 'role', role));
  }

  /**
   * Takes the role a pair's election gives this hub (pair/hub-pair.ts): not stored, since the
   * store is shared with the other hubs of the pair, whose roles differ.
   */
  followElection(role: HubRole): Promise<void> {
    // Told again with every news of the pair (who is active, where it serves): only a change of role reopens.
    return this.changeRole(role, async () => {}, { unlessSame: true });
  }

  private async changeRole(role: HubRole, store: () => Promise<void>, { unlessSame = false } = {}): Promise<void> {
    let changed = true;
    const stored = this.roleChanges.then(async () => {
      changed = !unlessSame || role !== this.currentRole;
      if (!changed) return;
      await store();
      this.currentRole = role;
    });
    this.roleChanges = stored.catch(() => undefined);
    await stored;
    if (!changed) return;
    const affected = [...this.entries.values()].filter((entry) => entry.settings.options.shutdownWhenInactive);
    for (const { settings } of affected) await this.serialize(settings.name, () => this.reopen(settings.name));
  }

  create(input: RemoteInput): Promise<Result<RemoteView>> {
    return this.serialize(input.name, async () => {
      const checked = validateRemote(input, undefined);
      if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
      const refused = await this.crossChecked(async () => {
        if (await this.repo.get(checked.settings.name)) {
          return fail(ERROR_CODES.CONFLICT, `a remote named ${checked.settings.name} exists already`, { name: 'is taken' });
        }
        const loggerClashes = await this.parts.loggers.clashes(checked.settings);
        if (loggerClashes) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', loggerClashes);
        await this.repo.insert(checked.settings, checked.password ?? '');
        return undefined;
      });
      if (refused) return refused;
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
      const refused = await this.crossChecked(async () => {
        const loggerClashes = await this.parts.loggers.clashes(checked.settings);
        if (loggerClashes) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', loggerClashes);
        if (checked.password === undefined && !sameServer(stored.settings, checked.settings)) return passwordAgain();
        await this.repo.update(checked.settings, checked.password);
        return undefined;
      });
      if (refused) return refused;
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
      await this.repo.update({ ...stored.settings, tls: 'pin', fingerprint }, undefined);
      await this.reopen(name);
      return ok(this.get(name) as RemoteView);
    });
  }

  delete(name: string, before?: BeforeChange): Promise<Result<{ name: string }>> {
    return this.change(name, before, async () => {
      await this.repo.delete(name);
      await this.close(name);
      await this.parts.loggers.deleteRemote(name);
      this.forget(name);
      this.parts.logger.info({ remote: name }, 'remote deleted');
      return ok({ name });
    });
  }

  /**
   * Follows the changes another hub sharing the store made (pair/hub-pair.ts): an entry added or
   * changed there is (re)opened here, one deleted there is closed and forgotten.
   */
  async sync(): Promise<void> {
    const before = this.entries;
    await this.reload();
    for (const name of new Set([...before.keys(), ...this.entries.keys()])) {
      const [was, now] = [before.get(name), this.entries.get(name)];
      if (was && now && JSON.stringify(was) === JSON.stringify(now)) continue;
      await this.serialize(name, async () => {
        if (this.stopping) return;
        if (this.entries.has(name)) return this.reopen(name);
        await this.close(name);
        this.forget(name);
      });
    }
  }

  /** What the hub knew of a deleted remote: its status, members, topology and points. */
  private forget(name: string): void {
    const { tree, events, topology, writes } = this.parts;
    this.statuses.delete(name);
    topology.forgetMembers(name);
    writes.forgetControlRefusal(name);
    topology.forget(name);
    events.emit('topology');
    const removed = tree.removeRemote(name);
    if (removed.length > 0) events.emit('removed', removed);
    events.emit('deleted', name);
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
        (view.enabled ? 'this hub is inactive and the entry is shut down while it is' : 'it is disabled: enable it to connect');
      return fail(ERROR_CODES.CONFLICT, `${name} is not polled, so there is nothing to retry: ${why}`);
    }
    link.retryNow();
    return ok(this.get(name) as RemoteView);
  }

  /** A change to an existing entry, in its remote's turn; `before` sees the entry as that turn finds it. */
  private change<T>(name: string, before: BeforeChange | undefined, apply: (stored: StoredRemote) => Promise<Result<T>>): Promise<Result<T>> {
    return this.serialize(name, async () => {
      before?.(this.get(name));
      const stored = await this.repo.get(name);
      return stored ? apply(stored) : fail(ERROR_CODES.NOT_FOUND, `no remote named ${name}`);
    });
  }

  /**
   * Runs a change whose checks read the other entries (the ids their loggers take) together with
   * its write, one such change at a time: two entries saved at once cannot both pass the check.
   * Resolves with the refusal, or `undefined` once the change is stored.
   */
  private crossChecked<T>(checkAndStore: () => Promise<T>): Promise<T> {
    const next = this.crossChecks.then(checkAndStore);
    this.crossChecks = next.catch(() => undefined);
    return next;
  }

  /** Reads the entries again, after what came before it: once it resolves, `entries` holds every change stored before it was asked for. */
  private reload(): Promise<void> {
    const next = this.reloads.then(async () => {
      const stored = await this.repo.list();
      this.entries = new Map(stored.map(({ settings, password }) => [settings.name, { settings, hasPassword: password !== '' }]));
    });
    this.reloads = next.catch(() => undefined);
    return next;
  }

  /** Runs changes to one remote one after another, in the order they were asked for. */
  private serialize<T>(name: string, change: () => Promise<T>): Promise<T> {
    return this.changes.run(name, change);
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

  private view(entry: Entry): RemoteView {
    const status = this.statuses.get(entry.settings.name) ?? NO_STATUS;
    return {
      ...entry.settings,
      hasPassword: entry.hasPassword,
      // The one point count (RemoteStatus.points): its datapoints and GUI variables, not the hub's own.
      status: { ...status, points: this.parts.tree.countOf(entry.settings.name) },
    };
  }

  /**
   * Puts a remote's stored settings in force: taken by its running link when they can be (`retune`),
   * else by a new link (not once the fleet is stopping).
   */
  private async reopen(name: string): Promise<void> {
    const stored = await this.repo.get(name);
    if (!(stored && (await this.retune(stored)))) {
      const wasMirrored = this.mirrored.has(name);
      await this.close(name);
      if (stored && !this.stopping) this.open(stored, { wasMirrored });
    }
    const view = this.get(name);
    if (view) this.parts.events.emit('remotes', [view]);
  }

  /**
   * Hands an entry's new settings to its running link when it can take them without reconnecting
   * (RemoteLink.retune): the remote stays online, its points live, where a restarted link showed it
   * offline and stale until its first answer. Its loggers' replication, which reads the remote with
   * a client of its own, restarts when their options or the answer cap changed.
   * Returns false when the remote must be reached anew: no link, or any other change.
   */
  private async retune(stored: StoredRemote): Promise<boolean> {
    const link = this.links.get(stored.settings.name);
    if (!link || stored.passwordError || this.stopping || !this.isPolled(stored.settings)) return false;
    const before = link.settings.options;
    if (!link.retune(stored.settings, stored.password)) return false;
    // Saved again, the entry asks control again, as a new link would (an admin may have allowed it).
    this.parts.writes.forgetControlRefusal(stored.settings.name);
    const after = stored.settings.options;
    if (REPLICATION_OPTIONS.some((option) => before[option] !== after[option])) {
      await this.parts.loggers.close(stored.settings.name);
      this.parts.loggers.open(stored.settings, stored.password);
    }
    return true;
  }

  /** Whether an entry's remote is polled by this hub (enabled, and not shut down while the hub is inactive). */
  private isPolled(settings: RemoteSettings): boolean {
    return settings.enabled && !(settings.options.shutdownWhenInactive && this.role === 'inactive');
  }

  /** `wasMirrored`: the remote was mirrored from the active hub until its entry changed. */
  private open(stored: StoredRemote, { wasMirrored = false } = {}): void {
    const { tree, events, topology, writes, loggers, instanceId } = this.parts;
    const { settings } = stored;
    const { name } = settings;
    const polled = this.isPolled(settings);
    // Mirrored before and after the change: shown as the active hub has it, which the change did
    // not alter, until its tree is read again (not inactive, offline or stale in between).
    const stillMirrored = wasMirrored && settings.enabled && !polled && this.mirror !== undefined;
    if (!stillMirrored) {
      // Until the link proves otherwise: offline, its points stale.
      tree.setOnline(name, false);
      tree.set('hub', `${name}.connection`, 'offline', name);
    }
    // A new link asks control again; a public-API remote takes no writes at all.
    writes.forgetControlRefusal(name);
    tree.setRemoteReadOnly(name, settings.options.api === 'public' ? publicApiReadOnly(name) : undefined);
    // None of a kind it no longer brings.
    const dropped = [
      ...(settings.options.io ? [] : tree.removeMissing(name, 'io', () => false)),
      ...(settings.options.ui && settings.options.api === 'extended' ? [] : tree.removeMissing(name, 'ui', () => false)),
    ];
    if (dropped.length > 0) events.emit('removed', dropped);
    // What the link will not read again must not linger: the devices, and a public remote's members.
    if (!settings.options.discovery || settings.options.api !== 'extended') topology.forget(name);
    if (settings.options.api !== 'extended') topology.forgetMembers(name);
    if (!polled) {
      // Mirrored, an entry changed while the active hub reports its remote down stays down since the same time.
      const offlineSince = settings.enabled && this.mirror ? this.statuses.get(name)?.offlineSince : undefined;
      if (!stillMirrored) this.statuses.set(name, { ...NO_STATUS, connection: settings.enabled ? 'inactive' : 'disabled', ...(offlineSince === undefined ? {} : { offlineSince }) });
      if (settings.enabled && this.mirror) {
        // Shown as the active hub has it, once its tree is read again with this remote in it.
        this.mirrored.add(name);
        this.mirror.refresh();
      }
      // Nothing is measured while it is not polled (the mirror brings what the active hub measured,
      // and brings it again when it reads the active hub's tree anew).
      if (stillMirrored) return;
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
    // The last one gone, the active hub is no longer read.
    if (this.mirrored.delete(name) && this.mirrored.size === 0) this.mirror?.refresh();
    await Promise.all([this.parts.loggers.close(name), link?.stop()]);
  }
}
