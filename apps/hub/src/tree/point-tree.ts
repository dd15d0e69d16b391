/**
 * Every datapoint and GUI variable of every remote under its prefix, plus the hub's own points.
 * Kinds are kept apart (a remote's datapoint `connection` and the hub's `<remote>.connection` must
 * not meet). A point's name is its remote's name, a dot, then the remote's own name for it; the tree
 * keeps, per remote and kind, that own name (the very string the remote's answer brought) and the
 * point's value, change time and quality in columns, a slot per point: no object per point, and the
 * prefixed name is only made when a point is handed out. A change is applied in constant time, and
 * what concerns one remote (a full state, going offline, quality, read-only flags, deletion, its
 * count) costs its own points, not every point of every remote.
 *
 * A point is stale while its remote is offline (derived from the remote's connection, so a remote
 * going offline marks all its points stale without touching them) or while the remote itself says
 * it is stale (PROTOCOL.md part B `quality`: its owner, further below, is unreachable). A point is
 * read only, with the reason, when it is one of the hub's own, when its remote takes no writes
 * (`setRemoteReadOnly`), or when it is a reading (`setReadings`, and any I/O server's `.connection`):
 * REST and WebSocket both say so.
 */
import type { Point, PointKind, PointRef } from '@riohub/hub-api';
import { Utf8Text } from './utf8-text';

/**
 * A changed point, and `event`: `false` for a silent alignment (a first full state with
 * `startupevents` off). Two arguments, not an object of both, for the reason `TreePoint` gives.
 */
export type ChangeListener = (point: Point, event: boolean) => void;

/** What goes around each text of points written as JSON (`underAsJson`): the JSON of a message that holds them. */
export interface JsonEnvelope {
  open: string;
  close: string;
  /** Instead of `close`, after the last text. */
  lastClose: string;
}

const NO_ENVELOPE: JsonEnvelope = { open: '', close: '', lastClose: '' };

/**
 * A point as the tree hands it out, made by a constructor rather than an object literal, for the
 * reason `entryOf` gives (packages/protocol/src/entry-of.ts): points held for the browsers' next
 * flush would otherwise be made old for good, and the hub's young collections copied some 650 KB
 * instead of 50 and paused it 2–4 ms at 10,000 changes a second. A constructor has no such feedback.
 */
class TreePoint implements Point {
  declare readOnly?: string;
  constructor(
    readonly name: string,
    readonly kind: PointKind,
    readonly value: string,
    readonly changedAt: number,
    readonly remote: string,
    readonly state: Point['state'],
  ) {}
}

const KINDS: readonly PointKind[] = ['io', 'ui', 'hub'];

/** Why the hub's own points cannot be written. */
export const OWN_POINT_READ_ONLY = 'a datapoint of the hub itself';
/** Why `<I/O server>.connection` cannot be written (HSYCO sets it; the simulator refuses writes). */
export const CONNECTION_READ_ONLY = "an I/O server's connection state";
/** Why a hub below's own clock points (`<its remote>.time.delta`, `.time.alarm`) cannot be written. */
export const HUB_BELOW_READ_ONLY = 'a clock reading of a hub below';
/** A hub's own clock points, as a hub above sees them below a remote's prefix: `time.delta` of `<remote>.<its remote>.time.delta`. */
const HUB_CLOCK_POINT = /^[a-z0-9_-]+\.time\.(?:delta|alarm)$/;

const INITIAL_CAPACITY = 16;

/** One remote's points of one kind, in columns: a slot per point. */
class Column {
  /** Slot by the remote's own name of the point (unprefixed), in the order the points came. */
  readonly slots = new Map<string, number>();
  values: string[] = [];
  changedAt = new Float64Array(INITIAL_CAPACITY);
  /** 1: the remote serves it as stale (`quality`): the server that owns it, below the remote, is unreachable. */
  staleBelow = new Uint8Array(INITIAL_CAPACITY);
  /** How many slots are marked in `staleBelow`: none is the usual case, and then there is nothing to clear. */
  staleCount = 0;
  private free: number[] = [];

