/** Starts the hub from its config: settings file, store, first admin, demo simulators, links, listening app. */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { fingerprintOf, loadCertificate, type Certificate } from '@riohub/certificate';
import { redactUrl } from '@riohub/rio-server';
import type { FastifyInstance } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import { buildHubApp } from './app';
import { FAST_HASHES_ENV, OWASP_SCRYPT_COST, scryptCost } from './auth/passwords';
import { UserRepo } from './auth/user-repo';
import type { HubConfig } from './config';
import { ensureDataFolder, openStore, truncateLog } from './db/database';
import { loadSecretKey, SecretBox } from './db/secret-box';
import type { Store } from './db/store';
import { startDemo, type Demo } from './demo';
import { Hub } from './hub';
import { hostPort } from './links/remote-client';
import { MqttSettings } from './mqtt/mqtt-settings';
import { HubPair, ownInstanceId } from './pair/hub-pair';
import { RemoteRepo } from './remotes/remote-repo';
import { ServedApiSettings } from './served/served-api-settings';
import { declaresAdmin, planSettings } from './settings-file/apply-settings';
import { readSettingsFile } from './settings-file/settings-file';

export interface RunningHub {
  url: string;
  app: FastifyInstance;
  hub: Hub;
  /** Its store (tests apply a settings file to a running hub, and look at what is stored). */
  store: Store;
  /** The first admin's generated password, on the first start only. */
  generatedAdminPassword: string | undefined;
  /** The certificate served, in PEM, when the hub serves HTTPS (for pinning it). */
  certificate: string | undefined;
  /** The kept self-signed certificate was about to expire and was replaced at this start: its new fingerprint. */
  renewedFingerprint: string | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where the log goes (JSON lines); stderr by default. */
  logStream?: DestinationStream;
  /** How often a kept self-signed certificate is checked for renewal while the hub runs (a day). */
  certificateCheckMs?: number;
}

/** Listening addresses that mean every interface: reached by this machine's name. */
const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/** A running hub checks its kept self-signed certificate this often. */
const CERTIFICATE_CHECK_MS = 86_400_000;

/**
 * `--cert` and `--key`, read and checked as the HTTPS server will use them: a certificate, its
 * private key, and the one matching the other. Each problem names its flag and file.
 */
