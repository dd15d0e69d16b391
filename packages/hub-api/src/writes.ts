/** Operator writes and the write log. */

/**
 * `sending`: recorded before it goes out, until the remote answers (a write the hub stopped
 * during stays so: its outcome is unknown); `applied`: the remote accepted it; `confirmed`: the
 * new value came back through the poll; `refused`: the remote said no (control disabled, unknown
 * name, bad value); `failed`: it never reached the remote (offline, no answer).
 */
export type WriteStatus = 'sending' | 'applied' | 'confirmed' | 'refused' | 'failed';

export interface WriteRequest {
  /** The full, prefixed name: `lobby.dummy.light.1`. */
  name: string;
  value: string;
  /** `ui` for a GUI variable; default `io`. */
  kind?: 'io' | 'ui';
}

export interface WriteRecord {
  id: number;
  at: number;
  user: string;
  remote: string;
  name: string;
  kind: 'io' | 'ui';
  oldValue: string | null;
  newValue: string;
  status: WriteStatus;
  error?: string;
}
