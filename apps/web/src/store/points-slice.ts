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
  /** In natural order of names (`autom.2` before `autom.10`): the order lists show. */
  keys: PointKey[];
  pointsVersion: number;
  /** Epoch ms of the newest change seen per remote. */
  lastChange: Map<string, number>;
  /** Datapoints and GUI variables per remote (the hub's own points not counted). */
  counts: Map<string, number>;
  /** Everything, as a snapshot brings it: its points, or the chunks gathered as they came. */
  replacePoints(points: readonly Point[] | SnapshotPoints): void;
  applyPoints(points: Point[]): void;
  removePoints(refs: PointRef[]): void;
}

/** Longer runs of digits are compared as text: no name segment is a number that large. */
const MAX_NUMBER_DIGITS = 15;
const ZEROS = '0'.repeat(MAX_NUMBER_DIGITS);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * A string whose plain order is the natural order of names: every run of digits padded to the
 * same width, so `light.2` (`light.000…02`) sorts before `light.10`. Made once per point and
 * sort, so sorting 50,000 names compares plain strings instead of parsing numbers at every
 * comparison; a scan rather than a regular expression, as it runs for every name in one task.
 */
export function naturalSortKey(name: string): string {
  let key = '';
  let copied = 0;
  for (let i = 0; i < name.length; ) {
    if (!isDigit(name.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < name.length && isDigit(name.charCodeAt(end))) end++;
    if (end - i <= MAX_NUMBER_DIGITS) {
      key += name.slice(copied, i) + ZEROS.slice(end - i);
      copied = i;
    }
    i = end;
  }
  return copied === 0 ? name : key + name.slice(copied);
}

type SortEntry = [sortKey: string, key: PointKey];

/** The keys by name, then by key (its kind), in natural order. */
function inOrder(entries: SortEntry[]): PointKey[] {
  // The hub sends points nearly in order: the sort (a merge of runs) is quick on them.
  entries.sort(([a, keyA], [b, keyB]) => (a < b ? -1 : a > b ? 1 : keyA < keyB ? -1 : keyA > keyB ? 1 : 0));
  return entries.map(([, key]) => key);
}

function sortedKeys(points: Map<PointKey, Point>): PointKey[] {
  const entries: SortEntry[] = [];
  for (const [key, point] of points) entries.push([naturalSortKey(point.name), key]);
  return inOrder(entries);
}

function noteChange(lastChange: Map<string, number>, point: Point): void {
  if (point.kind === 'hub') return;
  if ((lastChange.get(point.remote) ?? 0) < point.changedAt) lastChange.set(point.remote, point.changedAt);
}

function countsOf(points: Map<PointKey, Point>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const point of points.values()) if (point.kind !== 'hub') counts.set(point.remote, (counts.get(point.remote) ?? 0) + 1);
  return counts;
}

/** The sorted keys and the per-remote counts: recomputed only when points come or go. */
function membership(points: Map<PointKey, Point>): { keys: PointKey[]; counts: Map<string, number> } {
  return { keys: sortedKeys(points), counts: countsOf(points) };
}

/**
 * A snapshot's points gathered chunk by chunk, each indexed and given its sort key as it arrives:
 * the work is spread over the chunks' messages, and the last one only sorts and swaps them in
 * (50,000 points in one task would keep the page from drawing for too long).
 */
export class SnapshotPoints {
  readonly points = new Map<PointKey, Point>();
  readonly order: SortEntry[] = [];
  readonly lastChange = new Map<string, number>();

  add(points: readonly Point[]): void {
    for (const point of points) {
      const key = pointKey(point.kind, point.name);
      if (!this.points.has(key)) this.order.push([naturalSortKey(point.name), key]);
      this.points.set(key, point);
      noteChange(this.lastChange, point);
    }
  }
}

export const createPointsSlice: StateCreator<PointsSlice, [], [], PointsSlice> = (set, get) => ({
  points: new Map(),
  keys: [],
  pointsVersion: 0,
  lastChange: new Map(),
  counts: new Map(),
  replacePoints(points) {
    let snapshot = points;
    if (!(snapshot instanceof SnapshotPoints)) {
      snapshot = new SnapshotPoints();
      snapshot.add(points as readonly Point[]);
    }
    const { points: map, order, lastChange } = snapshot;
    set({ points: map, keys: inOrder(order), counts: countsOf(map), lastChange, pointsVersion: get().pointsVersion + 1 });
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
