/**
 * The MQTT bridge (docs/mqtt.md): every point's value retained at its topic, `…/set` commands
 * through the hub's one write pipeline, the hub's status with `offline` as the will, and Home
 * Assistant discovery. A feature with a lifecycle: `start()` follows the settings (each change
 * reconnects), `stop()` removes every listener it added to the hub.
 *
 * The hub is never held up by the broker: a change only sets the topic's latest value in the
 * coalescing publisher, which sends when and as fast as the broker takes it; after every
 * (re)connection the whole state is published again, so what the broker missed, or forgot in a
 * restart, is back. Retained messages an earlier run left for points that no longer exist (or
 * for remotes no longer configured) are cleared once the remote's state is known.
 */
import {
  ERROR_CODES,
  type Device,
  type MqttStatus,
  type MqttWriteReport,
  type Point,
  type PointKind,
  type PointRef,
  type RemoteView,
  type Result,
  type WriteOrigin,
  type WriteRecord,
  type WriteRequest,
} from '@riohub/hub-api';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { HubListeners } from '../hub-events';
import { CoalescingPublisher } from './coalescing-publisher';
import { configTopicPattern, discoveryFilter } from './ha-discovery';
import { HaDiscovery } from './ha-discovery-state';
import { loadMqttClient, MqttConnection } from './mqtt-connection';
import type { MqttSettings, MqttSettingsValue } from './mqtt-settings';
import { namespaceFilters, parseTopic, remoteOf, stateTopic, statusTopic, writesTopic } from './mqtt-topics';

/** What the bridge needs of the hub. */
export interface BridgedHub {
  /** The site's id, shared by the hubs of a pair: the broker and Home Assistant see one site whichever hub is active. */
  readonly siteId: string;
  /** On PostgreSQL: only the active hub of a pair is on the broker. */
  readonly pair?: { readonly active: boolean };
  listen(listeners: HubListeners): () => void;
  points(prefixes: readonly string[]): Iterable<Point>;
  point(name: string, kind?: PointKind): Point | undefined;
  topology(): Device[];
  remotes(): RemoteView[];
  write(request: WriteRequest, origin: WriteOrigin): Promise<Result<WriteRecord>>;
}

export interface BridgeLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Writes from MQTT under way at once, past which a `set` is refused as busy: a flood never queues. */
const MAX_WRITES_IN_FLIGHT = 64;

const OFF: MqttStatus = { state: 'off', since: Date.now() };

export class MqttBridge {
  private connection: MqttConnection | undefined;
  private readonly publisher = new CoalescingPublisher();
  private discovery: HaDiscovery | undefined;
  /** This hub's discovery config topics, today's and an earlier run's. */
  private configTopic = /^$/;
  /** The connected client, for what is sent at once rather than coalesced (write reports). */
  private client: MqttClient | undefined;
  private settings: MqttSettingsValue;
  private stopListening: (() => void) | undefined;
  private unsubscribeSettings: (() => void) | undefined;
  private unsubscribePair: (() => void) | undefined;
  private offStatus: MqttStatus = OFF;
  private writesInFlight = 0;
  /**
   * Per state topic, the value last handed to the publisher since the connection: a `point` event
   * that leaves it as it is (a flip of the point's state or read-only flag) publishes nothing.
   */
  private readonly published = new Map<string, string>();
  /**
   * Per remote, retained topics of an earlier run whose points are not (yet) here, to clear once
   * the remote is online (a discovery config: once its topology is known too).
   */
  private readonly orphans = new Map<string, Map<string, PointRef>>();
  /** Settings changes one after another, so that two connections never overlap. */
  private change: Promise<void> = Promise.resolve();
  private readonly statusListeners = new Set<(status: MqttStatus) => void>();

  constructor(
    private readonly hub: BridgedHub,
    private readonly store: MqttSettings,
    private readonly logger: BridgeLogger,
  ) {
    this.settings = store.current();
  }

  get status(): MqttStatus {
    return this.connection?.status ?? this.offStatus;
  }

