/** Remote entries: their settings (PROTOCOL.md "Client behaviour") and their live status. */
import { isIpAddress, isValidName, isValidRemoteName } from '@riohub/protocol';
import { z } from 'zod';
import { isWellFormedText, NOT_WELL_FORMED } from './text';

export const tlsModeSchema = z.enum(['verify', 'pin', 'http'], 'must be verify, pin or http');
export type TlsMode = z.infer<typeof tlsModeSchema>;

/** Bounds of the answer-size and point-count caps, shared by the hub's validation and the dashboard. */
export const REMOTE_LIMIT_BOUNDS = {
  // An answer is held as its bytes and as the string decoded from them before it is parsed, and
  // V8 cannot make a string of more than about 512 MB: 256 MB keeps both far from that.
  maxanswermb: { min: 1, max: 256 },
  maxpoints: { min: 1, max: 100_000_000 },
} as const;

function wholeNumberIn({ min, max }: { min: number; max: number }, unit: string) {
  const range = `must be ${min} to ${max.toLocaleString('en-US')} ${unit}`;
  return z.number(range).int(`must be a whole number of ${unit}`).min(min, range).max(max, range);
}

export const remoteOptionsSchema = z
  .object({
    discovery: z.boolean(),
    startupevents: z.boolean(),
    io: z.boolean(),
    ui: z.boolean(),
    /** Seconds, 0..9999. */
    drift: z.number().int('must be a whole number of seconds').min(0, 'must be 0 to 9999').max(9999, 'must be 0 to 9999'),
    clocksync: z.boolean(),
    /** `;`-separated remote logger ids. */
    dataloggers: z
      .string()
      .refine((ids) => ids === '' || ids.split(';').every((id) => isValidName(id.trim())), 'must be logger ids separated by ;'),
    dataloggersnameprefix: z.boolean(),
    /** Seconds between two polls of the loggers, at least 1. */
    dataloggerspollinterval: z.number().int('must be a whole number of seconds').min(1, 'must be 1 to 86400').max(86_400, 'must be 1 to 86400'),
    shutdownWhenInactive: z.boolean(),
    api: z.enum(['extended', 'public'], 'must be extended or public'),
    /** The largest answer read from this remote, in MB (1..256): a larger one is cut off and refused. */
    maxanswermb: wholeNumberIn(REMOTE_LIMIT_BOUNDS.maxanswermb, 'MB'),
    /** The most datapoints and GUI variables this remote may bring (1..100,000,000): past it, its state is refused. */
    maxpoints: wholeNumberIn(REMOTE_LIMIT_BOUNDS.maxpoints, 'points'),
  })
  .strict()
  .meta({ id: 'RemoteOptions' });
export type RemoteOptions = z.infer<typeof remoteOptionsSchema>;

export const DEFAULT_REMOTE_OPTIONS: RemoteOptions = {
  discovery: true,
  startupevents: false,
  io: true,
  ui: false,
  drift: 4,
  clocksync: false,
  dataloggers: '',
  dataloggersnameprefix: true,
  dataloggerspollinterval: 60,
  shutdownWhenInactive: false,
  api: 'extended',
  maxanswermb: 64,
  maxpoints: 2_000_000,
};

/** A SHA-256 fingerprint as `AB:CD:…` (upper case, colons), from any spelling of its 64 hex digits. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const remoteNameSchema = z.string().max(64, 'must be at most 64 characters').refine(isValidRemoteName, 'must be lower-case letters, digits, _ or -');

/**
 * A remote entry as an admin sends it (`POST /api/remotes`, a connection test, an entry of the
 * settings file). The password is write-only: it is never part of what the hub returns.
 */
export const remoteInputSchema = z
  .object({
    /** `[a-z0-9_-]+`, unique: the prefix of everything this remote brings. */
    name: remoteNameSchema,
    enabled: z.boolean().optional(),
    /** Host name, IPv4 or IPv6 address. */
    host: z.string().refine((host) => isIpAddress(host) || HOSTNAME.test(host), 'must be a host name or an IP address'),
    /** 1..65535, default 443. */
    port: z.number().int('must be a whole number').min(1, 'must be 1 to 65535').max(65_535, 'must be 1 to 65535').optional(),
    /** `verify`: system CAs; `pin`: the certificate's SHA-256 fingerprint; `http`: plain HTTP. */
    tls: tlsModeSchema.optional(),
    /** With `pin`: `AB:CD:…` (64 hex digits). Empty: trust on first use, after an admin confirms. */
    fingerprint: z
      .string()
      .refine((text) => text === '' || normalizeFingerprint(text) !== undefined, 'must be a SHA-256 fingerprint (64 hex digits)')
      .optional(),
    /** Omitted on a change: the stored one is kept. */
    password: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').refine(isWellFormedText, NOT_WELL_FORMED).optional(),
    options: remoteOptionsSchema.partial().optional(),
  })
  .strict()
  .meta({ id: 'RemoteEntry' });
