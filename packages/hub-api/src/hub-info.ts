/** This hub itself: its instance id, its high-availability role and how many points it holds. */
import { z } from 'zod';

/** `inactive`: a standby; remotes with `shutdownWhenInactive` are stopped while it is. */
export const hubRoleSchema = z.enum(['active', 'inactive'], 'must be active or inactive');
export type HubRole = z.infer<typeof hubRoleSchema>;

/**
 * Hubs sharing one PostgreSQL database elect the active one among them (the others stand by):
 * this hub's standing and since when, and the active hub as it recorded itself.
 */
export const pairStandingSchema = z
  .object({
    active: z.boolean(),
    /** When this hub became active or standby (ms). */
    since: z.number(),
    /** The active hub (this one when `active`), unknown until one has recorded itself. */
    activeHub: z.object({ instanceId: z.string(), name: z.string(), since: z.number() }).optional(),
  })
  .meta({ id: 'PairStanding' });
export type PairStanding = z.infer<typeof pairStandingSchema>;

/** `GET /api/hub` (viewer), and the answer of `PUT /api/hub/role` (admin). */
export const hubInfoSchema = z
  .object({
    /** Kept in the database (on PostgreSQL, in this hub's data folder); first in this hub's `members`. */
    instanceId: z.string(),
    /**
     * The site's id, kept in the database: the instance id on SQLite, shared by the hubs of a pair
     * on PostgreSQL. MQTT and Home Assistant know the site by it (`riohub-<siteId>`).
     */
    siteId: z.string(),
    role: hubRoleSchema,
    /** Points in the merged tree. */
    points: z.number(),
    /** On PostgreSQL, the elected standing (the role follows it and cannot be set by hand); absent on SQLite. */
    pair: pairStandingSchema.optional(),
  })
  .meta({ id: 'HubInfo' });
export type HubInfo = z.infer<typeof hubInfoSchema>;

/** The body of `PUT /api/hub/role`. */
export const hubRoleChangeSchema = z.object({ role: hubRoleSchema }).strict();
