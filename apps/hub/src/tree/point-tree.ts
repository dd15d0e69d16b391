/**
 * Every datapoint and GUI variable of every remote under its prefix, plus the hub's own points.
 * One map per kind (a remote's datapoint `connection` and the hub's `<remote>.connection` must not
 * meet), one small object per point, a change applied in constant time. A point is stale while its
 * remote is offline (derived from the remote's connection, so a remote going offline marks all its
 * points stale without touching them) or while the remote itself says it is stale (PROTOCOL.md part
 * B `quality`: its owner, further below, is unreachable). A point is read only, with the reason,
 * when it is one of the hub's own, when its remote takes no writes (`setRemoteReadOnly`), or when it
 * is a reading (`setReadings`, and any I/O server's `.connection`): REST and WebSocket both say so.
 */
import type { Point, PointKind, PointRef } from '@riohub/hub-api';
import { underPrefix } from '@riohub/hub-api';

interface Entry {
  value: string;
  changedAt: number;
  /** The remote's name: a string shared by all its points, not a copy each. */
  remote: string;
  kind: PointKind;
  /** The remote serves it as stale (`quality`): the server that owns it, below the remote, is unreachable. */
  staleBelow: boolean;
}

export interface PointChange {
  point: Point;
  /** `false` for a silent alignment (a first full state with `startupevents` off). */
  event: boolean;
}

export type ChangeListener = (change: PointChange) => void;

const KINDS: readonly PointKind[] = ['io', 'ui', 'hub'];

/** Why the hub's own points cannot be written. */
export const OWN_POINT_READ_ONLY = 'a datapoint of the hub itself';
/** Why `<I/O server>.connection` cannot be written (HSYCO sets it; the simulator refuses writes). */
export const CONNECTION_READ_ONLY = "an I/O server's connection state";
/** Why a hub below's own clock points (`<its remote>.time.delta`, `.time.alarm`) cannot be written. */
export const HUB_BELOW_READ_ONLY = 'a clock reading of a hub below';
/** A hub's own clock points, as a hub above sees them below a remote's prefix: `<remote>.time.delta`. */
const HUB_CLOCK_POINT = /^[a-z0-9_-]+\.time\.(?:delta|alarm)$/;

const NO_ENTRIES: ReadonlyMap<string, Entry> = new Map<string, Entry>();

export class PointTree {
  private readonly maps: Record<PointKind, Map<string, Entry>> = { io: new Map(), ui: new Map(), hub: new Map() };
  private readonly offlineRemotes = new Set<string>();
  /** Remotes that take no writes (control refused, public API), with why. */
  private readonly readOnlyRemotes = new Map<string, string>();
  /** Per remote, its datapoints known to be readings (a shutter's `.pos`), with why. */
  private readonly readings = new Map<string, ReadonlyMap<string, string>>();
  private readonly listeners = new Set<ChangeListener>();
  /**
   * The same entries by remote, so that what concerns one remote (a full state, going offline,
   * quality, read-only flags, deletion) costs its own points, not every point of every remote.
   */
  private readonly byRemote = new Map<string, Record<PointKind, Map<string, Entry>>>();

  get size(): number {
    return this.maps.io.size + this.maps.ui.size + this.maps.hub.size;
  }

  /** Sets a point; returns whether its value changed (an equal value is no change). */
  set(kind: PointKind, name: string, value: string, remote: string, event = true): boolean {
    const map = this.maps[kind];
    let entry = map.get(name);
    if (entry?.value === value) return false;
    const now = Date.now();
    if (entry) {
      entry.value = value;
      entry.changedAt = now;
    } else {
      entry = { value, changedAt: now, remote, kind, staleBelow: false };
      map.set(name, entry);
      this.indexOf(remote)[kind].set(name, entry);
    }
    if (this.listeners.size > 0) {
      const point = this.toPoint(name, entry);
      for (const listener of this.listeners) listener({ point, event });
    }
    return true;
  }

  get(kind: PointKind, name: string): Point | undefined {
    const entry = this.maps[kind].get(name);
    return entry && this.toPoint(name, entry);
  }

