/**
 * The MQTT bridge's settings, kept in the store's `meta` table like the served API's. The broker
 * password must be sent as it is, so it is stored sealed (db/secret-box.ts), never returned nor
 * logged; one sealed under another key leaves the bridge without a password until it is set again.
 */
import { X509Certificate } from 'node:crypto';
import { mqttInputSchema, normalizeFingerprint, type MqttInput, type MqttSettingsView } from '@riohub/hub-api';
import { SecretBox, SecretUnreadableError } from '../db/secret-box';
import { readMeta, secretBoxOf, writeMeta, type Store } from '../db/store';
import { fieldErrors, type FieldErrors } from '../validation';

const META_KEY = 'mqtt';
/** The associated data its password is sealed with. */
const PLACE = 'mqtt';

/** What the bridge runs with: the view's fields, and the password. */
export interface MqttSettingsValue extends Omit<MqttSettingsView, 'hasPassword'> {
  password: string;
}

/** Off, with zigbee2mqtt's and Home Assistant's usual topics, and no writes until an admin allows them. */
export function mqttDefaults(instanceId: string): MqttSettingsValue {
  return {
    enabled: false,
    url: '',
    username: '',
    password: '',
    // Two hubs on one broker must not take each other's session: the instance id tells them apart.
    clientId: `riohub-${instanceId.slice(0, 8)}`,
    baseTopic: 'riohub',
    qos: 0,
    discovery: true,
    discoveryPrefix: 'homeassistant',
    allowWrites: false,
    ca: '',
    fingerprint: '',
  };
}

