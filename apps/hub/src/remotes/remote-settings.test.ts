// Remote entries managed over the API take effect at once, against real simulators.
import type { ConnectionTest, RemoteView } from '@riohub/hub-api';
import { fingerprintOf } from '@riohub/certificate';
import { spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';
import { onPostgres } from '../testing/test-store';

const PASSWORD = 'remote-pw';
const PUBLIC_IO_OFF = 'must be on when api is public: part A reads datapoints only';
const SMALL = ['--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0'];

describe('remote settings', () => {
  let hub: TestHub;
  let sim: SimProcess;
  let looping: SimProcess;
  let publicOnly: SimProcess;
  let skewed: SimProcess;

  beforeAll(async () => {
    hub = await startTestHub();
    const instanceId = hub.running.hub.instanceId;
    [sim, looping, publicOnly, skewed] = await Promise.all([
      spawnSim(['--password', PASSWORD, ...SMALL]),
      spawnSim(['--password', PASSWORD, ...SMALL, '--members', `other,${instanceId}`]),
      spawnSim(['--password', PASSWORD, ...SMALL, '--api', 'public']),
      spawnSim(['--password', PASSWORD, ...SMALL, '--clock-offset=30']),
    ]);
  });
  afterAll(async () => {
    await hub.close();
    await Promise.all([sim, looping, publicOnly, skewed].map((s) => s.stop()));
  });

  it('validates every field with a clear message', async () => {
    const { status, body } = await hub.admin.call('POST', '/api/remotes', {
      name: 'Bad Name',
      host: 'not a host',
      port: 70000,
      tls: 'maybe',
      password: '',
      options: { drift: 10000, api: 'private', dataloggerspollinterval: 0, bogus: true },
    });
    expect(status).toBe(400);
    expect(body.ok === false && body.error.fields).toEqual({
      name: 'must be lower-case letters, digits, _ or -',
      host: 'must be a host name or an IP address',
      port: 'must be 1 to 65535',
      tls: 'must be verify, pin or http',
      password: 'must not be empty',
      'options.drift': 'must be 0 to 9999',
      'options.api': 'must be extended or public',
      'options.dataloggerspollinterval': 'must be 1 to 86400',
      options: 'unknown field',
    });
    const noPassword = await hub.admin.call('POST', '/api/remotes', { name: 'x', host: '127.0.0.1' });
    expect(noPassword.body.ok === false && noPassword.body.error.fields).toEqual({ password: 'is required' });
    const nothing = await hub.admin.call('POST', '/api/remotes', { name: 'x', host: '127.0.0.1', password: 'p', options: { io: false } });
    expect(nothing.body.ok === false && nothing.body.error.fields).toEqual({ options: 'io or ui must be on' });
    // Part A reads datapoints only: a public remote with io off would have nothing to replicate.
    const guiOnly = await hub.admin.call('POST', '/api/remotes', { name: 'x', host: '127.0.0.1', password: 'p', options: { api: 'public', io: false, ui: true } });
    expect(guiOnly.body.ok === false && guiOnly.body.error.fields).toEqual({ 'options.io': PUBLIC_IO_OFF });
    // Half a surrogate pair has no UTF-8 form: such a password could never be sent.
    const halfPair = await hub.admin.call('POST', '/api/remotes', { name: 'x', host: '127.0.0.1', password: 'pass\uD800word' });
    expect(halfPair.body.ok === false && halfPair.body.error.fields).toEqual({ password: 'must be valid text (it holds half of a UTF-16 surrogate pair)' });
    const served = await hub.admin.call('PUT', '/api/hub/served-api', { password: '\uDC00' });
    expect(served.body.ok === false && served.body.error.fields).toEqual({ password: 'must be valid text (it holds half of a UTF-16 surrogate pair)' });
  });

  it('creates, changes, disables and deletes a remote at once, never returning its password', async () => {
    const created = await hub.admin.addSim('live', sim, PASSWORD);
    expect(created).toMatchObject({ name: 'live', port: Number(new URL(sim.url).port), hasPassword: true });
    expect(JSON.stringify(created)).not.toContain(PASSWORD);
    await eventually(() => hub.admin.point('live.connection', 'hub'), (p) => p.value === 'online');
    expect((await hub.admin.call('GET', '/api/points/live.status.text?kind=ui')).status).toBe(404);
    const duplicate = await hub.admin.call('POST', '/api/remotes', { name: 'live', host: '127.0.0.1', password: 'x' });
    expect(duplicate.status).toBe(409);

    // The stored password goes to no other server: a new address needs it again.
    const moved = await hub.admin.call('PUT', '/api/remotes/live', { host: '127.0.0.2' });
    expect(moved.body).toMatchObject({ ok: false, error: { fields: { password: 'is required for a new server' } } });
    const probe = await hub.admin.call('POST', '/api/remotes/test', { name: 'live', host: '127.0.0.3', port: 1 });
    expect(probe.status).toBe(400);

    await hub.admin.data('PUT', '/api/remotes/live', { host: '127.0.0.1', options: { ui: true } });
    await eventually(() => hub.admin.call('GET', '/api/points/live.status.text?kind=ui'), (r) => r.status === 200);

    const disabled = await hub.admin.data<RemoteView>('PUT', '/api/remotes/live', { host: '127.0.0.1', enabled: false });
    expect(disabled.status.connection).toBe('disabled');
    expect(await hub.admin.point('live.dummy.light.1')).toMatchObject({ state: 'stale' });

    const all = await hub.admin.call('GET', '/api/remotes');
    expect(JSON.stringify(all.body)).not.toContain(PASSWORD);

    await hub.admin.data('DELETE', '/api/remotes/live');
    expect((await hub.admin.call('GET', '/api/points/live.dummy.light.1')).status).toBe(404);
    expect((await hub.admin.call('GET', '/api/remotes/live')).status).toBe(404);
  });

  it('keeps settings in the store across a restart of the hub', async () => {
    await hub.admin.addSim('kept', sim, PASSWORD, { drift: 7 });
    await hub.running.close();
    hub = await startTestHub(hub.dataDir);
    const remote = await hub.admin.remote('kept');
    expect(remote.options.drift).toBe(7);
    await eventually(() => hub.admin.point('kept.connection', 'hub'), (p) => p.value === 'online');
    await hub.admin.data('DELETE', '/api/remotes/kept');
  });

  it('refuses a remote whose members include this hub as a loop', async () => {
    await hub.admin.addSim('looped', looping, PASSWORD);
    const remote = await eventually(() => hub.admin.remote('looped'), (r) => r.status.error?.code === 'loop');
    expect(remote.status.connection).toBe('offline');
    expect(remote.status.error?.message).toMatch(/^loop/);
    expect((await hub.admin.call('GET', '/api/points/looped.dummy.light.1')).status).toBe(404);
    await hub.admin.data('DELETE', '/api/remotes/looped');
  });

  it('trusts a certificate on first use only after an admin confirms it', async () => {
    const url = new URL(sim.url);
    const test = await hub.admin.data<ConnectionTest>('POST', '/api/remotes/test', {
      name: 'tofu', host: url.hostname, port: Number(url.port), tls: 'pin', password: PASSWORD,
    });
    expect(test).toMatchObject({ reachable: true, trusted: false, fingerprint: fingerprintOf(sim.certificate ?? '') });

    await hub.admin.data('POST', '/api/remotes', { name: 'tofu', host: url.hostname, port: Number(url.port), tls: 'pin', password: PASSWORD });
    const waiting = await eventually(() => hub.admin.remote('tofu'), (r) => r.status.error?.code === 'certificate-untrusted');
    expect(waiting.status.offeredFingerprint).toBe(fingerprintOf(sim.certificate ?? ''));
    expect((await hub.admin.call('POST', '/api/remotes/tofu/trust', { fingerprint: 'AA:BB' })).status).toBe(409);
    await hub.admin.data('POST', '/api/remotes/tofu/trust', { fingerprint: waiting.status.offeredFingerprint });
    await eventually(() => hub.admin.point('tofu.connection', 'hub'), (p) => p.value === 'online');
    await hub.admin.data('DELETE', '/api/remotes/tofu');
  });

  it('tests a connection before saving: a good one, and a wrong password', async () => {
    const url = new URL(sim.url);
    const entry = { name: 'probe', host: url.hostname, port: Number(url.port), tls: 'pin', fingerprint: fingerprintOf(sim.certificate ?? '') };
    expect(await hub.admin.data<ConnectionTest>('POST', '/api/remotes/test', { ...entry, password: PASSWORD })).toMatchObject({
      reachable: true,
      trusted: true,
      points: expect.any(Number),
      system: true,
    });
    const wrong = await hub.admin.data<ConnectionTest>('POST', '/api/remotes/test', { ...entry, password: 'wrong' });
    expect(wrong).toMatchObject({ reachable: false, error: { code: 'no-answer' } });
  });

  it('reads a public-API remote with rioget v1 and says what it does not support', async () => {
    await hub.admin.addSim('stock', publicOnly, PASSWORD, { api: 'public' });
    await eventually(() => hub.admin.point('stock.connection', 'hub'), (p) => p.value === 'online');
    expect((await hub.admin.point('stock.dummy.light.1')).value).toBe('0');
    expect((await hub.admin.remote('stock')).status.unsupported).toEqual(['writes', 'topology', 'gui variables', 'clock', 'data loggers']);
    const write = await hub.admin.call('POST', '/api/writes', { name: 'stock.dummy.light.1', value: '1' });
    expect(write.body).toMatchObject({
      ok: false,
      error: { code: 'read-only', message: 'stock.dummy.light.1 is read only: stock serves the public API only: writes are not supported: nothing was sent' },
    });
    // Turning its datapoints off is refused whole, and the entry keeps replicating them.
    const datapointsOff = await hub.admin.call('PUT', '/api/remotes/stock', { host: '127.0.0.1', options: { io: false, ui: true } });
    expect(datapointsOff.status).toBe(400);
    expect(datapointsOff.body.ok === false && datapointsOff.body.error.fields).toEqual({ 'options.io': PUBLIC_IO_OFF });
    expect((await hub.admin.remote('stock')).options).toMatchObject({ api: 'public', io: true });
    expect(await hub.admin.point('stock.dummy.light.1')).toMatchObject({ value: '0', state: 'ok' });
  });

  it('keeps a remote online and its points live while options a running link can take change', async () => {
    // Its clock is 30 s off: past a drift of 4 s the alarm is up; a drift of 60 s clears it.
    await hub.admin.addSim('steady', skewed, PASSWORD, { drift: 4 });
    await eventually(() => hub.admin.point('steady.time.alarm', 'hub'), (p) => p.value === '1');
    const dashboard = await hub.admin.socket();
    dashboard.send({ type: 'subscribe', payload: { prefixes: ['steady.'] } });
    await dashboard.until(() => dashboard.state.get('io:steady.dummy.light.1')?.state === 'ok');
    const from = dashboard.messages.length;
    await hub.admin.data('PUT', '/api/remotes/steady', { host: '127.0.0.1', options: { drift: 60, dataloggerspollinterval: 30, startupevents: true, maxpoints: 5_000, maxanswermb: 16 } });
    const remotes = () => dashboard.messages.slice(from).flatMap((message) => (message.type === 'remotes' ? message.payload.remotes : []));
    const points = () => dashboard.messages.slice(from).flatMap((message) => (message.type === 'delta' ? message.payload.points : []));
    // The drift is judged again at once, on the clock difference already measured.
    await dashboard.until(() => points().some((point) => point.name === 'steady.time.alarm' && point.value === '0'));
    await dashboard.until(() => remotes().some((remote) => remote.name === 'steady' && remote.options.drift === 60));
    const shown = remotes().filter((remote) => remote.name === 'steady');
    expect(shown.map((remote) => remote.status.connection)).toEqual(shown.map(() => 'online'));
    expect(points().filter((point) => point.name === 'steady.connection').map((point) => point.value)).not.toContain('offline');
    expect(points().filter((point) => point.name.startsWith('steady.') && point.state === 'stale')).toEqual([]);
    expect((await hub.admin.remote('steady')).options).toMatchObject({ drift: 60, dataloggerspollinterval: 30, startupevents: true, maxpoints: 5_000, maxanswermb: 16 });
    dashboard.close();
  });

  it('reports the clock difference, raises the alarm past drift, and syncs the clock when asked', async () => {
    await hub.admin.addSim('clock', skewed, PASSWORD, { drift: 4 });
    const delta = await eventually(() => hub.admin.point('clock.time.delta', 'hub'), (p) => Math.abs(Number(p.value) - 30) <= 2);
    expect(delta.kind).toBe('hub');
    expect((await hub.admin.point('clock.time.alarm', 'hub')).value).toBe('1');
    await hub.admin.data('PUT', '/api/remotes/clock', { host: '127.0.0.1', options: { clocksync: true } });
    await eventually(() => hub.admin.point('clock.time.alarm', 'hub'), (p) => p.value === '0');
    expect(Math.abs(Number((await hub.admin.point('clock.time.delta', 'hub')).value))).toBeLessThanOrEqual(1);
  });

  it('stops polling remotes marked shutdownWhenInactive while the hub is inactive', async () => {
    await hub.admin.addSim('standby', sim, PASSWORD, { shutdownWhenInactive: true });
    await eventually(() => hub.admin.point('standby.connection', 'hub'), (p) => p.value === 'online');
    // On PostgreSQL the role is elected, not set (pair/failover.test.ts has a standby stop them).
    if (onPostgres) {
      expect((await hub.admin.call('PUT', '/api/hub/role', { role: 'inactive' })).status).toBe(409);
      return;
    }
    await hub.admin.data('PUT', '/api/hub/role', { role: 'inactive' });
    expect((await hub.admin.remote('standby')).status.connection).toBe('inactive');
    expect((await hub.admin.point('standby.connection', 'hub')).value).toBe('offline');
    await hub.admin.data('PUT', '/api/hub/role', { role: 'active' });
    await eventually(() => hub.admin.point('standby.connection', 'hub'), (p) => p.value === 'online');
  });
});