  /** A point by name: a datapoint, else a GUI variable, else one of the hub's own. */
  find(name: string): Point | undefined {
    for (const kind of KINDS) {
      const entry = this.maps[kind].get(name);
      if (entry) return this.toPoint(name, entry);
    }
    return undefined;
  }

  delete(kind: PointKind, name: string): boolean {
    const entry = this.maps[kind].get(name);
    if (!entry) return false;
    this.maps[kind].delete(name);
    this.unindex(entry.remote, kind, name);
    return true;
  }

  private indexOf(remote: string): Record<PointKind, Map<string, Entry>> {
    let index = this.byRemote.get(remote);
    if (!index) {
      index = { io: new Map(), ui: new Map(), hub: new Map() };
      this.byRemote.set(remote, index);
    }
    return index;
  }

  private unindex(remote: string, kind: PointKind, name: string): void {
    const index = this.byRemote.get(remote);
    if (!index) return;
    index[kind].delete(name);
    if (index.io.size + index.ui.size + index.hub.size === 0) this.byRemote.delete(remote);
  }

  /** A remote's points of one kind, by name. */
  private entriesOf(remote: string, kind: PointKind): ReadonlyMap<string, Entry> {
    return this.byRemote.get(remote)?.[kind] ?? NO_ENTRIES;
  }

  /** Forgets a remote's points of one kind that `present` (full names) does not hold; returns them. */
  removeMissing(remote: string, kind: PointKind, present: (name: string) => boolean): PointRef[] {
    const removed: PointRef[] = [];
    for (const name of [...this.entriesOf(remote, kind).keys()]) {
      if (present(name)) continue;
      this.maps[kind].delete(name);
      this.unindex(remote, kind, name);
      removed.push({ kind, name });
    }
    return removed;
  }

  /**
   * Marks a remote's point stale or ok as the remote serves it (`quality`); listeners hear about
   * every flip. An unknown point is no change. Returns whether it flipped.
   */
  setStaleBelow(kind: PointKind, name: string, stale: boolean): boolean {
    const entry = this.maps[kind].get(name);
    if (!entry || entry.kind === 'hub' || entry.staleBelow === stale) return false;
    entry.staleBelow = stale;
    if (this.listeners.size > 0) {
      const point = this.toPoint(name, entry);
      for (const listener of this.listeners) listener({ point, event: false });
    }
    return true;
  }

  /** Whether the remote serves this point as stale (its owner further below is unreachable). */
  isStaleBelow(kind: PointKind, name: string): boolean {
    return this.maps[kind].get(name)?.staleBelow ?? false;
  }

  /**
   * Marks every point of a remote's kind stale below or ok, as a whole state's `quality` says: the
   * names `stale` holds are stale, every other is ok. Listeners hear about every flip.
   */
  replaceStaleBelow(remote: string, kind: PointKind, stale: (name: string) => boolean): void {
    for (const name of this.entriesOf(remote, kind).keys()) this.setStaleBelow(kind, name, stale(name));
  }

  isOnline(remote: string): boolean {
    return !this.offlineRemotes.has(remote);
  }

  /** Marks a remote's points stale (offline) or ok; listeners hear about every point that flips. */
  setOnline(remote: string, online: boolean): void {
    if (online === this.isOnline(remote)) return;
    if (online) this.offlineRemotes.delete(remote);
    else this.offlineRemotes.add(remote);
    if (this.listeners.size === 0) return;
    for (const point of this.ofRemote(remote)) {
      // A point stale from below stays stale: no flip to hear about.
      if (point.kind === 'hub' || this.isStaleBelow(point.kind, point.name)) continue;
      for (const listener of this.listeners) listener({ point, event: false });
    }
  }

  /**
   * Marks every point of a remote read only, with why (`undefined`: writable again); listeners hear
   * about every point whose flag changes.
   */
  setRemoteReadOnly(remote: string, reason: string | undefined): void {
    if (this.readOnlyRemotes.get(remote) === reason) return;
    const before = this.listeners.size > 0 ? this.readOnlyOfRemote(remote) : undefined;
    if (reason === undefined) this.readOnlyRemotes.delete(remote);
    else this.readOnlyRemotes.set(remote, reason);
    if (before) this.announceReadOnlyFlips(remote, before);
  }

