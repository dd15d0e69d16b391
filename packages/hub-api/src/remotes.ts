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
  /** The largest answer read from this remote, in MB (1..512): a larger one is cut off and refused. */
  maxanswermb: number;
  /** The most datapoints and GUI variables this remote may bring (1..100,000,000): past it, its state is refused. */
  maxpoints: number;
}

/** Bounds of the answer-size and point-count caps, shared by the hub's validation and the dashboard. */
export const REMOTE_LIMIT_BOUNDS = {
  // V8 cannot make a string of more than about 512 MB, which a larger answer would need.
  maxanswermb: { min: 1, max: 512 },
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

export interface RemoteStatus {
  connection: Connection;
  /** Why it is not online, when there is a reason. */
  error?: { code: string; message: string };
  /** The certificate fingerprint the remote presented, when it is not (yet) trusted. */
  offeredFingerprint?: string;
  /** Epoch ms of the last answer. */
  lastAnswerAt?: number;
  /** The remote's clock minus the hub's, in seconds, for SYSTEM remotes. */
  clockDelta?: number;
  /** How many points of this remote the tree holds. */
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
  error?: { code: string; message: string };
}