function readGivenCertificate(certFile: string, keyFile: string): Certificate {
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${flag} ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  };
  const cert = read('--cert', certFile);
  const key = read('--key', keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new Error(`--cert ${certFile}: not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`--key ${keyFile}: not a PEM private key without a passphrase (-----BEGIN PRIVATE KEY-----)`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new Error(`--key ${keyFile}: not the private key of --cert ${certFile}`);
  return { cert, key };
}

export async function startHub(config: HubConfig, env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<RunningHub> {
  const logger = pino(
    {
      level: config.logLevel,
      // A Remote I/O API URL carries the password: no request is logged with its query.
      serializers: { req: (request: { method: string; url: string }) => ({ method: request.method, url: redactUrl(request.url) }) },
    },
    options.logStream ?? pino.destination(2),
  );
  if (scryptCost() !== OWASP_SCRYPT_COST) {
    logger.warn(`${FAST_HASHES_ENV} is set: passwords are hashed at a test suite's cost, which a copy of the database lets anyone guess fast; unset it for a hub people use`);
  }
  // Read and checked in full before anything is opened: any problem in it stops the start.
  const settingsFile = config.configFile ? readSettingsFile(config.configFile, env) : undefined;
  // So is the certificate given: a start refused for it leaves the database as it was.
  const given = config.cert && config.key ? readGivenCertificate(config.cert, config.key) : undefined;
  // The command line and the environment win over the settings file.
  const database = config.database ?? settingsFile?.database;
  // Said, not ignored: an operator who gives it means this hub to be one of a pair.
  if (config.pairUrl !== undefined && database === undefined) {
    throw new Error('--pair-url is for the hubs of a pair, which share a PostgreSQL database (--database postgres://…): this hub keeps its store in SQLite');
  }
  const store = await openSealedStore({ ...config, database }, env, logger);
  // Hubs sharing a PostgreSQL database elect the active one: a lone hub is active at once.
  const instanceId = store.kind === 'postgres' ? ownInstanceId(config.data) : undefined;
  const pair =
    instanceId && database
      ? new HubPair(store, database, { instanceId, name: config.port ? `${hostname()}:${config.port}` : `${hostname()} (pid ${process.pid})` }, { logger: logger.child({ component: 'pair' }), plainHttp: config.insecureHttp })
      : undefined;
  const hub = await (async () => {
    await pair?.start();
    return Hub.create(store, logger.child({ component: 'hub' }), { instanceId, pair });
  })().catch(async (error: unknown) => {
    await pair?.stop();
    await store.close();
    throw error;
  });
  let demo: Demo | undefined;
  let app: FastifyInstance | undefined;
  try {
    // Checked against the stored settings, still changing nothing.
    const settingsPlan = settingsFile && (await planSettings(settingsFile, hub, store));
    const generatedAdminPassword = settingsFile && declaresAdmin(settingsFile) ? undefined : await new UserRepo(store).ensureFirstAdmin(env['RIOHUB_ADMIN_PASSWORD']);
    // Users and the served API before the app, which reads them.
    await settingsPlan?.applyAccounts();
    const https = given ?? (config.tls ? await loadCertificate(config.data, config.host, 'riohub') : undefined);
    const renewedFingerprint = https?.renewed ? fingerprintOf(https.cert) : undefined;
    if (https?.renewed) {
      logger.warn(
        { fingerprint: renewedFingerprint, previousFingerprint: https.renewed.previousFingerprint, previousExpiry: new Date(https.renewed.previousExpiry).toISOString() },
        'the self-signed certificate was about to expire and has been renewed: hubs and clients that pinned it must trust the new fingerprint',
      );
    }
    if (config.demo) {
      demo = await startDemo(store, hub.repo, config.data);
      // The demo's password, sealed just now if an older hub kept it plain, leaves no plain page image behind.
      truncateLog(store);
    }
    app = await buildHubApp({
      hub,
      store,
      secureCookies: https !== undefined,
      logger,
      https,
      allowedHosts: allowedHostNames(config, https?.cert),
      // An empty token is no token: /metrics then answers loopback only.
      ...(env['RIOHUB_METRICS_TOKEN'] ? { metricsToken: env['RIOHUB_METRICS_TOKEN'] } : {}),
      ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    });
    if (settingsPlan) {
      // Remotes as a REST change would make them (validated, audited), before the hub starts its
      // links: a remote the file changes is never tried with its old address and password.
      await settingsPlan.applyRemotes();
      logger.info({ settingsFile: config.configFile, ...settingsPlan.applied }, 'settings file applied');
    }
    await hub.start();
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const running = app;
    // Where the others of a pair mirror this hub's tree from, while it is the active one.
    const pairUrl = config.pairUrl ?? `${https ? 'https' : 'http'}://${hostPort(ANY_ADDRESS.has(config.host) ? hostname() : config.host, port)}`;
    const advertise = (cert: string | undefined) => pair?.advertise({ url: pairUrl, ...(cert ? { fingerprint: fingerprintOf(cert) } : {}) });
    await advertise(https?.cert);
    // A hub that runs for months renews its kept self-signed certificate as a start would, and
    // serves the new one to the next connection. One check at a time: a renewal that outlasts the
    // interval (a busy machine) would otherwise be started again from the same expiring files, and
    // renew twice, serving one certificate and keeping the other.
    let checking: Promise<void> | undefined;
    const renewal =
      config.tls && !config.cert
        ? setInterval(() => {
            checking ??= renewWhileRunning(config, running, logger, advertise).finally(() => (checking = undefined));
          }, options.certificateCheckMs ?? CERTIFICATE_CHECK_MS)
        : undefined;
    renewal?.unref();
    return {
      url: `${https ? 'https' : 'http'}://${hostPort(config.host, port)}`,
      app: running,
      hub,
      store,
      generatedAdminPassword,
      certificate: https?.cert,
      renewedFingerprint,
      async close() {
        clearInterval(renewal);
        await running.close();
        await hub.stop();
        await pair?.stop();
        await demo?.stop();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close();
    await hub.stop();
    await pair?.stop();
    await demo?.stop();
    await store.close();
    throw error;
  }
}

/**
 * Opens the store (`--database`: the SQLite file in the data folder, or PostgreSQL) with the key
 * that seals its secrets (`RIOHUB_SECRET_KEY`, else `<data>/secret.key`: see db/secret-box.ts;
 * the key stays in the data folder whichever the store), seals what an earlier version stored in
 * plain text, and says which stored secrets this key cannot open. Throws, before anything is
 * opened, when the key is missing or malformed.
 */
async function openSealedStore(config: HubConfig, env: NodeJS.ProcessEnv, logger: pino.Logger): Promise<Store> {
  ensureDataFolder(config.data);
  const { key, source } = loadSecretKey(config.data, env);
  const store = await openStore(config.data, config.database, new SecretBox(key));
  try {
    const remotes = new RemoteRepo(store);
    const sealed = await remotes.sealPlainPasswords();
    const served = await ServedApiSettings.load(store);
    if (sealed > 0) logger.info({ remotes: sealed }, 'sealed the remote passwords stored in plain text');
    // No page image that held them in plain text stays behind in the write-ahead log.
    truncateLog(store);
    for (const remote of await remotes.list()) {
      if (remote.passwordError) {
        logger.error({ remote: remote.settings.name, keyFrom: source }, `remote ${remote.settings.name}: ${remote.passwordError} (it was sealed with another key)`);
      }
    }
    if (served.passwordUnreadable) {
      logger.error({ keyFrom: source }, "the password of this hub's Remote I/O API cannot be decrypted (sealed with another key): the API is off until it is set again");
    }
    if (await MqttSettings.passwordUnreadable(store)) {
      logger.error({ keyFrom: source }, "the MQTT broker's password cannot be decrypted (sealed with another key): set it again (until then the bridge connects without it)");
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The names the dashboard answers to besides IP addresses: localhost, this machine's name, the
 * one it listens on, its certificate's, and those configured. A page of another site whose name
 * an attacker points at the hub's address (DNS rebinding) carries its own name, and is refused.
 */
function allowedHostNames(config: HubConfig, certificate: string | undefined): string[] {
  const names = ['localhost', hostname(), `${hostname()}.local`, config.host, ...(config.allowedHosts ?? [])];
  if (certificate) {
    for (const entry of (new X509Certificate(certificate).subjectAltName ?? '').split(', ')) {
      if (entry.startsWith('DNS:')) names.push(entry.slice(4));
    }
  }
  return [...new Set(names.map((name) => name.toLowerCase()).filter((name) => isIP(name) === 0))];
}

async function renewWhileRunning(config: HubConfig, app: FastifyInstance, logger: pino.Logger, advertise: (cert: string) => Promise<void> | undefined): Promise<void> {
  try {
    const next = await loadCertificate(config.data, config.host, 'riohub');
    if (!next.renewed) return;
    (app.server as unknown as TlsServer).setSecureContext({ key: next.key, cert: next.cert });
    logger.warn(
      { fingerprint: fingerprintOf(next.cert), previousFingerprint: next.renewed.previousFingerprint, previousExpiry: new Date(next.renewed.previousExpiry).toISOString() },
      'the self-signed certificate was about to expire and has been renewed while running: hubs and clients that pinned it must trust the new fingerprint',
    );
    // The others of a pair pin the certificate by the fingerprint recorded in the store.
    await advertise(next.cert);
  } catch (error) {
    logger.error({ err: error }, 'the self-signed certificate could not be renewed: it is served until it expires');
  }
}