  /** Told every change of the connection's status (metrics, tests). */
  onStatus(listener: (status: MqttStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Resolves once the settings changes asked for so far are applied (the new connection begun). */
  settled(): Promise<void> {
    return this.change;
  }

  start(): void {
    this.unsubscribeSettings = this.store.onChange((settings) => void this.apply(this.acting() ? settings : undefined));
    // A standby of a pair leaves the broker to the active hub: one publisher of the site's
    // topics, and one hub acting on each `set`.
    this.unsubscribePair = this.hub.listen({ pair: () => void this.apply(this.acting() ? this.store.current() : undefined) });
    void this.apply(this.acting() ? this.store.current() : undefined);
  }

  async stop(): Promise<void> {
    this.unsubscribeSettings?.();
    this.unsubscribePair?.();
    await this.apply(undefined);
  }

  /** Whether this hub is the one on the broker: alone, or the active hub of a pair. */
  private acting(): boolean {
    return this.hub.pair?.active ?? true;
  }

  /** Takes new settings (`undefined`: stop): the old connection ends before the new one begins. */
  private apply(settings: MqttSettingsValue | undefined): Promise<void> {
    this.change = this.change.then(async () => {
      await this.close();
      if (!settings?.enabled) {
        this.offStatus = { state: 'off', since: Date.now() };
        this.emitStatus(this.offStatus);
        return;
      }
      this.open(settings, await loadMqttClient());
    });
    return this.change;
  }

  private open(settings: MqttSettingsValue, Client: typeof MqttClient): void {
    this.settings = settings;
    this.publisher.clear();
    this.published.clear();
    this.orphans.clear();
    this.configTopic = configTopicPattern({ instanceId: this.hub.siteId, discoveryPrefix: settings.discoveryPrefix });
    this.discovery = settings.discovery
      ? new HaDiscovery(this.hub, this.publisher, {
          instanceId: this.hub.siteId,
          baseTopic: settings.baseTopic,
          discoveryPrefix: settings.discoveryPrefix,
          allowWrites: settings.allowWrites,
          qos: settings.qos,
        })
      : undefined;
    this.stopListening = this.hub.listen({
      point: (point) => this.onPoint(point),
      removed: (points) => this.onRemoved(points),
      topology: () => this.onTopology(),
      deleted: (remote) => this.onDeleted(remote),
    });
    let loggedError: string | undefined;
    const connection = new MqttConnection(settings, Client, {
      connected: (client) => this.connected(client),
      lost: () => {
        this.client = undefined;
        this.publisher.attach(undefined);
      },
      message: (topic, payload, packet) => this.onMessage(topic, payload, packet),
      status: (status) => {
        // Logged when the reason changes, not at every retry.
        if (status.state === 'reconnecting' && status.error !== loggedError) this.logger.warn({ mqtt: settings.url, error: status.error }, 'MQTT broker unreachable: retrying');
        loggedError = status.state === 'reconnecting' ? status.error : undefined;
        this.emitStatus(status);
      },
    });
    this.connection = connection;
    this.emitStatus(connection.status);
    connection.start();
  }

  private async close(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    this.client = undefined;
    this.publisher.attach(undefined);
    const connection = this.connection;
    this.connection = undefined;
    await connection?.stop({ topic: statusTopic(this.settings.baseTopic), payload: 'offline', qos: this.settings.qos });
  }

  private emitStatus(status: MqttStatus): void {
    for (const listener of this.statusListeners) listener(status);
  }

  /** Subscribes, then publishes everything: the status, every config, every point. */
  private connected(client: MqttClient): void {
    const { baseTopic, qos } = this.settings;
    this.logger.info({ mqtt: this.settings.url, clientId: this.settings.clientId }, 'MQTT bridge connected');
    this.client = client;
    // No Local: the bridge's own publishes do not come back to it; commands and retained leftovers do.
    const filters = [...namespaceFilters(baseTopic), discoveryFilter({ instanceId: this.hub.siteId, discoveryPrefix: this.settings.discoveryPrefix })];
    client.subscribe(filters, { qos, nl: true, rap: false, rh: 0 });
    this.publisher.attach(
      (topic, payload, retain) =>
        new Promise<void>((resolve, reject) => client.publish(topic, payload, { qos, retain }, (error) => (error ? reject(error) : resolve()))),
    );
    this.publisher.set(statusTopic(baseTopic), 'online');
    this.discovery?.publishAll();
    this.published.clear();
    for (const point of this.hub.points([''])) this.publishState(stateTopic(baseTopic, point.kind, point.name), point.value);
  }

  /**
   * Every `point` event publishes the point's value as it is now, unless it is the one published
   * last: no event is taken for a flag flip by its timestamp (an answer applied over more than a
   * second would lose its changes).
   */
  private onPoint(point: Point): void {
    const topic = stateTopic(this.settings.baseTopic, point.kind, point.name);
    if (this.published.get(topic) !== point.value) this.publishState(topic, point.value);
    this.discovery?.pointSeen(point);
    if (point.kind === 'hub' && point.value === 'online' && point.name === `${point.remote}.connection`) this.clearOrphans(point.remote);
  }

  private publishState(topic: string, value: string): void {
    this.published.set(topic, value);
    this.publisher.set(topic, value);
  }

  private onRemoved(points: readonly PointRef[]): void {
    for (const { kind, name } of points) {
      const topic = stateTopic(this.settings.baseTopic, kind, name);
      this.published.delete(topic);
      this.publisher.set(topic, '');
    }
    this.discovery?.pointsRemoved(points);
  }

  /** A remote's topology known: its configs are made, then an earlier run's that none of them replaced go. */
  private onTopology(): void {
    this.discovery?.topologyChanged();
    for (const remote of [...this.orphans.keys()]) this.clearOrphans(remote);
  }

  private onDeleted(remote: string): void {
    this.clearOrphans(remote, true);
    this.discovery?.remoteDeleted(remote);
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket): void {
    if (this.configTopic.test(topic)) {
      if (packet.retain && payload.length > 0) this.leftoverConfig(topic, payload);
      return;
    }
    const parsed = parseTopic(this.settings.baseTopic, topic);
    if (!parsed) return;
    // A retained command would be carried out again at every reconnection: never taken.
    if (packet.retain) {
      if (!parsed.command && payload.length > 0) this.leftoverState(topic, parsed.point);
      return;
    }
    if (!parsed.command) return;
    // `a/b/set` with a point `a.b.set` and none `a.b` is that point's state, published by another client.
    if (!this.hub.point(parsed.point.name, parsed.point.kind) && this.hub.point(`${parsed.point.name}.set`, parsed.point.kind)) return;
    void this.command(parsed.point, payload.toString('utf8'));
  }

  /** A `…/set`: through the write pipeline, refused as from the dashboard, its outcome on `<base>/writes`. */
  private async command({ kind, name }: PointRef, value: string): Promise<void> {
    const user = `mqtt ${this.settings.clientId}`;
    const refuse = (code: string, error: string) => this.report({ ok: false, name, kind, value, code, error, user });
    if (!this.settings.allowWrites) return refuse('writes-off', 'writes from MQTT are off (Settings → MQTT, allowWrites): nothing was sent');
    if (kind === 'hub') return refuse(ERROR_CODES.READ_ONLY, `${name} is a datapoint of the hub itself: nothing was sent`);
    if (this.writesInFlight >= MAX_WRITES_IN_FLIGHT) return refuse(ERROR_CODES.BUSY, `${MAX_WRITES_IN_FLIGHT} writes from MQTT are under way: nothing was sent`);
    this.writesInFlight++;
    try {
      const result = await this.hub.write({ name, value, kind }, { user, via: 'mqtt' });
      if (result.ok) {
        const { id, status } = result.data;
        this.report({ ok: true, name, kind, value, status, id, user });
      } else {
        const record = result.error.record;
        this.report({ ok: false, name, kind, value, code: result.error.code, error: result.error.message, ...(record ? { id: record.id } : {}), user });
      }
    } finally {
      this.writesInFlight--;
    }
  }

  /** Not retained, and each one sent: a report is an event, not a state. */
  private report(report: MqttWriteReport): void {
    this.client?.publish(writesTopic(this.settings.baseTopic), JSON.stringify(report), { qos: this.settings.qos, retain: false });
  }

  private leftoverState(topic: string, point: PointRef): void {
    if (this.hub.point(point.name, point.kind)) return;
    this.orphan(topic, point);
  }

  private leftoverConfig(topic: string, payload: Buffer): void {
    const discovery = this.discovery;
    if (!discovery) {
      // Discovery is off: whatever this hub announced before goes.
      this.publisher.set(topic, '');
      return;
    }
    if (discovery.isCurrent(topic)) return;
    let stateOf: string | undefined;
    try {
      stateOf = (JSON.parse(payload.toString('utf8')) as { state_topic?: unknown }).state_topic as string | undefined;
    } catch {
      stateOf = undefined;
    }
    const parsed = typeof stateOf === 'string' ? parseTopic(this.settings.baseTopic, stateOf) : undefined;
    // A config of another base topic, or unreadable: nothing of this run will publish it again.
    if (!parsed) this.publisher.set(topic, '');
    else this.orphan(topic, parsed.point);
  }

  /** A retained topic of an earlier run: cleared now if it can be told stale, else once it can. */
  private orphan(topic: string, point: PointRef): void {
    const remote = remoteOf(point.name);
    if (this.decidable(topic, remote)) {
      this.clearIfStale(topic, point);
      return;
    }
    const waiting = this.orphans.get(remote) ?? new Map<string, PointRef>();
    waiting.set(topic, point);
    this.orphans.set(remote, waiting);
  }

  /**
   * Whether an earlier run's topic of `remote` can be told stale now: the remote is gone, or online
   * and, for a discovery config, its topology known (before it, every config of the remote would
   * look stale, and Home Assistant would delete and add again each entity, losing what was edited).
   */
  private decidable(topic: string, remote: string): boolean {
    if (!this.hub.remotes().some((view) => view.name === remote)) return true;
    if (this.hub.point(`${remote}.connection`, 'hub')?.value !== 'online') return false;
    return !this.configTopic.test(topic) || !this.discovery || this.discovery.isReady(remote);
  }

  /** Clears what of `remote`'s leftovers can now be told stale (`all`: the remote is gone, every one). */
  private clearOrphans(remote: string, all = false): void {
    const waiting = this.orphans.get(remote);
    if (!waiting) return;
    for (const [topic, point] of waiting) {
      if (!all && !this.decidable(topic, remote)) continue;
      waiting.delete(topic);
      this.clearIfStale(topic, point);
    }
    if (waiting.size === 0) this.orphans.delete(remote);
  }

  private clearIfStale(topic: string, point: PointRef): void {
    if (this.discovery?.isCurrent(topic)) return;
    if (!this.configTopic.test(topic) && this.hub.point(point.name, point.kind)) return;
    this.publisher.set(topic, '');
  }
}
