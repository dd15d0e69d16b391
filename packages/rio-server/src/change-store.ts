/**
 * The datapoints and GUI variables of a Remote I/O server on one change clock, and the quality of
 * its datapoints (PROTOCOL.md part B) on the same clock. Each keeps its names in a list ordered by
 * last change, so "what changed after T" walks back from the newest change and costs work in
 * proportion to the answer, never to the number of names.
 */
import type { Entry, NameFilter, Quality, QualityEntry } from '@riohub/protocol';

export type Kind = 'io' | 'ui';

interface Node {
  readonly name: string;
  value: string;
  /** The change clock value of this name's last change. */
  time: number;
  older: Node | undefined;
  newer: Node | undefined;
}

class ChangeList {
  readonly nodes = new Map<string, Node>();
  newest: Node | undefined;
  oldest: Node | undefined;

  /** Moves an existing node to the newest end, or appends a new one. */
  touch(node: Node): void {
    if (this.newest === node) return;
    if (node.older) node.older.newer = node.newer;
    if (node.newer) node.newer.older = node.older;
    if (this.oldest === node) this.oldest = node.newer;
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
  }
}

/** Takes a name's node out of a list; returns whether it was there. */
function unlink(list: ChangeList, name: string): boolean {
  const node = list.nodes.get(name);
  if (!node) return false;
  list.nodes.delete(name);
  if (node.older) node.older.newer = node.newer;
  if (node.newer) node.newer.older = node.older;
  if (list.newest === node) list.newest = node.older;
  if (list.oldest === node) list.oldest = node.newer;
  return true;
}

/** Microseconds since the epoch, from the wall clock. */
function wallClockMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export class ChangeStore {
  private readonly lists: Record<Kind, ChangeList> = { io: new ChangeList(), ui: new ChangeList() };
  /**
   * Datapoints whose quality ever changed, by last quality change; a name never marked is ok. An
   * `ok` node is kept, so that a client learns of the return to ok as a change.
   */
  private readonly qualities = new ChangeList();
  /** How many datapoints are stale now: a full state lists them, and none is the usual case. */
  private staleCount = 0;
  private readonly listeners = new Set<() => void>();
  /**
   * Every change of this store is later than this; an older client timestamp is from another run,
   * or from before a name was deleted (a deletion cannot be sent as a change: such a client gets
   * the full state, from which it learns what is gone).
   */
  private floor: number;
  private last: number;

  constructor(private readonly clock: () => number = wallClockMicros) {
    this.floor = clock();
    this.last = this.floor;
  }

  /** The earliest timestamp this store can answer with changes. */
  get origin(): number {
    return this.floor;
  }

  /** The change clock: the time of the last change, strictly increasing. */
  get timestamp(): number {
    return this.last;
  }

  /** Whether a client's timestamp can be answered with changes (else it gets the full state). */
  knows(timestamp: number): boolean {
    return timestamp >= this.floor && timestamp <= this.last;
  }

  get(kind: Kind, name: string): string | undefined {
    return this.lists[kind].nodes.get(name)?.value;
  }

  has(kind: Kind, name: string): boolean {
    return this.lists[kind].nodes.has(name);
  }

  size(kind: Kind): number {
    return this.lists[kind].nodes.size;
  }

  /** Sets a value; a value equal to the current one is no change. Returns whether it changed. */
  set(kind: Kind, name: string, value: string): boolean {
    const list = this.lists[kind];
    let node = list.nodes.get(name);
    if (node?.value === value) return false;
    this.last = Math.max(this.last + 1, this.clock());
    if (node) {
      node.value = value;
      node.time = this.last;
    } else {
      node = { name, value, time: this.last, older: undefined, newer: undefined };
      list.nodes.set(name, node);
    }
    list.touch(node);
    for (const listener of this.listeners) listener();
    return true;
  }

  /** A datapoint's quality: `ok` unless it was marked stale. */
  quality(name: string): Quality {
    return this.qualities.nodes.get(name)?.value === 'stale' ? 'stale' : 'ok';
  }

  /**
   * Marks a datapoint stale (its value is the last one known) or ok again, as a change on the
   * change clock. Marking it as it is is no change. Returns whether it changed.
   */
  setQuality(name: string, quality: Quality): boolean {
    if (this.quality(name) === quality) return false;
    this.last = Math.max(this.last + 1, this.clock());
    let node = this.qualities.nodes.get(name);
    if (node) {
      node.value = quality;
      node.time = this.last;
    } else {
      node = { name, value: quality, time: this.last, older: undefined, newer: undefined };
      this.qualities.nodes.set(name, node);
    }
    this.staleCount += quality === 'stale' ? 1 : -1;
    this.qualities.touch(node);
    for (const listener of this.listeners) listener();
    return true;
  }

  /** Forgets a name; every client is then sent the full state once. Returns whether it existed. */
  delete(kind: Kind, name: string): boolean {
    const list = this.lists[kind];
    if (!unlink(list, name)) return false;
    // A datapoint's quality goes with it; a full state (which every client gets next) tells the rest.
    if (kind === 'io') {
      if (this.quality(name) === 'stale') this.staleCount--;
      unlink(this.qualities, name);
    }
    this.forgetHistory();
    return true;
  }

  /**
   * Makes every earlier timestamp unknown, so that every client is sent the full state once: for
   * what cannot be sent as a change, such as names the server stopped exposing.
   */
  forgetHistory(): void {
    this.last = Math.max(this.last + 1, this.clock());
    this.floor = this.last;
    for (const listener of this.listeners) listener();
  }

  /** The names of a kind changed after `timestamp` that pass `filter`, oldest change first. */
  changesSince(kind: Kind, timestamp: number, filter: NameFilter): Entry[] {
    const changes: Entry[] = [];
    for (let node = this.lists[kind].newest; node && node.time > timestamp; node = node.older) {
      if (filter(node.name)) changes.push([node.name, node.value]);
    }
    return changes.reverse();
  }

  /** The datapoints that pass `filter` whose quality changed after `timestamp`, oldest change first. */
  qualityChangesSince(timestamp: number, filter: NameFilter): QualityEntry[] {
    const changes: QualityEntry[] = [];
    for (let node = this.qualities.newest; node && node.time > timestamp; node = node.older) {
      if (filter(node.name)) changes.push([node.name, node.value as Quality]);
    }
    return changes.reverse();
  }

  /** Every stale datapoint that passes `filter`. */
  staleNames(filter: NameFilter): QualityEntry[] {
    const stale: QualityEntry[] = [];
    if (this.staleCount === 0) return stale;
    for (const node of this.qualities.nodes.values()) {
      if (node.value === 'stale' && filter(node.name)) stale.push([node.name, 'stale']);
    }
    return stale;
  }

  /** Every name of a kind that passes `filter`. */
  all(kind: Kind, filter: NameFilter): Entry[] {
    const entries: Entry[] = [];
    for (const node of this.lists[kind].nodes.values()) {
      if (filter(node.name)) entries.push([node.name, node.value]);
    }
    return entries;
  }

  /** Called after every change; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