export type RemoteInput = z.infer<typeof remoteInputSchema>;

/**
 * A change of a remote entry (`PUT /api/remotes/:name`): `host` always; any other field omitted
 * keeps its value (the password too). The name is the path's; another one in the body is refused.
 */
export const remoteChangeSchema = remoteInputSchema.partial({ name: true }).meta({ id: 'RemoteChange' });
export type RemoteChange = z.infer<typeof remoteChangeSchema>;

/** What an admin set, as the hub keeps it: every field at its value or its default. */
export const remoteSettingsSchema = z.object({
  name: z.string(),
  enabled: z.boolean(),
  host: z.string(),
  port: z.number().int(),
  tls: tlsModeSchema,
  fingerprint: z.string(),
  options: remoteOptionsSchema,
});
export type RemoteSettings = z.infer<typeof remoteSettingsSchema>;

export const connectionSchema = z.enum(['online', 'offline', 'disabled', 'inactive']);
export type Connection = z.infer<typeof connectionSchema>;

/**
 * Why a remote is not online, or why a connection test failed. `code` is stable (an error code);
 * `message` is a sentence for a person that says what to do (the same for the dashboard and any
 * REST client); `detail` is the raw cause it was made from (`DEPTH_ZERO_SELF_SIGNED_CERT: …`).
 */
export const remoteErrorSchema = z.object({ code: z.string(), message: z.string(), detail: z.string().optional() });
export type RemoteError = z.infer<typeof remoteErrorSchema>;

export const remoteStatusSchema = z.object({
  connection: connectionSchema,
  /** Why it is not online, when there is a reason. */
  error: remoteErrorSchema.optional(),
  /** The certificate fingerprint the remote presented, when it is not (yet) trusted. */
  offeredFingerprint: z.string().optional(),
  /** Epoch ms of the last answer. */
  lastAnswerAt: z.number().optional(),
  /**
   * Epoch ms since when the hub has not reached it: the first failure after it was last online
   * (or after the hub started). Kept while its entry is changed; absent while online.
   */
  offlineSince: z.number().optional(),
  /** Epoch ms of the next attempt while the link waits out its backoff; absent while it tries. */
  nextRetryAt: z.number().optional(),
  /** The remote's clock minus the hub's, in seconds, for SYSTEM remotes. */
  clockDelta: z.number().optional(),
  /**
   * The remote's point count, the one shown everywhere: its datapoints plus its GUI variables
   * that the hub holds (stale ones included), not the hub's own points about it
   * (`<remote>.connection`, `.time.delta`, `.time.alarm`). What `maxpoints` bounds.
   */
  points: z.number(),
  /** Capabilities not available from this remote (`api: public`). */
  unsupported: z.array(z.string()),
});
export type RemoteStatus = z.infer<typeof remoteStatusSchema>;

export const remoteViewSchema = remoteSettingsSchema.extend({ hasPassword: z.boolean(), status: remoteStatusSchema }).meta({ id: 'RemoteView' });
export type RemoteView = z.infer<typeof remoteViewSchema>;

/** Trusts the certificate the remote offers now (`POST /api/remotes/:name/trust`). */
export const trustSchema = z.object({ fingerprint: z.string().min(1) }).strict();

/** The answer of "test connection". */
export const connectionTestSchema = z
  .object({
    reachable: z.boolean(),
    fingerprint: z.string().optional(),
    trusted: z.boolean(),
    points: z.number().optional(),
    members: z.array(z.string()).optional(),
    system: z.boolean().optional(),
    error: remoteErrorSchema.optional(),
  })
  .meta({ id: 'ConnectionTest' });
export type ConnectionTest = z.infer<typeof connectionTestSchema>;

/**
 * How a remote stands for an operator scanning the fleet: `failing` is online with its clock
 * past the allowed drift; `disabled` includes `inactive` (not polled on purpose).
 */
export type FleetState = 'offline' | 'failing' | 'disabled' | 'online';

export function fleetState(remote: Pick<RemoteView, 'status' | 'options'>): FleetState {
  const { connection, clockDelta } = remote.status;
  if (connection === 'offline') return 'offline';
  if (connection === 'disabled' || connection === 'inactive') return 'disabled';
  return clockDelta !== undefined && Math.abs(clockDelta) > remote.options.drift ? 'failing' : 'online';
}

const FLEET_ORDER: Record<FleetState, number> = { offline: 0, failing: 1, disabled: 2, online: 3 };

/** The fleet's one order: offline, failing, disabled, then online; by name within each. */
export function compareRemotes(a: Pick<RemoteView, 'name' | 'status' | 'options'>, b: Pick<RemoteView, 'name' | 'status' | 'options'>): number {
  return FLEET_ORDER[fleetState(a)] - FLEET_ORDER[fleetState(b)] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
