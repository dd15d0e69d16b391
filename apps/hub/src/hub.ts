/**
 * The hub's core, apart from any web framework, put together from its parts:
 * - the tree of every remote's points (tree/point-tree.ts);
 * - the remote entries, their links and statuses, the high-availability role (remotes/remote-fleet.ts);
 * - the merged topology and the remotes' members (topology/topology-registry.ts);
 * - the one write pipeline and its log (writes/write-pipeline.ts);
 * - replicated data loggers (loggers/logger-service.ts) and the storage's health (db/storage-health.ts);
 * - on PostgreSQL, its standing among the hubs sharing the database (pair/hub-pair.ts): only the
 *   active one replicates loggers and sends writes, and its role follows the election.
 * Everything it tells its listeners is one typed event map (hub-events.ts): the hub is that bus.
 */
import { confirmationHasListener, ERROR_CODES, fail, ok, type ConnectionTest, type Device, type PairStanding, type Point, type PointKind, type RemoteChange, type RemoteInput, type RemoteView, type Result, type StorageStatus, type WriteOrigin, type WriteRecord, type WriteRequest } from '@riohub/hub-api';
import type { Write, WriteResult } from '@riohub/protocol';
import { readMeta, type Store } from './db/store';
import { StorageHealth } from './db/storage-health';
import { HubEventBus } from './hub-events';
import { testConnection } from './links/connection-test';
import { LoggerService } from './loggers/logger-service';
import type { ForwardedWrite, HubPair } from './pair/hub-pair';
import { RemoteFleet, type BeforeChange, type HubRole } from './remotes/remote-fleet';
import type { RemoteRepo } from './remotes/remote-repo';
import { TopologyRegistry } from './topology/topology-registry';
import { PointTree, type JsonEnvelope } from './tree/point-tree';
import { WritePipeline } from './writes/write-pipeline';

export type { HubRole } from './remotes/remote-fleet';
export type { HubEvents } from './hub-events';

export interface HubOptions {
  /** This hub's own id when the store is shared (PostgreSQL): kept in its data folder. Else kept in the store. */
  instanceId?: string;
  pair?: HubPair;
}

export interface HubLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export class Hub extends HubEventBus {
  readonly instanceId: string;
  /** Replicated data loggers: storage, replication per remote, queries. */
  readonly loggers: LoggerService;
  /** Whether the store takes writes; reads and live values go on while it does not. */
  readonly storage: StorageHealth;
  /** The one way a value reaches a remote, and the write log. */
  readonly writes: WritePipeline;
  private readonly tree = new PointTree();
  private readonly fleet: RemoteFleet;
  private readonly topologies: TopologyRegistry;
  private readonly stopListening: (() => void)[] = [];
  private running = false;
  private stopped = false;

  /**
   * The hub on `store`: its instance id is read from the store (made on the first start), and
   * what its parts keep there is loaded before it is handed out.
   */
  static async create(store: Store, logger: HubLogger, options: HubOptions = {}): Promise<Hub> {
    let siteId = await readMeta(store, 'instance_id');
    if (!siteId) {
      siteId = crypto.randomUUID();
      // Two hubs of a pair starting together on a new database: the first one's id is the site's.
      await store.run("INSERT INTO meta (key, value) VALUES ('instance_id', ?) ON CONFLICT (key) DO NOTHING", [siteId]);
      siteId = (await readMeta(store, 'instance_id')) ?? siteId;
    }
    const hub = new Hub(store, options.instanceId ?? siteId, siteId, logger, options.pair);
    const elected = options.pair?.active;
    await hub.fleet.load(elected === undefined ? undefined : elected ? 'active' : 'inactive');
    // Elected otherwise while loading (before the hub listened): followed now.
    if (options.pair && options.pair.active !== elected) await hub.followStanding(options.pair.standing());
    else hub.followActive();
    return hub;
  }

