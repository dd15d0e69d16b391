/**
 * The settings of the hub's own Remote I/O API, kept in the store's `meta` table. Clients send
 * the password in clear (PROTOCOL.md), so the hub must compare it, not a hash: it is stored sealed
 * (db/secret-box.ts), and never returned nor logged. One sealed under another key leaves the API
 * disabled (no password) until an admin sets it again.
 */
import type { ServedApiInput, ServedApiView } from '@riohub/hub-api';
import type { RioServerSettings } from '@riohub/rio-server';
import { SecretBox, SecretUnreadableError } from '../db/secret-box';
import { readMeta, secretBoxOf, writeMeta, type Store } from '../db/store';

const META_KEY = 'served_api';
/** The associated data its password is sealed with. */
const PLACE = 'served-api';

/** Disabled until an admin sets a password; then loopback only and read only, until widened. */
export const SERVED_API_DEFAULTS: RioServerSettings = { password: '', address: '127.0.0.1,::1', control: false, ioFilter: '', uiFilter: '', api: 'extended' };

/** The settings before and after a change. */
export interface ServedApiChange {
  before: RioServerSettings;
  after: RioServerSettings;
}

export class ServedApiSettings {
  /** The tail of the changes: each is stored, then kept, before the next is made. */
  private changes: Promise<unknown> = Promise.resolve();

  /** Told after each change stored here (a pair's other hubs read it again). */
  private announce: (() => Promise<void>) | undefined;

  private constructor(
    private readonly store: Store,
    private settings: RioServerSettings,
    /** The stored password was sealed under another key: the API stays off until it is set again. */
    readonly passwordUnreadable: boolean,
  ) {}

  /**
   * Shares these settings with the other hubs of a pair (pair/hub-pair.ts): `announce` is called
   * after each change stored here; `reload` takes a change another hub stored.
   */
  share(announce: () => Promise<void>): void {
    this.announce = announce;
  }

  /** Reads the settings again, after the changes asked for here (another hub of a pair changed them). */
  reload(): Promise<void> {
    const reload = this.changes.then(async () => {
      const stored = await ServedApiSettings.load(this.store);
      if (JSON.stringify(stored.settings) !== JSON.stringify(this.settings)) this.settings = stored.settings;
    });
    this.changes = reload.catch(() => undefined);
    return reload;
  }

  /** The settings as stored; kept here from now on, this being where they change. */
  static async load(store: Store): Promise<ServedApiSettings> {
    const stored = await readMeta(store, META_KEY);
    const parsed = stored ? (JSON.parse(stored) as Partial<RioServerSettings>) : {};
    let password = parsed.password ?? '';
    let passwordUnreadable = false;
    try {
      if (SecretBox.isSealed(password)) password = secretBoxOf(store).open(password, PLACE);
      // Stored in plain text by an earlier version: sealed now.
      else if (password !== '') await save(store, { ...SERVED_API_DEFAULTS, ...parsed, password });
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      password = '';
      passwordUnreadable = true;
    }
    return new ServedApiSettings(store, stored ? { ...SERVED_API_DEFAULTS, ...parsed, password, api: 'extended' } : SERVED_API_DEFAULTS, passwordUnreadable);
  }

  /** The settings in force: a new object after every change, so the server recompiles them once. */
  current(): RioServerSettings {
    return this.settings;
  }

  /** What an admin sees of `settings` (those in force unless given). */
  view(instanceId: string, settings = this.settings): ServedApiView {
    const { password, address, control, ioFilter, uiFilter } = settings;
    return { hasPassword: password !== '', address, control, ioFilter, uiFilter, instanceId };
  }

  /**
   * Applies a change checked against `servedApiInputSchema` (the route's body, the settings file's
   * entry), after those asked for before it; resolves with the settings it changed and made.
   */
  update(input: ServedApiInput): Promise<ServedApiChange> {
    const change = this.changes.then(async () => {
      const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as ServedApiInput;
      const before = this.settings;
      const after: RioServerSettings = { ...before, ...changes };
      await save(this.store, after);
      this.settings = after;
      await this.announce?.().catch(() => {});
      return { before, after };
    });
    this.changes = change.catch(() => undefined);
    return change;
  }
}

async function save(store: Store, settings: RioServerSettings): Promise<void> {
  await writeMeta(store, META_KEY, JSON.stringify({ ...settings, password: secretBoxOf(store).seal(settings.password, PLACE) }));
}
