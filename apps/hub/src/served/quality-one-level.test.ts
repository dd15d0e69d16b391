// Quality from below at one hub, all real: a simulator that serves `virtual.1` as stale (`--stale`,
// flipped by SIGUSR2) → a hub. The point is stale in REST and the WebSocket exactly while the
// simulator says so (a delta for every flip), the hub serves it stale to the next level, a write to
// it is refused at once, and a remote that goes offline has every datapoint served stale but the
// hub's own points.
import { decodeState } from '@riohub/protocol';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type HubSocket, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'quality-sim-pw';
const API_PASSWORD = 'quality-api-pw';

describe('quality from below at one hub', () => {
  let hub: TestHub;
  let sim: SimProcess;
  let served: RioTestClient;

  beforeAll(async () => {
    hub = await startTestHub();
    sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '2', '--stale', 'virtual.1']);
    await hub.admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD, address: '127.0.0.1', control: true });
    await hub.admin.addSim('q', sim, SIM_PASSWORD);
    await eventually(() => hub.admin.point('q.connection', 'hub'), (point) => point.value === 'online');
    served = new RioTestClient(hub.url, undefined);
  });
  afterAll(async () => {
    await served?.close();
    await hub?.close();
    await sim?.stop('SIGKILL');
  });

  /** The hub's served state, version 2, whole. */
  async function servedState() {
    return decodeState((await served.get(`/x/rioget?2*1*${API_PASSWORD}*io`)).body);
  }

  it('shows the point stale while the simulator serves it stale, a delta for every flip, and serves it on as stale', async () => {
    expect(await hub.admin.point('q.virtual.1')).toMatchObject({ state: 'stale' });
    expect(await hub.admin.point('q.virtual.2')).toMatchObject({ state: 'ok' });
    const full = await servedState();
    expect(full.quality).toEqual([['q.virtual.1', 'stale']]);
    expect((await served.get(`/x/rioget?1*1*${API_PASSWORD}`)).body).not.toContain('quality');

    const socket: HubSocket = await hub.admin.socket();
    try {
      socket.send({ type: 'subscribe', payload: { prefixes: ['q.virtual.1'] } });
      await socket.until(() => socket.messages.some((m) => m.type === 'snapshot' && m.payload.last));
      expect(socket.state.get('io:q.virtual.1')?.state).toBe('stale');
      const states = () =>
        socket.messages.flatMap((m) => (m.type === 'delta' ? m.payload.points.filter((p) => p.name === 'q.virtual.1').map((p) => p.state) : []));

      sim.child.kill('SIGUSR2');
      await socket.until(() => socket.state.get('io:q.virtual.1')?.state === 'ok');
      expect(await hub.admin.point('q.virtual.1')).toMatchObject({ state: 'ok', value: '' });
      // The next level learns of it as a change after the timestamp it holds.
      const changes = decodeState((await served.get(`/x/rioget?2*${full.timestamp}*${API_PASSWORD}*io`)).body);
      expect(changes.quality).toEqual([['q.virtual.1', 'ok']]);
      expect((await servedState()).quality).toBeUndefined();

      sim.child.kill('SIGUSR2');
      await socket.until(() => socket.state.get('io:q.virtual.1')?.state === 'stale');
      expect(states()).toEqual(['ok', 'stale']);
    } finally {
      socket.close();
    }
  });

  it('refuses a write to the stale point at once, through REST and through its own API, sending nothing', async () => {
    await eventually(() => hub.admin.point('q.virtual.1'), (point) => point.state === 'stale');
    const rest = await hub.admin.call('POST', '/api/writes', { name: 'q.virtual.1', value: 'x' });
    expect(rest.status).toBe(503);
    expect(rest.body).toMatchObject({
      ok: false,
      error: { code: 'point-stale', message: 'q.virtual.1 is stale: the server that owns it, below q, is unreachable: nothing was sent', record: { status: 'refused' } },
    });
    const forwarded = await served.get(`/x/rioset?1*${API_PASSWORD}*q.virtual.2*y*q.virtual.1*x`);
    expect(forwarded.status).toBe(409);
    expect(JSON.parse(forwarded.body)).toMatchObject({
      hsycoresult: { ok: false, error: 'not applied', names: ['q.virtual.1'], reasons: { 'q.virtual.1': 'q.virtual.1 is stale: the server that owns it, below q, is unreachable' } },
    });
    expect((await hub.admin.point('q.virtual.2')).value).toBe('');
  });

  it('serves every datapoint of an offline remote stale, and its own points ok', async () => {
    await sim.stop('SIGKILL');
    await eventually(() => hub.admin.point('q.connection', 'hub'), (point) => point.value === 'offline');
    const state = await servedState();
    const names = (state.io ?? []).map(([name]) => name);
    const stale = (state.quality ?? []).map(([name]) => name);
    const own = ['q.connection', 'q.time.delta', 'q.time.alarm'];
    expect(names).toEqual(expect.arrayContaining(own));
    expect(stale.sort()).toEqual(names.filter((name) => !own.includes(name)).sort());
  });
});
