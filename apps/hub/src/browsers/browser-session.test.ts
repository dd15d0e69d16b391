// The WebSocket channel with real sockets: snapshot, deltas, subscriptions, removals, and a slow
// browser that still ends with the exact final state.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, HubClient, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'remote-pw';

describe('browser WebSocket', () => {
  let hub: TestHub;
  let busy: SimProcess;
  let quiet: SimProcess;

  beforeAll(async () => {
    hub = await startTestHub();
    [busy, quiet] = await Promise.all([
      spawnSim(['--password', PASSWORD, '--lights', '10000', '--dimmers', '0', '--sensors', '0', '--changes-per-second', '20000']),
      spawnSim(['--password', PASSWORD, '--lights', '4', '--dimmers', '0', '--shutters', '0', '--sensors', '0']),
    ]);
    await hub.admin.addSim('busy', busy, PASSWORD);
    await hub.admin.addSim('quiet', quiet, PASSWORD, { ui: true });
    for (const name of ['busy', 'quiet']) await eventually(() => hub.admin.point(`${name}.connection`, 'hub'), (p) => p.value === 'online');
  });
  afterAll(async () => {
    await hub.close();
    await Promise.all([busy.stop(), quiet.stop()]);
  });

  it('refuses a socket without a session, and one opened from another origin', async () => {
    await expect(new HubClient(hub.url).socket()).rejects.toThrow('HTTP 401');
    await expect(hub.admin.socket({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const sameOrigin = await hub.admin.socket({ origin: hub.url });
    sameOrigin.close();
  });

  it('sends a snapshot of the subscribed prefixes, then deltas of changes under them only', async () => {
    const socket = await hub.admin.socket();
    socket.send({ type: 'subscribe', payload: { prefixes: ['quiet.'] } });
    await socket.until(() => socket.messages.some((m) => m.type === 'snapshot' && m.payload.last));
    expect(socket.state.get('io:quiet.dummy.light.1')).toMatchObject({ value: '0', state: 'ok', remote: 'quiet' });
    expect(socket.state.get('ui:quiet.status.text')?.value).toBe('Welcome to sim');
    expect(socket.state.get('hub:quiet.connection')?.value).toBe('online');
    expect([...socket.state.keys()].every((key) => key.split(':')[1]?.startsWith('quiet.'))).toBe(true);

    const direct = new RioTestClient(quiet.url, quiet.certificate);
    await direct.get(`/x/rioset?1*${PASSWORD}*dummy.light.2*1`);
    await direct.close();
    await socket.until(() => socket.state.get('io:quiet.dummy.light.2')?.value === '1');
    expect(socket.messages.some((m) => m.type === 'delta' && m.payload.points.some((p) => p.remote === 'busy'))).toBe(false);
    socket.close();
  });

  it('streams a large snapshot in chunks', async () => {
    const socket = await hub.admin.socket();
    socket.send({ type: 'subscribe', payload: { prefixes: [''] } });
    await socket.until(() => socket.messages.some((m) => m.type === 'snapshot' && m.payload.last));
    const chunks = socket.messages.filter((m) => m.type === 'snapshot');
    expect(chunks.length).toBeGreaterThan(1);
    expect(socket.state.size).toBeGreaterThanOrEqual(10_000);
    socket.close();
  });

  it('brings a slow browser to the exact final state, latest value per point', async () => {
    const slow = await hub.admin.socket();
    slow.send({ type: 'subscribe', payload: { prefixes: ['busy.'] } });
    await slow.until(() => slow.messages.some((m) => m.type === 'snapshot' && m.payload.last));
    // Stop reading: the hub's socket buffer fills while thousands of changes a second go on.
    const raw = (slow.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Freeze the source so there is a final state to compare with, then read again.
    busy.child.kill('SIGSTOP');
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      raw.resume();
      const expected = new Map<string, string>();
      for (let offset = 0; ; offset += 10_000) {
        const page = await hub.admin.data<{ points: { kind: string; name: string; value: string }[]; total: number }>(
          'GET',
          `/api/points?prefix=busy.&limit=10000&offset=${offset}`,
        );
        for (const point of page.points) if (point.kind !== 'hub') expected.set(`${point.kind}:${point.name}`, point.value);
        if (offset + 10_000 >= page.total) break;
      }
      const matches = () => [...expected].every(([key, value]) => slow.state.get(key)?.value === value);
      await slow.until(matches, 30_000);
      expect(matches()).toBe(true);
      // It fell behind in time: it got fewer updates than were made, the latest of each.
      const received = slow.messages.reduce((n, m) => n + (m.type === 'delta' ? m.payload.points.length : 0), 0);
      expect(received).toBeLessThan(3.5 * 20_000);
    } finally {
      busy.child.kill('SIGCONT');
      slow.close();
    }
  });

  it('tells browsers about removed points and remote status', async () => {
    const socket = await hub.admin.socket();
    socket.send({ type: 'subscribe', payload: { prefixes: ['quiet.'] } });
    await socket.until(() => socket.messages.some((m) => m.type === 'snapshot' && m.payload.last));
    expect(socket.messages[0]).toMatchObject({ type: 'remotes' });
    await hub.admin.data('DELETE', '/api/remotes/quiet');
    await socket.until(() => socket.messages.some((m) => m.type === 'removed'));
    expect(socket.state.has('io:quiet.dummy.light.1')).toBe(false);
    socket.close();
  });

  it('answers a malformed message with an error and keeps the socket open', async () => {
    const socket = await hub.admin.socket();
    socket.ws.send('not json');
    socket.send({ type: 'subscribe', payload: { prefixes: 'busy' } });
    socket.send({ type: 'subscribe', payload: { prefixes: Array.from({ length: 101 }, (_, i) => `p${i}.`) } });
    await socket.until(() => socket.messages.filter((m) => m.type === 'error').length === 3);
    socket.send({ type: 'subscribe', payload: { prefixes: ['nothing.'] } });
    await socket.until(() => socket.messages.some((m) => m.type === 'snapshot'));
    socket.close();
  });

  it('keeps little for a client that subscribes again and again and never reads', async () => {
    // A WebSocket client by hand, over a raw socket it stops reading once upgraded.
    const { port } = new URL(hub.url);
    const raw = connect(Number(port), '127.0.0.1');
    await once(raw, 'connect');
    raw.write(
      `GET /api/ws HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: Upgrade\r\nupgrade: websocket\r\n` +
        `sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\ncookie: ${hub.admin.cookie ?? ''}\r\n\r\n`,
    );
    const [head] = (await once(raw, 'data')) as [Buffer];
    expect(head.toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    raw.pause();
    const subscribe = Buffer.from(JSON.stringify({ type: 'subscribe', payload: { prefixes: ['busy.'] } }));
    // A masked text frame (a client's frames are masked), its mask all zeros: the payload as it is.
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | subscribe.length, 0, 0, 0, 0]), subscribe]);
    const before = process.memoryUsage().arrayBuffers;
    for (let burst = 0; burst < 30; burst++) {
      raw.write(Buffer.concat(Array.from({ length: 10 }, () => frame)));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Each of the 300 subscribes queued a chunk of 5,000 points (about 0.4 MB) before: 100 MB and more.
    const grown = process.memoryUsage().arrayBuffers - before;
    raw.destroy();
    expect(grown).toBeLessThan(32 << 20);
  });
});
