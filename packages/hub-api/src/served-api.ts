/**
 * The hub's own Remote I/O API (PROTOCOL.md "Server settings"), served at `/x/…` on the hub's
 * port so that scripts and other hubs can read and write the merged tree.
 *
 * - `GET /api/hub/served-api` (admin) → `Result<ServedApiView>`
 * - `PUT /api/hub/served-api` (admin) with a `ServedApiInput` → `Result<ServedApiView>`; applied at
 *   once to the next request. The password is write-only.
 */

export interface ServedApiView {
  /** Whether a password is set; without one the API is disabled (every request is dropped). */
  hasPassword: boolean;
  /** `RemoteServerAddress`: comma-separated addresses, CIDR ranges, or `*`. */
  address: string;
  /** `RemoteServerControl`: clients may write. */
  control: boolean;
  /** `RemoteServerIOFilter`: name patterns, `*` wildcards, `!` excludes, later wins; empty = all. */
  ioFilter: string;
  /** `RemoteServerUIFilter`, the same for GUI variables. */
  uiFilter: string;
  /** This hub's instance id, first in its `members`. */
  instanceId: string;
}

export interface ServedApiInput {
  /** A new password; `''` disables the API; omitted keeps the stored one. */
  password?: string;
  address?: string;
  control?: boolean;
  ioFilter?: string;
  uiFilter?: string;
}
