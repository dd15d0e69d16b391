/**
 * The datapoints and GUI variables of a Remote I/O server on one change clock, and the quality of
 * its datapoints (PROTOCOL.md part B) on the same clock. Each keeps its names in a list ordered by
 * last change, so "what changed after T" walks back from the newest change and costs work in
 * proportion to the answer, never to the number of names. Names are kept in columns, a slot each,
 * not an object each: a hub re-serving a million points holds them all.
 */
import { entryOf, type Entry, type NameFilter, type Quality, type QualityEntry } from '@riohub/protocol';

export type Kind = 'io' | 'ui';

const NONE = -1;
const INITIAL_CAPACITY = 16;

/**
 * Names on one change clock, in columns: a slot per name (its value, the clock value of its last
 * change, and its neighbours in the list ordered by last change), no object per name.
 */
class ChangeList {
  /** Slot by name, in the order the names came. */
  readonly slots = new Map<string, number>();
  names: string[] = [];
  values: string[] = [];
  times = new Float64Array(INITIAL_CAPACITY);
  older = new Int32Array(INITIAL_CAPACITY);
  newer = new Int32Array(INITIAL_CAPACITY);
  newest = NONE;
  oldest = NONE;
  private free: number[] = [];

  /** A name's value and time, set at a new slot at the newest end, or moved there. */
  set(name: string, value: string, time: number): void {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = this.add(name);
    } else {
      this.unlink(slot);
    }
    this.values[slot] = value;
    this.times[slot] = time;
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = slot;
    this.newest = slot;
    if (this.oldest === NONE) this.oldest = slot;
  }

  /** Takes a name out; returns whether it was there. */
  delete(name: string): boolean {
    const slot = this.slots.get(name);
    if (slot === undefined) return false;
    this.slots.delete(name);
    this.unlink(slot);
    this.names[slot] = '';
    this.values[slot] = '';
    this.free.push(slot);
    return true;
  }

  private add(name: string): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.names.length;
      if (slot === this.times.length) this.grow();
      this.names.push(name);
      this.values.push('');
    } else {
      this.names[slot] = name;
    }
    this.slots.set(name, slot);
    return slot;
  }

  private unlink(slot: number): void {
    const older = this.older[slot] as number;
    const newer = this.newer[slot] as number;
    if (older !== NONE) this.newer[older] = newer;
    if (newer !== NONE) this.older[newer] = older;
    if (this.newest === slot) this.newest = older;
    if (this.oldest === slot) this.oldest = newer;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    times.set(this.times);
    this.times = times;
    const older = new Int32Array(capacity);
    older.set(this.older);
    this.older = older;
    const newer = new Int32Array(capacity);
    newer.set(this.newer);
    this.newer = newer;
  }
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
    const list = this.lists[kind];
    const slot = list.slots.get(name);
    return slot === undefined ? undefined : list.values[slot];
  }

  has(kind: Kind, name: string): boolean {
    return this.lists[kind].slots.has(name);
  }

  size(kind: Kind): number {
    return this.lists[kind].slots.size;
  }

  /** Sets a value; a value equal to the current one is no change. Returns whether it changed. */
  set(kind: Kind, name: string, value: string): boolean {
    const list = this.lists[kind];
    const slot = list.slots.get(name);
    if (slot !== undefined && list.values[slot] === value) return false;
    this.last = Math.max(this.last + 1, this.clock());
    list.set(name, value, this.last);
    for (const listener of this.listeners) listener();
    return true;
  }

  /** A datapoint's quality: `ok` unless it was marked stale. */
  quality(name: string): Quality {
    const slot = this.qualities.slots.get(name);
    return slot !== undefined && this.qualities.values[slot] === 'stale' ? 'stale' : 'ok';
  }

  /**
   * Marks a datapoint stale (its value is the last one known) or ok again, as a change on the
   * change clock. Marking it as it is is no change. Returns whether it changed.
   */
  setQuality(name: string, quality: Quality): boolean {
    if (this.quality(name) === quality) return false;
    this.last = Math.max(this.last + 1, this.clock());
    this.qualities.set(name, quality, this.last);
    this.staleCount += quality === 'stale' ? 1 : -1;
    for (const listener of this.listeners) listener();
    return true;
  }

  /** Forgets a name; every client is then sent the full state once. Returns whether it existed. */
  delete(kind: Kind, name: string): boolean {
    if (!this.lists[kind].delete(name)) return false;
    // A datapoint's quality goes with it; a full state (which every client gets next) tells the rest.
    if (kind === 'io') {
      if (this.quality(name) === 'stale') this.staleCount--;
      this.qualities.delete(name);
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
    const { names, values, times, older, newest } = this.lists[kind];
    const changes: Entry[] = [];
    for (let slot = newest; slot !== NONE && (times[slot] as number) > timestamp; slot = older[slot] as number) {
      const name = names[slot] as string;
      if (filter(name)) changes.push(entryOf(name, values[slot] as string));
    }
    return changes.reverse();
  }

  /** The datapoints that pass `filter` whose quality changed after `timestamp`, oldest change first. */
  qualityChangesSince(timestamp: number, filter: NameFilter): QualityEntry[] {
    const { names, values, times, older, newest } = this.qualities;
    const changes: QualityEntry[] = [];
    for (let slot = newest; slot !== NONE && (times[slot] as number) > timestamp; slot = older[slot] as number) {
      const name = names[slot] as string;
      if (filter(name)) changes.push(entryOf(name, values[slot] as Quality));
    }
    return changes.reverse();
  }

  /** Every stale datapoint that passes `filter`. */
  staleNames(filter: NameFilter): QualityEntry[] {
    const stale: QualityEntry[] = [];
    if (this.staleCount === 0) return stale;
    const { values } = this.qualities;
    for (const [name, slot] of this.qualities.slots) {
      if (values[slot] === 'stale' && filter(name)) stale.push(entryOf(name, 'stale'));
    }
    return stale;
  }

  /** Every name of a kind that passes `filter`. */
  all(kind: Kind, filter: NameFilter): Entry[] {
    const { slots, values } = this.lists[kind];
    const entries: Entry[] = [];
    for (const [name, slot] of slots) {
      if (filter(name)) entries.push(entryOf(name, values[slot] as string));
    }
    return entries;
  }

  /** Called after every change; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
