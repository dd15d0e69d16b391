/**
 * Every WebSocket message between hub and browser: a map from type to payload, one envelope.
 * Neither side re-declares a name; a changed shape gets a new type beside the old one.
 */
import type { StorageStatus } from './health';
import type { PairStanding } from './hub-info';
import type { LoggerView } from './loggers';
import type { Device, Point, PointRef } from './points';
import type { RemoteView } from './remotes';
import type { Result } from './result';
import type { User } from './users';
import type { WriteRecord } from './writes';

export interface ServerMessages {
  /** A chunk of the points under the subscribed prefixes; `last` ends the snapshot. */
  snapshot: { points: Point[]; last: boolean };
  /** Changes since the last message, the latest value per name. */
  delta: { points: Point[] };
  /** Points that no longer exist (their remote was deleted, or it no longer has them). */
  removed: { points: PointRef[] };
  /** Remote entries whose settings or status changed; the first after connecting lists them all. */
  remotes: { remotes: RemoteView[] };
  /** A remote entry that was deleted. */
  'remote-deleted': { name: string };
  /** Every replicated logger, whole: on connecting, then at most once a second while any changes. */
  loggers: { loggers: LoggerView[] };
  /** The answer to a `write`. */
  'write-result': { requestId: string; result: Result<WriteRecord> };
  /** An applied write whose value came back through the poll (sent to the user who wrote it). */
  'write-confirmed': { record: WriteRecord };
  /**
   * The merged topology, whole (which control each device gets): on connecting, then after every
   * change (a remote's devices read, a remote added, changed, reconnected or deleted).
   */
  topology: { devices: Device[] };
  /** Whether the hub can write its database: on connecting, then on every change. */
  storage: StorageStatus;
  /** On PostgreSQL, this hub's elected standing: on connecting, then on every change. */
  pair: PairStanding;
  /** The signed-in user, when an admin changed their role meanwhile (checked every 5 s). */
  user: { user: User };
  /** A message that could not be handled. */
  error: { code: string; message: string };
}

export interface ClientMessages {
  /** Replaces the subscription; answered with a fresh snapshot. `['']` is everything. */
  subscribe: { prefixes: string[] };
  write: { requestId: string; name: string; value: string; kind?: 'io' | 'ui' };
}

export type Envelope<M> = { [K in keyof M]: { type: K; payload: M[K] } }[keyof M];
export type ServerMessage = Envelope<ServerMessages>;
export type ClientMessage = Envelope<ClientMessages>;
