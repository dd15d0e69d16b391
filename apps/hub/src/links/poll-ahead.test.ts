// A big answer takes the hub a while to apply, and while it does the remote holds no poll: a change
// there waits for the next one. So after an answer of many changes the next poll leaves before the
// answer goes on to the browsers; after an answer of a few, the browsers get it first.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'ahead-remote-pw';
const LIGHTS = 40;

/** `{"hsycostate":…}` with `io` set to `value` for lights `from` to `to` (excluded). */
function stateOf(timestamp: number, from: number, to: number, value: string): string {
  const io = Object.fromEntries(Array.from({ length: to - from }, (_, index) => [`dummy.light.${from + index}`, value]));
  return JSON.stringify({ hsycostate: { timestamp, topotime: 1, io } });
}

describe('the next poll after an answer', () => {
  let hub: TestHub | undefined;
  let server: Server | undefined;
  const listeners: [string, (message: unknown) => void][] = [];
  afterEach(async () => {
    for (const [channel, listener] of listeners.splice(0)) unsubscribe(channel, listener);
    await hub?.close();
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  });

  it('leaves before an answer of many changes is sent on to the browsers, and after an answer of one', async () => {
    // The remote: its whole state, then 30 changes, then 1, each answer held until the test lets it go.
    const release = new Map<number, () => void>();
    const released = (timestamp: number) => new Promise<void>((resolve) => release.set(timestamp, resolve));
    const answers = new Map<number, Promise<string>>([
      [1, Promise.resolve(stateOf(1000, 0, LIGHTS, '0'))],
      [1000, released(1000).then(() => stateOf(1001, 0, 30, '1'))],
      [1001, released(1001).then(() => stateOf(1002, 30, 31, '1'))],
    ]);
    server = createServer((request, response) => {
      const timestamp = Number(decodeURIComponent(new URL(request.url ?? '/', 'http://x').search.slice(1)).split('*')[1]);
      // Later polls are held until the end.
      void answers.get(timestamp)?.then((body) => response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body));
    });
    await new Promise<void>((listening) => server?.listen(0, '127.0.0.1', listening));
    hub = await startTestHub();
    await hub.admin.addSim('ahead', { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, certificate: undefined }, PASSWORD, { api: 'public' });
    const socket = await hub.admin.socket();
    socket.send({ type: 'subscribe', payload: { prefixes: ['ahead.'] } });
    await socket.until(() => [...socket.state.values()].filter((point) => point.kind === 'io').length === LIGHTS);

    // In the hub's own order: each poll as it is made, each delta as it is sent.
    const seen: string[] = [];
    const listen = (channel: string, listener: (message: unknown) => void) => {
      subscribe(channel, listener);
      listeners.push([channel, listener]);
    };
    listen('undici:request:create', (message) => {
      const { path } = (message as { request: { path: string } }).request;
      if (path.includes('rioget')) seen.push(`poll ${decodeURIComponent(path).split('*')[1]}`);
    });
    listen('riohub.trace.delta-sent', (message) => {
      const { points } = message as { points: { remote: string; kind: string }[] };
      seen.push(`delta of ${points.filter((point) => point.remote === 'ahead' && point.kind === 'io').length}`);
    });

    release.get(1000)?.();
    await eventually(async () => seen, (events) => events.includes('delta of 30'));
    release.get(1001)?.();
    await eventually(async () => seen, (events) => events.includes('poll 1002'));
    expect(seen).toEqual(['poll 1001', 'delta of 30', 'delta of 1', 'poll 1002']);
    expect(await hub.admin.point('ahead.dummy.light.30')).toMatchObject({ value: '1', state: 'ok' });
  });
});
