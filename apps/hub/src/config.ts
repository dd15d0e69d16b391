/** The hub's command line, parsed and checked once into a typed config. */
import { isIP } from 'node:net';
import { logLevelFrom, parseCommandLine, parseFlags, port, UsageError, type FlagEnvironment, type LogLevel } from '@riohub/cli';
import { postgresUrlFault } from './db/postgres-url';

export interface HubConfig {
  host: string;
  port: number;
  data: string;
  /**
   * `--database`: a `postgres://` URL, whose store holds what the SQLite file would; `undefined`
   * for the SQLite file in `data` (`sqlite`, the default). It may hold a password: it is never
   * logged nor put in a message (the store's `location` is the URL without it).
   */
  database: string | undefined;
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
  /**
   * The reverse proxies whose X-Forwarded-For, -Host and -Proto are believed (addresses, CIDR
   * ranges, `loopback`, `linklocal`, `uniquelocal`), comma-separated; none when unset.
   */
  trustProxy?: string;
  /** A settings file (YAML) applied at every start: see settings-file/settings-file.ts. */
  configFile?: string | undefined;
  /**
   * `--pair-url`: where the other hubs of a pair (PostgreSQL) reach this hub's Remote I/O API;
   * by default its scheme, listening address (this machine's name for any address) and port.
   */
  pairUrl?: string;
  /** The least severe log level written (RIOHUB_LOG_LEVEL). */
  logLevel: LogLevel;
}

/** Every flag left off the command line is read from `RIOHUB_<FLAG>`, but those that are commands. */
export function flagEnvironment(env: NodeJS.ProcessEnv): FlagEnvironment {
  return { prefix: 'RIOHUB_', env, except: ['reset-password', 'replace'] };
}

export const USAGE = `usage: riohub [options]

  --host <address>     address to listen on [127.0.0.1]
  --port <port>        port, 0 for any free one [8080]
  --data <dir>         the data folder: the database (SQLite), the secret key, certificates [./data]
  --database <url>     where settings, users and history are kept: sqlite (the file in --data) or
                       a PostgreSQL database, postgres://user:password@host:5432/name [sqlite]
  --demo               start two simulators (lobby, floor2) and connect them when no remote is configured
  --tls                serve HTTPS with a self-signed certificate kept in --data
  --cert <file>        serve HTTPS with this certificate (PEM), with --key
  --key <file>         the certificate's private key (PEM)
  --insecure-http      allow plain HTTP on an address that is not loopback
  --allowed-hosts <names>  comma-separated host names the dashboard is reached by, besides IP
                       addresses, localhost, this machine's name and the certificate's names
                       (others are refused, against DNS rebinding)
  --trust-proxy <addresses>  the reverse proxies in front of the hub (addresses, CIDR ranges,
                       loopback, linklocal, uniquelocal; comma-separated): their X-Forwarded-For,
                       -Host and -Proto give the client's address, the name and scheme it asked for
  --config <file>      settings as code (YAML): remotes, users and this hub's Remote I/O API,
                       applied at every start (created or updated; others left alone unless
                       "prune: true"); any error in it stops the start, with its line
  --pair-url <url>     with --database postgres://…: where the other hubs sharing the database
                       reach this one (a standby mirrors the active hub's live values from it)
                       [its scheme, --host (this machine's name for 0.0.0.0 or ::) and --port]
  --help               this text

  Each option can be given in the environment instead, as RIOHUB_ and its name in capitals
  (RIOHUB_PORT=8443, RIOHUB_DATA=/var/lib/riohub, RIOHUB_ALLOWED_HOSTS=hub.example,
  RIOHUB_TLS=true); an option on the command line wins over the environment. Give a database
  URL with a password as RIOHUB_DATABASE: a command line is visible to every user of the machine.
  The log (stderr) is written from the level in RIOHUB_LOG_LEVEL up: fatal, error, warn, info
  (the default), debug, trace or silent.

  /healthz, /readyz and /metrics serve probes and Prometheus; /metrics answers loopback clients,
  and others that send Authorization: Bearer with the token in RIOHUB_METRICS_TOKEN.

  The first start creates the user "admin" with the password in RIOHUB_ADMIN_PASSWORD, or a generated
  one printed once.

  Stored passwords (remotes, this hub's Remote I/O API) are encrypted with the key in
  RIOHUB_SECRET_KEY (32 random bytes as 64 hex digits or base64: openssl rand -base64 32), or else
  with <data>/secret.key, made (mode 0600) on the first start. Keep the key apart from backups of
  the database; without it, stored passwords must be entered again.

usage: riohub --reset-password <user> [--data <dir>] [--database <url>]

  Gives the user a new generated password, printed once, and ends their sessions; then exits.
  Works while the hub runs, on SQLite or PostgreSQL (the hub's --database).

usage: riohub export-config [--data <dir>] [--database <url>]

  Prints the hub's settings (remotes, users, this hub's Remote I/O API) as a file for --config,
  without any password: each passwordEnv names the variable to set. Works while the hub runs, on
  SQLite or PostgreSQL (the hub's --database).

usage: riohub backup <file> [--data <dir>]

  Writes a consistent copy of the database to <file> (SQLite's online backup), while the hub runs
  or not. The secret key is not in it: keep it apart (without it, stored passwords must be entered
  again). A PostgreSQL database (--database) is backed up with pg_dump instead.

usage: riohub restore <file> --data <dir> [--replace]

  Puts a backup made by riohub backup into <dir>, with no hub running on it; refuses a file that
  is not a riohub database. --replace is needed when <dir> already holds a database. A
  PostgreSQL database (--database) is restored with pg_restore instead.
`;

