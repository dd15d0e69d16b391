/** Datapoints and GUI variables as the hub shows them: every remote's, under its prefix, and its own. */

/** `io`: a remote's datapoint; `ui`: a remote's GUI variable; `hub`: a datapoint the hub owns. */
export type PointKind = 'io' | 'ui' | 'hub';

/**
 * `stale`: the value is the last one known, not live: the remote is offline, or the remote serves
 * it as stale because the server that owns it, further below, is unreachable (PROTOCOL.md part B
 * `quality`). A write to it is refused at once.
 */
export type PointState = 'ok' | 'stale';

/** Why a point of an online remote is stale, in the words a refused write and the dashboard use. */
export function staleBelowReason(remote: string): string {
  return `the server that owns it, below ${remote}, is unreachable`;
}

export interface Point {
  /** The full name, prefixed: `lobby.dummy.light.1`. */
  name: string;
  kind: PointKind;
  value: string;
  /** Epoch milliseconds of the last change seen by the hub. */
  changedAt: number;
  /** The remote it belongs to (the prefix). */
  remote: string;
  state: PointState;
  /**
   * Present when the point cannot be written, saying why (the hub computes it): one of the hub's
   * own points, a reading (a shutter's `.pos`, an I/O server's `.connection`), or a remote that
   * refuses control or serves the public API only. Absent: writable, as far as the hub knows.
   */
  readOnly?: string;
}

/** Names a point: the name alone is not unique across kinds. */
export interface PointRef {
  kind: PointKind;
  name: string;
}

export interface PointPage {
  points: Point[];
  /** How many points match the prefix in all. */
  total: number;
  offset: number;
}

/** A device of the merged topology: a remote's device under its prefix. */
export interface Device {
  name: string;
  remote: string;
  /** `[type, subtype, I/O server type]`, e.g. `["LIGHT","DIMMER","DUMMY"]`. */
  params: string[];
}

/** Whether `name` falls under `prefix`: equal, or below it at a dot boundary; `''` matches all. */
export function underPrefix(name: string, prefix: string): boolean {
  if (prefix === '') return true;
  if (!name.startsWith(prefix)) return false;
  return name.length === prefix.length || prefix.endsWith('.') || name.charCodeAt(prefix.length) === 46;
}
