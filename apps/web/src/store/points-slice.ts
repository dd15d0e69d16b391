/**
 * Every point the socket delivered. The map is changed in place and a version bumped, and each
 * changed point is a new object: a row that selects its own point re-renders only when that
 * point changed. `keys` is replaced only when points come or go.
 */
import type { Point, PointRef } from '@riohub/hub-api';
import type { StateCreator } from 'zustand';

export type PointKey = string;

export function pointKey(kind: string, name: string): PointKey {
  return `${kind}:${name}`;
}

export interface PointsSlice {
  points: Map<PointKey, Point>;
  /** Sorted by name: the order lists show. */
  keys: PointKey[];
  pointsVersion: number;
  /** Epoch ms of the newest change seen per remote. */
  lastChange: Map<string, number>;
  /** Datapoints and GUI variables per remote (the hub's own points not counted). */
  counts: Map<string, number>;
  replacePoints(points: Point[]): void;
  applyPoints(points: Point[]): void;
  removePoints(refs: PointRef[]): void;
}

/** The sorted keys and the per-remote counts: recomputed only when points come or go. */
function membership(points: Map<PointKey, Point>): { keys: PointKey[]; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  for (const point of points.values()) if (point.kind !== 'hub') counts.set(point.remote, (counts.get(point.remote) ?? 0) + 1);
  return { keys: sortedKeys(points), counts };
}

function sortedKeys(points: Map<PointKey, Point>): PointKey[] {
  return [...points.keys()].sort((a, b) => {
    const nameA = a.slice(a.indexOf(':') + 1);
    const nameB = b.slice(b.indexOf(':') + 1);
    return nameA < nameB ? -1 : nameA > nameB ? 1 : a < b ? -1 : 1;
  });
}

function noteChange(lastChange: Map<string, number>, point: Point): void {
  if (point.kind === 'hub') return;
  if ((lastChange.get(point.remote) ?? 0) < point.changedAt) lastChange.set(point.remote, point.changedAt);
}

export const createPointsSlice: StateCreator<PointsSlice, [], [], PointsSlice> = (set, get) => ({
  points: new Map(),
  keys: [],
  pointsVersion: 0,
  lastChange: new Map(),
  counts: new Map(),
  replacePoints(points) {
    const map = new Map<PointKey, Point>();
    const lastChange = new Map<string, number>();
    for (const point of points) {
      map.set(pointKey(point.kind, point.name), point);
      noteChange(lastChange, point);
    }
    set({ points: map, ...membership(map), lastChange, pointsVersion: get().pointsVersion + 1 });
  },
  applyPoints(points) {
    const { points: map, lastChange } = get();
    let added = false;
    for (const point of points) {
      const key = pointKey(point.kind, point.name);
      if (!map.has(key)) added = true;
      map.set(key, point);
      noteChange(lastChange, point);
    }
    set({ pointsVersion: get().pointsVersion + 1, ...(added ? membership(map) : {}) });
  },
  removePoints(refs) {
    const { points: map } = get();
    for (const { kind, name } of refs) map.delete(pointKey(kind, name));
    set({ ...membership(map), pointsVersion: get().pointsVersion + 1 });
  },
});
