// riohub --config and riohub export-config as real processes: refused starts, re-applies at every start, export round trip.
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeSelfSigned } from '@riohub/certificate';
import type { AuditRecord, RemoteView, ServedApiView } from '@riohub/hub-api';
import { spawnHub, type HubProcess } from '@riohub/sim-launcher';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../db/database';
import { runRiohub } from '../testing/run-riohub';
import { eventually, HubClient } from '../testing/test-hub';

const ADMIN_PW = 'file-admin-password';
const LOBBY_PW = 'lobby-remote-secret';
const SERVED_PW = 'served-api-secret';
const SECRETS = { ADMIN_PW, LOBBY_PW, SERVED_PW };

const SETTINGS = `remotes:
  - name: lobby
    host: 127.0.0.1
    port: 9
    tls: http
    passwordEnv: LOBBY_PW
    options: { ui: true, dataloggers: "energy;temperature", drift: 30 }
users:
  - { name: boss, role: admin, passwordEnv: ADMIN_PW }
servedApi: { passwordEnv: SERVED_PW, address: "127.0.0.1,10.0.0.0/8", control: true }
`;

let folder: string;
let hubs: HubProcess[];
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'riohub-settings-cli-'));
  hubs = [];
});
afterEach(async () => {
  await Promise.all(hubs.map((hub) => hub.stop()));
  rmSync(folder, { recursive: true, force: true });
});

/** A hub on `data` with the settings file from RIOHUB_CONFIG (and a RIOHUB_PORT the command line overrides). */
async function start(data: string, config: string, env: Record<string, string> = SECRETS): Promise<HubProcess> {
  const hub = await spawnHub('', { dataDir: data, captureLog: true, env: { RIOHUB_CONFIG: config, RIOHUB_PORT: '1', ...env } });
  hubs.push(hub);
  return hub;
}

/** What the hub's log says applying the file changed (stderr may come in after the ready line on stdout). */
async function applied(hub: HubProcess) {
  const find = async () => hub.log.find((entry) => entry.msg === 'settings file applied');
  const line = await eventually(find, (found) => found !== undefined, 10_000);
  const { created, changed, deleted, unchanged } = line as NonNullable<typeof line>;
  return { created, changed, deleted, unchanged };
}