/** Whether every certificate of a PEM text parses (the schema checks its form only). */
function parsesAsCertificates(text: string): boolean {
  try {
    for (const block of text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

/** What the fields say together, once merged with the stored ones (the settings file checks it before applying). */
export function crossFieldErrors(next: MqttSettingsValue): FieldErrors {
  const fields: FieldErrors = {};
  if (next.enabled && next.url === '') fields['url'] = 'is required to enable the bridge';
  const secure = next.url.startsWith('mqtts:');
  if (!secure && next.ca !== '') fields['ca'] = 'is for an mqtts:// broker only';
  if (!secure && next.fingerprint !== '') fields['fingerprint'] = 'is for an mqtts:// broker only';
  if (next.ca !== '' && next.fingerprint !== '') fields['fingerprint'] = 'give a CA or a pinned fingerprint, not both';
  if (next.ca !== '' && !parsesAsCertificates(next.ca)) fields['ca'] = 'holds a certificate that does not parse';
  if (next.baseTopic === next.discoveryPrefix) fields['discoveryPrefix'] = 'must differ from the base topic';
  return fields;
}

/** The broker's address as a connection reaches it: scheme, host and port (the default one filled in). */
function brokerAddress(url: string): string {
  if (url === '') return '';
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'mqtts:' ? '8883' : '1883');
    return `${parsed.protocol}//${parsed.hostname.toLowerCase()}:${port}`;
  } catch {
    return url;
  }
}

/**
 * Whether a stored password may go with `next`: only to the broker, and under the security, it was
 * stored for (the same scheme, host, port, CA and pin), as a remote's (remotes/remote-credentials.ts).
 * Settings without a broker send it nowhere.
 */
export function passwordMayFollow(stored: MqttSettingsValue, next: MqttSettingsValue): boolean {
  if (stored.password === '' || next.url === '') return true;
  return (
    brokerAddress(stored.url) === brokerAddress(next.url) &&
    stored.ca === next.ca &&
    (normalizeFingerprint(stored.fingerprint) ?? stored.fingerprint) === (normalizeFingerprint(next.fingerprint) ?? next.fingerprint)
  );
}

/** The refusal of a new broker without its password. */
export const PASSWORD_AGAIN = { message: "the broker's address or security changed: enter the password again", field: 'is required for a new broker' } as const;

/** What `update` answers: the settings before and after a change that was taken, or why it was refused. */
export type MqttUpdate =
  | { ok: true; changed: boolean; before: MqttSettingsValue; after: MqttSettingsValue }
  | { ok: false; fields: FieldErrors; message?: string };

export class MqttSettings {
  private readonly listeners = new Set<(settings: MqttSettingsValue) => void>();
  /** The tail of the changes: each is checked against, and stored after, the one before it. */
  private changes: Promise<unknown> = Promise.resolve();

  /** Told after each change stored here (a pair's other hubs read it again). */
  private announce: (() => Promise<void>) | undefined;

  private constructor(
    private readonly store: Store,
    private readonly instanceId: string,
    private settings: MqttSettingsValue,
    /** The stored password was sealed under another key: it must be set again. */
    readonly passwordUnreadable: boolean,
  ) {}

  /** The settings as stored, over the defaults; kept here from now on, this being where they change. */
  static async load(store: Store, instanceId: string): Promise<MqttSettings> {
    const parsed = await readStored(store);
    const { password, unreadable } = openPassword(store, parsed.password ?? '');
    return new MqttSettings(store, instanceId, { ...mqttDefaults(instanceId), ...parsed, password }, unreadable);
  }

  /** Whether the stored broker password was sealed under another key (read at start, to say so). */
  static async passwordUnreadable(store: Store): Promise<boolean> {
    return openPassword(store, (await readStored(store)).password ?? '').unreadable;
  }

  /** The settings in force: a new object after every change. */
  current(): MqttSettingsValue {
    return this.settings;
  }

  /** What an admin sees of `settings` (those in force unless given). */
  view(settings = this.settings): MqttSettingsView {
    const { password, ...rest } = settings;
    return { ...rest, hasPassword: password !== '' };
  }

  /** Called with the new settings after every change (the bridge reconnects). */
  onChange(listener: (settings: MqttSettingsValue) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Shares these settings with the other hubs of a pair (pair/hub-pair.ts): `announce` is called
   * after each change stored here; `reload` takes a change another hub stored.
   */
  share(announce: () => Promise<void>): void {
    this.announce = announce;
  }

  /** Reads the settings again, after the changes asked for here; listeners hear a change another hub stored. */
  reload(): Promise<void> {
    const reload = this.changes.then(async () => {
      const stored = await MqttSettings.load(this.store, this.instanceId);
      if (JSON.stringify(stored.settings) === JSON.stringify(this.settings)) return;
      this.settings = stored.settings;
      for (const listener of this.listeners) listener(stored.settings);
    });
    this.changes = reload.catch(() => undefined);
    return reload;
  }

  /** Checks and stores a change, after those asked for before it; omitted fields keep their values. */
  update(input: unknown): Promise<MqttUpdate> {
    const update = this.changes.then(() => this.apply(input));
    this.changes = update.catch(() => undefined);
    return update;
  }

  private async apply(input: unknown): Promise<MqttUpdate> {
    const parsed = mqttInputSchema.safeParse(input);
    if (!parsed.success) return { ok: false, fields: fieldErrors(parsed.error) };
    const changes = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined)) as MqttInput;
    if (changes.fingerprint) changes.fingerprint = normalizeFingerprint(changes.fingerprint) as string;
    const before = this.settings;
    const next: MqttSettingsValue = { ...before, ...changes };
    const fields = crossFieldErrors(next);
    if (Object.keys(fields).length > 0) return { ok: false, fields };
    // The stored password never follows a new broker, or the same one under other security.
    if (changes.password === undefined && !passwordMayFollow(before, next)) return { ok: false, fields: { password: PASSWORD_AGAIN.field }, message: PASSWORD_AGAIN.message };
    const changed = (Object.keys(next) as (keyof MqttSettingsValue)[]).some((key) => next[key] !== before[key]);
    if (!changed) return { ok: true, changed, before, after: before };
    await writeMeta(this.store, META_KEY, JSON.stringify({ ...next, password: secretBoxOf(this.store).seal(next.password, PLACE) }));
    this.settings = next;
    for (const listener of this.listeners) listener(next);
    await this.announce?.().catch(() => {});
    return { ok: true, changed, before, after: next };
  }
}

async function readStored(store: Store): Promise<Partial<MqttSettingsValue>> {
  const stored = await readMeta(store, META_KEY);
  return stored ? (JSON.parse(stored) as Partial<MqttSettingsValue>) : {};
}

/** The stored password opened; empty and `unreadable` when it was sealed under another key. */
function openPassword(store: Store, stored: string): { password: string; unreadable: boolean } {
  try {
    return { password: SecretBox.isSealed(stored) ? secretBoxOf(store).open(stored, PLACE) : stored, unreadable: false };
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    return { password: '', unreadable: true };
  }
}
