// A settings file applied to a real hub (its SQLite file, its services) connecting to a real simulator.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf } from '@riohub/certificate';
import type { AuditRecord, RemoteView, ServedApiView, User } from '@riohub/hub-api';
import type { SimProcess } from '@riohub/sim-launcher';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashAtCost } from '../testing/hash-at-cost';
import { ADMIN_PASSWORD, eventually, HubClient, hubPerTest, startTestHub } from '../testing/test-hub';
import { applySettings } from './apply-settings';
import { readSettingsFile, SettingsFileError } from './settings-file';

const SIM_PASSWORD = 'remote-pw-secret';
const OPS_PASSWORD = 'ops-password-secret';
const SERVED_PASSWORD = 'served-api-secret';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'riohub-apply-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** The lobby entry for a simulator, pinned to its certificate. */
function lobby(sim: SimProcess, extra = ''): string {
  const url = new URL(sim.url);
  return `  - name: lobby
    host: 127.0.0.1
    port: ${url.port}
    tls: pin
    fingerprint: "${fingerprintOf(sim.certificate as string)}"
    passwordEnv: LOBBY_PASSWORD
    options: { ui: true, drift: 10${extra} }
`;
}

describe('applying a settings file', () => {
  const t = hubPerTest(['--password', SIM_PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
  const env = { LOBBY_PASSWORD: SIM_PASSWORD, SERVED_PASSWORD };

  function apply(text: string, environment: NodeJS.ProcessEnv = env) {
    const file = join(folder, 'riohub.yaml');
    writeFileSync(file, text);
    return applySettings(readSettingsFile(file, environment), t.hub.running.hub, t.hub.running.store);
  }

  const audit = () => t.hub.admin.data<AuditRecord[]>('GET', '/api/audit?limit=100');
  const online = () => eventually(() => t.hub.admin.data<RemoteView>('GET', '/api/remotes/lobby'), (view) => view.status.connection === 'online', 30_000);

  it('creates remotes, users and the served API through the hub, audited as the config file from this machine', async () => {
    const sim = await t.sim([]);
    writeFileSync(join(folder, 'ops'), `${OPS_PASSWORD}\n`);
    const applied = await apply(`remotes:
${lobby(sim)}users:
  - { name: ops, role: operator, passwordFile: ops }
servedApi: { passwordEnv: SERVED_PASSWORD, address: "127.0.0.1", control: true }
`);
    // Users and the served API first (at start, before the app reads them), then remotes through the started hub.
    expect(applied).toEqual({ created: ['user ops', 'remote lobby'], changed: ['served-api'], deleted: [], unchanged: [] });

    const view = await online();
    expect(view).toMatchObject({ tls: 'pin', hasPassword: true, options: { ui: true, drift: 10, io: true } });
    expect(await t.hub.admin.data<User[]>('GET', '/api/users')).toEqual([
      { name: 'admin', role: 'admin' },
      { name: 'ops', role: 'operator' },
    ]);
    // The user signs in with the password from the file (its line break not part of it).
    await t.hub.signIn('ops', OPS_PASSWORD);
    // Beside the sign-ins, the file's changes.
    const records = (await audit()).filter((record) => record.action !== 'session.sign-in');
    expect(records.map(({ user, address, action, target, outcome }) => ({ user, address, action, target, outcome }))).toEqual(
      [
        ['user.create', 'ops'],
        ['served-api.update', 'served-api'],
        ['remote.create', 'lobby'],
      ]
        .reverse()
        .map(([action, target]) => ({ user: 'config file', address: 'this machine', action, target, outcome: 'done' })),
    );
    expect(records[0]?.changes).toContainEqual({ field: 'options.drift', to: 10 });
    expect(records[0]?.changes).toContainEqual({ field: 'password', secret: 'set' });
    for (const secret of [SIM_PASSWORD, OPS_PASSWORD, SERVED_PASSWORD]) expect(JSON.stringify(records)).not.toContain(secret);

    // The served API's settings are read when the app is built: at start, after the file is applied.
    await t.hub.stop();
    t.hub = await startTestHub(t.hub.dataDir);
    expect(await t.hub.admin.data<ServedApiView>('GET', '/api/hub/served-api')).toMatchObject({ hasPassword: true, address: '127.0.0.1', control: true });
    expect((await fetch(`${t.hub.url}/x/rioget?1*1*${SERVED_PASSWORD}`)).status).toBe(200);
  });

  it('re-applied unchanged, touches nothing: no link restart, no audit record; a new password or option is one change', async () => {
    const sim = await t.sim([]);
    const text = `remotes:
${lobby(sim)}users:
  - { name: ops, role: viewer, passwordEnv: OPS }
servedApi: { passwordEnv: SERVED_PASSWORD }
`;
    const environment = { ...env, OPS: OPS_PASSWORD };
    await apply(text, environment);
    await online();
    const before = await audit();
    // Every reopened link announces itself; an unchanged remote keeps the link it has.
    const announced: string[] = [];
    t.hub.running.hub.on('remotes', (views) => announced.push(...views.map((view) => view.name)));

    expect(await apply(text, environment)).toEqual({ created: [], changed: [], deleted: [], unchanged: ['user ops', 'served-api', 'remote lobby'] });
    expect(announced).toEqual([]);
    expect(await audit()).toEqual(before);
    await t.hub.signIn('ops', OPS_PASSWORD);

    // The remote's password changed (the simulator restarted with it), and one option.
    const exited = new Promise((resolve) => sim.child.once('exit', resolve));
    sim.child.kill('SIGKILL');
    await exited;
    const moved = await t.sim(['--password', 'another-remote-pw', '--port', new URL(sim.url).port], sim.dataDir);
    const changed = await apply(`remotes:\n${lobby(moved, ', clocksync: true')}`, { LOBBY_PASSWORD: 'another-remote-pw' });
    expect(changed).toEqual({ created: [], changed: ['remote lobby'], deleted: [], unchanged: [] });
    expect(announced).toContain('lobby');
    await online();
    const [record] = await audit();
    expect(record).toMatchObject({ user: 'config file', action: 'remote.update', target: 'lobby' });
    expect(record?.changes).toEqual([
      { field: 'options.clocksync', from: false, to: true },
      { field: 'password', secret: 'changed' },
    ]);
  });

  it('leaves entries not in the file alone, and with prune: true deletes them', async () => {
    const [sim, other] = await Promise.all([t.sim([]), t.sim([])]);
    await t.hub.admin.addSim('floor2', other, SIM_PASSWORD);
    await t.hub.admin.data('POST', '/api/users', { name: 'temp', role: 'viewer', password: 'temp-password' });
    const entries = `remotes:
${lobby(sim)}users:
  - { name: admin, role: admin }
`;
    await apply(entries);
    const names = async () => (await t.hub.admin.data<RemoteView[]>('GET', '/api/remotes')).map((remote) => remote.name);
    expect(await names()).toEqual(['floor2', 'lobby']);

    const pruned = await apply(`prune: true\n${entries}`);
    expect(pruned.deleted).toEqual(['user temp', 'remote floor2']);
    expect(await names()).toEqual(['lobby']);
    expect(await t.hub.admin.data<User[]>('GET', '/api/users')).toEqual([{ name: 'admin', role: 'admin' }]);
    const records = await audit();
    expect(records.slice(0, 2).map(({ user, action, target }) => ({ user, action, target }))).toEqual([
      { user: 'config file', action: 'remote.delete', target: 'floor2' },
      { user: 'config file', action: 'user.delete', target: 'temp' },
    ]);
  });

  it('hands the admin role to a user the file creates after the entry that takes it from the last admin', async () => {
    // In file order the demotion would come first and be refused (the last admin), after ops was made.
    const result = await apply(`users:
  - { name: ops, role: operator, passwordEnv: OPS }
  - { name: admin, role: operator }
  - { name: boss, role: admin, passwordEnv: BOSS }
`, { OPS: OPS_PASSWORD, BOSS: 'boss-password-secret' });
    expect(result.created).toEqual(['user ops', 'user boss']);
    expect(result.changed).toEqual(['user admin']);
    const users = await t.hub.admin.call<User[]>('GET', '/api/users');
    // The session's user is an operator now: the list is read as boss.
    expect(users.status).toBe(403);
    const boss = new HubClient(t.hub.url);
    await boss.data('POST', '/api/session', { name: 'boss', password: 'boss-password-secret' });
    expect(await boss.data<User[]>('GET', '/api/users')).toEqual([
      { name: 'admin', role: 'operator' },
      { name: 'boss', role: 'admin' },
      { name: 'ops', role: 'operator' },
    ]);
  });

  it('refuses, changing nothing, a file that would leave no admin or that makes a user without a password', async () => {
    const before = await audit();
    const refusal = apply(`prune: true
users:
  - name: ops
    role: operator
    passwordEnv: OPS
  - name: guest
    role: viewer
`, { OPS: OPS_PASSWORD });
    await expect(refusal).rejects.toThrow(SettingsFileError);
    const problems = ((await refusal.catch((error: unknown) => error)) as SettingsFileError).problems;
    expect(problems.map((problem) => `${problem.line}: ${problem.field}: ${problem.message}`)).toEqual([
      '6: users[1]: guest is a new user: it needs a password (passwordEnv or passwordFile)',
      '2: users: this would leave no admin: give at least one user the role admin',
    ]);
    expect(await t.hub.admin.data<User[]>('GET', '/api/users')).toEqual([{ name: 'admin', role: 'admin' }]);
    expect(await audit()).toEqual(before);
  });

  it("refuses, changing nothing, a file with a problem that declares a user whose password hash is of an earlier cost: the hash stays", async () => {
    const { store } = t.hub.running;
    // The admin's password as an earlier, cheaper cost stored it (a sign-in would make it again).
    const weak = hashAtCost(ADMIN_PASSWORD, 512);
    await store.run('UPDATE users SET password_hash = ? WHERE name = ?', [weak, 'admin']);
    const refusal = apply(`users:
  - name: admin
    role: admin
    passwordEnv: ADMIN
  - name: guest
    role: viewer
`, { ADMIN: ADMIN_PASSWORD });
    await expect(refusal).rejects.toThrow(SettingsFileError);
    expect(await store.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE name = ?', ['admin'])).toEqual({ password_hash: weak });
  });

  it('refuses, changing nothing, remotes that would store two loggers under one local id: two of the file, or one against a stored remote', async () => {
    const [sim, other] = await Promise.all([t.sim([]), t.sim([])]);
    const url = new URL(other.url);
    const floor2 = (name: string) => `  - name: ${name}
    host: 127.0.0.1
    port: ${url.port}
    tls: pin
    fingerprint: "${fingerprintOf(other.certificate as string)}"
    passwordEnv: LOBBY_PASSWORD
    options:
      dataloggers: energy
      dataloggersnameprefix: false
`;
    const problems = async (text: string, environment?: NodeJS.ProcessEnv) => {
      const refusal = apply(text, environment);
      await expect(refusal).rejects.toThrow(SettingsFileError);
      return ((await refusal.catch((error: unknown) => error)) as SettingsFileError).problems.map((problem) => `${problem.line}: ${problem.field}: ${problem.message}`);
    };
    // Two of the file: the second is refused, as the hub would refuse it when applying them in order.
    expect(await problems(`remotes:
${lobby(sim, ', dataloggers: energy, dataloggersnameprefix: false')}${floor2('floor2')}`)).toEqual([
      "16: remotes[1].options.dataloggers: two loggers cannot share a local id: energy is already lobby's energy",
      "17: remotes[1].options.dataloggersnameprefix: two loggers cannot share a local id: energy is already lobby's energy (the name prefix keeps them apart)",
    ]);
    // One against a remote stored before, with a user and the served API in the file: none of it is applied.
    await t.hub.admin.addSim('cellar', other, SIM_PASSWORD, { dataloggers: 'energy', dataloggersnameprefix: false });
    const audited = await audit();
    expect(await problems(`remotes:
${lobby(sim)}${floor2('roof')}users:
  - { name: ops, role: operator, passwordEnv: OPS }
servedApi: { passwordEnv: SERVED_PASSWORD, control: true }
`, { ...env, OPS: OPS_PASSWORD })).toEqual([
      "16: remotes[1].options.dataloggers: two loggers cannot share a local id: energy is already cellar's energy",
      "17: remotes[1].options.dataloggersnameprefix: two loggers cannot share a local id: energy is already cellar's energy (the name prefix keeps them apart)",
    ]);
    expect((await t.hub.admin.data<RemoteView[]>('GET', '/api/remotes')).map((remote) => remote.name)).toEqual(['cellar']);
    expect(await t.hub.admin.data<User[]>('GET', '/api/users')).toEqual([{ name: 'admin', role: 'admin' }]);
    expect(await t.hub.admin.data<ServedApiView>('GET', '/api/hub/served-api')).toMatchObject({ hasPassword: false, control: false });
    expect(await audit()).toEqual(audited);
  });

});