  get size(): number {
    return this.slots.size;
  }

  /** Makes room for `more` points beyond those held, at once (a full state's size is known). */
  reserve(more: number): void {
    const needed = this.values.length + Math.max(0, more - this.free.length);
    if (needed > this.changedAt.length) this.resize(needed);
  }

  add(name: string, value: string, now: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.values.length;
      if (slot === this.changedAt.length) this.resize(Math.max(INITIAL_CAPACITY, slot * 2));
      this.values.push(value);
    } else {
      this.values[slot] = value;
    }
    this.changedAt[slot] = now;
    this.staleBelow[slot] = 0;
    this.slots.set(name, slot);
    return slot;
  }

  remove(name: string, slot: number): void {
    this.slots.delete(name);
    if (this.staleBelow[slot] === 1) this.staleCount--;
    if (this.slots.size === 0) {
      this.values = [];
      this.free = [];
      this.changedAt = new Float64Array(INITIAL_CAPACITY);
      this.staleBelow = new Uint8Array(INITIAL_CAPACITY);
      this.staleCount = 0;
      return;
    }
    // The value goes with the point; the slot is taken by the next point to come.
    this.values[slot] = '';
    this.free.push(slot);
  }

  setStale(slot: number, stale: boolean): void {
    this.staleBelow[slot] = stale ? 1 : 0;
    this.staleCount += stale ? 1 : -1;
  }

  private resize(capacity: number): void {
    const changedAt = new Float64Array(capacity);
    changedAt.set(this.changedAt.subarray(0, Math.min(capacity, this.changedAt.length)));
    this.changedAt = changedAt;
    const staleBelow = new Uint8Array(capacity);
    staleBelow.set(this.staleBelow.subarray(0, Math.min(capacity, this.staleBelow.length)));
    this.staleBelow = staleBelow;
  }
}

/** A remote: its points by kind, and what holds for all of them. */
class RemotePoints {
  readonly prefix: string;
  /** The remote's name as JSON, once for every point serialized. */
  readonly nameJson: string;
  readonly columns: Record<PointKind, Column> = { io: new Column(), ui: new Column(), hub: new Column() };
  offline = false;
  /** Why it takes no writes (control refused, public API), or `undefined`. */
  readOnly: string | undefined;
  /** Its datapoints known to be readings (a shutter's `.pos`), by full name, with why. */
  readings: ReadonlyMap<string, string> | undefined;

  constructor(readonly name: string) {
    this.prefix = `${name}.`;
    this.nameJson = JSON.stringify(name);
  }
}

/** A remote's own names of the points to go through, from the prefixes asked for. */
type Scope = 'all' | 'none' | string[];

function scopeOf(remote: RemotePoints, prefixes: readonly string[]): Scope {
  let within: string[] | undefined;
  for (const prefix of prefixes) {
    // Equal, or below at a dot boundary (underPrefix): every point of the remote is below its name.
    if (prefix === '' || prefix === remote.name || prefix === remote.prefix) return 'all';
    if (prefix.length > remote.prefix.length && prefix.startsWith(remote.prefix)) (within ??= []).push(prefix.slice(remote.prefix.length));
  }
  return within ?? 'none';
}

/** `underPrefix` of a remote's own name, for a prefix below the remote's (never empty). */
function underOwnPrefix(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  return name.length === prefix.length || prefix.endsWith('.') || name.charCodeAt(prefix.length) === 46;
}

export class PointTree {
  /** By remote, in the order the remotes first came. */
  private readonly remotes = new Map<string, RemotePoints>();
  private readonly listeners = new Set<ChangeListener>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Sets a point; returns whether its value changed (an equal value is no change). */
  set(kind: PointKind, name: string, value: string, remote: string, event = true): boolean {
    const points = this.remoteOf(remote, true);
    if (!name.startsWith(points.prefix) || name.length === points.prefix.length) {
      throw new Error(`${name} is not a point of ${remote}: its name must begin with "${points.prefix}"`);
    }
    return this.setOwn(points, kind, name.slice(points.prefix.length), value, event, Date.now());
  }

