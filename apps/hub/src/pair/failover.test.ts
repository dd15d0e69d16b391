// Two hub processes on one PostgreSQL database, all real: the active one is killed with SIGKILL
// while it replicates a simulator's logger history and an operator writes a stream of values;
// the standby takes over, finishes the history sample by sample, and takes the writes.
import { randomBytes } from 'node:crypto';
import { ERROR_CODES, type HubInfo, type MqttView, type ServedApiView, type WriteRecord } from '@riohub/hub-api';
import { FaultProxy, RioTestClient, spawnHub, spawnSim, startMosquitto, startPostgres, type HubProcess, type PostgresCluster, type SimProcess } from '@riohub/testkit';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { expectSameSeries, loggerView, SIM_PASSWORD, untilUpToDate } from '../loggers/testing';
import { MqttWatcher } from '../testing/mqtt-watcher';
import { ADMIN_PASSWORD, eventually, HubClient } from '../testing/test-hub';

/** The simulator's loggers, replicated (polled for new samples every second). */
const LOGGERS = { dataloggers: 'energy;temperature', dataloggerspollinterval: 1 };

/** The password of the pair's own Remote I/O API (one setting for both hubs). */
const SERVED_PASSWORD = 'served-api-pw';

/** The most a takeover may take (issue 15): the standby acts within this of the active's death. */
const TAKEOVER_MS = 10_000;

async function signedIn(hub: HubProcess): Promise<HubClient> {
  // A hub served over HTTPS (`--tls`): its own self-signed certificate trusted.
  const client = new HubClient(hub.url, hub.certificate ? new Agent({ connect: { ca: hub.certificate } }) : undefined);
  await client.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
  return client;
}

function standing(client: HubClient): Promise<HubInfo> {
  return client.data<HubInfo>('GET', '/api/hub');
}

