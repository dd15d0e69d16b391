/** Validation of remote entries: every field with its range, every failure with a clear message. */
import { isIP } from 'node:net';
import { DEFAULT_REMOTE_OPTIONS, REMOTE_LIMIT_BOUNDS, type RemoteInput, type RemoteSettings } from '@riohub/hub-api';
import { isValidName, isValidRemoteName } from '@riohub/protocol';
import { z } from 'zod';
import { normalizeFingerprint } from '../links/remote-client';
import { fieldErrors, isWellFormedText, NOT_WELL_FORMED, type FieldErrors } from '../validation';

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const optionsSchema = z
  .object({
    discovery: z.boolean(),
    startupevents: z.boolean(),
    io: z.boolean(),
    ui: z.boolean(),
    drift: z.number().int('must be a whole number of seconds').min(0, 'must be 0 to 9999').max(9999, 'must be 0 to 9999'),
    clocksync: z.boolean(),
    dataloggers: z
      .string()
      .refine((ids) => ids === '' || ids.split(';').every((id) => isValidName(id.trim())), 'must be logger ids separated by ;'),
    dataloggersnameprefix: z.boolean(),
    dataloggerspollinterval: z.number().int('must be a whole number of seconds').min(1, 'must be 1 to 86400').max(86_400, 'must be 1 to 86400'),
    shutdownWhenInactive: z.boolean(),
    api: z.enum(['extended', 'public'], 'must be extended or public'),
    maxanswermb: wholeNumberIn(REMOTE_LIMIT_BOUNDS.maxanswermb, 'MB'),
    maxpoints: wholeNumberIn(REMOTE_LIMIT_BOUNDS.maxpoints, 'points'),
  })
  .strict();

function wholeNumberIn({ min, max }: { min: number; max: number }, unit: string) {
  const range = `must be ${min} to ${max.toLocaleString('en-US')} ${unit}`;
  return z.number(range).int(`must be a whole number of ${unit}`).min(min, range).max(max, range);
}

/** A remote entry as an admin sends it (`POST`/`PUT /api/remotes`, an entry of the settings file). */
export const remoteInputSchema = z
  .object({
    name: z.string().max(64, 'must be at most 64 characters').refine(isValidRemoteName, 'must be lower-case letters, digits, _ or -'),
    enabled: z.boolean().optional(),
    host: z.string().refine((host) => isIP(host) !== 0 || HOSTNAME.test(host), 'must be a host name or an IP address'),
    port: z.number().int('must be a whole number').min(1, 'must be 1 to 65535').max(65_535, 'must be 1 to 65535').optional(),
    tls: z.enum(['verify', 'pin', 'http'], 'must be verify, pin or http').optional(),
    fingerprint: z
      .string()
      .refine((text) => text === '' || normalizeFingerprint(text) !== undefined, 'must be a SHA-256 fingerprint (64 hex digits)')
      .optional(),
    password: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').refine(isWellFormedText, NOT_WELL_FORMED).optional(),
    options: optionsSchema.partial().optional(),
  })
  .strict();

/**
 * Checks an input against the stored entry it changes (none for a create) and returns the full
 * settings and the password to keep, or the message of every field that is wrong.
 */
export function validateRemote(
  body: unknown,
  existing: RemoteSettings | undefined,
): { ok: true; settings: RemoteSettings; password: string | undefined } | { ok: false; fields: FieldErrors } {
  const parsed = remoteInputSchema.safeParse(body);
  if (!parsed.success) return { ok: false, fields: fieldErrors(parsed.error) };
  const input: RemoteInput = parsed.data;
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
  return { ok: true, settings, password: input.password };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