  /**
   * Sets a remote's points of one kind from an answer, by the remote's own (unprefixed) names;
   * returns how many changed. With `full`, the answer is everything of that kind the remote has:
   * the points it lacks are forgotten, and returned.
   */
  setAll(
    remote: string,
    kind: 'io' | 'ui',
    entries: readonly (readonly [name: string, value: string])[],
    full: boolean,
    event: boolean,
  ): { changed: number; removed: PointRef[]; held: number } {
    const points = this.remoteOf(remote, true);
    const column = points.columns[kind];
    // Slots the answer holds, among those there before it; slots it adds are beyond them.
    const before = column.values.length;
    const seen = full && column.size > 0 ? new Uint8Array(before) : undefined;
    if (full) column.reserve(entries.length - column.size);
    const now = Date.now();
    let changed = 0;
    const tell = this.listeners.size > 0;
    for (const [name, value] of entries) {
      let slot = column.slots.get(name);
      if (slot !== undefined) {
        if (seen) seen[slot] = 1;
        if (column.values[slot] === value) continue;
        column.values[slot] = value;
        column.changedAt[slot] = now;
      } else {
        slot = column.add(name, value, now);
        this.count++;
        // A slot freed earlier, taken again by a new point.
        if (seen && slot < before) seen[slot] = 1;
      }
      changed++;
      if (tell) this.tell(this.toPoint(points, kind, name, slot), event);
    }
    const removed: PointRef[] = [];
    if (seen) {
      for (const [name, slot] of column.slots) {
        if (slot >= before || seen[slot] === 1) continue;
        column.remove(name, slot);
        this.count--;
        removed.push({ kind, name: points.prefix + name });
      }
    }
    return { changed, removed, held: column.size };
  }

  private setOwn(points: RemotePoints, kind: PointKind, name: string, value: string, event: boolean, now: number): boolean {
    const column = points.columns[kind];
    let slot = column.slots.get(name);
    if (slot !== undefined) {
      if (column.values[slot] === value) return false;
      column.values[slot] = value;
      column.changedAt[slot] = now;
    } else {
      slot = column.add(name, value, now);
      this.count++;
    }
    if (this.listeners.size > 0) this.tell(this.toPoint(points, kind, name, slot), event);
    return true;
  }

  get(kind: PointKind, name: string): Point | undefined {
    const found = this.locate(kind, name);
    return found && this.toPoint(found.points, kind, found.own, found.slot);
  }

  /** Whether the remote has a point of that kind by its own (unprefixed) name. */
  hasOwn(remote: string, kind: PointKind, name: string): boolean {
    return this.remotes.get(remote)?.columns[kind].slots.has(name) ?? false;
  }

  /** A point by name: a datapoint, else a GUI variable, else one of the hub's own. */
  find(name: string): Point | undefined {
    for (const kind of KINDS) {
      const point = this.get(kind, name);
      if (point) return point;
    }
    return undefined;
  }

  delete(kind: PointKind, name: string): boolean {
    const found = this.locate(kind, name);
    if (!found) return false;
    found.points.columns[kind].remove(found.own, found.slot);
    this.count--;
    return true;
  }

  /** Forgets a remote's points of one kind that `present` (full names) does not hold; returns them. */
  removeMissing(remote: string, kind: PointKind, present: (name: string) => boolean): PointRef[] {
    const points = this.remotes.get(remote);
    if (!points) return [];
    const column = points.columns[kind];
    const removed: PointRef[] = [];
    for (const [own, slot] of column.slots) {
      const name = points.prefix + own;
      if (present(name)) continue;
      column.remove(own, slot);
      this.count--;
      removed.push({ kind, name });
    }
    return removed;
  }

