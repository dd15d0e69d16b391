/**
 * The hub's own Remote I/O API (PROTOCOL.md "Server settings"), served at `/x/…` on the hub's
 * port so that scripts and other hubs can read and write the merged tree.
 *
 * - `GET /api/hub/served-api` (admin) → `Result<ServedApiView>`
 * - `PUT /api/hub/served-api` (admin) with a `ServedApiInput` → `Result<ServedApiView>`; applied at
 *   once to the next request. The password is write-only.
 */
import { compileAddressList } from '@riohub/protocol';
import { z } from 'zod';
import { isWellFormedText, NOT_WELL_FORMED, VALID_TEXT } from './text';

export const servedApiViewSchema = z
  .object({
    /** Whether a password is set; without one the API is disabled (every request is dropped). */
    hasPassword: z.boolean(),
    /** `RemoteServerAddress`: comma-separated addresses, CIDR ranges, or `*`. */
    address: z.string(),
    /** `RemoteServerControl`: clients may write. */
    control: z.boolean(),
    /** `RemoteServerIOFilter`: name patterns, `*` wildcards, `!` excludes, later wins; empty = all. */
    ioFilter: z.string(),
    /** `RemoteServerUIFilter`, the same for GUI variables. */
    uiFilter: z.string(),
    /** This hub's instance id, first in its `members`. */
    instanceId: z.string(),
  })
  .meta({ id: 'ServedApiView' });
export type ServedApiView = z.infer<typeof servedApiViewSchema>;

function compiles(compile: (spec: string) => unknown): (spec: string) => boolean {
  return (spec) => {
    try {
      compile(spec);
      return true;
    } catch {
      return false;
    }
  };
}

/** The settings as an admin sends them (`PUT /api/hub/served-api`, `servedApi` of the settings file). */
export const servedApiInputSchema = z
  .object({
    /** A new password; `''` disables the API; omitted keeps the stored one. */
    password: z.string().max(256, 'must be at most 256 characters').refine(isWellFormedText, NOT_WELL_FORMED).optional(),
    address: z
      .string()
      .max(4096, 'is too long')
      .refine((spec) => spec.trim() !== '', 'must list at least one address, range or *')
      .refine(compiles(compileAddressList), 'must be addresses, CIDR ranges or *, separated by commas')
      .optional(),
    control: z.boolean().optional(),
    ioFilter: z.string().max(4096, 'is too long').refine(...VALID_TEXT).optional(),
    uiFilter: z.string().max(4096, 'is too long').refine(...VALID_TEXT).optional(),
  })
  .strict()
  .meta({ id: 'ServedApiChange' });
export type ServedApiInput = z.infer<typeof servedApiInputSchema>;
