/**
 * The hub's merged tree as a Remote I/O API source, so the hub can be concentrated in turn.
 * Datapoints are the remotes' datapoints under their prefixes plus the hub's own per-remote points
 * (`<remote>.connection`, `<remote>.time.delta`, …); GUI variables are the remotes' GUI variables.
 * A change store of its own mirrors the tree: it gives every change a place on one clock, so a
 * long-poll costs work in proportion to what it returns, not to the size of the tree. The mirror
 * begins when the store is first read, which only a client let in does: a hub whose API is off (the
 * default) or never read keeps no second copy of its points and hears no point's news. Each datapoint
 * is served with its quality (PROTOCOL.md part B): stale while its remote is offline or stale below
 * it, so the hubs above show it stale too; the hub's own points are always ok.
 */
import type { Entry, HsycoTopology, LoggerInfo, LogPage, NameFilter, Quality, QualityEntry, Write, WriteResult } from '@riohub/protocol';
import { ChangeStore, type Kind, type RioSource } from '@riohub/rio-server';
import type { Point, PointKind, PointRef } from '@riohub/hub-api';
import type { Hub } from '../hub';

/** Replicated data loggers, as far as the served API needs them: read from the hub's store. */
export interface ServedLoggers {
  list(): Promise<LoggerInfo[]>;
  /** Samples with time > `after`, oldest first, at most `limit`; `undefined` for an unknown id. */
  read(id: string, after: number, limit: number): Promise<LogPage | undefined>;
}

/** Served kind of a tree kind: the hub's own points are datapoints like any other. */
function servedKind(kind: PointKind): Kind {
  return kind === 'ui' ? 'ui' : 'io';
}

/**
 * A change store that asks for its contents when it is first read: every read goes through
 * `fill` first (a flag check once filled). Changes made before are the mirror's own, once filling.
 */
class MirrorStore extends ChangeStore {
  constructor(private readonly fill: () => void) {
    super();
  }

  override get origin(): number {
    this.fill();
    return super.origin;
  }

  override get timestamp(): number {
    this.fill();
    return super.timestamp;
  }

  override knows(timestamp: number): boolean {
    this.fill();
    return super.knows(timestamp);
  }

  override get(kind: Kind, name: string): string | undefined {
    this.fill();
    return super.get(kind, name);
  }

  override has(kind: Kind, name: string): boolean {
    this.fill();
    return super.has(kind, name);
  }

  override size(kind: Kind): number {
    this.fill();
    return super.size(kind);
  }

  override quality(name: string): Quality {
    this.fill();
    return super.quality(name);
  }

  override changesSince(kind: Kind, timestamp: number, filter: NameFilter): Entry[] {
    this.fill();
    return super.changesSince(kind, timestamp, filter);
  }

  override qualityChangesSince(timestamp: number, filter: NameFilter): QualityEntry[] {
    this.fill();
    return super.qualityChangesSince(timestamp, filter);
  }

  override staleNames(filter: NameFilter): QualityEntry[] {
    this.fill();
    return super.staleNames(filter);
  }

  override all(kind: Kind, filter: NameFilter): Entry[] {
    this.fill();
    return super.all(kind, filter);
  }
}

export class HubSource implements RioSource {
  readonly store: ChangeStore = new MirrorStore(() => this.startMirror());
  private topotimeValue = Date.now();
  private mirroring = false;
  private closed = false;
  private stopMirror: (() => void) | undefined;
  private readonly stopListening: () => void;
  private readonly onRemoved = (points: PointRef[]) => {
    for (const { kind, name } of points) {
      // A remote's datapoint and the hub's own point of the same name are one served name: the
      // hub's point gone, the datapoint it hid is served again.
      if (kind === 'io' && this.hub.point(name, 'hub')) continue;
      const hidden = kind === 'hub' ? this.hub.point(name, 'io') : undefined;
      if (hidden) this.mirror(hidden);
      else this.store.delete(servedKind(kind), name);
    }
  };
  private readonly onTopology = () => {
    this.topotimeValue = Math.max(Date.now(), this.topotimeValue + 1);
  };

  constructor(
    private readonly hub: Hub,
    private readonly servedLoggers: ServedLoggers,
  ) {
    this.stopListening = hub.listen({ topology: this.onTopology });
  }

  close(): void {
    this.closed = true;
    this.stopListening();
    this.stopMirror?.();
  }

  /** Copies the tree into the store and follows its changes from then on; once. */
  private startMirror(): void {
    if (this.mirroring || this.closed) return;
    this.mirroring = true;
    for (const point of this.hub.points([''])) this.mirror(point);
    this.stopMirror = this.hub.listen({ point: (point) => this.mirror(point), removed: this.onRemoved });
  }

  private mirror(point: Point): void {
    // The hub's own point wins over a remote's datapoint of the same name.
    if (point.kind === 'io' && this.hub.point(point.name, 'hub')) return;
    const kind = servedKind(point.kind);
    this.store.set(kind, point.name, point.value);
    // GUI variables carry no quality: part B qualifies datapoints, by a name a GUI variable may share.
    if (kind === 'io') this.store.setQuality(point.name, point.state);
  }

  topology(): HsycoTopology {
    return {
      topotime: this.topotimeValue,
      locations: this.hub.topologyLocations(),
      devices: this.hub.topology().map((device) => [device.name, device.params] as const),
    };
  }

  topotime(): number {
    return this.topotimeValue;
  }

  members(): readonly string[] {
    return this.hub.members();
  }

  write(kind: Kind, writes: readonly Write[], client: string): Promise<WriteResult> {
    return this.hub.writeForwarded(kind, writes, client);
  }

  loggers(): Promise<readonly LoggerInfo[]> {
    return this.servedLoggers.list();
  }

  readLog(id: string, after: number, limit: number): Promise<LogPage | undefined> {
    return this.servedLoggers.read(id, after, limit);
  }
}