/** `--reset-password <user>`: which user, in which data folder or database. */
export interface ResetPasswordConfig {
  data: string;
  /** As the hub's `database`: `undefined` for the SQLite file in `data`. */
  database: string | undefined;
  user: string;
}

/** The reset command line, when the arguments are one (`undefined` for a server's). */
export function parseResetArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ResetPasswordConfig | undefined {
  if (!argv.some((arg) => arg === '--reset-password' || arg.startsWith('--reset-password='))) return undefined;
  const values = parseFlags(
    argv,
    {
      'reset-password': { type: 'string' },
      data: { type: 'string', default: './data' },
      database: { type: 'string', default: 'sqlite' },
    },
    flagEnvironment(env),
  );
  const user = values['reset-password'];
  if (!user) throw new UsageError('--reset-password needs the name of a user');
  return { data: values.data, database: databaseOption(values.database), user };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function parseHubArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): HubConfig {
  const values = parseFlags(
    argv,
    {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      data: { type: 'string', default: './data' },
      database: { type: 'string', default: 'sqlite' },
      demo: { type: 'boolean', default: false },
      tls: { type: 'boolean', default: false },
      cert: { type: 'string' },
      key: { type: 'string' },
      'insecure-http': { type: 'boolean', default: false },
      'allowed-hosts': { type: 'string', default: '' },
      'trust-proxy': { type: 'string' },
      config: { type: 'string' },
      'pair-url': { type: 'string' },
    },
    flagEnvironment(env),
  );
  const listenPort = port(values.port);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  const https = values.tls || values.cert !== undefined;
  if (!https && !isLoopback(values.host) && !values['insecure-http']) {
    throw new UsageError(
      `--host ${values.host} is not loopback: serve it over HTTPS (--tls, or --cert and --key), or accept plain HTTP with --insecure-http`,
    );
  }
  const trustProxy = values['trust-proxy'] === undefined ? undefined : proxyList(values['trust-proxy']);
  // Read here so that a bad level is a usage error before anything starts.
  const logLevel = logLevelFrom(env);
  return {
    host: values.host,
    port: listenPort,
    data: values.data,
    database: databaseOption(values.database),
    demo: values.demo,
    insecureHttp: values['insecure-http'],
    tls: values.tls,
    cert: values.cert,
    key: values.key,
    allowedHosts: values['allowed-hosts']
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
    ...(trustProxy ? { trustProxy } : {}),
    configFile: values.config,
    ...(values['pair-url'] === undefined ? {} : { pairUrl: pairUrlOption(values['pair-url']) }),
    logLevel,
  };
}

function pairUrlOption(text: string): string {
  const example = 'https://hub-a.example:8443';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--pair-url: expected a URL such as ${example}`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new UsageError(`--pair-url: expected the scheme, host and port only, such as ${example}`);
  }
  return url.origin;
}

/** A one-shot command's file and data folder (`riohub backup <file> --data <dir>`). */
export interface FileCommandConfig {
  /** Empty for `export-config`, which prints. */
  file: string;
  data: string;
  /** As the hub's `database`: `undefined` for the SQLite file in `data`. */
  database: string | undefined;
  /** `restore`: a database already in the folder may be replaced. */
  replace: boolean;
}

export type FileCommand = 'export-config' | 'backup' | 'restore';

/**
 * The arguments after `export-config` (no file), `backup <file>` or `restore <file>` (which needs
 * the data folder named: it writes into it).
 */
export function parseFileCommandArgs(command: FileCommand, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): FileCommandConfig {
  const restore = command === 'restore';
  const { values, positionals } = parseCommandLine(
    argv,
    {
      data: { type: 'string', ...(restore ? {} : { default: './data' }) },
      database: { type: 'string', default: 'sqlite' },
      replace: { type: 'boolean', default: false },
    },
    flagEnvironment(env),
  );
  const wanted = command === 'export-config' ? 0 : 1;
  if (positionals.length !== wanted) {
    throw new UsageError(wanted === 0 ? `${command} takes no file: it prints the settings` : `${command} needs one file: riohub ${command} <file>`);
  }
  if (values.replace && !restore) throw new UsageError(`--replace is an option of restore, not of ${command}`);
  const database = databaseOption(values.database);
  // A PostgreSQL database needs no data folder to be named: the command refuses it (commands.ts).
  if (values.data === undefined && database === undefined) throw new UsageError(`${command} needs --data <dir>, the data folder it writes into`);
  return { file: positionals[0] ?? '', data: values.data ?? '', database, replace: values.replace === true };
}

/**
 * `--database`: `undefined` for SQLite (`sqlite`, or an empty RIOHUB_DATABASE), else the
 * PostgreSQL URL. A mistake is told without the text given, which may hold a password.
 */
function databaseOption(text: string): string | undefined {
  if (text === 'sqlite' || text === '') return undefined;
  const fault = postgresUrlFault(text);
  if (fault) throw new UsageError(`--database: ${fault}`);
  return text;
}

/** The names proxy-addr (Fastify's `trustProxy`) gives to address ranges. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `--trust-proxy`: each entry an address, a CIDR range or a named range; normalized, comma-separated. */
function proxyList(text: string): string {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new UsageError('--trust-proxy needs the addresses of the proxies (e.g. loopback, or 10.0.0.5)');
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 6 ? 128 : 32;
    const valid = PROXY_RANGES.has(entry) || (version !== 0 && rest.length === 0 && (bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= maxBits)));
    if (!valid) throw new UsageError(`--trust-proxy "${entry}": expected an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal`);
  }
  return entries.join(',');
}