  /**
   * Marks a remote's point stale or ok as the remote serves it (`quality`); listeners hear about
   * every flip. An unknown point is no change. Returns whether it flipped.
   */
  setStaleBelow(kind: PointKind, name: string, stale: boolean): boolean {
    if (kind === 'hub') return false;
    const found = this.locate(kind, name);
    return found !== undefined && this.flipStaleBelow(found.points, kind, found.own, found.slot, stale);
  }

  private flipStaleBelow(points: RemotePoints, kind: PointKind, own: string, slot: number, stale: boolean): boolean {
    const column = points.columns[kind];
    if ((column.staleBelow[slot] === 1) === stale) return false;
    column.setStale(slot, stale);
    if (this.listeners.size > 0) this.tell(this.toPoint(points, kind, own, slot), false);
    return true;
  }

  /** Whether the remote serves this point as stale (its owner further below is unreachable). */
  isStaleBelow(kind: PointKind, name: string): boolean {
    const found = this.locate(kind, name);
    return found !== undefined && found.points.columns[kind].staleBelow[found.slot] === 1;
  }

  /**
   * Marks every point of a remote's kind stale below or ok, as a whole state's `quality` says: the
   * names `stale` holds are stale, every other is ok. Listeners hear about every flip.
   */
  replaceStaleBelow(remote: string, kind: PointKind, stale: (name: string) => boolean): void {
    const points = this.remotes.get(remote);
    if (!points || kind === 'hub') return;
    for (const [own, slot] of points.columns[kind].slots) this.flipStaleBelow(points, kind, own, slot, stale(points.prefix + own));
  }

  /** `replaceStaleBelow` by the remote's own (unprefixed) names: nothing to go through when none is or was stale. */
  replaceStaleBelowOwn(remote: string, kind: 'io' | 'ui', stale: ReadonlySet<string>): void {
    const points = this.remotes.get(remote);
    if (!points) return;
    const column = points.columns[kind];
    if (stale.size === 0 && column.staleCount === 0) return;
    for (const [own, slot] of column.slots) this.flipStaleBelow(points, kind, own, slot, stale.has(own));
  }

  /** `setStaleBelow` by the remote's own (unprefixed) name. */
  setStaleBelowOwn(remote: string, kind: 'io' | 'ui', name: string, stale: boolean): boolean {
    const points = this.remotes.get(remote);
    const slot = points?.columns[kind].slots.get(name);
    return points !== undefined && slot !== undefined && this.flipStaleBelow(points, kind, name, slot, stale);
  }

  isOnline(remote: string): boolean {
    return !this.remotes.get(remote)?.offline;
  }

  /** Marks a remote's points stale (offline) or ok; listeners hear about every point that flips. */
  setOnline(remote: string, online: boolean): void {
    if (online === this.isOnline(remote)) return;
    const points = this.remoteOf(remote, true);
    points.offline = !online;
    if (this.listeners.size === 0) return;
    for (const kind of KINDS) {
      // The hub's own points are never stale.
      if (kind === 'hub') continue;
      const column = points.columns[kind];
      for (const [own, slot] of column.slots) {
        // A point stale from below stays stale: no flip to hear about.
        if (column.staleBelow[slot] === 1) continue;
        this.tell(this.toPoint(points, kind, own, slot), false);
      }
    }
  }

  /**
   * Marks every point of a remote read only, with why (`undefined`: writable again); listeners hear
   * about every point whose flag changes.
   */
  setRemoteReadOnly(remote: string, reason: string | undefined): void {
    if (this.remotes.get(remote)?.readOnly === reason) return;
    const points = this.remoteOf(remote, true);
    const before = this.listeners.size > 0 ? this.readOnlyOfRemote(points) : undefined;
    points.readOnly = reason;
    if (before) this.announceReadOnlyFlips(points, before);
  }

  remoteReadOnly(remote: string): string | undefined {
    return this.remotes.get(remote)?.readOnly;
  }