  remoteReadOnly(remote: string): string | undefined {
    return this.readOnlyRemotes.get(remote);
  }

  /**
   * Replaces the datapoints of a remote known to be readings (full names, with why), as its
   * topology says; listeners hear about every point whose flag changes.
   */
  setReadings(remote: string, readings: ReadonlyMap<string, string>): void {
    const known = this.readings.get(remote);
    if ((known?.size ?? 0) === 0 && readings.size === 0) return;
    const before = this.listeners.size > 0 ? this.readOnlyOfRemote(remote) : undefined;
    if (readings.size === 0) this.readings.delete(remote);
    else this.readings.set(remote, readings);
    if (before) this.announceReadOnlyFlips(remote, before);
  }

  private readOnlyOfRemote(remote: string): Map<string, string | undefined> {
    const flags = new Map<string, string | undefined>();
    for (const kind of KINDS) {
      if (kind === 'hub') continue;
      for (const [name, entry] of this.entriesOf(remote, kind)) flags.set(`${kind}:${name}`, this.readOnlyOf(name, entry));
    }
    return flags;
  }

  private announceReadOnlyFlips(remote: string, before: Map<string, string | undefined>): void {
    for (const kind of KINDS) {
      if (kind === 'hub') continue;
      for (const [name, entry] of this.entriesOf(remote, kind)) {
        if (before.get(`${kind}:${name}`) === this.readOnlyOf(name, entry)) continue;
        const point = this.toPoint(name, entry);
        for (const listener of this.listeners) listener({ point, event: false });
      }
    }
  }

  /** Forgets a remote and all its points (the remote entry was deleted); returns them. */
  removeRemote(remote: string): PointRef[] {
    const removed: PointRef[] = [];
    for (const kind of KINDS) removed.push(...this.removeMissing(remote, kind, () => false));
    this.offlineRemotes.delete(remote);
    this.readOnlyRemotes.delete(remote);
    this.readings.delete(remote);
    return removed;
  }

  /** Every point of a remote. */
  *ofRemote(remote: string): Generator<Point> {
    for (const kind of KINDS) {
      for (const [name, entry] of this.entriesOf(remote, kind)) yield this.toPoint(name, entry);
    }
  }

  /** A remote's datapoints and GUI variables, not the hub's own points about it (RemoteStatus.points). */
  countOf(remote: string): number {
    return this.entriesOf(remote, 'io').size + this.entriesOf(remote, 'ui').size;
  }

  /** Points under any of the prefixes, datapoints, GUI variables, then the hub's, in a stable order. */
  *under(prefixes: readonly string[]): Generator<Point> {
    for (const kind of KINDS) {
      for (const [name, entry] of this.maps[kind]) {
        if (prefixes.some((prefix) => underPrefix(name, prefix))) yield this.toPoint(name, entry);
      }
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Why a point cannot be written, or `undefined`. */
  private readOnlyOf(name: string, entry: Entry): string | undefined {
    if (entry.kind === 'hub') return OWN_POINT_READ_ONLY;
    const remote = this.readOnlyRemotes.get(entry.remote);
    if (remote !== undefined || entry.kind !== 'io') return remote;
    const reading = this.readings.get(entry.remote)?.get(name);
    if (reading !== undefined) return reading;
    if (name.endsWith('.connection')) return CONNECTION_READ_ONLY;
    // The suffix first: this runs for every point of every snapshot.
    const clock = (name.endsWith('.delta') || name.endsWith('.alarm')) && HUB_CLOCK_POINT.test(name.slice(entry.remote.length + 1));
    if (clock) return HUB_BELOW_READ_ONLY;
    return undefined;
  }

  private toPoint(name: string, entry: Entry): Point {
    const stale = entry.kind !== 'hub' && (entry.staleBelow || this.offlineRemotes.has(entry.remote));
    const point: Point = { name, kind: entry.kind, value: entry.value, changedAt: entry.changedAt, remote: entry.remote, state: stale ? 'stale' : 'ok' };
    const readOnly = this.readOnlyOf(name, entry);
    if (readOnly !== undefined) point.readOnly = readOnly;
    return point;
  }
}
