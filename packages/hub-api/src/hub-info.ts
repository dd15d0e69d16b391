/** This hub itself: its instance id, its high-availability role and how many points it holds. */

/** `inactive`: a standby; remotes with `shutdownWhenInactive` are stopped while it is. */
export type HubRole = 'active' | 'inactive';

/** `GET /api/hub` (viewer), and the answer of `PUT /api/hub/role` (admin). */
export interface HubInfo {
  /** Kept in the database; first in this hub's `members`. */
  instanceId: string;
  role: HubRole;
  /** Points in the merged tree. */
  points: number;
}
