/** This hub itself: its instance id, its high-availability role and how many points it holds. */
import { z } from 'zod';

/** `inactive`: a standby; remotes with `shutdownWhenInactive` are stopped while it is. */
export const hubRoleSchema = z.enum(['active', 'inactive'], 'must be active or inactive');
export type HubRole = z.infer<typeof hubRoleSchema>;

/** `GET /api/hub` (viewer), and the answer of `PUT /api/hub/role` (admin). */
export const hubInfoSchema = z
  .object({
    /** Kept in the database; first in this hub's `members`. */
    instanceId: z.string(),
    role: hubRoleSchema,
    /** Points in the merged tree. */
    points: z.number(),
  })
  .meta({ id: 'HubInfo' });
export type HubInfo = z.infer<typeof hubInfoSchema>;

/** The body of `PUT /api/hub/role`. */
export const hubRoleChangeSchema = z.object({ role: hubRoleSchema }).strict();
