// The served API over a real socket: a client of the settings, and a peer hub of a pair with the
// pair's key, which is served everything, read only, from any address, the API on or off.
import { buildRequestPath, decodeState, type RioRequest } from '@riohub/protocol';
import { Agent, get } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeStore } from './change-store';
import { rioServerPlugin, type GuessLimiter } from './plugin';
import type { RioServerSettings, RioSource } from './source';

const PEER_KEY = 'the-pair-key-0123456789abcdefghijklmnop';

/** A source of two datapoints and one GUI variable that applies every write it is given. */
function source(): RioSource & { written: [string, string][] } {
  const store = new ChangeStore();
  store.set('io', 'lobby.light.1', '0');
  store.set('io', 'secret.door', 'closed');
  store.set('ui', 'lobby.banner', 'hello');
  const written: [string, string][] = [];
  return {
    store,
    written,
    topology: () => ({ topotime: 1, devices: [], locations: [] }),
    topotime: () => 1,
    members: () => ['server'],
    write: (kind, writes) => {
      for (const [name, value] of writes) {
        store.set(kind, name, value);
        written.push([name, value]);
      }
      return { ok: true };
    },
    loggers: () => [],
    readLog: () => undefined,
  };
}

describe('the Remote I/O API with a peer key', () => {
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** The connections requests came on, in order. */
  let connections: Socket[] = [];

  async function serve(
    settings: RioServerSettings | (() => RioServerSettings),
    peerKey: () => string | undefined,
    guesses?: GuessLimiter,
  ): Promise<{ url: string; served: ReturnType<typeof source> }> {
    const served = source();
    app = Fastify();
    connections = [];
    app.addHook('onRequest', async (request) => void connections.push(request.socket));
    // Refused requests are dropped at once rather than held for 10 s.
    await app.register(rioServerPlugin, { source: served, settings, peerKey, maxHeldPerAddress: 0, guesses });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, served };
  }

  async function ask(url: string, rio: RioRequest): Promise<{ status: number; body: string } | 'dropped'> {
    try {
      const response = await fetch(url + buildRequestPath(rio));
      return { status: response.status, body: await response.text() };
    } catch {
      return 'dropped';
    }
  }

  const fullState = (password: string): RioRequest => ({ verb: 'rioget', version: 2, timestamp: 1, password, sections: { io: true, ui: true } });

  it('serves a peer everything, from an address the clients are not let in from, with the API off for them', async () => {
    const { url } = await serve({ password: '', address: '10.1.2.3', control: true, ioFilter: 'lobby.*', uiFilter: '!*', api: 'public' }, () => PEER_KEY);
    const answer = await ask(url, fullState(PEER_KEY));
    expect(answer).not.toBe('dropped');
    const state = decodeState((answer as { body: string }).body);
    expect(state.io).toEqual(expect.arrayContaining([['lobby.light.1', '0'], ['secret.door', 'closed']]));
    expect(state.ui).toEqual([['lobby.banner', 'hello']]);
    // Anyone else, with any password, is dropped as before.
    expect(await ask(url, fullState('guess'))).toBe('dropped');
    expect(await ask(url, fullState(''))).toBe('dropped');
  });

  it('refuses a peer’s writes, though the clients may write', async () => {
    const { url, served } = await serve({ password: 'client-pw', address: '*', control: true, ioFilter: 'lobby.*', uiFilter: '', api: 'extended' }, () => PEER_KEY);
    const peerWrite = await ask(url, { verb: 'rioset', password: PEER_KEY, writes: [['lobby.light.1', '1']] });
    expect(peerWrite).toMatchObject({ body: expect.stringContaining('control disabled') });
    const clientWrite = await ask(url, { verb: 'rioset', password: 'client-pw', writes: [['lobby.light.1', '1']] });
    expect(clientWrite).toMatchObject({ status: 200 });
    expect(served.written).toEqual([['lobby.light.1', '1']]);
    // The client still sees what its filter exposes only, while the peer sees everything.
    const client = await ask(url, fullState('client-pw'));
    expect((client as { body: string }).body).not.toContain('secret.door');
    expect((await ask(url, fullState(PEER_KEY)) as { body: string }).body).toContain('secret.door');
  });

  it('judges each request of a kept-alive connection afresh: its password, and its address under the list in force', async () => {
    let settings: RioServerSettings = { password: 'client-pw', address: '127.0.0.1', control: false, ioFilter: '', uiFilter: '', api: 'extended' };
    const { url } = await serve(() => settings, () => undefined);
    // One connection, kept alive, as a poller's: a new one only once the server dropped it.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const poll = (given: string) =>
      new Promise<{ status: number } | 'dropped'>((resolve) => {
        get(url + buildRequestPath(fullState(given)), { agent }, (response) => {
          response.resume();
          response.once('end', () => resolve({ status: response.statusCode ?? 0 }));
        }).once('error', () => resolve('dropped'));
      });
    expect(await poll('client-pw')).toMatchObject({ status: 200 });
    expect(await poll('client-pw')).toMatchObject({ status: 200 });
    // A wrong password on the connection a right one came on before is dropped all the same.
    expect(await poll('client-pw!')).toBe('dropped');
    expect(connections[1]).toBe(connections[0]);
    expect(connections[2]).toBe(connections[0]);
    expect(await poll('client-pw')).toMatchObject({ status: 200 });
    expect(await poll('client-pw')).toMatchObject({ status: 200 });
    // The address list changed: the same connection, let in a moment ago, is not any more.
    settings = { ...settings, address: '10.0.0.1' };
    expect(await poll('client-pw')).toBe('dropped');
    expect(connections[5]).toBe(connections[4]);
    settings = { ...settings, address: '127.0.0.0/8' };
    expect(await poll('client-pw')).toMatchObject({ status: 200 });
    // And the password changed: the one the connection sent before no longer lets it in.
    settings = { ...settings, password: 'new-pw' };
    expect(await poll('client-pw')).toBe('dropped');
    expect(connections[7]).toBe(connections[6]);
    expect(await poll('new-pw')).toMatchObject({ status: 200 });
    agent.destroy();
  });

  it('serves a peer while client guessing holds back every address, and counts none of its requests as a guess', async () => {
    const asked: string[] = [];
    // Every client address held back, as while many addresses guess (the hub's ServedApiGuesses).
    const heldBack: GuessLimiter = {
      mayCheck: (address) => {
        asked.push(address);
        return false;
      },
      checked: () => true,
    };
    const { url } = await serve({ password: 'client-pw', address: '*', control: false, ioFilter: '', uiFilter: '', api: 'extended' }, () => PEER_KEY, heldBack);
    expect(await ask(url, fullState('client-pw'))).toBe('dropped');
    expect(await ask(url, fullState(PEER_KEY))).toMatchObject({ status: 200 });
    expect(await ask(url, fullState('a guess'))).toBe('dropped');
    // The two clients were asked about, the right password and the guess alike; the peer was not.
    expect(asked).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('holds at most so many refused connections in all, from however many addresses, and closes the rest at once', async () => {
    const served = source();
    app = Fastify();
    await app.register(rioServerPlugin, { source: served, settings: { password: 'client-pw', address: '*', control: false, ioFilter: '', uiFilter: '', api: 'extended' }, maxHeld: 3 });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // Wrong passwords from four addresses of the loopback range, one each: under any per-address cap.
    const outcomes = await Promise.all(
      [2, 3, 4, 5].map(
        (last) =>
          new Promise<{ closedAt: number }>((resolve) => {
            const started = performance.now();
            get(url + buildRequestPath(fullState('guess')), { localAddress: `127.0.0.${last}`, agent: false })
              .once('error', () => resolve({ closedAt: performance.now() - started }))
              .once('response', () => resolve({ closedAt: Number.NaN }));
          }),
      ),
    );
    // Three held for the 10 s hold, the fourth closed at once; none answered.
    const closedAtOnce = outcomes.filter(({ closedAt }) => closedAt < 5_000);
    expect(closedAtOnce).toHaveLength(1);
  }, 20_000);

  it('lets no peer in while there is no key, nor with the key of before once it changed', async () => {
    let key: string | undefined;
    const { url } = await serve({ password: 'client-pw', address: '*', control: false, ioFilter: '', uiFilter: '', api: 'extended' }, () => key);
    expect(await ask(url, fullState(PEER_KEY))).toBe('dropped');
    key = PEER_KEY;
    expect(await ask(url, fullState(PEER_KEY))).toMatchObject({ status: 200 });
    key = 'another-key-made-since';
    expect(await ask(url, fullState(PEER_KEY))).toBe('dropped');
    expect(await ask(url, fullState('another-key-made-since'))).toMatchObject({ status: 200 });
  });
});
