// Operator writes in every outcome, against real simulators: applied then confirmed, refused by the
// remote, failed at once while offline; each recorded in the write log.
import type { WriteRecord } from '@riohub/hub-api';
import { spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_TIMEOUT_MS } from '../links/remote-client';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'remote-pw';

describe('writes', () => {
  let hub: TestHub;
  let open: SimProcess;
  let readOnly: SimProcess;
  let gone: SimProcess;

  beforeAll(async () => {
    hub = await startTestHub();
    const small = ['--lights', '3', '--dimmers', '2', '--shutters', '0', '--sensors', '0'];
    [open, readOnly, gone] = await Promise.all([
      spawnSim(['--password', PASSWORD, ...small]),
      spawnSim(['--password', PASSWORD, ...small, '--control', 'false']),
      spawnSim(['--password', PASSWORD, ...small]),
    ]);
    await hub.admin.addSim('open', open, PASSWORD, { ui: true });
    await hub.admin.addSim('locked', readOnly, PASSWORD);
    await hub.admin.addSim('gone', gone, PASSWORD);
    for (const name of ['open', 'locked', 'gone']) {
      await eventually(() => hub.admin.point(`${name}.connection`, 'hub'), (p) => p.value === 'online');
    }
  });
  afterAll(async () => {
    await hub.close();
    await Promise.all([open, readOnly, gone].map((sim) => sim.stop()));
  });

  it('applies a write, then confirms it when the value comes back through the poll', async () => {
    const { status, body } = await hub.admin.call<WriteRecord>('POST', '/api/writes', { name: 'open.dummy.dimmer.1', value: '70' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, data: { status: 'applied', oldValue: '0', newValue: '70', user: 'admin', via: 'rest', remote: 'open' } });
    await eventually(() => hub.admin.point('open.dummy.dimmer.1'), (p) => p.value === '70');
    const log = await eventually(
      () => hub.admin.data<WriteRecord[]>('GET', '/api/writes'),
      (records) => records.find((r) => r.name === 'open.dummy.dimmer.1')?.status === 'confirmed',
    );
    expect(log[0]).toMatchObject({ name: 'open.dummy.dimmer.1', status: 'confirmed' });
  });

  it('writes a GUI variable', async () => {
    await eventually(() => hub.admin.call('GET', '/api/points/open.status.text?kind=ui'), (r) => r.status === 200);
    const { body } = await hub.admin.call('POST', '/api/writes', { name: 'open.status.text', value: 'Hi *', kind: 'ui' });
    expect(body.ok).toBe(true);
    await eventually(() => hub.admin.point('open.status.text', 'ui'), (p) => p.value === 'Hi *');
  });

  it('reports a write the remote refuses, with its reason', async () => {
    const locked = await hub.admin.call<WriteRecord>('POST', '/api/writes', { name: 'locked.dummy.light.1', value: '1' });
    expect(locked.status).toBe(409);
    expect(locked.body).toMatchObject({ ok: false, error: { code: 'remote-refused', message: 'locked refused the write: control disabled' } });
    const badValue = await hub.admin.call('POST', '/api/writes', { name: 'open.dummy.dimmer.2', value: '150' });
    expect(badValue.body).toMatchObject({ ok: false, error: { code: 'remote-refused' } });
    expect(badValue.body.ok === false && badValue.body.error.record?.status).toBe('refused');
    expect((await hub.admin.point('open.dummy.dimmer.2')).value).toBe('0');
  });

  it('fails a write to an offline remote at once, and never sends it later', async () => {
    gone.child.kill('SIGKILL');
    await eventually(() => hub.admin.point('gone.connection', 'hub'), (p) => p.value === 'offline');
    const started = Date.now();
    const result = await hub.admin.call('POST', '/api/writes', { name: 'gone.dummy.light.1', value: '1' });
    // Refused from what the hub knows, not after a request that waited for its timeout.
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ ok: false, error: { code: 'remote-offline' } });
    expect(result.body.ok === false && result.body.error.record?.status).toBe('failed');
  });

  it('refuses names that do not exist and malformed writes with clear errors', async () => {
    expect((await hub.admin.call('POST', '/api/writes', { name: 'open.dummy.light.99', value: '1' })).body).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: 'no datapoint open.dummy.light.99: nothing was sent', record: { status: 'refused', user: 'admin', via: 'rest' } },
    });
    expect((await hub.admin.call('POST', '/api/writes', { name: 'open.dummy light', value: '1' })).status).toBe(400);
    expect((await hub.admin.call('POST', '/api/writes', { name: 'open.virtual.1', value: 'x'.repeat(4097) })).status).toBe(400);
    // Half a character: JSON carries it, the remote's URL cannot.
    expect(await hub.admin.call('POST', '/api/writes', { name: 'open.virtual.1', value: 'a\ud800' })).toMatchObject({
      status: 400,
      body: { ok: false, error: { code: 'invalid', fields: { value: 'is not valid text' } } },
    });
    // A NUL character: no value holds one (PostgreSQL's text cannot, so the write log could not),
    // refused alike on either store, nothing recorded nor sent.
    expect(await hub.admin.call('POST', '/api/writes', { name: 'open.virtual.1', value: '1\u0000' })).toMatchObject({
      status: 400,
      body: { ok: false, error: { code: 'invalid', message: 'the value is not valid text: it holds a NUL character (U+0000)', fields: { value: 'is not valid text' } } },
    });
    expect(await hub.admin.data('GET', '/api/writes?limit=1000')).not.toContainEqual(expect.objectContaining({ newValue: '1\u0000' }));
    const missing = await hub.admin.call('POST', '/api/writes', { name: 'open.dummy.light.1' });
    expect(missing).toMatchObject({ status: 400, body: { ok: false, error: { code: 'invalid', fields: { value: expect.any(String) } } } });
  });

  it('acknowledges a write sent over the WebSocket with its result', async () => {
    const socket = await hub.admin.socket();
    socket.send({ type: 'write', payload: { requestId: 'r1', name: 'open.dummy.light.3', value: '1' } });
    socket.send({ type: 'write', payload: { requestId: 'r2', name: 'gone.dummy.light.3', value: '1' } });
    await socket.until(() => socket.messages.filter((m) => m.type === 'write-result').length === 2);
    const results = Object.fromEntries(
      socket.messages.flatMap((m) => (m.type === 'write-result' ? [[m.payload.requestId, m.payload.result]] : [])),
    );
    expect(results['r1']).toMatchObject({ ok: true, data: { status: 'applied', user: 'admin', via: 'dashboard' } });
    expect(results['r2']).toMatchObject({ ok: false, error: { code: 'remote-offline', record: { status: 'failed', via: 'dashboard' } } });
    // Both ways in, in the one log with who and through what.
    const log = await hub.admin.data<WriteRecord[]>('GET', '/api/writes?limit=10');
    expect(log.find((record) => record.name === 'gone.dummy.light.3')).toMatchObject({ user: 'admin', via: 'dashboard', status: 'failed', error: 'gone is offline' });
    expect(log.find((record) => record.name === 'open.dummy.dimmer.1')).toMatchObject({ user: 'admin', via: 'rest' });
    await socket.until(() => socket.messages.some((m) => m.type === 'write-confirmed' && m.payload.record.name === 'open.dummy.light.3'));
    socket.close();
  });
});
