// A browser whose socket backs up in the middle of a delta: the session stops after the chunk that
// filled the buffer and sends the rest, in order and once each, when the socket has room again.
// Real sockets and a real tree; only the socket's buffer level is held up (the kernel's own buffer
// on loopback is too large and too variable to fill at a chosen chunk).
import type { AddressInfo } from 'node:net';
import type { Point, ServerMessage, User } from '@riohub/hub-api';
import { waitUntil } from '@riohub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Hub } from '../hub';
import { PointTree, type JsonEnvelope } from '../tree/point-tree';
import { BrowserSession } from './browser-session';

const POINTS = 12_000;
const admin: User = { name: 'admin', role: 'admin' };

describe('a browser session under backpressure', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('sends the rest of a delta that filled the socket once there is room, in order, each point once', async () => {
    const tree = new PointTree();
    const names = Array.from({ length: POINTS }, (_, i) => `p.${i}`);
    tree.setAll('r', 'io', names.map((name) => [name, '0'] as const), true, false);
    tree.setAll('r', 'ui', [['label', 'a']], true, false);
    const hub = { pointsAsJson: (prefixes: readonly string[], per: number, envelope: JsonEnvelope) => tree.underAsJson(prefixes, per, envelope) } as unknown as Hub;

    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    let full = false;
    let filled = false;
    const session = new Promise<BrowserSession>((resolve) => {
      server.once('connection', (socket) => {
        // The buffer level the session reads, held up while `full`: from the first delta sent.
        const real = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(socket), 'bufferedAmount')?.get as () => number;
        Object.defineProperty(socket, 'bufferedAmount', { get: () => (full ? 1 << 30 : real.call(socket)) });
        const send = socket.send.bind(socket);
        socket.send = ((data: string, ...rest: never[]) => {
          send(data, ...rest);
          if (typeof data === 'string' && data.startsWith('{"type":"delta"') && !filled) full = filled = true;
        }) as typeof socket.send;
        const created = new BrowserSession(socket, admin, hub, async () => admin);
        socket.on('message', (data: Buffer) => void created.receive(data.toString()));
        closers.push(() => created.close());
        resolve(created);
      });
    });
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    closers.push(() => client.close());
    const deltas: Point[][] = [];
    let snapshotDone = false;
    client.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'snapshot' && message.payload.last) snapshotDone = true;
      if (message.type === 'delta') deltas.push(message.payload.points);
    });
    await new Promise((resolve) => client.once('open', resolve));
    const browser = await session;
    tree.onChange((point) => browser.offer(point));
    client.send(JSON.stringify({ type: 'subscribe', payload: { prefixes: [''] } }));
    await waitUntil(async () => snapshotDone, 10_000, 'the snapshot');

    // Every point changes; a few change again before anything is sent: their latest value counts.
    tree.setAll('r', 'io', names.map((name) => [name, '1'] as const), false, true);
    tree.setAll('r', 'io', names.slice(0, 10).map((name) => [name, '2'] as const), false, true);
    // A GUI variable: sent after the datapoints (a delta goes kind by kind), also when they did not all fit.
    tree.setAll('r', 'ui', [['label', 'b']], false, true);
    await waitUntil(async () => deltas.length === 1, 10_000, 'the first delta');
    // Held while full: five retries later (one every 20 ms), still only the first chunk.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toHaveLength(5_000);

    // Room again, and a change made meanwhile to a datapoint already sent: after the other datapoints.
    tree.setAll('r', 'io', [['p.0', '3']], false, true);
    full = false;
    const received = () => deltas.reduce((count, points) => count + points.length, 0);
    await waitUntil(async () => received() === POINTS + 2, 10_000, () => `every change (${received()} of ${POINTS + 2})`);
    const order = deltas.flat().map((point) => `${point.name}=${point.value}`);
    expect(order).toEqual([...names.map((name, i) => `r.${name}=${i < 10 ? '2' : '1'}`), 'r.p.0=3', 'r.label=b']);
  });
});

