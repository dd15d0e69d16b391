// The hub's own Remote I/O API, driven by a client written only from PROTOCOL.md part A (plain
// node:https, nothing of riohub's protocol package), then the part B writes a concentrator relies on.
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { MAX_VALUE_BYTES } from '@riohub/protocol';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'sim-pw';
/** With a `*`, which a client must send as `%2A` (PROTOCOL.md, common rules). */
const API_PASSWORD = 'hub*api pw';
const ENCODED_PASSWORD = encodeURIComponent(API_PASSWORD).replaceAll('*', '%2A');

interface Answer {
  status: number;
  contentType: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a third-party client sees of one GET: an answer, or a connection closed without one. */
type Outcome = { answer: Answer; elapsedMs: number } | { dropped: true; bytes: number; elapsedMs: number };

/** One GET on its own connection, from `localAddress` (any loopback address) to the hub. */
function get(url: string, ca: string, path: string, localAddress = '127.0.0.1'): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = httpsRequest(new URL(path, url), { ca, agent: false, localAddress }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          answer: { status: response.statusCode ?? 0, contentType: response.headers['content-type'], headers: response.headers, body },
          elapsedMs: performance.now() - started,
        }),
      );
    });
    let bytes = 0;
    request.on('socket', (socket) => socket.on('data', (chunk: Buffer) => (bytes += chunk.length)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.message === 'socket hang up') resolve({ dropped: true, bytes, elapsedMs: performance.now() - started });
      else reject(error);
    });
    request.end();
  });
}

function answerOf(outcome: Outcome): Answer {
  if ('dropped' in outcome) throw new Error('the hub dropped a request it should have answered');
  return outcome.answer;
}

interface LogLine {
  msg: string;
  reason?: string;
  client?: string;
}

interface HsycoState {
  hsycostate: { timestamp: number; system?: string; topotime: number; io?: Record<string, string> };
}

