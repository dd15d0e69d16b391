/**
 * A remote entry checked against the one it changes: its schema (`remoteInputSchema`, every field
 * with its range and message) is the contract's, in packages/hub-api, so the dashboard and the
 * OpenAPI description see the same rules; what needs the stored entry is checked here.
 */
import { DEFAULT_REMOTE_OPTIONS, normalizeFingerprint, type RemoteInput, type RemoteSettings } from '@riohub/hub-api';
import type { FieldErrors } from '../validation';

/**
 * Checks an input (valid against `remoteInputSchema`: the route's body, the settings file's entry)
 * against the stored entry it changes (none for a create) and returns the full settings and the
 * password to keep, or the message of every field that is wrong.
 */
export function validateRemote(
  input: RemoteInput,
  existing: RemoteSettings | undefined,
): { ok: true; settings: RemoteSettings; password: string | undefined } | { ok: false; fields: FieldErrors } {
  if (!existing && input.password === undefined) return { ok: false, fields: { password: 'is required' } };
  const tls = input.tls ?? existing?.tls ?? 'verify';
  const settings: RemoteSettings = {
    name: input.name,
    enabled: input.enabled ?? existing?.enabled ?? true,
    host: input.host,
    port: input.port ?? existing?.port ?? 443,
    tls,
    fingerprint: tls === 'pin' ? normalizeFingerprint(input.fingerprint ?? existing?.fingerprint ?? '') ?? '' : '',
    options: { ...DEFAULT_REMOTE_OPTIONS, ...existing?.options, ...stripUndefined(input.options ?? {}) },
  };
  // A v2 read asks for at least one section; with neither there is nothing to replicate.
  if (!settings.options.io && !settings.options.ui) return { ok: false, fields: { options: 'io or ui must be on' } };
  // Part A has no GUI variables (`ui` is listed as unsupported, not refused): without `io` a
  // public remote would replicate nothing.
  if (settings.options.api === 'public' && !settings.options.io) {
    return { ok: false, fields: { 'options.io': 'must be on when api is public: part A reads datapoints only' } };
  }
  return { ok: true, settings, password: input.password };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
