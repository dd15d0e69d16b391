// The audit on a running hub: every admin action over the REST API (and the --reset-password
// command) recorded with who, from where and what changed; never a password; admins only.
import { fingerprintOf } from '@riohub/certificate';
import type { AuditChange, AuditRecord, RemoteView } from '@riohub/hub-api';
import { spawnSim, type SimProcess } from '@riohub/sim-launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetPassword } from '../auth/reset-password';
import { ADMIN_PASSWORD, eventually, startTestHub, type TestHub } from '../testing/test-hub';
import { onPostgres } from '../testing/test-store';

const SIM_PASSWORD = 'audit-sim-remote-pw';
/** Where the test's requests come from, as the hub sees them. */
const LOOPBACK = '127.0.0.1';

describe('audit', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  /** What each record says of one field, the records as given. */
  function changesOf(records: AuditRecord[], field: string): (AuditChange | undefined)[] {
    return records.map((record) => record.changes.find((change) => change.field === field));
  }

  /**
   * Changes to one field as the audit lists them, the oldest first, are one after the other: the
   * first from where it all began, each next from where the one before it left it, the last to
   * what is held now. A change that left the field as it was is not in the record, so not here.
   */
  function expectOneAfterTheOther(changes: (AuditChange | undefined)[], first: unknown, now: unknown): void {
    const made = changes.filter((change) => change !== undefined);
    expect(made.length).toBeGreaterThan(0);
    expect(made[0]?.from).toEqual(first);
    for (let i = 1; i < made.length; i += 1) expect(made[i]?.from, `change ${i}`).toEqual(made[i - 1]?.to);
    expect(made.at(-1)?.to).toEqual(now);
  }

  /** The audit's records about one target, the newest first. */
  function recordsFor(target: string): Promise<AuditRecord[]> {
    return hub.admin.data<AuditRecord[]>('GET', `/api/audit?limit=1000&filter=${encodeURIComponent(target)}`).then((all) => all.filter((r) => r.target === target));
  }


  it('records adding a user, a role change, a password change and the deletion: who, from where, what changed', async () => {
    await hub.admin.data('POST', '/api/users', { name: 'ulla', role: 'viewer', password: 'ulla-first-secret' });
    await hub.admin.data('PUT', '/api/users/ulla', { role: 'operator' });
    await hub.admin.data('PUT', '/api/users/ulla', { password: 'ulla-second-secret' });
    await hub.admin.data('DELETE', '/api/users/ulla');

    const [deleted, password, role, created] = await recordsFor('ulla');
    const who = { user: 'admin', address: LOOPBACK, target: 'ulla', outcome: 'done' };
    expect(created).toMatchObject({ ...who, action: 'user.create', changes: [{ field: 'role', to: 'viewer' }, { field: 'password', secret: 'set' }] });
    expect(role).toMatchObject({ ...who, action: 'user.update', changes: [{ field: 'role', from: 'viewer', to: 'operator' }] });
    expect(password).toMatchObject({ ...who, action: 'user.update', changes: [{ field: 'password', secret: 'changed' }] });
    expect(deleted).toMatchObject({ ...who, action: 'user.delete', changes: [{ field: 'role', from: 'operator' }] });
    expect(created?.at).toBeGreaterThan(0);
    expect(deleted?.at).toBeGreaterThanOrEqual(created?.at ?? Infinity);
  });

  it('records signing in and out, by whom and from where', async () => {
    await hub.admin.data('POST', '/api/users', { name: 'sina', role: 'viewer', password: 'sina-viewer-secret' });
    const sina = await hub.signIn('sina', 'sina-viewer-secret');
    await sina.data('DELETE', '/api/session');
    const [signOut, signIn] = (await recordsFor('sina')).filter((record) => record.action.startsWith('session.'));
    expect(signIn).toMatchObject({ user: 'sina', address: LOOPBACK, action: 'session.sign-in', outcome: 'done' });
    expect(signOut).toMatchObject({ user: 'sina', address: LOOPBACK, action: 'session.sign-out', outcome: 'done' });
  });

  it('credits each of several changes made at once to one remote with exactly what it changed, in the order they were made', async () => {
    await hub.admin.data('POST', '/api/remotes', { name: 'race', host: '127.0.0.1', port: 9, tls: 'http', password: 'race-remote-secret', options: { drift: 4 } });
    await hub.admin.data('POST', '/api/users', { name: 'rhea', role: 'admin', password: 'rhea-admin-secret' });
    const rhea = await hub.signIn('rhea', 'rhea-admin-secret');
    // Two admins saving the same remote, several times each, all at once.
    const drifts = [10, 20, 30, 40, 50, 60, 70, 80];
    await Promise.all(drifts.map((drift, i) => (i % 2 ? rhea : hub.admin).data('PUT', '/api/remotes/race', { host: '127.0.0.1', options: { drift } })));
    const updates = (await recordsFor('race')).filter((record) => record.action === 'remote.update').reverse();
    const credited = updates.map((record) => record.changes.find((change) => change.field === 'options.drift'));
    expect(credited).toHaveLength(drifts.length);
    expectOneAfterTheOther(credited, 4, (await hub.admin.remote('race')).options.drift);
  });

  describe('credits each of several changes made at once with exactly what it changed, in the order they were made', () => {
    it("to a user's role", async () => {
      await hub.admin.data('POST', '/api/users', { name: 'rolf', role: 'viewer', password: 'rolf-viewer-secret' });
      const roles = ['operator', 'admin', 'viewer', 'admin', 'operator', 'viewer', 'admin', 'operator'];
      await Promise.all(roles.map((role) => hub.admin.data('PUT', '/api/users/rolf', { role })));
      const updates = (await recordsFor('rolf')).filter((record) => record.action === 'user.update').reverse();
      expect(updates).toHaveLength(roles.length);
      const users = await hub.admin.data<{ name: string; role: string }[]>('GET', '/api/users');
      expectOneAfterTheOther(changesOf(updates, 'role'), 'viewer', users.find((user) => user.name === 'rolf')?.role);
    });

    it("to a logger's retention", async () => {
      await hub.running.hub.loggers.store.ensure({ id: 'attic.water', remote: 'attic', remoteId: 'water', type: 'counter', unit: 'm3' });
      const days = [10, 20, 30, 40, 50, 60, 70, 80];
      await Promise.all(days.map((retentionDays) => hub.admin.data('PUT', '/api/loggers/attic.water', { retentionDays })));
      const updates = (await recordsFor('attic.water')).reverse();
      expect(updates).toHaveLength(days.length);
      const loggers = await hub.admin.data<{ id: string; retentionDays: number | null }[]>('GET', '/api/loggers');
      expectOneAfterTheOther(changesOf(updates, 'retentionDays'), null, loggers.find((logger) => logger.id === 'attic.water')?.retentionDays);
    });

    it("to the served API's settings", async () => {
      const filters = ['a.*', 'b.*', 'c.*', 'd.*', 'e.*', 'f.*', 'g.*', 'h.*'];
      await Promise.all(filters.map((ioFilter) => hub.admin.data('PUT', '/api/hub/served-api', { ioFilter })));
      const updates = (await recordsFor('served-api')).filter((record) => filters.includes(String(record.changes[0]?.to))).reverse();
      expect(updates).toHaveLength(filters.length);
      expectOneAfterTheOther(changesOf(updates, 'ioFilter'), '', (await hub.admin.data<{ ioFilter: string }>('GET', '/api/hub/served-api')).ioFilter);
      await hub.admin.data('PUT', '/api/hub/served-api', { ioFilter: '' });
    });

    it("to the MQTT bridge's settings", async () => {
      const topics = ['site1', 'site2', 'site3', 'site4', 'site5', 'site6', 'site7', 'site8'];
      const first = (await hub.admin.data<{ baseTopic: string }>('GET', '/api/mqtt')).baseTopic;
      await Promise.all(topics.map((baseTopic) => hub.admin.data('PUT', '/api/mqtt', { baseTopic })));
      const updates = (await recordsFor('mqtt')).reverse();
      expect(updates).toHaveLength(topics.length);
      expectOneAfterTheOther(changesOf(updates, 'baseTopic'), first, (await hub.admin.data<{ baseTopic: string }>('GET', '/api/mqtt')).baseTopic);
    });
  });

  it('records the user who acted, not only admin', async () => {
    await hub.admin.data('POST', '/api/users', { name: 'ada', role: 'admin', password: 'ada-admin-secret' });
    const ada = await hub.signIn('ada', 'ada-admin-secret');
    await ada.data('POST', '/api/users', { name: 'bert', role: 'viewer', password: 'bert-viewer-secret' });
    expect(await recordsFor('bert')).toMatchObject([{ user: 'ada', address: LOOPBACK, action: 'user.create', outcome: 'done' }]);
  });

  it('records a remote added, changed and deleted, with the settings before and after and the password only as changed', async () => {
    // Nothing listens there: the entry is saved and shown offline, which is all the audit needs.
    await hub.admin.data('POST', '/api/remotes', { name: 'annex', host: '127.0.0.1', port: 9, tls: 'http', password: 'annex-remote-secret', options: { drift: 4 } });
    await hub.admin.data('PUT', '/api/remotes/annex', { host: '127.0.0.1', port: 10, tls: 'http', password: 'annex-remote-secret-2', options: { drift: 8 } });
    await hub.admin.data('PUT', '/api/remotes/annex', { host: '127.0.0.1', enabled: false });
    await hub.admin.data('DELETE', '/api/remotes/annex');

    const [deleted, disabled, changed, created] = await recordsFor('annex');
    const who = { user: 'admin', address: LOOPBACK, target: 'annex', outcome: 'done' };
    expect(created).toMatchObject({ ...who, action: 'remote.create' });
    expect(created?.changes).toEqual(
      expect.arrayContaining([
        { field: 'name', to: 'annex' },
        { field: 'host', to: '127.0.0.1' },
        { field: 'port', to: 9 },
        { field: 'tls', to: 'http' },
        { field: 'options.drift', to: 4 },
        { field: 'password', secret: 'set' },
      ]),
    );
    expect(changed).toMatchObject({ ...who, action: 'remote.update' });
    expect(changed?.changes).toEqual([
      { field: 'port', from: 9, to: 10 },
      { field: 'options.drift', from: 4, to: 8 },
      { field: 'password', secret: 'changed' },
    ]);
    expect(disabled).toMatchObject({ ...who, action: 'remote.update', changes: [{ field: 'enabled', from: true, to: false }] });
    expect(deleted).toMatchObject({ ...who, action: 'remote.delete' });
    expect(deleted?.changes).toEqual(expect.arrayContaining([{ field: 'host', from: '127.0.0.1' }, { field: 'port', from: 10 }, { field: 'password', secret: 'cleared' }]));
  });

  describe('with a simulator over HTTPS', () => {
    let sim: SimProcess;
    beforeAll(async () => {
      sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
    });
    afterAll(() => sim.stop());

    it('records trusting the certificate a remote offers, with its fingerprint', async () => {
      const url = new URL(sim.url);
      await hub.admin.data('POST', '/api/remotes', { name: 'tofu', host: url.hostname, port: Number(url.port), tls: 'pin', password: SIM_PASSWORD });
      const waiting = await eventually(() => hub.admin.remote('tofu'), (r: RemoteView) => r.status.offeredFingerprint !== undefined);
      const offered = fingerprintOf(sim.certificate ?? '');
      expect(waiting.status.offeredFingerprint).toBe(offered);
      await hub.admin.data('POST', '/api/remotes/tofu/trust', { fingerprint: offered });
      const [trusted] = await recordsFor('tofu');
      expect(trusted).toMatchObject({
        user: 'admin',
        address: LOOPBACK,
        action: 'remote.trust',
        outcome: 'done',
        changes: [{ field: 'fingerprint', from: '', to: offered }],
      });
      await hub.admin.data('DELETE', '/api/remotes/tofu');
    });
  });

  it("records the served API's settings, its password only as set or cleared, and the hub's role", async () => {
    await hub.admin.data('PUT', '/api/hub/served-api', { password: 'served-api-secret', address: '127.0.0.1', control: true, ioFilter: 'lobby.*' });
    await hub.admin.data('PUT', '/api/hub/served-api', { password: '', ioFilter: '' });
    const [disabled, enabled] = await recordsFor('served-api');
    expect(enabled).toMatchObject({ user: 'admin', address: LOOPBACK, action: 'served-api.update', outcome: 'done' });
    expect(enabled?.changes).toEqual([
      { field: 'address', from: '127.0.0.1,::1', to: '127.0.0.1' },
      { field: 'control', from: false, to: true },
      { field: 'ioFilter', from: '', to: 'lobby.*' },
      { field: 'password', secret: 'set' },
    ]);
    expect(disabled?.changes).toEqual([
      { field: 'ioFilter', from: 'lobby.*', to: '' },
      { field: 'password', secret: 'cleared' },
    ]);

    if (onPostgres) {
      // On PostgreSQL the role is elected: a change by hand is refused, and the refusal is in the audit.
      expect((await hub.admin.call('PUT', '/api/hub/role', { role: 'inactive' })).status).toBe(409);
      const [refused] = await recordsFor('hub');
      expect(refused).toMatchObject({ user: 'admin', address: LOOPBACK, action: 'hub.role', outcome: 'refused', changes: [] });
      return;
    }
    await hub.admin.data('PUT', '/api/hub/role', { role: 'inactive' });
    await hub.admin.data('PUT', '/api/hub/role', { role: 'active' });
    const [active, inactive] = await recordsFor('hub');
    expect(inactive).toMatchObject({ user: 'admin', address: LOOPBACK, action: 'hub.role', outcome: 'done', changes: [{ field: 'role', from: 'active', to: 'inactive' }] });
    expect(active).toMatchObject({ action: 'hub.role', changes: [{ field: 'role', from: 'inactive', to: 'active' }] });
  });

  it("records a logger's retention, before and after", async () => {
    // Stored as replication stores it; no remote lists it, which retention does not need.
    await hub.running.hub.loggers.store.ensure({ id: 'attic.energy', remote: 'attic', remoteId: 'energy', type: 'counter', unit: 'kWh' });
    await hub.admin.data('PUT', '/api/loggers/attic.energy', { retentionDays: 30 });
    await hub.admin.data('PUT', '/api/loggers/attic.energy', { retentionDays: null });
    const [kept, limited] = await recordsFor('attic.energy');
    const who = { user: 'admin', address: LOOPBACK, action: 'logger.retention', target: 'attic.energy', outcome: 'done' };
    expect(limited).toMatchObject({ ...who, changes: [{ field: 'retentionDays', from: null, to: 30 }] });
    expect(kept).toMatchObject({ ...who, changes: [{ field: 'retentionDays', from: 30, to: null }] });
  });

  it('records a refused action with why, and nothing of what was sent', async () => {
    const { status } = await hub.admin.call('POST', '/api/users', { name: 'shorty', role: 'viewer', password: 'short' });
    expect(status).toBe(400);
    expect((await hub.admin.call('DELETE', '/api/users/nobody')).status).toBe(404);
    const [refused] = await recordsFor('shorty');
    expect(refused).toMatchObject({ user: 'admin', address: LOOPBACK, action: 'user.create', outcome: 'refused', changes: [] });
    expect(refused?.error).toBe('the request is not valid (password: must be at least 8 characters)');
    const [unknown] = await recordsFor('nobody');
    expect(unknown).toMatchObject({ action: 'user.delete', outcome: 'refused', error: 'no user named nobody', changes: [] });
    // The user was not created: the refusal is all there is.
    expect((await hub.admin.call('GET', '/api/users')).body).not.toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ name: 'shorty' })]) });
  });

  it('records a refused action on a name with a NUL character, which PostgreSQL cannot hold in a text, as SQLite does', async () => {
    expect((await hub.admin.call('PUT', '/api/remotes/nul%00name', { host: '127.0.0.1' })).status).toBe(404);
    expect((await hub.admin.call('PUT', '/api/users/nul%00name', { role: 'viewer' })).status).toBe(404);
    expect((await hub.admin.call('PUT', '/api/loggers/nul%00name', { retentionDays: 3 })).status).toBe(404);
    // Kept with the character shown as one that could not be kept, the rest as sent.
    const records = await recordsFor('nul\uFFFDname');
    expect(records.map((record) => [record.action, record.outcome])).toEqual([
      ['logger.retention', 'refused'],
      ['user.update', 'refused'],
      ['remote.update', 'refused'],
    ]);
    expect(records[2]?.error).toBe('no remote named nul\uFFFDname');
    // The name as the admin typed it finds them too, in the list and in the CSV.
    const found = await hub.admin.data<AuditRecord[]>('GET', `/api/audit?filter=${encodeURIComponent('NUL\u0000name')}`);
    expect(found.map((record) => record.id)).toEqual(records.map((record) => record.id));
    const csv = await hub.admin.download(`/api/audit.csv?filter=${encodeURIComponent('nul\u0000name')}`);
    expect(csv.body.trimEnd().split('\n')).toHaveLength(1 + records.length);
  });

  it('records riohub --reset-password as the command line on this machine, while the hub runs', async () => {
    await hub.admin.data('POST', '/api/users', { name: 'rita', role: 'operator', password: 'rita-forgotten' });
    const generated = await resetPassword(hub.dataDir, hub.database, 'rita');
    const [reset] = await recordsFor('rita');
    expect(reset).toMatchObject({
      user: expect.stringMatching(/^command line \(.+\)$/),
      address: 'this machine',
      action: 'user.reset-password',
      outcome: 'done',
      changes: [{ field: 'password', secret: 'changed' }, { field: 'sessions', to: 'ended' }],
    });
    const everything = JSON.stringify(await hub.admin.data('GET', '/api/audit?limit=1000'));
    expect(everything).not.toContain(generated);
  });

  it('never holds a password: not in the list, not in the CSV', async () => {
    const secrets = ['pw-user-create-1', 'pw-user-change-2', 'pw-remote-create-3', 'pw-remote-change-4', 'pw-served-api-5', 'pw-refused-6'];
    const [userCreate, userChange, remoteCreate, remoteChange, servedApi, refused] = secrets;
    await hub.admin.data('POST', '/api/users', { name: 'sam', role: 'viewer', password: userCreate });
    await hub.admin.data('PUT', '/api/users/sam', { password: userChange });
    await hub.admin.data('POST', '/api/remotes', { name: 'vault', host: '127.0.0.1', port: 9, tls: 'http', password: remoteCreate });
    await hub.admin.data('PUT', '/api/remotes/vault', { host: '127.0.0.1', password: remoteChange });
    await hub.admin.data('PUT', '/api/hub/served-api', { password: servedApi });
    await hub.admin.data('PUT', '/api/hub/served-api', { password: '' });
    // Refused ones too: a password that is too long, and a wrong field holding one.
    expect((await hub.admin.call('PUT', '/api/users/sam', { password: `${refused}${'x'.repeat(300)}` })).status).toBe(400);
    expect((await hub.admin.call('PUT', '/api/hub/served-api', { password: refused, address: '' })).status).toBe(400);
    expect((await hub.admin.call('POST', '/api/remotes', { name: 'vault2', host: 'no host', password: refused })).status).toBe(400);
    await hub.admin.data('DELETE', '/api/remotes/vault');

    const list = JSON.stringify(await hub.admin.data<AuditRecord[]>('GET', '/api/audit?limit=1000'));
    const csv = (await hub.admin.download('/api/audit.csv')).body;
    expect(list).toContain('"secret":"changed"');
    expect(csv).toContain('password changed');
    for (const secret of [...secrets, ADMIN_PASSWORD, SIM_PASSWORD]) {
      expect(list, secret).not.toContain(secret);
      expect(csv, secret).not.toContain(secret);
    }
  });

  it('pages back by id, filters by text, and exports the same as a CSV with ISO 8601 times', async () => {
    for (const name of ['page.one', 'page.two', 'page.three']) await hub.admin.data('POST', '/api/users', { name, role: 'viewer', password: `${name}-secret` });
    const firstPage = await hub.admin.data<AuditRecord[]>('GET', '/api/audit?limit=2&filter=PAGE.');
    expect(firstPage.map((r) => r.target)).toEqual(['page.three', 'page.two']);
    const next = await hub.admin.data<AuditRecord[]>('GET', `/api/audit?limit=2&filter=page.&before=${firstPage[1]?.id}`);
    expect(next.map((r) => r.target)).toEqual(['page.one']);
    // A filter is text, not a pattern: `_`, `%` and `\` match only themselves.
    expect(await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=page_')).toEqual([]);
    expect(await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=%25')).toEqual([]);
    expect(await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=page%5C')).toEqual([]);

    const csv = await hub.admin.download('/api/audit.csv?filter=page.');
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.disposition).toBe('attachment; filename="riohub-audit.csv"');
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe('time,user,address,action,target,outcome,changes,error');
    expect(lines).toHaveLength(4);
    const iso = (at: number) => new Date(at).toISOString();
    const [three, two, one] = await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=page.');
    expect(lines.slice(1)).toEqual(
      [three, two, one].map((r) => `${iso(r?.at ?? 0)},admin,${LOOPBACK},user.create,${r?.target},done,role: viewer; password set,`),
    );
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z,/);

    for (const bad of ['limit=0', 'limit=1001', 'before=x', 'sort=asc']) {
      expect((await hub.admin.call('GET', `/api/audit?${bad}`)).status, bad).toBe(400);
    }
    expect((await hub.admin.download('/api/audit.csv?limit=5')).status).toBe(400);
  });

  it('quotes CSV fields that hold commas or quotes, and defuses what a spreadsheet would run', async () => {
    await hub.admin.data('PUT', '/api/hub/served-api', { ioFilter: 'a.*,b.*' });
    await hub.admin.data('POST', '/api/users', { name: '@formula', role: 'viewer', password: 'formula-secret' });
    const csv = (await hub.admin.download('/api/audit.csv')).body;
    expect(csv).toContain(',served-api.update,served-api,done,"ioFilter: """" → a.*,b.*",');
    expect(csv).toContain(`,user.create,'@formula,done,`);
    await hub.admin.data('PUT', '/api/hub/served-api', { ioFilter: '' });
  });

  it('is for admins only: a viewer and an operator get 403 from the list and the CSV', async () => {
    await hub.admin.data('POST', '/api/users', { name: 'vic', role: 'viewer', password: 'viewer-secret' });
    await hub.admin.data('POST', '/api/users', { name: 'oli', role: 'operator', password: 'operator-secret' });
    for (const client of [await hub.signIn('vic', 'viewer-secret'), await hub.signIn('oli', 'operator-secret')]) {
      const list = await client.call('GET', '/api/audit');
      expect(list.status).toBe(403);
      expect(list.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const csv = await client.download('/api/audit.csv');
      expect(csv.status).toBe(403);
      expect(csv.body).not.toContain('user.create');
    }
  });
});
