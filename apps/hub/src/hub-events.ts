/**
 * Everything the hub tells its listeners (browsers, the served API, MQTT, metrics), as one typed
 * map: a listener subscribes to the hub, never to the tree, the loggers or the storage behind it.
 */
import { EventEmitter } from 'node:events';
import type { PairStanding, Point, PointRef, RemoteView, StorageStatus, WriteRecord } from '@riohub/hub-api';
import type { WriteOutcome } from './metrics/hub-metrics';

export interface HubEvents {
  /**
   * A point's value, state or read-only flag changed. `event` is `false` for a silent alignment
   * (a remote's first full state with `startupevents` off).
   */
  point: [point: Point, event: boolean];
  /** Points that no longer exist. */
  removed: [points: PointRef[]];
  /** Remote entries whose settings or status changed. */
  remotes: [views: RemoteView[]];
  /** A remote entry that was deleted. */
  deleted: [name: string];
  /** The merged topology changed: a remote's devices, or the set of remotes. */
  topology: [];
  /** A write whose value came back through the poll. */
  confirmed: [record: WriteRecord];
  /** Writes settled with an outcome: `count` names of one request (metrics). */
  written: [outcome: WriteOutcome, count: number];
  /** A remote answered a poll, `seconds` after it was sent (metrics). */
  polled: [remote: string, seconds: number];
  /**
   * An answer of a remote is in the tree whole: listeners that gather changes (`point`) may send
   * them on now, rather than once the link's turn is over.
   */
  applied: [remote: string];
  /** Values of a remote's points changed in the tree, `count` of them, from one answer (metrics). */
  changed: [remote: string, count: number];
  /** A logger's replication state or sample count changed. */
  loggers: [];
  /** The database started or stopped taking writes. */
  storage: [status: StorageStatus];
  /** On PostgreSQL, this hub's elected standing changed. */
  pair: [standing: PairStanding];
}

export type HubEventName = keyof HubEvents;

/** Listeners for some of the hub's events, by name. */
export type HubListeners = { [E in HubEventName]?: (...args: HubEvents[E]) => void };

export class HubEventBus extends EventEmitter<HubEvents> {
  /** Adds several listeners at once; the function returned removes them all. */
  listen(listeners: HubListeners): () => void {
    const added = Object.entries(listeners) as [HubEventName, (...args: unknown[]) => void][];
    for (const [event, listener] of added) this.on(event, listener as never);
    return () => {
      for (const [event, listener] of added) this.off(event, listener as never);
    };
  }
}
