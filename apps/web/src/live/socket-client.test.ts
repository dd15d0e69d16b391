// The dashboard's socket client in Node against a real hub process and a real simulator: the
// snapshot, deltas, topology pushed as it changes, read-only points, writes from pending to
// confirmed or refused, a reconnect after the hub restarts, and a session that ends.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RioTestClient, spawnHub, spawnSim, type HubProcess, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createHubStore, pointKey, type HubStore } from '../store';
import { SocketClient, type SocketLike, type SocketTransport } from './socket-client';

const ADMIN_PASSWORD = 'socket-client-admin-pw';
const SIM_PASSWORD = 'socket-client-sim-pw';
/** Conditions that take a remote's poll or a reconnect's backoff: well within these bounds. */
const WAIT = { timeout: 30_000, interval: 20 };

/** A signed-in user of the hub, as a browser tab is: a session cookie, and REST calls with it. */
class Tab {
  cookie = '';
  constructor(readonly url: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<{ ok: boolean; data?: T; error?: { code: string; message: string } }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}), origin: this.url },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    return (await response.json()) as { ok: boolean; data?: T; error?: { code: string; message: string } };
  }

  /** What a browser gives the client: the `ws` package's WebSocket, sent with the cookie and origin a browser sends. */
  transport(): SocketTransport {
    return {
      open: () => new WebSocket(`${this.url.replace(/^http/, 'ws')}/api/ws`, { headers: { cookie: this.cookie, origin: this.url } }) as unknown as SocketLike,
      sessionEnded: async () => {
        const session = await this.call('GET', '/api/session');
        return !session.ok && session.error?.code === 'unauthenticated';
      },
      nextFrame: (flush) => void setTimeout(flush, 0),
      newRequestId: () => randomUUID(),
    };
  }

  /** Over plain HTTP on loopback: what is tested here is the socket client, not TLS. */
  addSim(name: string, sim: SimProcess) {
    const url = new URL(sim.url);
    return this.call('POST', '/api/remotes', {
      name, host: url.hostname, port: Number(url.port), tls: 'http', password: SIM_PASSWORD,
    });
  }
}

