/** The hub's command line, parsed and checked once into a typed config. */
import { isIP } from 'node:net';
import { parseFlags, port, UsageError } from '@riohub/cli';

export interface HubConfig {
  host: string;
  port: number;
  data: string;
  demo: boolean;
  /** Serve plain HTTP on a non-loopback address (refused without it). */
  insecureHttp: boolean;
  /** Serve HTTPS with a self-signed certificate kept in the data folder. */
  tls: boolean;
  cert: string | undefined;
  key: string | undefined;
  /**
   * Host names the dashboard and its API answer to, besides IP addresses, localhost, this
   * machine's name and the certificate's names: a guard against DNS rebinding.
   */
  allowedHosts?: string[];
}

export const USAGE = `usage: riohub [options]

  --host <address>     address to listen on [127.0.0.1]
  --port <port>        port, 0 for any free one [8080]
  --data <dir>         settings, users and history (SQLite) [./data]
  --demo               start two simulators (lobby, floor2) and connect them when no remote is configured
  --tls                serve HTTPS with a self-signed certificate kept in --data
  --cert <file>        serve HTTPS with this certificate (PEM), with --key
  --key <file>         the certificate's private key (PEM)
  --insecure-http      allow plain HTTP on an address that is not loopback
  --allowed-hosts <names>  comma-separated host names the dashboard is reached by, besides IP
                       addresses, localhost, this machine's name and the certificate's names
                       (others are refused, against DNS rebinding)
  --help               this text

  The first start creates the user "admin" with the password in RIOHUB_ADMIN_PASSWORD, or a generated
  one printed once.

  Stored passwords (remotes, this hub's Remote I/O API) are encrypted with the key in
  RIOHUB_SECRET_KEY (32 random bytes as 64 hex digits or base64: openssl rand -base64 32), or else
  with <data>/secret.key, made (mode 0600) on the first start. Keep the key apart from backups of
  the database; without it, stored passwords must be entered again.

usage: riohub --reset-password <user> [--data <dir>]

  Gives the user a new generated password, printed once, and ends their sessions; then exits.
  Works while the hub runs.
`;

/** `--reset-password <user>`: which user, in which data folder. */
export interface ResetPasswordConfig {
  data: string;
  user: string;
}

/** The reset command line, when the arguments are one (`undefined` for a server's). */
export function parseResetArgs(argv: readonly string[]): ResetPasswordConfig | undefined {
  if (!argv.some((arg) => arg === '--reset-password' || arg.startsWith('--reset-password='))) return undefined;
  const values = parseFlags(argv, {
    'reset-password': { type: 'string' },
    data: { type: 'string', default: './data' },
  });
  const user = values['reset-password'];
  if (!user) throw new UsageError('--reset-password needs the name of a user');
  return { data: values.data, user };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function parseHubArgs(argv: readonly string[]): HubConfig {
  const values = parseFlags(argv, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    data: { type: 'string', default: './data' },
    demo: { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
    cert: { type: 'string' },
    key: { type: 'string' },
    'insecure-http': { type: 'boolean', default: false },
    'allowed-hosts': { type: 'string', default: '' },
  });
  const listenPort = port(values.port);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  const https = values.tls || values.cert !== undefined;
  if (!https && !isLoopback(values.host) && !values['insecure-http']) {
    throw new UsageError(
      `--host ${values.host} is not loopback: serve it over HTTPS (--tls, or --cert and --key), or accept plain HTTP with --insecure-http`,
    );
  }
  return {
    host: values.host,
    port: listenPort,
    data: values.data,
    demo: values.demo,
    insecureHttp: values['insecure-http'],
    tls: values.tls,
    cert: values.cert,
    key: values.key,
    allowedHosts: values['allowed-hosts']
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  };
}
