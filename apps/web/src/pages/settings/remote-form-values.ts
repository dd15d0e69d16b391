/** What the remote form edits, and how it becomes the body of a test, a create or a change. */
import { DEFAULT_REMOTE_OPTIONS, type RemoteChange, type RemoteInput, type RemoteOptions, type RemoteView, type TlsMode } from '@riohub/hub-api';

/** Number options are kept as typed, so a half-typed or empty value is not forced to a number. */
export type OptionValues = { [K in keyof RemoteOptions]: RemoteOptions[K] extends number ? string : RemoteOptions[K] };

export interface RemoteFormValues {
  name: string;
  host: string;
  port: string;
  password: string;
  tls: TlsMode;
  fingerprint: string;
  enabled: boolean;
  options: OptionValues;
}

function optionValues(options: RemoteOptions): OptionValues {
  return {
    ...options,
    drift: String(options.drift),
    dataloggerspollinterval: String(options.dataloggerspollinterval),
    maxanswermb: String(options.maxanswermb),
    maxpoints: String(options.maxpoints),
  };
}

export const NEW_REMOTE_VALUES: RemoteFormValues = {
  name: '',
  host: '',
  port: '443',
  password: '',
  tls: 'verify',
  fingerprint: '',
  enabled: true,
  options: optionValues(DEFAULT_REMOTE_OPTIONS),
};

export function valuesFromRemote(remote: RemoteView): RemoteFormValues {
  return {
    name: remote.name,
    host: remote.host,
    port: String(remote.port),
    password: '',
    tls: remote.tls,
    fingerprint: remote.fingerprint,
    enabled: remote.enabled,
    // Options added after the entry was stored take their defaults.
    options: optionValues({ ...DEFAULT_REMOTE_OPTIONS, ...remote.options }),
  };
}

/** An empty or non-numeric entry goes to the hub as null, so its own message names the field. */
function toNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** On a change, an empty password means "keep the stored one", so it is left out. */
export function toRemoteInput(values: RemoteFormValues, editing: boolean): RemoteInput {
  const input: RemoteInput = {
    name: values.name.trim(),
    host: values.host.trim(),
    port: toNumber(values.port),
    tls: values.tls,
    fingerprint: values.tls === 'pin' ? values.fingerprint.trim() : '',
    enabled: values.enabled,
    options: {
      ...values.options,
      drift: toNumber(values.options.drift),
      dataloggerspollinterval: toNumber(values.options.dataloggerspollinterval),
      maxanswermb: toNumber(values.options.maxanswermb),
      maxpoints: toNumber(values.options.maxpoints),
    },
  };
  if (!editing || values.password !== '') input.password = values.password;
  return input;
}

/**
 * A change as the admin made it: the fields and options that differ from the entry as the form
 * loaded it, so what another admin saved meanwhile to any other is kept. `host`, which a change
 * always names, is the entry's latest (`latestHost`) where the admin left it as loaded.
 */
export function toRemoteChange(values: RemoteFormValues, loaded: RemoteFormValues, latestHost: string): RemoteChange {
  const edited = toRemoteInput(values, true);
  const before = toRemoteInput(loaded, true);
  const change: RemoteChange = { host: edited.host === before.host ? latestHost : edited.host };
  for (const key of ['port', 'tls', 'enabled'] as const) if (!Object.is(edited[key], before[key])) Object.assign(change, { [key]: edited[key] });
  // The fingerprint goes with the security it belongs to.
  if (change.tls !== undefined || edited.fingerprint !== before.fingerprint) change.fingerprint = edited.fingerprint;
  const options = Object.entries(edited.options ?? {}).filter(([key, value]) => !Object.is(value, before.options?.[key as keyof RemoteOptions]));
  if (options.length > 0) change.options = Object.fromEntries(options);
  if (edited.password !== undefined) change.password = edited.password;
  return change;
}

/** Fingerprints compare by their hex digits: the hub accepts them with or without colons. */
export function sameFingerprint(a: string, b: string): boolean {
  const digits = (text: string) => text.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return digits(a) !== '' && digits(a) === digits(b);
}