describe("the hub's Remote I/O API, part A, as a third-party client sees it", () => {
  let hub: TestHub;
  let sim: SimProcess;
  let direct: RioTestClient;
  let ca: string;
  const log: LogLine[] = [];
  const rioget = (timestamp: number, password = ENCODED_PASSWORD, from?: string) =>
    get(hub.url, ca, `/x/rioget?1*${timestamp}*${password}`, from);
  const state = async (timestamp: number) => JSON.parse(answerOf(await rioget(timestamp)).body) as HsycoState;

  beforeAll(async () => {
    sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '1', '--sensors', '0', '--system', 'false']);
    direct = new RioTestClient(sim.url, sim.certificate);
    hub = await startTestHub(undefined, { tls: true, logStream: { write: (line: string) => void log.push(JSON.parse(line) as LogLine) } });
    ca = hub.running.certificate as string;
    await hub.admin.addSim('lobby', sim, SIM_PASSWORD);
    await eventually(() => hub.admin.point('lobby.connection', 'hub'), (point) => point.value === 'online');
  });

  afterAll(async () => {
    await hub?.close();
    await direct?.close();
    await sim?.stop('SIGKILL');
  });

  it('drops every request, silently after 10 s, while no password is set (the API is disabled)', async () => {
    const view = await hub.admin.data<{ hasPassword: boolean }>('GET', '/api/hub/served-api');
    expect(view.hasPassword).toBe(false);
    const outcome = await rioget(1, '');
    expect(outcome).toMatchObject({ dropped: true, bytes: 0 });
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(9_500);
  });

  it('answers the full state at once for timestamp 1, in the exact public format', async () => {
    // Loopback only, as a site would set it; the password is applied to the next request.
    await hub.admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD, address: '127.0.0.1/32', control: true });
    const answer = answerOf(await rioget(1));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    // Byte for byte: no spaces, keys in the documented order, no `system` (the hub has no SYSTEM clock).
    expect(answer.body).toMatch(/^\{"hsycostate":\{"timestamp":\d{16},"topotime":\d+,"io":\{("[A-Za-z0-9_.-]+":"[^"]*",?)+\}\}\}$/);
    const parsed = JSON.parse(answer.body) as HsycoState;
    expect(JSON.stringify(parsed)).toBe(answer.body);
    const io = parsed.hsycostate.io ?? {};
    const atSim = JSON.parse((await direct.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as HsycoState;
    for (const [name, value] of Object.entries(atSim.hsycostate.io ?? {})) expect(io[`lobby.${name}`], name).toBe(value);
    expect(io['lobby.connection']).toBe('online');
  });

  it('returns only what changed after the client timestamp, each change with a strictly greater one', async () => {
    const start = (await state(1)).hsycostate.timestamp;
    const pending = rioget(start);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.dimmer.1*64`);
    const first = JSON.parse(answerOf(await pending).body) as HsycoState;
    expect(first.hsycostate.io).toEqual({ 'lobby.dummy.dimmer.1': '64' });
    expect(first.hsycostate.timestamp).toBeGreaterThan(start);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.2*1*dummy.light.3*1`);
    const second = await eventually(
      () => state(first.hsycostate.timestamp),
      (answer) => answer.hsycostate.io?.['lobby.dummy.light.3'] === '1',
    );
    expect(second.hsycostate.timestamp).toBeGreaterThan(first.hsycostate.timestamp);
    expect(Object.keys(second.hsycostate.io ?? {}).every((name) => name.startsWith('lobby.dummy.light.'))).toBe(true);
  });

  it('answers a held poll as it answers any request: its content type and length, and the security headers', async () => {
    const start = (await state(1)).hsycostate.timestamp;
    // Held until the change below reaches the hub (or answered with it, if that comes first: the same way out).
    const pending = rioget(start);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.dimmer.1*31`);
    const answer = answerOf(await pending);
    expect(JSON.parse(answer.body)).toMatchObject({ hsycostate: { io: { 'lobby.dummy.dimmer.1': '31' } } });
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(answer.body)));
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(String(answer.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('answers a timestamp it does not know (from the future, or older than its history) with the full state at once', async () => {
    const current = await state(1);
    const ahead = await state(current.hsycostate.timestamp + 60_000_000);
    const ancient = await state(5);
    for (const answer of [ahead, ancient]) {
      expect(Object.keys(answer.hsycostate.io ?? {}).length).toBe(Object.keys(current.hsycostate.io ?? {}).length);
    }
  });

  it(
    'holds a poll with nothing new for 10 s and answers without io; drops a wrong password, a disallowed ' +
      'address and an unparseable request after 10 s, and closes at once refusals beyond the per-address cap',
    async () => {
      const now = (await state(1)).hsycostate.timestamp;
      // 127.0.0.3 is loopback but not allowed (127.0.0.1/32): its requests are refused as a bad address.
      const flood = Array.from({ length: 17 }, () => rioget(1, ENCODED_PASSWORD, '127.0.0.3'));
      const [idle, wrong, disallowed, unparseable, ...capped] = await Promise.all([
        rioget(now),
        rioget(1, 'wrong'),
        rioget(1, ENCODED_PASSWORD, '127.0.0.2'),
        get(hub.url, ca, '/x/rioget?1*%ZZ'),
        ...flood,
      ]);
      const idleAnswer = answerOf(idle as Outcome);
      expect(idle?.elapsedMs).toBeGreaterThanOrEqual(9_500);
      const idleState = JSON.parse(idleAnswer.body) as HsycoState;
      expect(idleAnswer.body).toBe(`{"hsycostate":{"timestamp":${now},"topotime":${idleState.hsycostate.topotime}}}`);
      for (const outcome of [wrong, disallowed, unparseable]) {
        expect(outcome).toMatchObject({ dropped: true, bytes: 0 });
        expect(outcome?.elapsedMs).toBeGreaterThanOrEqual(9_500);
      }
      // 16 held for the full 10 s, the 17th closed at once: still no answer, but no socket piles up.
      const held = capped.filter((outcome) => outcome.elapsedMs >= 9_500);
      const closedAtOnce = capped.filter((outcome) => outcome.elapsedMs < 5_000);
      expect(capped.every((outcome) => 'dropped' in outcome && outcome.bytes === 0)).toBe(true);
      expect([held.length, closedAtOnce.length]).toEqual([16, 1]);
    },
    40_000,
  );

  it('drops a poll held from before its password was changed or its address taken off the list, however much changes', async () => {
    const cases = [
      // The control: a change that lets the client in still, whose held poll is answered.
      { change: { control: false }, dropped: false },
      { change: { password: 'replaced password' }, dropped: true },
      { change: { address: '10.0.0.1' }, dropped: true },
      { change: { password: '' }, dropped: true },
    ];
    for (const { change, dropped } of cases) {
      const now = (await state(1)).hsycostate.timestamp;
      const held = rioget(now);
      try {
        // Let the poll come in and be held (nothing changed since `now`) before the settings change.
        await new Promise((resolve) => setTimeout(resolve, 500));
        await hub.admin.data('PUT', '/api/hub/served-api', change);
        await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.dimmer.1*${10 + cases.findIndex((entry) => entry.change === change)}`);
        const outcome = await held;
        if (dropped) expect([change, outcome]).toMatchObject([change, { dropped: true, bytes: 0 }]);
        else expect(JSON.parse(answerOf(outcome).body)).toMatchObject({ hsycostate: { io: { 'lobby.dummy.dimmer.1': '10' } } });
      } finally {
        await hub.admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD, address: '127.0.0.1/32', control: true });
      }
    }
  }, 60_000);

  it('never sends a filtered-out name, in the full state or in changes', async () => {
    await hub.admin.data('PUT', '/api/hub/served-api', { ioFilter: '*,!lobby.dummy.light.1' });
    const full = await state(1);
    expect(full.hsycostate.io?.['lobby.dummy.light.1']).toBeUndefined();
    expect(full.hsycostate.io?.['lobby.dummy.light.2']).toBeDefined();
    const pending = rioget(full.hsycostate.timestamp);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.1*0*dummy.dimmer.1*12`);
    const change = JSON.parse(answerOf(await pending).body) as HsycoState;
    expect(change.hsycostate.io?.['lobby.dummy.light.1']).toBeUndefined();
    await hub.admin.data('PUT', '/api/hub/served-api', { ioFilter: '' });
  });

  it('keeps the password out of its settings view and refuses bad settings field by field', async () => {
    const view = await hub.admin.call('GET', '/api/hub/served-api');
    expect(JSON.stringify(view.body)).not.toContain(API_PASSWORD);
    const bad = await hub.admin.call('PUT', '/api/hub/served-api', { address: '300.1.1.1', ioFilter: 'a'.repeat(5000), extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.ok ? {} : bad.body.error.fields).toMatchObject({ address: expect.any(String), ioFilter: expect.any(String), extra: 'unknown field' });
    // Nothing of a refused change is applied.
    expect(answerOf(await rioget(1)).status).toBe(200);
  });

  it('refuses a name filter holding a character no name holds: a NUL, or half a surrogate pair', async () => {
    const bad = await hub.admin.call('PUT', '/api/hub/served-api', { ioFilter: 'lobby.*,\u0000', uiFilter: 'a\ud800' });
    expect(bad.status).toBe(400);
    expect(bad.body.ok ? {} : bad.body.error.fields).toEqual({
      ioFilter: 'is not valid text: it holds a NUL character (U+0000)',
      uiFilter: 'is not valid text: it holds half a character (a lone UTF-16 surrogate)',
    });
    expect(await hub.admin.data('GET', '/api/hub/served-api')).toMatchObject({ ioFilter: '', uiFilter: '' });
  });

  it(
    'holds back new addresses once wrong passwords came from many, the right password too, so a guess cannot be ' +
      'told right by being answered; a client served before goes on being answered',
    async () => {
      await hub.admin.data('PUT', '/api/hub/served-api', { address: '127.0.0.0/8' });
      try {
        // The client that polls the hub, with the right password, before the guessing starts.
        expect(answerOf(await rioget(1)).status).toBe(200);
        // One wrong guess from each of six addresses of the allowed range: the hub checks five
        // passwords from addresses it has not served, then a token every 20 s (README).
        const guesses = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((guess, index) => rioget(1, guess, `127.0.0.${10 + index}`)));
        expect(guesses.every((outcome) => 'dropped' in outcome && outcome.bytes === 0)).toBe(true);
        const [newcomer, guesser, served] = await Promise.all([
          rioget(1, ENCODED_PASSWORD, '127.0.0.9'),
          rioget(1, ENCODED_PASSWORD, '127.0.0.10'),
          rioget(1, ENCODED_PASSWORD, '127.0.0.1'),
        ]);
        // Right, and dropped all the same: the same silence as a wrong password.
        expect(newcomer).toMatchObject({ dropped: true, bytes: 0 });
        expect(guesser).toMatchObject({ dropped: true, bytes: 0 });
        expect(answerOf(served as Outcome).status).toBe(200);
        // The guessing is one line when it starts, not one per guess once it has.
        const started = log.findIndex((line) => line.msg.startsWith('served Remote I/O API: too many wrong passwords'));
        expect(started).toBeGreaterThan(-1);
        expect(log.slice(started).filter((line) => line.reason === 'wrong password' || line.msg.startsWith('served Remote I/O API: too many'))).toHaveLength(1);
      } finally {
        await hub.admin.data('PUT', '/api/hub/served-api', { address: '127.0.0.1/32' });
      }
    },
    40_000,
  );
});

describe("the hub's Remote I/O API, part B: writes forwarded to the remotes, all or nothing", () => {
  let hub: TestHub;
  const sims: SimProcess[] = [];
  let lobby: RioTestClient;
  const PASSWORD = 'forward-pw';
  const call = async (path: string) => {
    const client = new RioTestClient(hub.url, undefined);
    try {
      const response = await client.get(path);
      return { status: response.status, body: JSON.parse(response.body) as { hsycoresult: Record<string, unknown> } };
    } finally {
      await client.close();
    }
  };
  const simValue = async (name: string) =>
    (JSON.parse((await lobby.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as HsycoState).hsycostate.io?.[name];

  beforeAll(async () => {
    const args = ['--password', SIM_PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--system', 'false'];
    const [lobbySim, floorSim, atticSim] = await Promise.all([spawnSim(args), spawnSim([...args, '--control', 'false']), spawnSim(args)]);
    sims.push(lobbySim as SimProcess, floorSim as SimProcess, atticSim as SimProcess);
    lobby = new RioTestClient(lobbySim?.url ?? '', lobbySim?.certificate);
    hub = await startTestHub();
    await hub.admin.data('PUT', '/api/hub/served-api', { password: PASSWORD, control: true });
    for (const [name, sim] of [['lobby', lobbySim], ['floor', floorSim], ['attic', atticSim]] as const) {
      await hub.admin.addSim(name, sim as SimProcess, SIM_PASSWORD, { ui: true });
      await eventually(() => hub.admin.point(`${name}.connection`, 'hub'), (point) => point.value === 'online');
    }
    // A remote is online with its first state, and its topology is read just after: killed before
    // that, the attic would have no devices for the topology test below.
    const topology = new RioTestClient(hub.url, undefined);
    await eventually(
      async () => Object.keys((JSON.parse((await topology.get(`/x/riotopo?1*${PASSWORD}`)).body) as { hsycotopo: { devices: object } }).hsycotopo.devices),
      (devices) => devices.includes('attic.dummy.light.1'),
    ).finally(() => topology.close());
    await atticSim?.stop('SIGKILL');
    await eventually(() => hub.admin.point('attic.connection', 'hub'), (point) => point.value === 'offline');
  });

  afterAll(async () => {
    await hub?.close();
    await lobby?.close();
    await Promise.all(sims.map((sim) => sim.stop('SIGKILL')));
  });

  it('writes names of one remote, and GUI variables, as one answer', async () => {
    const written = await call(`/x/rioset?1*${PASSWORD}*lobby.dummy.light.1*1*lobby.dummy.light.2*1`);
    expect(written).toEqual({ status: 200, body: { hsycoresult: { ok: true } } });
    await eventually(() => simValue('dummy.light.2'), (value) => value === '1');
    const gui = await call(`/x/riouiset?1*${PASSWORD}*lobby.status.text*${encodeURIComponent('from the top')}`);
    expect(gui.status).toBe(200);
    await eventually(() => hub.admin.point('lobby.status.text', 'ui'), (point) => point.value === 'from the top');
  });

  it('takes a write of several values of the largest size, as the simulator does', async () => {
    // 4096 bytes each, 12,288 characters once percent-encoded: past Node's default 16 KB request line.
    const longest = 'é'.repeat(MAX_VALUE_BYTES / 2);
    const written = await call(`/x/riouiset?1*${PASSWORD}*lobby.status.text*${encodeURIComponent(longest)}*lobby.status.visible*${encodeURIComponent(longest)}`);
    expect(written).toEqual({ status: 200, body: { hsycoresult: { ok: true } } });
    await eventually(() => hub.admin.point('lobby.status.visible', 'ui'), (point) => point.value === longest);
    expect(await call(`/x/riouiset?1*${PASSWORD}*lobby.status.visible*true`)).toMatchObject({ status: 200 });
  });

  it('writes nothing when one name is on an offline remote, and says which and why', async () => {
    const before = await simValue('dummy.light.1');
    const next = before === '1' ? '0' : '1';
    const refused = await call(`/x/rioset?1*${PASSWORD}*lobby.dummy.light.1*${next}*attic.dummy.light.1*1`);
    expect(refused.status).toBe(409);
    expect(refused.body.hsycoresult).toEqual({
      ok: false,
      error: 'not applied',
      names: ['attic.dummy.light.1'],
      reasons: { 'attic.dummy.light.1': 'attic is offline' },
    });
    // The hub answers a forwarded write only after the remotes answered theirs: had the lobby's
    // part gone out, the simulator would hold the new value already.
    expect(await simValue('dummy.light.1')).toBe(before);
    const log = await hub.admin.data<{ name: string; status: string; user: string }[]>('GET', '/api/writes?limit=5');
    expect(log.find((record) => record.name === 'lobby.dummy.light.1')).toMatchObject({ status: 'refused', user: 'remote API client 127.0.0.1', via: 'remote-io' });
  });

  it('answers unknown names with 404 and a remote that refuses control with its reason, then remembers it', async () => {
    const unknown = await call(`/x/rioset?1*${PASSWORD}*lobby.dummy.light.9*1*nowhere.x*1`);
    expect(unknown).toEqual({ status: 404, body: { hsycoresult: { ok: false, error: 'unknown', names: ['lobby.dummy.light.9', 'nowhere.x'] } } });
    const refused = await call(`/x/rioset?1*${PASSWORD}*floor.dummy.light.1*1`);
    expect(refused.status).toBe(409);
    expect(refused.body.hsycoresult['reasons']).toEqual({ 'floor.dummy.light.1': 'floor refused the write: control disabled' });
    // Known now: refused before anything is sent, so a write that includes it is all or nothing.
    const mixed = await call(`/x/rioset?1*${PASSWORD}*lobby.dummy.light.2*0*floor.dummy.light.1*1`);
    expect(mixed.body.hsycoresult).toMatchObject({ error: 'not applied', reasons: { 'floor.dummy.light.1': 'floor.dummy.light.1 is read only: floor refuses control (it answered "control disabled")' } });
    expect(await simValue('dummy.light.2')).toBe('1');
  });

  it('answers 403 to every write while its own control setting is off', async () => {
    await hub.admin.data('PUT', '/api/hub/served-api', { control: false });
    const refused = await call(`/x/rioset?1*${PASSWORD}*lobby.dummy.light.1*1`);
    expect(refused).toEqual({ status: 403, body: { hsycoresult: { ok: false, error: 'control disabled' } } });
    await hub.admin.data('PUT', '/api/hub/served-api', { control: true });
  });

  // A HEAD is a read for every proxy, cache and link checker on the way: it must write nothing.
  it('writes nothing on a HEAD of rioset', async () => {
    const before = await simValue('dummy.light.1');
    const next = before === '1' ? '0' : '1';
    const written = await request(`${hub.url}/x/rioset?1*${PASSWORD}*lobby.dummy.light.1*${next}`, { method: 'HEAD' });
    await written.body.dump();
    // No route: refused as any request for one is without a session.
    expect(written.statusCode).toBe(401);
    // Had it been taken as a write, the remote would hold the value already (answered after it).
    expect(await simValue('dummy.light.1')).toBe(before);
  });

  it('answers every other path under /x/ as an unknown verb: 404, before any password is asked for', async () => {
    for (const path of ['/x/riofoo', '/x/', '/x/rioget/', `/x/rioget/extra?1*1*${PASSWORD}`, '/x/a/b']) {
      const answer = await request(`${hub.url}${path}`);
      expect([path, answer.statusCode, await answer.body.text()]).toEqual([path, 404, '{"error":"not found"}']);
    }
    // Nor is any of its paths a WebSocket: refused before any upgrade, a verb with its password too.
    const { port } = new URL(hub.url);
    for (const path of [`/x/rioget?1*1*${PASSWORD}`, '/x/../api/session']) {
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(
            `GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: websocket\r\n` +
              'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
          ),
        );
        let received = '';
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString();
          if (received.includes('\r\n')) socket.destroy();
        });
        socket.once('close', () => resolve(received.split('\r\n')[0] ?? ''));
        socket.once('error', reject);
      });
      expect([path, head]).toEqual([path, 'HTTP/1.1 404 Not Found']);
    }
  });

  it("changes topotime when the set of remotes changes, and a deleted remote's names leave every client's view", async () => {
    const client = new RioTestClient(hub.url, undefined);
    try {
      const read = async (path: string) => JSON.parse((await client.get(path)).body) as Record<string, Record<string, unknown>>;
      const before = await read(`/x/riotopo?1*${PASSWORD}`);
      const devices = Object.keys(before['hsycotopo']?.['devices'] as object);
      expect(devices).toContain('attic.dummy.light.1');
      const state = await read(`/x/rioget?1*1*${PASSWORD}`);
      const timestamp = state['hsycostate']?.['timestamp'] as number;
      await hub.admin.data('DELETE', '/api/remotes/attic');
      const after = await read(`/x/riotopo?1*${PASSWORD}`);
      expect(after['hsycotopo']?.['topotime']).toBeGreaterThan(before['hsycotopo']?.['topotime'] as number);
      expect(Object.keys(after['hsycotopo']?.['devices'] as object).some((name) => name.startsWith('attic.'))).toBe(false);
      // Names cannot be sent as deleted: a client behind it gets the full state, without them.
      const next = await read(`/x/rioget?1*${timestamp}*${PASSWORD}`);
      const io = next['hsycostate']?.['io'] as Record<string, string>;
      expect(io['lobby.dummy.light.1']).toBeDefined();
      expect(Object.keys(io).some((name) => name.startsWith('attic.'))).toBe(false);
    } finally {
      await client.close();
    }
  });
});
