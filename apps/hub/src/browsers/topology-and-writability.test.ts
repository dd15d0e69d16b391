// What a browser is told beyond values, with a real hub and real simulators: the merged topology
// on opening and again on every change (a remote added, deleted), and which points cannot be
// written, with why: the same in REST and in WebSocket deltas.
import type { Device, ServerMessage } from '@riohub/hub-api';
import { spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type HubSocket, type TestHub } from '../testing/test-hub';

const PASSWORD = 'remote-pw';
const SMALL = ['--password', PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '1', '--sensors', '0', '--virtuals', '1'];

function lastTopology(socket: HubSocket): Device[] | undefined {
  const messages = socket.messages.filter((m): m is Extract<ServerMessage, { type: 'topology' }> => m.type === 'topology');
  return messages.at(-1)?.payload.devices;
}

describe('topology and writability for browsers', () => {
  let hub: TestHub;
  const sims: SimProcess[] = [];
  const sim = async (args: string[]) => {
    const started = await spawnSim([...SMALL, ...args]);
    sims.push(started);
    return started;
  };
  const online = (name: string) => eventually(() => hub.admin.point(`${name}.connection`, 'hub'), (p) => p.value === 'online');

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.admin.addSim('lobby', await sim([]), PASSWORD);
    await online('lobby');
  });
  afterAll(async () => {
    await hub.close();
    await Promise.all(sims.map((started) => started.stop()));
  });

  it('sends the topology on opening, and again whenever a remote is added or deleted', async () => {
    const socket = await hub.admin.socket();
    await socket.until(() => lastTopology(socket)?.some((device) => device.name === 'lobby.dummy.light.1') ?? false);
    expect(lastTopology(socket)?.find((device) => device.name === 'lobby.dummy.autom.1')).toEqual({ name: 'lobby.dummy.autom.1', remote: 'lobby', params: ['AUTOM', 'VSHUT', 'DUMMY'] });

    await hub.admin.addSim('annex', await sim([]), PASSWORD);
    await socket.until(() => lastTopology(socket)?.some((device) => device.name === 'annex.dummy.light.2') ?? false);
    await hub.admin.data('DELETE', '/api/remotes/annex');
    await socket.until(() => !(lastTopology(socket)?.some((device) => device.remote === 'annex') ?? true));
    expect(lastTopology(socket)?.some((device) => device.name === 'lobby.dummy.light.1')).toBe(true);
    socket.close();
  });

  it("marks the hub's own points, readings and a shutter's position read only, with why; commands stay writable", async () => {
    expect((await hub.admin.point('lobby.connection', 'hub')).readOnly).toBe('a datapoint of the hub itself');
    expect((await hub.admin.point('lobby.dummy.connection', 'io')).readOnly).toBe("an I/O server's connection state");
    expect((await hub.admin.point('lobby.dummy.autom.1.pos', 'io')).readOnly).toBe('the position of shutter lobby.dummy.autom.1, which it reports');
    for (const name of ['lobby.dummy.autom.1', 'lobby.dummy.light.1', 'lobby.virtual.1', 'lobby.system.time']) {
      expect(await hub.admin.point(name, 'io'), name).not.toHaveProperty('readOnly');
    }
    // The hub refuses a write to each one before sending it (the simulator would refuse it too).
    const refused = await hub.admin.call('POST', '/api/writes', { name: 'lobby.dummy.autom.1.pos', value: '5' });
    expect(refused.body).toMatchObject({
      ok: false,
      error: { code: 'read-only', message: 'lobby.dummy.autom.1.pos is read only: the position of shutter lobby.dummy.autom.1, which it reports: nothing was sent', record: { status: 'refused' } },
    });
    const own = await hub.admin.call('POST', '/api/writes', { name: 'lobby.connection', value: 'online' });
    expect(own.body).toMatchObject({ ok: false, error: { code: 'read-only', message: 'lobby.connection is read only: a datapoint of the hub itself: nothing was sent' } });
  });

  it('marks every point of a remote read only once it answers "control disabled", in REST and over the socket, until its link restarts', async () => {
    const locked = await sim(['--control', 'false']);
    await hub.admin.addSim('locked', locked, PASSWORD);
    await online('locked');
    expect(await hub.admin.point('locked.dummy.light.1', 'io')).not.toHaveProperty('readOnly');
    const socket = await hub.admin.socket();
    socket.send({ type: 'subscribe', payload: { prefixes: ['locked.'] } });
    await socket.until(() => socket.messages.some((m) => m.type === 'snapshot' && m.payload.last));

    const write = await hub.admin.call('POST', '/api/writes', { name: 'locked.dummy.light.1', value: '1' });
    expect(write.body).toMatchObject({ ok: false, error: { code: 'remote-refused' } });
    const why = 'locked refuses control (it answered "control disabled")';
    expect((await hub.admin.point('locked.dummy.light.2', 'io')).readOnly).toBe(why);
    expect((await hub.admin.point('locked.dummy.autom.1.pos', 'io')).readOnly).toBe(why);
    // Asked again meanwhile, the hub refuses at once: nothing goes to a remote that said no.
    const again = await hub.admin.call('POST', '/api/writes', { name: 'locked.dummy.light.2', value: '1' });
    expect(again.body).toMatchObject({ ok: false, error: { code: 'read-only', message: `locked.dummy.light.2 is read only: ${why}: nothing was sent` } });
    await socket.until(() => socket.state.get('io:locked.virtual.1')?.readOnly === why);
    expect((await hub.admin.point('lobby.dummy.light.1', 'io')).readOnly).toBeUndefined();

    // Its entry saved again (an admin allowed control): the new link asks again.
    await hub.admin.data('PUT', '/api/remotes/locked', { host: new URL(locked.url).hostname, enabled: true });
    await socket.until(() => socket.state.get('io:locked.virtual.1')?.readOnly === undefined);
    socket.close();
    await hub.admin.data('DELETE', '/api/remotes/locked');
  });

  it('marks every point of a public-API remote read only', async () => {
    const stock = await sim(['--api', 'public']);
    await hub.admin.addSim('stock', stock, PASSWORD, { api: 'public' });
    await online('stock');
    const light = await eventually(() => hub.admin.point('stock.dummy.light.1', 'io'), () => true);
    expect(light.readOnly).toBe('stock serves the public API only: writes are not supported');
    await hub.admin.data('DELETE', '/api/remotes/stock');
  });
});
