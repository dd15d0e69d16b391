/**
 * The discovery configs the bridge keeps published, following the hub: a config appears with its
 * datapoint and goes (an empty retained message) with it or its remote, and all are published
 * again after a reconnection. A remote's configs wait until its topology is known, so that its
 * lights are never announced as text first because their point came before their device.
 * The config itself is made when it is sent, from the hub as it is then.
 */
import type { Device, Point, PointRef } from '@riohub/hub-api';
import type { CoalescingPublisher } from './coalescing-publisher';
import { devicesByName, discoveryEntry, shutterOfPosition, type DiscoveryOptions } from './ha-discovery';
import { remoteOf } from './mqtt-topics';
import type { BridgedHub } from './mqtt-bridge';

type DiscoveredKind = 'io' | 'hub';

export class HaDiscovery {
  /** Per kind and full name, the topic of its config, or `null` for a point that shows none. */
  private readonly entries: Record<DiscoveredKind, Map<string, string | null>> = { io: new Map(), hub: new Map() };
  /** Every config topic published now, to tell an earlier run's leftovers from today's. */
  private readonly topics = new Set<string>();
  /** Remotes whose topology is known (or that read none): their configs are published. */
  private readonly ready = new Set<string>();
  private devices: Map<string, Device> = new Map();

  constructor(
    private readonly hub: Pick<BridgedHub, 'points' | 'point' | 'topology' | 'remotes'>,
    private readonly publisher: CoalescingPublisher,
    private readonly options: DiscoveryOptions,
  ) {
    this.topologyChanged();
  }

  isCurrent(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** Whether a remote's configs are published (its topology known, or none to read): until then, an earlier run's may still be its. */
  isReady(remote: string): boolean {
    return this.ready.has(remote);
  }

  /** The devices or the set of remotes changed: every config is made again. */
  topologyChanged(): void {
    const topology = this.hub.topology();
    this.devices = devicesByName(topology);
    const withDevices = new Set(topology.map((device) => device.remote));
    for (const view of this.hub.remotes()) {
      const readsNone = !view.options.discovery || view.options.api === 'public';
      // A topology change while the remote is online follows its reading of riotopo (even an empty one).
      const online = this.hub.point(`${view.name}.connection`, 'hub')?.value === 'online';
      if (readsNone || online || withDevices.has(view.name)) this.ready.add(view.name);
    }
    for (const point of this.hub.points([''])) {
      if (point.kind !== 'ui') this.update(point.kind, point.name, true);
    }
  }

  /** A point's value changed: a point new to the bridge may bring a config. */
  pointSeen(point: Point): void {
    if (point.kind === 'ui' || this.entries[point.kind].has(point.name)) return;
    if (!this.ready.has(point.remote)) return;
    this.update(point.kind, point.name, false);
    // A shutter's position joins its cover.
    const shutter = point.kind === 'io' ? shutterOfPosition(point.name, this.devices) : undefined;
    if (shutter) this.update('io', shutter, true);
  }

  pointsRemoved(points: readonly PointRef[]): void {
    for (const { kind, name } of points) {
      if (kind === 'ui') continue;
      const topic = this.entries[kind].get(name);
      this.entries[kind].delete(name);
      if (topic) this.unpublish(topic);
      const shutter = kind === 'io' ? shutterOfPosition(name, this.devices) : undefined;
      if (shutter && this.entries.io.get(shutter)) this.update('io', shutter, true);
    }
  }

  remoteDeleted(remote: string): void {
    this.ready.delete(remote);
  }

  /** After a (re)connection: every config, again. */
  publishAll(): void {
    for (const kind of ['io', 'hub'] as const) {
      for (const [name, topic] of this.entries[kind]) if (topic) this.publish(kind, name, topic);
    }
  }

  /** Makes a point's config again; `force` publishes it even when its topic did not change. */
  private update(kind: DiscoveredKind, name: string, force: boolean): void {
    if (!this.ready.has(remoteOf(name))) return;
    const before = this.entries[kind].get(name);
    const entry = discoveryEntry(kind, name, this.devices, (point) => this.hub.point(point, 'io') !== undefined, this.options);
    const topic = entry?.topic ?? null;
    this.entries[kind].set(name, topic);
    if (before && before !== topic) this.unpublish(before);
    if (topic && (force || before !== topic)) this.publish(kind, name, topic);
  }

  private publish(kind: DiscoveredKind, name: string, topic: string): void {
    this.topics.add(topic);
    this.publisher.set(topic, () => {
      const entry = discoveryEntry(kind, name, this.devices, (point) => this.hub.point(point, 'io') !== undefined, this.options);
      return entry?.topic === topic ? JSON.stringify(entry.config) : '';
    });
  }

  private unpublish(topic: string): void {
    this.topics.delete(topic);
    this.publisher.set(topic, '');
  }
}