describe('SocketClient against a real hub', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'riohub-socket-client-'));
  let hub: HubProcess;
  let lobby: SimProcess;
  let direct: RioTestClient;
  let tab: Tab;
  let store: HubStore;
  let client: SocketClient;
  const value = (name: string) => store.getState().points.get(pointKey('io', name))?.value;

  beforeAll(async () => {
    [hub, lobby] = await Promise.all([
      spawnHub(ADMIN_PASSWORD, { dataDir }),
      spawnSim(['--http', '--password', SIM_PASSWORD, '--name', 'lobby', '--lights', '3', '--dimmers', '1', '--shutters', '1', '--sensors', '0']),
    ]);
    direct = new RioTestClient(lobby.url, lobby.certificate);
    tab = new Tab(hub.url);
    expect((await tab.call('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD })).ok).toBe(true);
    expect((await tab.addSim('lobby', lobby)).ok).toBe(true);
    store = createHubStore();
    store.getState().setUser({ name: 'admin', role: 'admin' });
    client = new SocketClient(store, tab.transport());
    client.start();
  });
  afterAll(async () => {
    client.stop();
    await direct.close();
    await Promise.all([hub.stop(), lobby.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns the snapshot into the store, then applies deltas', async () => {
    await vi.waitFor(() => expect(store.getState().synced && value('lobby.dummy.light.1')).toBe('0'), WAIT);
    expect(store.getState().connected).toBe(true);
    expect(store.getState().remotes.map((remote) => remote.name)).toEqual(['lobby']);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.2*1`);
    await vi.waitFor(() => expect(value('lobby.dummy.light.2')).toBe('1'), WAIT);
  });

  it('holds what the hub says cannot be written', async () => {
    await vi.waitFor(() => expect(store.getState().points.get(pointKey('io', 'lobby.dummy.autom.1.pos'))?.readOnly).toMatch(/position of shutter/), WAIT);
    expect(store.getState().points.get(pointKey('io', 'lobby.dummy.connection'))?.readOnly).toBeDefined();
    expect(store.getState().points.get(pointKey('hub', 'lobby.connection'))?.readOnly).toBeDefined();
    expect(store.getState().points.get(pointKey('io', 'lobby.dummy.light.1'))?.readOnly).toBeUndefined();
  });

  it('keeps the topology the hub pushes: a remote added, then deleted, without asking', async () => {
    await vi.waitFor(() => expect(store.getState().devices.get('lobby.dummy.light.1')).toEqual(['LIGHT', 'LIGHT', 'DUMMY']), WAIT);
    const annex = await spawnSim(['--http', '--password', SIM_PASSWORD, '--name', 'annex', '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
    try {
      expect((await tab.addSim('annex', annex)).ok).toBe(true);
      await vi.waitFor(() => expect(store.getState().devices.get('annex.dummy.light.2')).toEqual(['LIGHT', 'LIGHT', 'DUMMY']), WAIT);
      await vi.waitFor(() => expect(value('annex.dummy.light.2')).toBe('0'), WAIT);
      expect((await tab.call('DELETE', '/api/remotes/annex')).ok).toBe(true);
      await vi.waitFor(() => expect([store.getState().devices.has('annex.dummy.light.2'), value('annex.dummy.light.2')]).toEqual([false, undefined]), WAIT);
      expect(store.getState().devices.get('lobby.dummy.light.1')).toBeDefined();
      expect(store.getState().remotes.map((remote) => remote.name)).toEqual(['lobby']);
    } finally {
      await annex.stop();
    }
  });

  it('keeps a write pending until its value comes back, and shows a refusal with its reason', async () => {
    const light = pointKey('io', 'lobby.dummy.light.3');
    client.write('lobby.dummy.light.3', 'io', '1');
    expect(store.getState().writes[light]?.value).toBe('1');
    await vi.waitFor(() => expect([store.getState().writes[light], value('lobby.dummy.light.3')]).toEqual([undefined, '1']), WAIT);
    expect(await direct.get(`/x/rioget?1*1*${SIM_PASSWORD}`).then((answer) => JSON.parse(answer.body).hsycostate.io['dummy.light.3'])).toBe('1');

    const dimmer = pointKey('io', 'lobby.dummy.dimmer.1');
    client.write('lobby.dummy.dimmer.1', 'io', 'bright');
    await vi.waitFor(() => expect(store.getState().writes[dimmer]?.error).toMatch(/lobby refused the write/), WAIT);
    expect(value('lobby.dummy.dimmer.1')).toBe('0');
  });

  it('reconnects after the hub restarts, from a fresh snapshot', async () => {
    const port = new URL(hub.url).port;
    await hub.stop();
    await vi.waitFor(() => expect(store.getState().connected).toBe(false), WAIT);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.1*1`);
    hub = await spawnHub(ADMIN_PASSWORD, { dataDir, port: Number(port) });
    await vi.waitFor(() => expect([store.getState().connected, store.getState().synced]).toEqual([true, true]), WAIT);
    // The restarted hub reads the remote again; the change made meanwhile arrives.
    await vi.waitFor(() => expect(value('lobby.dummy.light.1')).toBe('1'), WAIT);
    expect(store.getState().devices.get('lobby.dummy.light.1')).toBeDefined();
    expect(store.getState().user).toEqual({ name: 'admin', role: 'admin' });
  });

  it('signs out when the hub ends the session', async () => {
    await vi.waitFor(() => expect(store.getState().connected).toBe(true), WAIT);
    expect((await tab.call('DELETE', '/api/session')).ok).toBe(true);
    await vi.waitFor(() => expect(store.getState().user).toBeNull(), WAIT);
    expect(store.getState().connected).toBe(false);
  });
});