describe('an active/standby pair on PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  const hubs: HubProcess[] = [];
  const sims: SimProcess[] = [];

  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.stop();
    for (const sim of sims.splice(0)) await sim.stop('SIGKILL');
    await cluster?.close();
  });

  async function pairOnOneDatabase(args: string[] = []): Promise<{ first: HubProcess; second: HubProcess; env: Record<string, string> }> {
    cluster = await startPostgres();
    // Both hubs open the passwords the other sealed: one secret key for the pair.
    const env = { RIOHUB_DATABASE: await cluster.createDatabase(), RIOHUB_SECRET_KEY: randomBytes(32).toString('base64') };
    const first = await spawnHub(ADMIN_PASSWORD, { env, captureLog: true, args });
    hubs.push(first);
    const second = await spawnHub(ADMIN_PASSWORD, { env, captureLog: true, args });
    hubs.push(second);
    return { first, second, env };
  }

  it('elects one active hub; the standby says which, mirrors its tree, forwards writes to it, and takes over when the active stops', async () => {
    // Over HTTPS, each hub with a self-signed certificate of its own: the standby pins the active's.
    const { first, second } = await pairOnOneDatabase(['--tls']);
    const [a, b] = [await signedIn(first), await signedIn(second)];
    const infoA = await standing(a);
    expect(infoA.pair).toMatchObject({ active: true });
    expect(infoA.role).toBe('active');
    const infoB = await eventually(() => standing(b), (info) => info.pair?.activeHub?.instanceId === infoA.instanceId);
    expect(infoB.pair).toMatchObject({ active: false });
    expect(infoB.role).toBe('inactive');
    expect(infoB.instanceId).not.toBe(infoA.instanceId);

    const sim = await spawnSim(['--password', SIM_PASSWORD]);
    sims.push(sim);
    await a.addSim('lobby', sim, SIM_PASSWORD, { ui: true });
    // The entry is in the shared store: the standby lists it too, and polls it (shutdownWhenInactive is off).
    await eventually(() => b.point('lobby.connection', 'hub'), (point) => point.value === 'online');
    // With nothing to mirror, the standby does not read the active hub's API at all.
    const mirrorLines = () => second.log.filter((line) => line['mirror'] !== undefined).map((line) => line.msg);
    expect(mirrorLines()).toEqual([]);
    // One marked shutdownWhenInactive is polled by the active hub only; the standby shows it live,
    // mirrored from the active hub's own Remote I/O API (which is off for other clients).
    const quietSim = await spawnSim(['--password', SIM_PASSWORD]);
    sims.push(quietSim);
    const quietDirect = new RioTestClient(quietSim.url, quietSim.certificate);
    await a.addSim('quiet', quietSim, SIM_PASSWORD, { shutdownWhenInactive: true });
    await eventually(() => a.point('quiet.connection', 'hub'), (point) => point.value === 'online');
    await eventually(() => b.point('quiet.connection', 'hub'), (point) => point.value === 'online');
    const mirrored = await eventually(() => b.remote('quiet'), (remote) => remote.status.connection === 'online' && remote.status.points > 0);
    expect(mirrorLines()).toContainEqual(expect.stringMatching(/^the active hub .*: online$/));
    // Each answer of the active hub vouches for what it holds of the remote then: its last answer moves on.
    const firstAnswerAt = mirrored.status.lastAnswerAt as number;
    expect(firstAnswerAt).toBeGreaterThan(Date.now() - 60_000);
    expect(mirrored.status.offlineSince).toBeUndefined();
    expect((await quietDirect.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.dimmer.2*42`)).status).toBe(200);
    await eventually(() => b.point('quiet.dummy.dimmer.2', 'io'), (point) => point.value === '42' && point.state === 'ok');
    expect((await b.remote('quiet')).status.lastAnswerAt).toBeGreaterThan(firstAnswerAt);
    // Operators' dashboards on both hubs are open while the entry changes (the remote still up): the
    // standby shows the remote as the active hub does, never as a state of its own on the way
    // (`inactive` while it opened the entry again), also once it read the active hub's tree anew.
    const dashboards = [await a.socket({}, first.certificate), await b.socket({}, second.certificate)];
    const from = dashboards.map((dashboard) => dashboard.messages.length);
    /** Each connection a dashboard was shown for the remote since the change, in its status and its point. */
    const shownConnections = (i: number) =>
      dashboards[i]!.messages.slice(from[i]).flatMap((message) => {
        if (message.type === 'remotes') return message.payload.remotes.filter((remote) => remote.name === 'quiet').map((remote) => remote.status.connection);
        if (message.type === 'delta') return message.payload.points.filter((point) => point.name === 'quiet.connection').map((point) => point.value);
        return [];
      });
    for (const dashboard of dashboards) dashboard.send({ type: 'subscribe', payload: { prefixes: ['quiet.'] } });
    const changedAt = Date.now();
    await a.data('PUT', '/api/remotes/quiet', { host: '127.0.0.1', options: { drift: 9, shutdownWhenInactive: true } });
    // The standby opened the entry again (it says so to its dashboards), then vouches for the remote again.
    await dashboards[1]!.until(() => dashboards[1]!.messages.slice(from[1]).some((message) => message.type === 'remotes' && message.payload.remotes.some((remote) => remote.name === 'quiet' && remote.options.drift === 9)));
    await eventually(() => b.remote('quiet'), (remote) => remote.status.connection === 'online' && (remote.status.lastAnswerAt ?? 0) > changedAt);
    const [atActive, atStandby] = [shownConnections(0), shownConnections(1)];
    expect(atStandby).not.toContain('inactive');
    expect(atStandby.filter((connection) => !atActive.includes(connection))).toEqual([]);
    for (const dashboard of dashboards) dashboard.close();
    // A client of the standby's own Remote I/O API (settings shared by the pair) writes through the active hub.
    await a.data('PUT', '/api/hub/served-api', { password: SERVED_PASSWORD, address: '127.0.0.1', control: true });
    const standbyApi = new RioTestClient(second.url, second.certificate);
    await eventually(() => b.data<ServedApiView>('GET', '/api/hub/served-api'), (view) => view.hasPassword && view.control);
    const served = await standbyApi.get(`/x/rioset?1*${SERVED_PASSWORD}*quiet.dummy.light.3*1*lobby.dummy.dimmer.1*17`);
    expect(JSON.parse(served.body)).toEqual({ hsycoresult: { ok: true } });
    expect(await quietDirect.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).toMatchObject({ body: expect.stringContaining('"dummy.light.3":"1"') });
    const viaApi = (await a.data<WriteRecord[]>('GET', '/api/writes')).filter((record) => record.via === 'remote-io');
    expect(viaApi.map((record) => `${record.name}=${record.newValue}`).sort()).toEqual(['lobby.dummy.dimmer.1=17', 'quiet.dummy.light.3=1']);
    // The remote gone: the active hub shows it offline, and so does the standby, its points stale.
    const killedAt = Date.now();
    await quietSim.stop('SIGKILL');
    await eventually(() => b.point('quiet.connection', 'hub'), (point) => point.value === 'offline');
    expect(await b.point('quiet.dummy.dimmer.2', 'io')).toMatchObject({ value: '42', state: 'stale' });
    const gone = (await b.remote('quiet')).status;
    expect(gone.connection).toBe('offline');
    // Offline since the standby learnt it, a time kept while the active hub goes on reporting it offline.
    const firstOfflineSince = gone.offlineSince as number;
    expect(firstOfflineSince).toBeGreaterThanOrEqual(killedAt);
    expect(gone.lastAnswerAt).toBeLessThanOrEqual(firstOfflineSince);
    // Its entry changed meanwhile: still down since the same time. Disabled and enabled again: down since then.
    await a.data('PUT', '/api/remotes/quiet', { host: '127.0.0.1', options: { drift: 12 } });
    await eventually(() => b.remote('quiet'), (remote) => remote.options.drift === 12 && remote.status.connection === 'offline');
    expect((await b.remote('quiet')).status.offlineSince).toBe(firstOfflineSince);
    await a.data('PUT', '/api/remotes/quiet', { host: '127.0.0.1', enabled: false });
    await eventually(() => b.remote('quiet'), (remote) => remote.status.connection === 'disabled');
    const enabledAt = Date.now();
    await a.data('PUT', '/api/remotes/quiet', { host: '127.0.0.1', enabled: true });
    const again = await eventually(() => b.remote('quiet'), (remote) => remote.status.connection === 'offline');
    const offlineSince = again.status.offlineSince as number;
    expect(offlineSince).toBeGreaterThanOrEqual(enabledAt);
    // A write on the standby is forwarded to the active hub, which sends and logs it once.
    const standbyDashboard = await b.socket({}, second.certificate);
    const forwarded = await b.data<WriteRecord>('POST', '/api/writes', { name: 'lobby.dummy.light.1', value: '1' });
    expect(forwarded).toMatchObject({ status: 'applied', user: 'admin', via: 'rest' });
    await eventually(() => a.point('lobby.dummy.light.1', 'io'), (point) => point.value === '1');
    // Its value came back through the active hub's poll: the writer's dashboard on the standby hears so.
    await standbyDashboard.until(() => standbyDashboard.messages.some((message) => message.type === 'write-confirmed' && message.payload.record.id === forwarded.id));
    expect(standbyDashboard.messages.find((message) => message.type === 'write-confirmed')).toMatchObject({ payload: { record: { id: forwarded.id, status: 'confirmed', user: 'admin' } } });
    standbyDashboard.close();
    expect((await a.data<WriteRecord[]>('GET', '/api/writes')).filter((record) => record.name === 'lobby.dummy.light.1')).toHaveLength(1);
    // Long values: the record of the second (its old and new value) is longer than a notification holds.
    for (const letter of ['a', 'b']) {
      const long = letter.repeat(3_900);
      const record = await b.data<WriteRecord>('POST', '/api/writes', { name: 'lobby.status.text', kind: 'ui', value: long });
      expect(record).toMatchObject({ status: 'applied', newValue: long });
    }
    // The role is elected, not set by hand.
    expect((await a.call('PUT', '/api/hub/role', { role: 'inactive' })).status).toBe(409);

    // A clean stop gives the lock up at once.
    await first.stop();
    await eventually(() => standing(b), (info) => info.pair?.active === true && info.role === 'active', TAKEOVER_MS);
    expect(await b.data<WriteRecord>('POST', '/api/writes', { name: 'lobby.dummy.light.1', value: '0' })).toMatchObject({ status: 'applied' });
    // Active now, it polls the remote it mirrored: its own link finds it gone, offline since the same time.
    const polled = await eventually(() => b.remote('quiet'), (remote) => remote.status.connection === 'offline' && remote.status.error?.code === ERROR_CODES.CONNECTION_FAILED);
    expect(polled.status.offlineSince).toBe(offlineSince);
    const metrics = await b.download('/metrics');
    expect(metrics.body).toMatch(/^riohub_active 1$/m);
  });

  it('sends the pair’s key over plain HTTP to no other machine: the remotes it would mirror say why', async () => {
    cluster = await startPostgres();
    const env = { RIOHUB_DATABASE: await cluster.createDatabase(), RIOHUB_SECRET_KEY: randomBytes(32).toString('base64') };
    // The active hub says it is reached over plain HTTP at another machine's name (never dialled).
    const first = await spawnHub(ADMIN_PASSWORD, { env, captureLog: true, args: ['--pair-url', 'http://hub-a.example:8080'] });
    hubs.push(first);
    const second = await spawnHub(ADMIN_PASSWORD, { env, captureLog: true });
    hubs.push(second);
    const [a, b] = [await signedIn(first), await signedIn(second)];
    await eventually(() => standing(b), (info) => info.pair?.activeHub !== undefined);
    const sim = await spawnSim(['--password', SIM_PASSWORD]);
    sims.push(sim);
    await a.addSim('quiet', sim, SIM_PASSWORD, { shutdownWhenInactive: true });
    await eventually(() => a.point('quiet.connection', 'hub'), (point) => point.value === 'online');
    const refused = await eventually(() => b.remote('quiet'), (remote) => remote.status.error?.message.includes('plain HTTP') ?? false);
    expect(refused.status).toMatchObject({ connection: 'offline', error: { message: expect.stringContaining('hub-a.example:8080') } });
    expect(second.log.filter((line) => line['mirror'] !== undefined)).toEqual([]);
  });

  it('takes over within 10 s of a kill -9 during logger replication and a stream of writes: no sample lost or doubled, no write applied twice', async () => {
    const { first, second } = await pairOnOneDatabase();
    const [a, b] = [await signedIn(first), await signedIn(second)];
    await eventually(() => standing(b), (info) => info.pair?.activeHub !== undefined);
    // 120 days of a sample every 30 s per logger: long enough to be cut in the middle, however
    // fast the machine replicates (it is killed after 20,000 samples and nine writes).
    const sim = await spawnSim(['--password', SIM_PASSWORD, '--history-days', '120', '--history-step', '30']);
    sims.push(sim);
    await a.addSim('lobby', sim, SIM_PASSWORD, LOGGERS);
    await eventually(() => loggerView(a, 'lobby.energy'), (view) => view.samples > 20_000, 30_000);

    // Values written one after another, each once, to the active hub (the first, then the second).
    const outcomes = new Map<string, 'applied' | 'failed'>();
    let target = a;
    let killedAt = 0;
    let takeoverMs = 0;
    for (let value = 1; value <= 60; value++) {
      if (value === 10) {
        expect((await loggerView(a, 'lobby.energy')).replication).not.toBe('up to date');
        first.child.kill('SIGKILL');
        killedAt = Date.now();
      }
      if (killedAt && target === a) {
        // The operator moves to the other hub as soon as it says it is active.
        await eventually(() => standing(b), (info) => info.pair?.active === true && info.role === 'active', TAKEOVER_MS + 2_000);
        takeoverMs = Date.now() - killedAt;
        target = b;
        await eventually(() => b.point('lobby.connection', 'hub'), (point) => point.value === 'online');
      }
      const written = await target.call<WriteRecord>('POST', '/api/writes', { name: 'lobby.dummy.dimmer.1', value: String(value) }).catch(() => undefined);
      outcomes.set(String(value), written?.body.ok ? 'applied' : 'failed');
    }
    expect(takeoverMs).toBeGreaterThan(0);
    expect(takeoverMs).toBeLessThan(TAKEOVER_MS);

    // The history the killed hub left half done is finished by the other, exactly.
    for (const [local, remote] of [['lobby.energy', 'energy'], ['lobby.temperature', 'temperature']] as const) {
      await untilUpToDate(b, local, 90_000);
      await expectSameSeries(b, sim, local, remote);
    }

    // Every write is in the shared log once; every one the operator saw applied was applied.
    const log = await b.data<WriteRecord[]>('GET', '/api/writes?limit=1000');
    const byValue = new Map<string, WriteRecord[]>();
    for (const record of log.filter((entry) => entry.name === 'lobby.dummy.dimmer.1')) byValue.set(record.newValue, [...(byValue.get(record.newValue) ?? []), record]);
    for (const [value, outcome] of outcomes) {
      const records = byValue.get(value) ?? [];
      expect(records.length, `value ${value} recorded ${records.length} times`).toBeLessThanOrEqual(1);
      if (outcome === 'applied') expect(records[0]?.status, `value ${value}`).toMatch(/^(applied|confirmed)$/);
    }
    const lastApplied = [...outcomes].filter(([, outcome]) => outcome === 'applied').at(-1)?.[0];
    expect(Number(lastApplied)).toBeGreaterThan(20);
    await eventually(() => b.point('lobby.dummy.dimmer.1', 'io'), (point) => point.value === lastApplied);
  });

  it('takes over from an active hub that hangs; the hung hub, resumed, stands by and writes through the new active one', async () => {
    const { first, second } = await pairOnOneDatabase();
    const [a, b] = [await signedIn(first), await signedIn(second)];
    await eventually(() => standing(b), (info) => info.pair?.activeHub !== undefined);
    const sim = await spawnSim(['--password', SIM_PASSWORD]);
    sims.push(sim);
    await a.addSim('lobby', sim, SIM_PASSWORD, LOGGERS);
    await eventually(() => a.point('lobby.connection', 'hub'), (point) => point.value === 'online');

    // A stopped process keeps its connections open: only its silence frees the lock.
    first.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await eventually(() => standing(b), (info) => info.pair?.active === true && info.role === 'active', TAKEOVER_MS + 2_000);
    expect(Date.now() - stoppedAt).toBeLessThan(TAKEOVER_MS);
    first.child.kill('SIGCONT');

    // Resumed, it finds its lock gone: it stands by, and a write sent to it goes through the new active hub.
    await eventually(() => standing(a), (info) => info.pair?.active === false && info.role === 'inactive', 5_000);
    expect(await a.data<WriteRecord>('POST', '/api/writes', { name: 'lobby.dummy.light.1', value: '1' })).toMatchObject({ status: 'applied' });
    await eventually(() => b.point('lobby.dummy.light.1', 'io'), (point) => point.value === '1');
  });

  it('puts only the active hub on the MQTT broker: a set is written once, and the other hub takes the broker over', async () => {
    const broker = await startMosquitto();
    const watcher = await MqttWatcher.connect(broker.url, ['riohub/#']);
    try {
      const { first, second } = await pairOnOneDatabase();
      const [a, b] = [await signedIn(first), await signedIn(second)];
      await eventually(() => standing(b), (info) => info.pair?.activeHub !== undefined);
      const sim = await spawnSim(['--password', SIM_PASSWORD]);
      sims.push(sim);
      await a.addSim('lobby', sim, SIM_PASSWORD);
      // The MQTT settings are the pair's (the shared store); the standby stays off the broker.
      await a.data('PUT', '/api/mqtt', { enabled: true, url: broker.url, allowWrites: true });
      await eventually(() => a.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'connected');
      await watcher.until(() => watcher.state.get('riohub/status') === 'online', 'the active hub online');
      expect((await b.data<MqttView>('GET', '/api/mqtt')).status.state).toBe('off');

      await eventually(() => a.point('lobby.connection', 'hub'), (point) => point.value === 'online');
      await watcher.publish('riohub/io/lobby/dummy/light/1/set', '1');
      await eventually(() => a.point('lobby.dummy.light.1', 'io'), (point) => point.value === '1');
      expect((await a.data<WriteRecord[]>('GET', '/api/writes')).filter((record) => record.via === 'mqtt')).toHaveLength(1);

      first.child.kill('SIGKILL');
      await eventually(() => standing(b), (info) => info.pair?.active === true && info.role === 'active', TAKEOVER_MS + 2_000);
      await eventually(() => b.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'connected');
      await watcher.until(() => watcher.state.get('riohub/status') === 'online', 'the new active hub online');
      await eventually(() => b.point('lobby.connection', 'hub'), (point) => point.value === 'online');
      await watcher.publish('riohub/io/lobby/dummy/light/1/set', '0');
      await eventually(() => b.point('lobby.dummy.light.1', 'io'), (point) => point.value === '0');
      expect((await b.data<WriteRecord[]>('GET', '/api/writes')).filter((record) => record.via === 'mqtt')).toHaveLength(2);
    } finally {
      await watcher.close();
      await broker.close();
    }
  });

  it('takes over from an active hub that loses the database, which stops acting at once and stands by when it is back', async () => {
    cluster = await startPostgres();
    const database = await cluster.createDatabase();
    const secretKey = randomBytes(32).toString('base64');
    // The first hub reaches the database through a proxy that can go silent: a cable pulled.
    const cable = await FaultProxy.start({ upstreamPort: cluster.port });
    try {
      const throughCable = new URL(database);
      throughCable.port = String(cable.port);
      const first = await spawnHub(ADMIN_PASSWORD, { env: { RIOHUB_DATABASE: throughCable.toString(), RIOHUB_SECRET_KEY: secretKey }, captureLog: true });
      hubs.push(first);
      const second = await spawnHub(ADMIN_PASSWORD, { env: { RIOHUB_DATABASE: database, RIOHUB_SECRET_KEY: secretKey }, captureLog: true });
      hubs.push(second);
      const [a, b] = [await signedIn(first), await signedIn(second)];
      expect((await standing(a)).pair?.active).toBe(true);
      await eventually(() => standing(b), (info) => info.pair?.activeHub !== undefined);

      cable.setMode({ kind: 'blackhole' });
      const cutAt = Date.now();
      // The cut hub stops acting as soon as its heartbeat goes unanswered (its API, which reads
      // sessions from the database, cannot say so until the database is back).
      await eventually(async () => first.log.some((line) => line.msg === 'no longer the active hub: standing by'), (said) => said, TAKEOVER_MS);
      await eventually(() => standing(b), (info) => info.pair?.active === true && info.role === 'active', TAKEOVER_MS + 2_000);
      expect(Date.now() - cutAt).toBeLessThan(TAKEOVER_MS);

      // Reconnected, it finds the lock taken and stands by.
      cable.setMode({ kind: 'pass' });
      const infoB = await standing(b);
      await eventually(() => standing(a), (info) => info.pair?.active === false && info.role === 'inactive' && info.pair.activeHub?.instanceId === infoB.instanceId, 30_000);
      expect((await standing(b)).pair?.active).toBe(true);
    } finally {
      await cable.close();
    }
  });
});
