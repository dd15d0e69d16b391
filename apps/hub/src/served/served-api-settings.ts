/**
 * The settings of the hub's own Remote I/O API, kept in the database's `meta` table. Clients send
 * the password in clear (PROTOCOL.md), so the hub must compare it, not a hash: it is stored sealed
 * (db/secret-box.ts), and never returned nor logged. One sealed under another key leaves the API
 * disabled (no password) until an admin sets it again.
 */
import type { ServedApiInput, ServedApiView } from '@riohub/hub-api';
import type { RioServerSettings } from '@riohub/rio-server';
import { readMeta, secretBoxOf, writeMeta, type HubDatabase } from '../db/database';
import { SecretBox, SecretUnreadableError } from '../db/secret-box';

const META_KEY = 'served_api';
/** The associated data its password is sealed with. */
const PLACE = 'served-api';

/** Disabled until an admin sets a password; then loopback only and read only, until widened. */
export const SERVED_API_DEFAULTS: RioServerSettings = { password: '', address: '127.0.0.1,::1', control: false, ioFilter: '', uiFilter: '', api: 'extended' };

export class ServedApiSettings {
  private settings: RioServerSettings;
  /** The stored password was sealed under another key: the API stays off until it is set again. */
  readonly passwordUnreadable: boolean = false;

  constructor(private readonly db: HubDatabase) {
    const stored = readMeta(db, META_KEY);
    const parsed = stored ? (JSON.parse(stored) as Partial<RioServerSettings>) : {};
    let password = parsed.password ?? '';
    try {
      if (SecretBox.isSealed(password)) password = secretBoxOf(db).open(password, PLACE);
      // Stored in plain text by an earlier version: sealed now.
      else if (password !== '') this.store({ ...SERVED_API_DEFAULTS, ...parsed, password });
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      password = '';
      this.passwordUnreadable = true;
    }
    this.settings = stored ? { ...SERVED_API_DEFAULTS, ...parsed, password, api: 'extended' } : SERVED_API_DEFAULTS;
  }

  /** The settings in force: a new object after every change, so the server recompiles them once. */
  current(): RioServerSettings {
    return this.settings;
  }

  view(instanceId: string): ServedApiView {
    const { password, address, control, ioFilter, uiFilter } = this.settings;
    return { hasPassword: password !== '', address, control, ioFilter, uiFilter, instanceId };
  }

  /** Applies a change checked against `servedApiInputSchema` (the route's body, the settings file's entry). */
  update(input: ServedApiInput): void {
    const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as ServedApiInput;
    const next: RioServerSettings = { ...this.settings, ...changes };
    this.store(next);
    this.settings = next;
  }

  private store(settings: RioServerSettings): void {
    writeMeta(this.db, META_KEY, JSON.stringify({ ...settings, password: secretBoxOf(this.db).seal(settings.password, PLACE) }));
  }
}
