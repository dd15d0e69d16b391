/**
 * Every datapoint and GUI variable of every remote under its prefix, plus the hub's own points.
 * Two maps (datapoints and GUI variables may share a name), one small object per point, a change
 * applied in constant time. A point's state is derived from its remote's connection, so a remote
 * going offline marks all its points stale without touching them.
 */
import type { Point, PointKind } from '@riohub/hub-api';
import { underPrefix } from '@riohub/hub-api';

interface Entry {
  value: string;
  changedAt: number;
  /** The remote's name: a string shared by all its points, not a copy each. */
  remote: string;
  kind: PointKind;
}

export interface PointChange {
  point: Point;
  /** `false` for a silent alignment (a first full state with `startupevents` off). */
  event: boolean;
}

export type ChangeListener = (change: PointChange) => void;

export class PointTree {
  private readonly points = new Map<string, Entry>();
  private readonly gui = new Map<string, Entry>();
  private readonly offlineRemotes = new Set<string>();
  private readonly listeners = new Set<ChangeListener>();

  get size(): number {
    return this.points.size + this.gui.size;
  }

  /** Sets a point; returns whether its value changed (an equal value is no change). */
  set(kind: PointKind, name: string, value: string, remote: string, event = true): boolean {
    const map = kind === 'ui' ? this.gui : this.points;
    let entry = map.get(name);
    if (entry?.value === value) return false;
    const now = Date.now();
    if (entry) {
      entry.value = value;
      entry.changedAt = now;
    } else {
      entry = { value, changedAt: now, remote, kind };
      map.set(name, entry);
    }
    if (this.listeners.size > 0) {
      const point = this.toPoint(name, entry);
      for (const listener of this.listeners) listener({ point, event });
    }
    return true;
  }

  get(kind: 'io' | 'ui' | 'hub', name: string): Point | undefined {
    const entry = (kind === 'ui' ? this.gui : this.points).get(name);
    return entry && entry.kind === kind ? this.toPoint(name, entry) : undefined;
  }

  /** A point by name, datapoints first, then GUI variables. */
  find(name: string): Point | undefined {
    const entry = this.points.get(name) ?? this.gui.get(name);
    return entry && this.toPoint(name, entry);
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
      if (point.kind === 'hub') continue;
      for (const listener of this.listeners) listener({ point, event: false });
    }
  }

  /** Forgets a remote and all its points (the remote entry was deleted); returns their names. */
  removeRemote(remote: string): string[] {
    const removed: string[] = [];
    for (const map of [this.points, this.gui]) {
      for (const [name, entry] of map) {
        if (entry.remote === remote) {
          map.delete(name);
          removed.push(name);
        }
      }
    }
    this.offlineRemotes.delete(remote);
    return removed;
  }

  /** Every point of a remote. */
  *ofRemote(remote: string): Generator<Point> {
    for (const map of [this.points, this.gui]) {
      for (const [name, entry] of map) if (entry.remote === remote) yield this.toPoint(name, entry);
    }
  }

  countOf(remote: string): number {
    let count = 0;
    for (const map of [this.points, this.gui]) for (const entry of map.values()) if (entry.remote === remote) count++;
    return count;
  }

  /** Points under any of the prefixes, datapoints then GUI variables, in a stable order. */
  *under(prefixes: readonly string[]): Generator<Point> {
    for (const map of [this.points, this.gui]) {
      for (const [name, entry] of map) {
        if (prefixes.some((prefix) => underPrefix(name, prefix))) yield this.toPoint(name, entry);
      }
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private toPoint(name: string, entry: Entry): Point {
    const stale = entry.kind !== 'hub' && this.offlineRemotes.has(entry.remote);
    return { name, kind: entry.kind, value: entry.value, changedAt: entry.changedAt, remote: entry.remote, state: stale ? 'stale' : 'ok' };
  }
}
