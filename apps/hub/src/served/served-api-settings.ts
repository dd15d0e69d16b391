/**
 * The settings of the hub's own Remote I/O API, kept in the database's `meta` table. The password
 * is kept as given: clients send it in clear (PROTOCOL.md), so it is compared, not hashed; it is
 * never returned nor logged.
 */
import type { ServedApiInput, ServedApiView } from '@riohub/hub-api';
import { compileAddressList, compileNameFilter } from '@riohub/protocol';
import type { RioServerSettings } from '@riohub/rio-server';
import { z } from 'zod';
import { readMeta, writeMeta, type HubDatabase } from '../db/database';
import { fieldErrors, type FieldErrors } from '../validation';

const META_KEY = 'served_api';

/** Disabled until an admin sets a password; then loopback only and read only, until widened. */
const DEFAULTS: RioServerSettings = { password: '', address: '127.0.0.1,::1', control: false, ioFilter: '', uiFilter: '', api: 'extended' };

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

const inputSchema = z
  .object({
    password: z.string().max(256, 'must be at most 256 characters').optional(),
    address: z
      .string()
      .max(4096, 'is too long')
      .refine((spec) => spec.trim() !== '', 'must list at least one address, range or *')
      .refine(compiles(compileAddressList), 'must be addresses, CIDR ranges or *, separated by commas')
      .optional(),
    control: z.boolean().optional(),
    ioFilter: z.string().max(4096, 'is too long').refine(compiles(compileNameFilter), 'is not a valid name filter').optional(),
    uiFilter: z.string().max(4096, 'is too long').refine(compiles(compileNameFilter), 'is not a valid name filter').optional(),
  })
  .strict();

export class ServedApiSettings {
  private settings: RioServerSettings;

  constructor(private readonly db: HubDatabase) {
    const stored = readMeta(db, META_KEY);
    this.settings = stored ? { ...DEFAULTS, ...(JSON.parse(stored) as Partial<RioServerSettings>), api: 'extended' } : DEFAULTS;
  }

  /** The settings in force: a new object after every change, so the server recompiles them once. */
  current(): RioServerSettings {
    return this.settings;
  }

  view(instanceId: string): ServedApiView {
    const { password, address, control, ioFilter, uiFilter } = this.settings;
    return { hasPassword: password !== '', address, control, ioFilter, uiFilter, instanceId };
  }

  update(input: unknown): { ok: true } | { ok: false; fields: FieldErrors } {
    const parsed = inputSchema.safeParse(input);
    if (!parsed.success) return { ok: false, fields: fieldErrors(parsed.error) };
    const changes = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined)) as ServedApiInput;
    const next: RioServerSettings = { ...this.settings, ...changes };
    writeMeta(this.db, META_KEY, JSON.stringify(next));
    this.settings = next;
    return { ok: true };
  }
}
