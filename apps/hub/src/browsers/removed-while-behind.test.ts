// A dashboard that has fallen behind (a slow link, a big snapshot still streaming) while a point
// changes and then its remote is deleted: once told the point is removed, it is never sent again.
// A real hub, a real simulator, a real socket whose reader stops reading for a while.
import type { Socket } from 'node:net';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'sim-pw';
/** Enough that the snapshot fills the loopback socket's buffers while the browser reads nothing. */
const POINTS = 100_000;

describe('a deleted remote and a browser that is behind', () => {
  let sim: SimProcess;
  let hub: TestHub;
  let direct: RioTestClient;

  beforeAll(async () => {
    sim = await spawnSim(['--password', PASSWORD, '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', String(POINTS), '--system', 'false']);
    hub = await startTestHub();
    await hub.admin.addSim('lobby', sim, PASSWORD);
    await eventually(() => hub.admin.point('lobby.connection', 'hub'), (point) => point.value === 'online', 60_000);
    direct = new RioTestClient(sim.url, sim.certificate);
  });

  afterAll(async () => {
    await direct?.close();
    await hub?.close();
    await sim?.stop('SIGKILL');
  });

  it('sends no change of a removed point after the message that removed it', async () => {
    const socket = await hub.admin.socket();
    const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    socket.send({ type: 'subscribe', payload: { prefixes: [''] } });
    // The hub fills the socket with the snapshot and waits for room; a change waits behind it.
    await eventually(async () => tcp.readableLength, (buffered) => buffered > 0);
    await direct.get(`/x/rioset?1*${PASSWORD}*virtual.1*changed`);
    await eventually(() => hub.admin.point('lobby.virtual.1'), (point) => point.value === 'changed');
    await hub.admin.data('DELETE', '/api/remotes/lobby');
    expect((await hub.admin.data<{ total: number }>('GET', '/api/points?prefix=lobby.')).total).toBe(0);

    tcp.resume();
    await socket.until(() => socket.messages.some((message) => message.type === 'remote-deleted'), 60_000);
    await socket.until(() => socket.messages.some((message) => message.type === 'snapshot' && message.payload.last), 60_000);
    // A change still waiting would go out within a flush (every 20 ms once the socket has room).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([...socket.state.keys()].filter((key) => key.includes(':lobby.'))).toEqual([]);
    socket.close();
  });
});