describe('riohub --config', () => {
  it('refuses to start on an invalid file, naming its line and field, before it creates anything', async () => {
    const config = join(folder, 'riohub.yaml');
    writeFileSync(config, SETTINGS.replace('port: 9', 'port: 70000').replace('role: admin', 'role: root'));
    const data = join(folder, 'data');
    const run = await runRiohub(['--port', '0', '--data', data], { ...SECRETS, RIOHUB_CONFIG: config });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${config}:4: remotes[0].port: must be 1 to 65535`);
    expect(run.stderr).toContain(`${config}:9: users[0].role: must be viewer, operator or admin`);
    expect(run.stdout).toBe('');
    expect(existsSync(join(data, DATABASE_FILE))).toBe(false);
    for (const secret of Object.values(SECRETS)) expect(run.stderr).not.toContain(secret);

    // A variable it names that is not set is an error too, with its line.
    writeFileSync(config, SETTINGS);
    const unset = await runRiohub(['--port', '0', '--data', data, '--config', config], { ADMIN_PW, SERVED_PW });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain(`${config}:6: remotes[0].passwordEnv: names an environment variable that is not set`);
  });

  it('refuses a --cert or --key it cannot serve, naming the flag and the file, before the file changes anything', async () => {
    const config = join(folder, 'riohub.yaml');
    writeFileSync(config, SETTINGS);
    const data = join(folder, 'data');
    const notPem = join(folder, 'cert.pem');
    writeFileSync(notPem, 'not a certificate\n');
    const [one, other] = await Promise.all([makeSelfSigned('127.0.0.1', 'one'), makeSelfSigned('127.0.0.1', 'other')]);
    const [cert, otherKey] = [join(folder, 'one.pem'), join(folder, 'other-key.pem')];
    writeFileSync(cert, one.cert);
    writeFileSync(otherKey, other.key);
    const garbled = await runRiohub(['--port', '0', '--data', data, '--config', config, '--cert', notPem, '--key', notPem], SECRETS);
    expect(garbled.code).toBe(1);
    expect(garbled.stderr).toContain(`--cert ${notPem}: not a PEM certificate`);
    const mismatched = await runRiohub(['--port', '0', '--data', data, '--config', config, '--cert', cert, '--key', otherKey], SECRETS);
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toContain(`--key ${otherKey}: not the private key of --cert ${cert}`);
    // Neither start applied the file: its admin and its served API are not in the database.
    const exported = await runRiohub(['export-config', '--data', data]);
    expect(exported.stdout).not.toContain('boss');
    expect(exported.stdout).not.toContain('10.0.0.0/8');
  });

  it('export-config says in one line why it cannot read a damaged or empty database, or an unreachable PostgreSQL', async () => {
    const damaged = join(folder, 'damaged');
    const empty = join(folder, 'empty');
    for (const [data, bytes] of [[damaged, 'this is not an SQLite file '.repeat(200)], [empty, '']] as const) {
      mkdirSync(data);
      writeFileSync(join(data, DATABASE_FILE), bytes);
    }
    // A port nothing listens on: taken, then freed.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const url = `postgres://riohub:db-secret-pw@127.0.0.1:${port}/riohub`;
    const runs = {
      damaged: await runRiohub(['export-config', '--data', damaged]),
      empty: await runRiohub(['export-config', '--data', empty]),
      unreachable: await runRiohub(['export-config', '--database', url]),
    };
    for (const run of Object.values(runs)) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(runs.damaged.stderr).toContain(`riohub: cannot read the settings in ${join(damaged, DATABASE_FILE)}: file is not a database`);
    expect(runs.empty.stderr).toContain(`riohub: cannot read the settings in ${join(empty, DATABASE_FILE)}: it holds no riohub database`);
    expect(runs.unreachable.stderr).toContain(`riohub: cannot read the settings in postgres://riohub:***@127.0.0.1:${port}/riohub: connect ECONNREFUSED`);
    expect(runs.unreachable.stderr).not.toContain('db-secret-pw');
  });

  it('export-config names each remote\'s password by a variable of its own, names differing only by - and _ too', async () => {
    const config = join(folder, 'riohub.yaml');
    const remote = (name: string, variable: string) => `  - { name: ${name}, host: 127.0.0.1, port: 9, tls: http, passwordEnv: ${variable} }\n`;
    writeFileSync(config, `remotes:\n${remote('site-a', 'SITE_A_DASH')}${remote('site_a', 'SITE_A_UNDERSCORE')}${remote('site-a-2', 'SITE_A_2')}`);
    const data = join(folder, 'data');
    const hub = await start(data, config, { ...SECRETS, SITE_A_DASH: 'dash-password', SITE_A_UNDERSCORE: 'underscore-password', SITE_A_2: 'third-password' });
    await applied(hub);
    await hub.stop();
    const exported = await runRiohub(['export-config', '--data', data]);
    const variables = [...exported.stdout.matchAll(/name: (\S+)[\s\S]*?passwordEnv: (\S+)/g)].map(([, name, variable]) => [name, variable]);
    expect(variables).toHaveLength(3);
    expect(new Set(variables.map(([, variable]) => variable)).size).toBe(3);
    // Applied as exported, each remote gets its own password back.
    writeFileSync(config, exported.stdout);
    const passwords: Record<string, string> = { 'site-a': 'dash-password', site_a: 'underscore-password', 'site-a-2': 'third-password' };
    const env = Object.fromEntries(variables.map(([name, variable]) => [variable as string, passwords[name as string] as string]));
    const again = await start(data, config, env);
    expect(await applied(again)).toMatchObject({ changed: [] });
  });

  it('applies the file at every start, unchanged the second time; export-config prints it without secrets, and it re-applies unchanged', async () => {
    const config = join(folder, 'riohub.yaml');
    writeFileSync(config, SETTINGS);
    const data = join(folder, 'data');
    const first = await start(data, config);
    // The file declares an admin: no first admin with a generated password.
    expect(first.stdout()).not.toContain('password');
    expect(await applied(first)).toEqual({ created: ['user boss', 'remote lobby'], changed: ['served-api'], deleted: [], unchanged: [] });
    const boss = new HubClient(first.url);
    await boss.data('POST', '/api/session', { name: 'boss', password: ADMIN_PW });
    expect(await boss.data<RemoteView>('GET', '/api/remotes/lobby')).toMatchObject({ tls: 'http', port: 9, hasPassword: true, options: { drift: 30, ui: true } });
    expect(await boss.data<ServedApiView>('GET', '/api/hub/served-api')).toMatchObject({ hasPassword: true, control: true, address: '127.0.0.1,10.0.0.0/8' });
    const audit = await boss.data<AuditRecord[]>('GET', '/api/audit?filter=config%20file');
    expect(audit.map((record) => `${record.user} ${record.address} ${record.action} ${record.target}`)).toEqual([
      'config file this machine remote.create lobby',
      'config file this machine served-api.update served-api',
      'config file this machine user.create boss',
    ]);
    await first.stop();

    const second = await start(data, config);
    expect(await applied(second)).toEqual({ created: [], changed: [], deleted: [], unchanged: ['user boss', 'served-api', 'remote lobby'] });
    const again = new HubClient(second.url);
    await again.data('POST', '/api/session', { name: 'boss', password: ADMIN_PW });
    expect(await again.data<AuditRecord[]>('GET', '/api/audit?filter=config%20file')).toEqual(audit);

    // export-config reads beside the running hub.
    const exported = await runRiohub(['export-config'], { RIOHUB_DATA: data });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('passwordEnv: REMOTE_LOBBY_PASSWORD');
    expect(exported.stdout).toContain('passwordEnv: SERVED_API_PASSWORD');
    for (const secret of Object.values(SECRETS)) expect(exported.stdout).not.toContain(secret);
    expect(exported.stdout).not.toContain('enc:v1:');
    await second.stop();

    const file = join(folder, 'exported.yaml');
    writeFileSync(file, exported.stdout);
    const third = await start(data, file, { REMOTE_LOBBY_PASSWORD: LOBBY_PW, SERVED_API_PASSWORD: SERVED_PW });
    expect(await applied(third)).toEqual({ created: [], changed: [], deleted: [], unchanged: ['user boss', 'served-api', 'remote lobby'] });
  });

  it('starts a remote the file changes with its new settings only, never once with the old ones', async () => {
    // The old address: a listener that counts who connects to it.
    let connections = 0;
    const old = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((listening) => old.listen(0, '127.0.0.1', listening));
    const oldPort = (old.address() as AddressInfo).port;
    try {
      const config = join(folder, 'riohub.yaml');
      const data = join(folder, 'data');
      writeFileSync(config, SETTINGS.replace('port: 9', `port: ${oldPort}`));
      const first = await start(data, config);
      await applied(first);
      await eventually(async () => connections, (count) => count > 0);
      await first.stop();
      connections = 0;
      // The file moves the remote to a closed port: every attempt is logged with the address tried.
      writeFileSync(config, SETTINGS.replace('port: 9', 'port: 10'));
      const second = await start(data, config);
      expect(await applied(second)).toMatchObject({ changed: ['remote lobby'] });
      await eventually(async () => second.log.filter((entry) => entry.msg.includes('127.0.0.1:10')).length, (count) => count > 0);
      expect(connections).toBe(0);
    } finally {
      old.close();
    }
  });

  it('reads every flag from RIOHUB_<FLAG>, the command line winning', async () => {
    const data = join(folder, 'data');
    // RIOHUB_HOST is not loopback: refused, as the flag would be.
    const refused = await runRiohub([], { RIOHUB_HOST: '0.0.0.0', RIOHUB_DATA: data });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--host 0.0.0.0 is not loopback');
    const switchValue = await runRiohub([], { RIOHUB_DEMO: 'sometimes', RIOHUB_DATA: data });
    expect([switchValue.code, switchValue.stderr.split('\n')[0]]).toEqual([2, 'riohub: RIOHUB_DEMO "sometimes": expected true or false (or 1 or 0)']);
    // The command line's --port 0 wins over RIOHUB_PORT=1 (a port it could not listen on).
    const hub = await spawnHub('admin-password', { dataDir: data, env: { RIOHUB_PORT: '1', RIOHUB_ALLOWED_HOSTS: 'hub.example' } });
    hubs.push(hub);
    const asked = async (host: string) => (await request(`${hub.url}/api/session`, { headers: { host } })).statusCode;
    expect(await asked('hub.example')).toBe(401);
    expect(await asked('elsewhere.example')).toBe(421);
    const help = await runRiohub(['--help']);
    expect(help.stdout).toContain('as RIOHUB_ and its name in capitals');
  });
});
