// Secrets at rest: what a copy of the hub's data folder (and of its PostgreSQL database, on that store)
// gives away, across restarts, old databases and keys.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf } from '@riohub/certificate';
import { spawnSim, type SimProcess } from '@riohub/sim-launcher';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';
import { onPostgres } from '../testing/test-store';
import { DATABASE_FILE, openStore } from './database';
import { SECRET_KEY_FILE } from './secret-box';
import { readMeta, writeMeta, type Store } from './store';

/** Distinct, long and random: found in the files only if it was stored as it is. */
const SIM_PASSWORD = `sim-${randomBytes(12).toString('hex')}`;
const API_PASSWORD = `api-${randomBytes(12).toString('hex')}`;
const MQTT_PASSWORD = `mqtt-${randomBytes(12).toString('hex')}`;

const newKey = () => randomBytes(32).toString('base64');
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** The `--database` of the hubs started on each data folder (`undefined`: the folder's SQLite file). */
const databases = new Map<string, string | undefined>();

/** The store of a data folder, opened beside its hub (or after it stopped), as a tool would. */
function storeOf(dataDir: string): Promise<Store> {
  return openStore(dataDir, databases.get(dataDir));
}

/**
 * Which of `secrets` appear anywhere in the bytes of the SQLite database, its -wal and its -shm
 * file; on PostgreSQL, in any row of the hub's tables (the server's own files are its to keep).
 */
async function secretsIn(dataDir: string, secrets: string[]): Promise<string[]> {
  if (onPostgres) {
    const store = await storeOf(dataDir);
    try {
      const rows: string[] = [];
      for (const table of ['meta', 'remotes', 'users', 'sessions', 'writes', 'audit', 'loggers']) {
        rows.push(...(await store.values<[string]>(`SELECT CAST(t AS TEXT) FROM ${table} t`)).map(([row]) => row));
      }
      return secrets.filter((secret) => rows.some((row) => row.includes(secret)));
    } finally {
      await store.close();
    }
  }
  const files = ['', '-wal', '-shm'].map((suffix) => join(dataDir, DATABASE_FILE + suffix)).filter((file) => existsSync(file));
  expect(files.length).toBeGreaterThan(0);
  const bytes = files.map((file) => readFileSync(file));
  return secrets.filter((secret) => bytes.some((content) => content.includes(secret)));
}

describe('secrets at rest', () => {
  let sim: SimProcess;
  const hubs: TestHub[] = [];
  const folders: string[] = [];

  function folder(): string {
    const dir = mkdtempSync(join(tmpdir(), 'riohub-secrets-'));
    folders.push(dir);
    return dir;
  }

  async function start(dataDir: string, env: Record<string, string> = {}, log?: string[]): Promise<TestHub> {
    const hub = await startTestHub(dataDir, { env, ...(log ? { logStream: { write: (line: string) => void log.push(line) } } : {}) });
    databases.set(dataDir, hub.database);
    hubs.push(hub);
    return hub;
  }

  /** A hub with the simulator as `lobby` (online) and its own API password set; then stopped. */
  async function configured(dataDir: string, env: Record<string, string> = {}, log?: string[]): Promise<void> {
    const hub = await start(dataDir, env, log);
    await hub.admin.addSim('lobby', sim, SIM_PASSWORD);
    await hub.admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD });
    // Off: only its settings are stored, with the broker's password sealed like the others.
    await hub.admin.data('PUT', '/api/mqtt', { enabled: false, url: 'mqtt://127.0.0.1:1883', username: 'bridge', password: MQTT_PASSWORD });
    await eventually(() => hub.admin.remote('lobby'), (remote) => remote.status.connection === 'online');
    await hub.stop();
  }

  async function servedApiAnswers(hub: TestHub, password: string): Promise<number> {
    const response = await request(`${hub.url}/x/rioget?1*1*${password}`);
    await response.body.text();
    return response.statusCode;
  }

  beforeAll(async () => {
    sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  });
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
  });
  afterAll(async () => {
    await sim?.stop('SIGKILL');
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps both passwords out of the database (its files, which only the owner may read), and reads them back after a restart', async () => {
    const dataDir = folder();
    const hub = await start(dataDir);
    await hub.admin.addSim('lobby', sim, SIM_PASSWORD);
    await hub.admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD });
    await eventually(() => hub.admin.remote('lobby'), (remote) => remote.status.connection === 'online');
    // While it runs, the -wal and -shm files exist too.
    expect(modeOf(dataDir)).toBe(0o700);
    const files = onPostgres ? [SECRET_KEY_FILE] : [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, SECRET_KEY_FILE];
    for (const file of files) expect(modeOf(join(dataDir, file))).toBe(0o600);
    expect(await secretsIn(dataDir, [SIM_PASSWORD, API_PASSWORD])).toEqual([]);
    await hub.stop();
    expect(await secretsIn(dataDir, [SIM_PASSWORD, API_PASSWORD])).toEqual([]);

    const again = await start(dataDir);
    expect(await again.admin.remote('lobby')).toMatchObject({ hasPassword: true });
    await eventually(() => again.admin.remote('lobby'), (remote) => remote.status.connection === 'online');
    expect(await servedApiAnswers(again, API_PASSWORD)).toBe(200);
  });

  it('seals the plain-text passwords of an older database at its first start, and tightens its files', async () => {
    const dataDir = folder();
    await configured(dataDir);
    // As an earlier version stored them: in plain text, in a folder and files others may read.
    const old = await storeOf(dataDir);
    await old.run('UPDATE remotes SET password = ? WHERE name = ?', [SIM_PASSWORD, 'lobby']);
    const served = JSON.parse((await readMeta(old, 'served_api')) as string) as object;
    await writeMeta(old, 'served_api', JSON.stringify({ ...served, password: API_PASSWORD }));
    await old.close();
    chmodSync(dataDir, 0o755);
    if (!onPostgres) chmodSync(join(dataDir, DATABASE_FILE), 0o644);
    chmodSync(join(dataDir, SECRET_KEY_FILE), 0o644);
    expect(await secretsIn(dataDir, [SIM_PASSWORD, API_PASSWORD])).toEqual([SIM_PASSWORD, API_PASSWORD]);

    const hub = await start(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    if (!onPostgres) expect(modeOf(join(dataDir, DATABASE_FILE))).toBe(0o600);
    expect(modeOf(join(dataDir, SECRET_KEY_FILE))).toBe(0o600);
    expect(await secretsIn(dataDir, [SIM_PASSWORD, API_PASSWORD])).toEqual([]);
    await eventually(() => hub.admin.remote('lobby'), (remote) => remote.status.connection === 'online');
    expect(await servedApiAnswers(hub, API_PASSWORD)).toBe(200);
    await hub.stop();

    expect(await secretsIn(dataDir, [SIM_PASSWORD, API_PASSWORD, MQTT_PASSWORD])).toEqual([]);
    const sealed = await storeOf(dataDir);
    expect((await sealed.get<{ password: string }>("SELECT password FROM remotes WHERE name = 'lobby'"))?.password).toMatch(/^enc:v1:/);
    const meta = (await readMeta(sealed, 'served_api')) as string;
    expect((JSON.parse(meta) as { password: string }).password).toMatch(/^enc:v1:/);
    await sealed.close();
  });

  it('with RIOHUB_SECRET_KEY set, writes no key file, keeps the key out of the files and the log, and opens the secrets again', async () => {
    const dataDir = folder();
    const key = newKey();
    const log: string[] = [];
    await configured(dataDir, { RIOHUB_SECRET_KEY: key, RIOHUB_LOG_LEVEL: 'debug' }, log);
    expect(existsSync(join(dataDir, SECRET_KEY_FILE))).toBe(false);
    const hub = await start(dataDir, { RIOHUB_SECRET_KEY: key, RIOHUB_LOG_LEVEL: 'debug' }, log);
    await eventually(() => hub.admin.remote('lobby'), (remote) => remote.status.connection === 'online');
    expect(await servedApiAnswers(hub, API_PASSWORD)).toBe(200);
    await hub.stop();
    expect(existsSync(join(dataDir, SECRET_KEY_FILE))).toBe(false);
    const keyHex = Buffer.from(key, 'base64').toString('hex');
    expect(await secretsIn(dataDir, [key, keyHex, SIM_PASSWORD, API_PASSWORD, MQTT_PASSWORD])).toEqual([]);
    expect(log.length).toBeGreaterThan(0);
    expect(log.filter((line) => [key, keyHex, SIM_PASSWORD, API_PASSWORD].some((secret) => line.includes(secret)))).toEqual([]);
  });

  it('starts with another key, says which passwords to enter again, and takes new ones', async () => {
    const dataDir = folder();
    await configured(dataDir, { RIOHUB_SECRET_KEY: newKey() });
    const log: string[] = [];
    const hub = await start(dataDir, { RIOHUB_SECRET_KEY: newKey() }, log);
    const errors = log.map((line) => JSON.parse(line) as { level: number; msg: string; remote?: string }).filter((line) => line.level >= 50);
    expect(errors).toEqual([
      expect.objectContaining({ remote: 'lobby', msg: expect.stringContaining('stored password cannot be decrypted: enter it again') }),
      expect.objectContaining({ msg: expect.stringContaining("Remote I/O API cannot be decrypted") }),
      expect.objectContaining({ msg: expect.stringContaining("the MQTT broker's password cannot be decrypted") }),
    ]);
    expect(await hub.admin.data('GET', '/api/mqtt')).toMatchObject({ username: 'bridge', hasPassword: false });
    // It keeps running: the entries are there, without a password, and the served API is off.
    expect(await hub.admin.remote('lobby')).toMatchObject({
      hasPassword: false,
      status: { connection: 'offline', error: { message: expect.stringContaining('stored password cannot be decrypted: enter it again') } },
    });
    expect(await hub.admin.data('GET', '/api/hub/served-api')).toMatchObject({ hasPassword: false });
    const url = new URL(sim.url);
    await hub.admin.data('PUT', '/api/remotes/lobby', {
      name: 'lobby',
      host: url.hostname,
      port: Number(url.port),
      tls: 'pin',
      fingerprint: fingerprintOf(sim.certificate as string),
      password: SIM_PASSWORD,
    });
    await eventually(() => hub.admin.remote('lobby'), (remote) => remote.status.connection === 'online');
    await hub.admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD });
    expect(await servedApiAnswers(hub, API_PASSWORD)).toBe(200);
  });

  it('refuses a malformed key with a message that says what to fix and never shows the value', async () => {
    const dataDir = folder();
    for (const bad of ['not-a-key', 'ab'.repeat(31), Buffer.alloc(16, 7).toString('base64'), '']) {
      const failure = await start(dataDir, { RIOHUB_SECRET_KEY: bad }).then(
        () => new Error('started'),
        (error: Error) => error,
      );
      expect(failure.message).toMatch(/^RIOHUB_SECRET_KEY is not a key: it must be 32 random bytes, as 64 hex digits or base64/);
      if (bad !== '') expect(failure.message).not.toContain(bad);
    }
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(false);
    expect(existsSync(join(dataDir, SECRET_KEY_FILE))).toBe(false);
  });

  it('refuses a key file that holds no key, rather than making a new key that opens nothing', async () => {
    const dataDir = folder();
    await configured(dataDir);
    const keyFile = join(dataDir, SECRET_KEY_FILE);
    rmSync(keyFile);
    writeFileSync(keyFile, 'garbage\n', { mode: 0o600 });
    await expect(start(dataDir)).rejects.toThrow(`${keyFile} does not hold a key (64 hex digits); restore it from a backup, or set RIOHUB_SECRET_KEY`);
  });
});
