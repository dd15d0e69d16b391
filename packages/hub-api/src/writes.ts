/** Operator writes and the write log. */

/**
 * `sending`: recorded before it goes out, until the remote answers (a write the hub stopped
 * during stays so: its outcome is unknown); `applied`: the remote accepted it; `confirmed`: the
 * new value came back through the poll; `refused`: the remote said no (control disabled, unknown
 * name, bad value), or the hub did before sending (read only, stale, unknown, or another name of
 * the same request was refused); `failed`: it never reached the remote (offline, no answer).
 */
export type WriteStatus = 'sending' | 'applied' | 'confirmed' | 'refused' | 'failed';

export interface WriteRequest {
  /** The full, prefixed name: `lobby.dummy.light.1`. */
  name: string;
  value: string;
  /** `ui` for a GUI variable; default `io`. */
  kind?: 'io' | 'ui';
}

/**
 * Through what a write came: the dashboard's live channel, the REST API (`POST /api/writes`), the
 * hub's own Remote I/O API (a hub or client above), or an MQTT `set`.
 */
export type WriteVia = 'dashboard' | 'rest' | 'remote-io' | 'mqtt';

/** Who asked for a write and through what: both go to the write log. */
export interface WriteOrigin {
  /** The signed-in user, `remote API client <address>`, or `mqtt <client id>`. */
  user: string;
  via: WriteVia;
}

export interface WriteRecord extends WriteOrigin {
  id: number;
  at: number;
  remote: string;
  name: string;
  kind: 'io' | 'ui';
  oldValue: string | null;
  newValue: string;
  status: WriteStatus;
  error?: string;
}
