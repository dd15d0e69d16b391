/** Remote entries: their settings (PROTOCOL.md "Client behaviour") and their live status. */

export type TlsMode = 'verify' | 'pin' | 'http';

export interface RemoteOptions {
  discovery: boolean;
  startupevents: boolean;
  io: boolean;
  ui: boolean;
  /** Seconds, 0..9999. */
  drift: number;
  clocksync: boolean;
  /** `;`-separated remote logger ids. */
  dataloggers: string;
  dataloggersnameprefix: boolean;
  /** Seconds between two polls of the loggers, at least 1. */
  dataloggerspollinterval: number;
  shutdownWhenInactive: boolean;
  api: 'extended' | 'public';
  /** The largest answer read from this remote, in MB (1..256): a larger one is cut off and refused. */
  maxanswermb: number;
  /** The most datapoints and GUI variables this remote may bring (1..100,000,000): past it, its state is refused. */
  maxpoints: number;
}

/** Bounds of the answer-size and point-count caps, shared by the hub's validation and the dashboard. */
export const REMOTE_LIMIT_BOUNDS = {
  // An answer is held as its bytes and as the string decoded from them before it is parsed, and
  // V8 cannot make a string of more than about 512 MB: 256 MB keeps both far from that.
  maxanswermb: { min: 1, max: 256 },
  maxpoints: { min: 1, max: 100_000_000 },
} as const;

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

/** What an admin sets. The password is write-only: it is never part of what the hub returns. */
export interface RemoteSettings {
  /** `[a-z0-9_-]+`, unique: the prefix of everything this remote brings. */
  name: string;
  enabled: boolean;
  /** Host name, IPv4 or IPv6 address. */
  host: string;
  /** 1..65535, default 443. */
  port: number;
  /** `verify`: system CAs; `pin`: the certificate's SHA-256 fingerprint; `http`: plain HTTP. */
  tls: TlsMode;
  /** With `pin`: `AB:CD:…` (64 hex digits). Empty: trust on first use, after an admin confirms. */
  fingerprint: string;
  options: RemoteOptions;
}

/** The body of a create or change; `password` omitted on a change keeps the stored one. */
export interface RemoteInput extends Omit<RemoteSettings, 'options' | 'fingerprint' | 'port' | 'enabled' | 'tls'> {
  enabled?: boolean;
  port?: number;
  tls?: TlsMode;
  fingerprint?: string;
  password?: string;
  options?: Partial<RemoteOptions>;
}

export type Connection = 'online' | 'offline' | 'disabled' | 'inactive';

/**
 * Why a remote is not online, or why a connection test failed. `code` is stable (an error code);
 * `message` is a sentence for a person that says what to do (the same for the dashboard and any
 * REST client); `detail` is the raw cause it was made from (`DEPTH_ZERO_SELF_SIGNED_CERT: …`).
 */
export interface RemoteError {
  code: string;
  message: string;
  detail?: string;
}

export interface RemoteStatus {
  connection: Connection;
  /** Why it is not online, when there is a reason. */
  error?: RemoteError;
  /** The certificate fingerprint the remote presented, when it is not (yet) trusted. */
  offeredFingerprint?: string;
  /** Epoch ms of the last answer. */
  lastAnswerAt?: number;
  /**
   * Epoch ms since when the hub has not reached it: the first failure after it was last online
   * (or after the hub started). Kept while its entry is changed; absent while online.
   */
  offlineSince?: number;
  /** Epoch ms of the next attempt while the link waits out its backoff; absent while it tries. */
  nextRetryAt?: number;
  /** The remote's clock minus the hub's, in seconds, for SYSTEM remotes. */
  clockDelta?: number;
  /**
   * The remote's point count, the one shown everywhere: its datapoints plus its GUI variables
   * that the hub holds (stale ones included), not the hub's own points about it
   * (`<remote>.connection`, `.time.delta`, `.time.alarm`). What `maxpoints` bounds.
   */
  points: number;
  /** Capabilities not available from this remote (`api: public`). */
  unsupported: string[];
}

export interface RemoteView extends RemoteSettings {
  hasPassword: boolean;
  status: RemoteStatus;
}

/** The answer of "test connection". */
export interface ConnectionTest {
  reachable: boolean;
  fingerprint?: string;
  trusted: boolean;
  points?: number;
  members?: string[];
  system?: boolean;
  error?: RemoteError;
}

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