  private constructor(
    store: Store,
    instanceId: string,
    /** The id kept in the store: this hub's own on SQLite, the whole pair's on PostgreSQL. */
    readonly siteId: string,
    logger: HubLogger,
    /** On PostgreSQL: the election among the hubs sharing the database. */
    readonly pair?: HubPair,
  ) {
    super();
    this.instanceId = instanceId;
    this.storage = new StorageHealth(store, logger);
    this.loggers = new LoggerService(store, logger, () => this.fleet.settings(), this.storage, { fence: pair && ((tx) => pair.fence(tx)), replicating: pair?.active ?? true });
    this.topologies = new TopologyRegistry(instanceId, this.tree, this);
    this.writes = new WritePipeline(store, this.storage, this.tree, this, {
      link: (remote) => this.fleet.link(remote),
      connection: (remote) => this.fleet.connection(remote),
      exists: (remote) => this.fleet.has(remote),
      standing: () => this.pair?.standing(),
      forward: pair && ((request, origin) => pair.forward(request, origin)),
      forwardMany: pair && ((kind, writes, origin) => pair.forwardMany(kind, writes, origin)),
      fence: pair && ((tx) => pair.fence(tx)),
    }, logger);
    this.fleet = new RemoteFleet({
      store,
      instanceId,
      tree: this.tree,
      events: this,
      topology: this.topologies,
      writes: this.writes,
      loggers: this.loggers,
      logger,
      announce: pair && ((topic) => pair.announce(topic)),
      mirrorsActive: pair !== undefined,
    });
    // The tree, the loggers and the storage tell the hub; listeners hear the hub only.
    const onStorage = (status: StorageStatus) => this.emit('storage', status);
    this.storage.on('change', onStorage);
    // Followed even while the store fails (a hub deposed for losing the database): a remote that
    // cannot be read again now is logged, and taken up at the next change or start.
    const onStanding = (standing: PairStanding) =>
      void this.followStanding(standing).catch((error: unknown) => logger.warn({ err: error }, 'could not follow the pair standing in full'));
    // What another hub changed in the store: its remote entries are followed here.
    const onNotice = (topic: string) => {
      if (topic === 'remotes' || topic === '*') void this.fleet.sync().catch((error: unknown) => logger.warn({ err: error }, 'could not follow the remote entries changed by another hub'));
    };
    // A standby's write, for this hub while it is the active one: written as its own, then answered.
    const onForwarded = (forwarded: ForwardedWrite) => {
      const { id, from, origin } = forwarded;
      const names = 'request' in forwarded ? [forwarded.request.name] : forwarded.batch.writes.map(([name]) => name);
      logger.info({ from, names, user: origin.user }, 'write forwarded by a standby');
      const written = 'request' in forwarded ? this.writes.writeOne(forwarded.request, origin) : this.writes.writeMany(forwarded.batch.kind, forwarded.batch.writes, origin);
      void written.then((result) => pair?.answer(id, result)).catch((error: unknown) => logger.warn({ err: error, from }, 'a write forwarded by a standby could not be answered'));
    };
    // A write confirmed on the active hub is news for its writer's dashboards on the standbys too
    // (a standby forwards its operators' writes): they hear it from here, as the active hub's do.
    let relaying = false;
    const onConfirmed = (record: WriteRecord) => {
      if (relaying || !pair?.active || !confirmationHasListener(record)) return;
      pair.announceConfirmed(record.id).catch((error: unknown) => logger.warn({ err: error, write: record.id }, 'the standbys were not told of a confirmed write'));
    };
    const relayConfirmed = async (writeId: number) => {
      let record: WriteRecord | undefined;
      try {
        record = await this.writes.log.get(writeId);
      } catch (error) {
        return logger.warn({ err: error, write: writeId }, 'a write confirmed on the active hub could not be read');
      }
      // As stored: a confirmation the active hub could not store is not one here either.
      if (record?.status !== 'confirmed') return;
      // Not told back to the other hubs, should this one have become the active one meanwhile.
      relaying = true;
      try {
        this.emit('confirmed', record);
      } catch (error) {
        logger.error({ err: error, write: writeId }, 'a listener failed on a confirmed write');
      } finally {
        relaying = false;
      }
    };
    const onConfirmedOnActive = (writeId: number) => void relayConfirmed(writeId);
    this.on('confirmed', onConfirmed);
    pair?.on('change', onStanding);
    pair?.on('notice', onNotice);
    pair?.on('forwarded', onForwarded);
    pair?.on('confirmed', onConfirmedOnActive);
    this.stopListening.push(
      () => this.off('confirmed', onConfirmed),
      () => pair?.off('change', onStanding),
      () => pair?.off('notice', onNotice),
      () => pair?.off('forwarded', onForwarded),
      () => pair?.off('confirmed', onConfirmedOnActive),
      this.tree.onChange((point, event) => this.emit('point', point, event)),
      this.loggers.onChange(() => this.emit('loggers')),
      () => this.storage.off('change', onStorage),
    );
  }

  /** The remote entries' store (the settings file and the demo read it directly). */
  get repo(): RemoteRepo {
    return this.fleet.repo;
  }

  get role(): HubRole {
    return this.fleet.role;
  }

  /** Whether the links and logger replication have started, and not begun to stop (readiness). */
  get started(): boolean {
    return this.running;
  }