  /**
   * Replaces the datapoints of a remote known to be readings (full names, with why), as its
   * topology says; listeners hear about every point whose flag changes.
   */
  setReadings(remote: string, readings: ReadonlyMap<string, string>): void {
    const known = this.remotes.get(remote)?.readings;
    if ((known?.size ?? 0) === 0 && readings.size === 0) return;
    const points = this.remoteOf(remote, true);
    const before = this.listeners.size > 0 ? this.readOnlyOfRemote(points) : undefined;
    points.readings = readings.size === 0 ? undefined : readings;
    if (before) this.announceReadOnlyFlips(points, before);
  }

  /** Per kind, the read-only reason of every slot. */
  private readOnlyOfRemote(points: RemotePoints): Partial<Record<PointKind, Map<number, string | undefined>>> {
    const flags: Partial<Record<PointKind, Map<number, string | undefined>>> = {};
    for (const kind of KINDS) {
      if (kind === 'hub') continue;
      const of = new Map<number, string | undefined>();
      for (const [own, slot] of points.columns[kind].slots) of.set(slot, this.readOnlyOf(points, kind, own));
      flags[kind] = of;
    }
    return flags;
  }

  private announceReadOnlyFlips(points: RemotePoints, before: Partial<Record<PointKind, Map<number, string | undefined>>>): void {
    for (const kind of KINDS) {
      if (kind === 'hub') continue;
      for (const [own, slot] of points.columns[kind].slots) {
        if (before[kind]?.get(slot) === this.readOnlyOf(points, kind, own)) continue;
        this.tell(this.toPoint(points, kind, own, slot), false);
      }
    }
  }

  /** Forgets a remote and all its points (the remote entry was deleted); returns them. */
  removeRemote(remote: string): PointRef[] {
    const removed: PointRef[] = [];
    for (const kind of KINDS) removed.push(...this.removeMissing(remote, kind, () => false));
    this.remotes.delete(remote);
    return removed;
  }

  /** Every point of a remote. */
  *ofRemote(remote: string): Generator<Point> {
    const points = this.remotes.get(remote);
    if (!points) return;
    for (const kind of KINDS) {
      for (const [own, slot] of points.columns[kind].slots) yield this.toPoint(points, kind, own, slot);
    }
  }

  /** A remote's datapoints and GUI variables, not the hub's own points about it (RemoteStatus.points). */
  countOf(remote: string): number {
    const points = this.remotes.get(remote);
    return points ? points.columns.io.size + points.columns.ui.size : 0;
  }

  /** Points under any of the prefixes: datapoints, GUI variables, then the hub's, each by remote, in a stable order. */
  *under(prefixes: readonly string[]): Generator<Point> {
    for (const kind of KINDS) {
      for (const points of this.remotes.values()) {
        const scope = scopeOf(points, prefixes);
        if (scope === 'none') continue;
        for (const [own, slot] of points.columns[kind].slots) {
          if (scope === 'all' || scope.some((prefix) => underOwnPrefix(own, prefix))) yield this.toPoint(points, kind, own, slot);
        }
      }
    }
  }

