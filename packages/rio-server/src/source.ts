/** What a Remote I/O API server serves, and the settings it serves it with. */
import type { HsycoTopology, LoggerInfo, LogPage, Write, WriteResult } from '@riohub/protocol';
import type { ChangeStore, Kind } from './change-store';

/** The server side of a Remote I/O API: a simulator, or a hub re-serving what it concentrates. */
export interface RioSource {
  readonly store: ChangeStore;
  topology(): HsycoTopology;
  /** The topology's `topotime` alone: every `rioget` answer carries it, so it must come cheap. */
  topotime(): number;
  /** The SYSTEM I/O server's wall clock in epoch milliseconds; absent when there is none. */
  readonly systemClock?: () => number;
  /** This server's instance id, then those of every server it concentrates. */
  members(): readonly string[];
  /**
   * Checks the values of writes whose names all exist and are exposed, then applies them all or
   * none. Returns `{ ok: true }` or the reason none was applied. `client` is the requester's
   * address, for the write log of a source that keeps one.
   */
  write(kind: Kind, writes: readonly Write[], client: string): WriteResult | Promise<WriteResult>;
  /** The loggers served; a source that reads them from a database answers a promise. */
  loggers(): readonly LoggerInfo[] | Promise<readonly LoggerInfo[]>;
  /** Samples with time > `after`, oldest first, at most `limit`; `undefined` for an unknown id. */
  readLog(id: string, after: number, limit: number): LogPage | undefined | Promise<LogPage | undefined>;
}

/** PROTOCOL.md "Server settings", plus which parts of the API are served. */
export interface RioServerSettings {
  /** Empty: the API is disabled and every request is dropped. */
  password: string;
  /** Comma-separated addresses, CIDR ranges or `*`. */
  address: string;
  control: boolean;
  ioFilter: string;
  uiFilter: string;
  /** `public`: part A only; part B requests are treated like a failed authentication. */
  api: 'extended' | 'public';
}