  /** Starts every remote's link, but those a change before the start has opened already. */
  async start(): Promise<void> {
    this.loggers.start();
    await this.fleet.start();
    // Unless it was stopped while its links were opening.
    this.running = !this.stopped;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    await this.fleet.stop();
    await this.loggers.stop();
    this.storage.close();
    this.writes.stop();
    for (const stop of this.stopListening.splice(0)) stop();
  }

  /** Sets the role by hand (SQLite); a pair's role is elected, and this refuses. */
  async setRole(role: HubRole): Promise<Result<HubRole>> {
    if (this.pair) return fail(ERROR_CODES.CONFLICT, 'the role of a hub on PostgreSQL is elected among the hubs sharing the database: stop the active hub to hand over', { role: 'is elected' });
    await this.fleet.setRole(role);
    return ok(role);
  }

  /** A pair's standing changed: the role, the loggers and the listeners follow it. */
  private async followStanding(standing: PairStanding): Promise<void> {
    this.emit('pair', standing);
    this.loggers.setReplicating(standing.active);
    try {
      await this.fleet.followElection(standing.active ? 'active' : 'inactive');
    } finally {
      this.followActive();
    }
  }

  /** A standby mirrors the active hub's tree, where that hub says it serves it; the active hub mirrors nothing. */
  private followActive(): void {
    const pair = this.pair;
    if (!pair) return;
    const api = pair.activeApi();
    const key = pair.peerKey;
    const refused = api && pair.refusesToSend(api);
    const name = pair.standing().activeHub?.name ?? 'the active hub';
    this.fleet.followActive(api && key ? { api, key, name, ...(refused ? { refused } : {}) } : undefined);
  }

  // Points

  /** Every point under any of the prefixes (`''`: all), in the tree's order. */
  points(prefixes: readonly string[]): Iterable<Point> {
    return this.tree.under(prefixes);
  }

  /**
   * The points of `points(prefixes)`, in its order, as JSON (`JSON.stringify` of each Point) joined
   * by commas, `per` points a text in UTF-8 inside `envelope`, written straight from the tree
   * without making the Points: for snapshots of a million points. Yields every full text, and
   * returns the rest (maybe no point).
   */
  pointsAsJson(prefixes: readonly string[], per: number, envelope: JsonEnvelope): Generator<Buffer, Buffer> {
    return this.tree.underAsJson(prefixes, per, envelope);
  }

  /** One point by kind and full name; without a kind, the datapoint, else the GUI variable, else the hub's own. */
  point(name: string, kind?: PointKind): Point | undefined {
    return kind ? this.tree.get(kind, name) : this.tree.find(name);
  }

  get pointCount(): number {
    return this.tree.size;
  }

  // Remotes

  remotes(): RemoteView[] {
    return this.fleet.list();
  }

  remote(name: string): RemoteView | undefined {
    return this.fleet.get(name);
  }

  createRemote(input: RemoteInput): Promise<Result<RemoteView>> {
    return this.fleet.create(input);
  }

  /**
   * Changes run one after another per remote. `before` is told the entry as it is when this
   * change's turn comes (after those queued ahead of it), for the audit.
   */
  updateRemote(name: string, change: RemoteChange, before?: BeforeChange): Promise<Result<RemoteView>> {
    return this.fleet.update(name, change, before);
  }

  trustCertificate(name: string, fingerprint: string, before?: BeforeChange): Promise<Result<RemoteView>> {
    return this.fleet.trust(name, fingerprint, before);
  }

  deleteRemote(name: string, before?: BeforeChange): Promise<Result<{ name: string }>> {
    return this.fleet.delete(name, before);
  }

  retryRemote(name: string): Result<RemoteView> {
    return this.fleet.retry(name);
  }

  testConnection(input: RemoteInput): Promise<Result<ConnectionTest>> {
    return testConnection(input, this.fleet.repo, this.instanceId);
  }

  // Topology

  topology(): Device[] {
    return this.topologies.devices();
  }

  /** The locations of every remote's topology, their ids prefixed like its devices. */
  topologyLocations(): [string, string][] {
    return this.topologies.locations();
  }

  /** This hub's instance id, then every id its remotes report (PROTOCOL.md `members`). */
  members(): string[] {
    return this.topologies.members();
  }

  // Writes

  /** One value from the dashboard, the REST API or MQTT, through the write pipeline. */
  write(request: WriteRequest, origin: WriteOrigin): Promise<Result<WriteRecord>> {
    return this.writes.writeOne(request, origin);
  }

  /** Values from a client of the hub's own Remote I/O API at `address`, all or nothing, through the write pipeline. */
  writeForwarded(kind: 'io' | 'ui', writes: readonly Write[], address: string): Promise<WriteResult> {
    return this.writes.writeMany(kind, writes, { user: `remote API client ${address}`, via: 'remote-io' });
  }
}