  /**
   * The points of `under`, in its order, as the JSON of their Points (`JSON.stringify` of what
   * `under` yields, key for key) joined by commas, `per` points a text: the inside of a JSON array,
   * in UTF-8, between the envelope's `open` and `close` (the last text's `lastClose`), which make
   * it a whole message without another copy of its bytes. Written straight from the columns into
   * bytes, no Point made: a snapshot of a million points is bytes from the start. Yields every
   * full text of `per` points, and returns the rest (maybe no point).
   */
  *underAsJson(prefixes: readonly string[], per: number, envelope: JsonEnvelope = NO_ENVELOPE): Generator<Buffer, Buffer> {
    const text = new Utf8Text();
    text.add(envelope.open);
    let count = 0;
    // A whole state shares one change time: its text is made once.
    let time = NaN;
    let timeText = '';
    for (const kind of KINDS) {
      for (const points of this.remotes.values()) {
        const scope = scopeOf(points, prefixes);
        if (scope === 'none') continue;
        const column = points.columns[kind];
        const head = `{"name":"${points.prefix}`;
        const plainPrefix = PLAIN_NAME.test(points.prefix);
        const kindJson = `","kind":"${kind}","value":`;
        const remoteJson = `,"remote":${points.nameJson},"state":"`;
        for (const [own, slot] of column.slots) {
          if (scope !== 'all' && !scope.some((prefix) => underOwnPrefix(own, prefix))) continue;
          // Read at each point, not once: a consumer may wait between two texts (the columns grow, the remote goes offline).
          const stale = kind !== 'hub' && (points.offline || column.staleBelow[slot] === 1);
          const readOnly = this.readOnlyOf(points, kind, own);
          const changedAt = column.changedAt[slot] as number;
          if (changedAt !== time) {
            time = changedAt;
            timeText = String(changedAt);
          }
          // Up to the name's closing quote, which `kindJson` brings.
          const name = plainPrefix && PLAIN_NAME.test(own) ? `${head}${own}` : `{"name":${JSON.stringify(points.prefix + own).slice(0, -1)}`;
          text.add(`${count === 0 ? '' : ','}${name}${kindJson}${JSON.stringify(column.values[slot])},"changedAt":${timeText}${remoteJson}${stale ? 'stale' : 'ok'}"${readOnly === undefined ? '' : `,"readOnly":${JSON.stringify(readOnly)}`}}`);
          if (++count < per) continue;
          text.add(envelope.close);
          yield text.take();
          text.add(envelope.open);
          count = 0;
        }
      }
    }
    text.add(envelope.lastClose);
    return text.take();
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell(point: Point, event: boolean): void {
    for (const listener of this.listeners) listener(point, event);
  }

  private remoteOf(remote: string, create: true): RemotePoints;
  private remoteOf(remote: string, create: boolean): RemotePoints | undefined {
    let points = this.remotes.get(remote);
    if (!points && create) {
      points = new RemotePoints(remote);
      this.remotes.set(remote, points);
    }
    return points;
  }

  /** A point by kind and full name: its remote (the name's first segment), own name and slot. */
  private locate(kind: PointKind, name: string): { points: RemotePoints; own: string; slot: number } | undefined {
    const dot = name.indexOf('.');
    if (dot <= 0) return undefined;
    const points = this.remotes.get(name.slice(0, dot));
    if (!points) return undefined;
    const own = name.slice(dot + 1);
    const slot = points.columns[kind].slots.get(own);
    return slot === undefined ? undefined : { points, own, slot };
  }

  /** Why a point cannot be written, or `undefined`. */
  private readOnlyOf(points: RemotePoints, kind: PointKind, own: string): string | undefined {
    if (kind === 'hub') return OWN_POINT_READ_ONLY;
    if (points.readOnly !== undefined || kind !== 'io') return points.readOnly;
    const reading = points.readings?.get(points.prefix + own);
    if (reading !== undefined) return reading;
    if (own === 'connection' || own.endsWith('.connection')) return CONNECTION_READ_ONLY;
    // The suffix first: this runs for every point of every snapshot.
    if ((own.endsWith('.delta') || own.endsWith('.alarm')) && HUB_CLOCK_POINT.test(own)) return HUB_BELOW_READ_ONLY;
    return undefined;
  }

  private toPoint(points: RemotePoints, kind: PointKind, own: string, slot: number): Point {
    const column = points.columns[kind];
    const stale = kind !== 'hub' && (column.staleBelow[slot] === 1 || points.offline);
    const point = new TreePoint(points.prefix + own, kind, column.values[slot] as string, column.changedAt[slot] as number, points.name, stale ? 'stale' : 'ok');
    const readOnly = this.readOnlyOf(points, kind, own);
    if (readOnly !== undefined) point.readOnly = readOnly;
    return point;
  }
}

/** Names are letters, digits, `_`, `-` and dots (PROTOCOL.md): written in JSON as they are. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]*$/;
