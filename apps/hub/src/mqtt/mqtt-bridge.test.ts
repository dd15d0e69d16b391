// The MQTT bridge end to end: a real simulator, a real hub, a real Mosquitto and a real MQTT client
// (as Home Assistant or a script connects), each started for the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RioTestClient, spawnSim, startMosquitto, type MosquittoBroker, type SimProcess } from '@riohub/testkit';
import { fingerprintOf, makeSelfSigned } from '@riohub/certificate';
import type { AuditRecord, MqttView, WriteRecord } from '@riohub/hub-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { componentOfTopic, haConfigProblems } from '../testing/ha-discovery-schema';
import { MqttWatcher } from '../testing/mqtt-watcher';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'sim-pw';
const SIM_ARGS = ['--password', SIM_PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '1', '--sensors', '1', '--virtuals', '1', '--system', 'false'];

interface Setup {
  broker: MosquittoBroker;
  sim: SimProcess;
  /** The simulator's data folder, kept across its restarts (its certificate is pinned). */
  simData: string;
  hub: TestHub;
  direct: RioTestClient;
  watcher: MqttWatcher;
}

let setup: Setup;
const extra: { close(): Promise<unknown> }[] = [];

async function simState(direct: RioTestClient): Promise<Record<string, string>> {
  return (JSON.parse((await direct.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } }).hsycostate.io;
}

async function enableBridge(hub: TestHub, broker: MosquittoBroker, settings: object = {}): Promise<MqttView> {
  const view = await hub.admin.data<MqttView>('PUT', '/api/mqtt', { enabled: true, url: broker.url, allowWrites: true, ...settings });
  await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (current) => current.status.state === 'connected');
  return view;
}

beforeEach(async () => {
  const broker = await startMosquitto();
  const simData = mkdtempSync(join(tmpdir(), 'riohub-test-mqtt-sim-'));
  const sim = await spawnSim(SIM_ARGS, { dataDir: simData });
  const hub = await startTestHub();
  await hub.admin.addSim('lobby', sim, SIM_PASSWORD, { ui: true });
  await eventually(() => hub.admin.point('lobby.connection', 'hub'), (point) => point.value === 'online');
  const watcher = await MqttWatcher.connect(broker.url, ['riohub/#', 'homeassistant/#']);
  setup = { broker, sim, simData, hub, direct: new RioTestClient(sim.url, sim.certificate), watcher };
});

afterEach(async () => {
  await Promise.all(extra.splice(0).map((thing) => thing.close()));
  await setup.watcher.close();
  await setup.direct.close();
  await setup.hub.close();
  await setup.sim.stop('SIGKILL');
  await setup.broker.close();
  rmSync(setup.simData, { recursive: true, force: true });
});

/** Restarts the simulator on its port and folder with two lights instead of three. */
async function restartSimWithTwoLights(): Promise<void> {
  const port = new URL(setup.sim.url).port;
  await setup.sim.stop('SIGKILL');
  const smaller = await spawnSim([...SIM_ARGS.map((arg) => (arg === '3' ? '2' : arg)), '--port', port], { dataDir: setup.simData });
  extra.push({ close: () => smaller.stop('SIGKILL') });
}

/** The values the broker retains under `riohub/io/lobby/`, by datapoint name. */
async function retainedDatapoints(url: string): Promise<Record<string, string>> {
  const retained = await MqttWatcher.retainedAt(url, 'riohub/io/lobby/#');
  return Object.fromEntries([...retained].map(([topic, value]) => [topic.slice('riohub/io/lobby/'.length).replaceAll('/', '.'), value]));
}

describe('the MQTT bridge', () => {
  it("retains every datapoint's value at its topic, as the simulator holds it, and the hub's status online", async () => {
    const { hub, broker, direct, watcher } = setup;
    await enableBridge(hub, broker);
    // An empty value is an empty retained message, which MQTT takes as "retain nothing".
    const expected = Object.fromEntries(Object.entries(await simState(direct)).filter(([, value]) => value !== '').sort());
    await eventually(() => retainedDatapoints(broker.url).then((retained) => JSON.stringify(Object.fromEntries(Object.entries(retained).sort()))), (retained) => retained === JSON.stringify(expected));
    await watcher.until(() => watcher.state.get('riohub/status') === 'online', 'status online');
    // The status goes out first, the hub's own points and the GUI variables after the datapoints
    // checked above: the watcher may not have them yet.
    await watcher.until(() => watcher.state.get('riohub/hub/lobby/connection') === 'online', 'the connection online');
    expect(watcher.state.get('riohub/hub/lobby/connection')).toBe('online');
    await watcher.until(() => watcher.state.get('riohub/ui/lobby/lights/text') !== undefined, 'a GUI variable');
    expect(watcher.state.get('riohub/ui/lobby/lights/text')).toBeDefined();
  });

  it('publishes a change made at the simulator', async () => {
    const { hub, broker, direct, watcher } = setup;
    await enableBridge(hub, broker);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*virtual.1*hello`);
    await watcher.until(() => watcher.state.get('riohub/io/lobby/virtual/1') === 'hello', 'the new value');
  });

  it('publishes the changes of an answer that took the hub more than a second to apply', async () => {
    const { hub, broker, direct, watcher } = setup;
    // Another of the hub's listeners (a browser's, a logger's) holds the answer up: the hub is busy
    // applying it for more than a second, as with a remote of a million points.
    let slow = true;
    const stopSlow = hub.running.hub.listen({
      point: (point) => {
        if (!slow || point.name !== 'lobby.virtual.1') return;
        slow = false;
        const until = Date.now() + 1_200;
        while (Date.now() < until);
      },
    });
    extra.push({ close: async () => stopSlow() });
    await enableBridge(hub, broker);
    await watcher.until(() => watcher.state.get('riohub/io/lobby/dummy/light/1') === '0', 'the first state');
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*virtual.1*slow`);
    await watcher.until(() => watcher.state.get('riohub/io/lobby/virtual/1') === 'slow', 'the value of the slow answer');
    expect(slow).toBe(false);
  });

  it('takes a set as a write through the pipeline, recorded as mqtt <client id>, and reports it', async () => {
    const { hub, broker, direct, watcher } = setup;
    const view = await enableBridge(hub, broker, { clientId: 'riohub-test' });
    expect(view.clientId).toBe('riohub-test');
    const from = watcher.messages.length;
    await watcher.publish('riohub/io/lobby/dummy/light/1/set', '1');
    await eventually(() => simState(direct), (state) => state['dummy.light.1'] === '1');
    const report = JSON.parse((await watcher.next(from, (message) => message.topic === 'riohub/writes', 'a write report')).payload) as { ok: boolean; id: number; name: string };
    expect(report).toMatchObject({ ok: true, name: 'lobby.dummy.light.1', kind: 'io', value: '1', user: 'mqtt riohub-test' });
    const log = await hub.admin.data<WriteRecord[]>('GET', '/api/writes');
    expect(log.find((record) => record.id === report.id)).toMatchObject({ user: 'mqtt riohub-test', via: 'mqtt', newValue: '1' });
    await watcher.until(() => watcher.state.get('riohub/io/lobby/dummy/light/1') === '1', 'the value back through the poll');
  });

  it('refuses a set to a reading or an offline remote as the dashboard would: nothing sent, the refusal reported', async () => {
    const { hub, broker, direct, sim, watcher } = setup;
    await enableBridge(hub, broker);
    let from = watcher.messages.length;
    await watcher.publish('riohub/io/lobby/dummy/autom/1/pos/set', '50');
    const readOnly = JSON.parse((await watcher.next(from, (message) => message.topic === 'riohub/writes', 'the refusal')).payload) as { ok: boolean; code: string };
    expect(readOnly).toMatchObject({ ok: false, name: 'lobby.dummy.autom.1.pos', code: 'read-only' });
    expect((await simState(direct))['dummy.autom.1.pos']).toBe('0');

    from = watcher.messages.length;
    await watcher.publish('riohub/hub/lobby/connection/set', 'offline');
    expect(JSON.parse((await watcher.next(from, (message) => message.topic === 'riohub/writes', 'the refusal')).payload)).toMatchObject({ ok: false, code: 'read-only' });

    await sim.stop('SIGKILL');
    await watcher.until(() => watcher.state.get('riohub/hub/lobby/connection') === 'offline', 'the remote offline');
    from = watcher.messages.length;
    await watcher.publish('riohub/io/lobby/dummy/light/2/set', '1');
    expect(JSON.parse((await watcher.next(from, (message) => message.topic === 'riohub/writes', 'the refusal')).payload)).toMatchObject({ ok: false, code: 'remote-offline' });
  });

  it('refuses every set while writes from MQTT are off, without a write log record', async () => {
    const { hub, broker, direct, watcher } = setup;
    await enableBridge(hub, broker, { allowWrites: false });
    const from = watcher.messages.length;
    await watcher.publish('riohub/io/lobby/dummy/light/1/set', '1');
    expect(JSON.parse((await watcher.next(from, (message) => message.topic === 'riohub/writes', 'the refusal')).payload)).toMatchObject({ ok: false, code: 'writes-off' });
    expect(await hub.admin.data<WriteRecord[]>('GET', '/api/writes')).toEqual([]);
    expect((await simState(direct))['dummy.light.1']).toBe('0');
  });

  it('announces each device to Home Assistant with a config it accepts, and takes it back when its point goes', async () => {
    const { hub, broker, watcher } = setup;
    const { siteId: instanceId } = await hub.admin.data<{ siteId: string }>('GET', '/api/hub');
    await enableBridge(hub, broker);
    const configs = () => watcher.under(`homeassistant/`);
    const lightTopic = `homeassistant/light/riohub-${instanceId}/lobby_dummy_light_3/config`;
    await watcher.until(() => configs().has(lightTopic) && configs().size >= 9, 'the discovery configs');
    const components = new Map<string, number>();
    for (const [topic, payload] of configs()) {
      const component = componentOfTopic('homeassistant', topic) as string;
      components.set(component, (components.get(component) ?? 0) + 1);
      const config = JSON.parse(payload) as Record<string, unknown>;
      expect(haConfigProblems(component, config), topic).toEqual([]);
      expect(config['device']).toMatchObject({ identifiers: [`riohub_${instanceId}_lobby`], name: 'riohub lobby' });
    }
    // Three lights and a dimmer, a shutter, a temperature sensor, a virtual point, the I/O servers' connections, the remote's own.
    expect(Object.fromEntries(components)).toMatchObject({ light: 4, cover: 1, text: 1 });
    expect(components.get('sensor')).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(configs().get(lightTopic) as string)).toMatchObject({ unique_id: `riohub_${instanceId}_lobby.dummy.light.3` });

    // The simulator comes back with two lights: the third is gone, and so are its entity and its value.
    await restartSimWithTwoLights();
    await watcher.until(() => !configs().has(lightTopic) && !watcher.state.has('riohub/io/lobby/dummy/light/3'), 'light 3 gone');
    expect((await MqttWatcher.retainedAt(broker.url, 'homeassistant/#')).has(lightTopic)).toBe(false);
    expect(configs().has(`homeassistant/light/riohub-${instanceId}/lobby_dummy_light_2/config`)).toBe(true);
  });

  it('keeps every Home Assistant entity across a hub restart: no config of one that still exists is deleted, even for a moment', async () => {
    const { broker, watcher } = setup;
    let { hub } = setup;
    const { siteId: instanceId } = await hub.admin.data<{ siteId: string }>('GET', '/api/hub');
    await enableBridge(hub, broker);
    const configs = () => watcher.under('homeassistant/');
    const lightTopic = `homeassistant/light/riohub-${instanceId}/lobby_dummy_light_3/config`;
    await watcher.until(() => configs().has(lightTopic) && configs().size >= 9, 'the discovery configs');
    // Every config published, none pending.
    await eventually(() => MqttWatcher.retainedAt(broker.url, 'homeassistant/#'), (retained) => retained.size === configs().size);
    const before = new Map(configs());
    const { dataDir } = hub;
    const port = Number(new URL(hub.url).port);
    await hub.stop();
    const from = watcher.messages.length;
    hub = await startTestHub(dataDir, { port });
    setup.hub = hub;
    await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'connected');
    await eventually(() => hub.admin.point('lobby.connection', 'hub'), (point) => point.value === 'online');
    // The topology read, every config sent again.
    await watcher.until(() => [...before.keys()].every((topic) => watcher.messages.slice(from).some((message) => message.topic === topic && message.payload !== '')), 'every config again');
    await watcher.until(() => watcher.state.get('riohub/status') === 'online', 'the status online');
    const deleted = watcher.messages.slice(from).filter((message) => message.topic.startsWith('homeassistant/') && message.payload === '');
    expect(deleted.map((message) => message.topic)).toEqual([]);
    expect(new Map(configs())).toEqual(before);
  });

  it('publishes everything again to a broker that restarted and forgot it all, with what changed meanwhile', async () => {
    const { hub, broker, direct } = setup;
    await enableBridge(hub, broker);
    await eventually(() => retainedDatapoints(broker.url), (retained) => retained['dummy.light.2'] === '0');
    await broker.stop();
    await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'reconnecting' && view.status.error !== undefined);
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.2*1`);
    await eventually(() => hub.admin.point('lobby.dummy.light.2'), (point) => point.value === '1');
    await broker.start();
    await eventually(() => retainedDatapoints(broker.url), (retained) => retained['dummy.light.2'] === '1' && retained['dummy.light.1'] === '0');
    expect((await MqttWatcher.retainedAt(broker.url, 'riohub/status')).get('riohub/status')).toBe('online');
  });

  it('says offline when the hub stops, online again after it restarts, and clears what went meanwhile', async () => {
    const { broker } = setup;
    let { hub } = setup;
    await enableBridge(hub, broker);
    await eventually(() => retainedDatapoints(broker.url), (retained) => retained['dummy.light.3'] === '0');
    const { dataDir } = hub;
    const port = Number(new URL(hub.url).port);
    await hub.stop();
    expect((await MqttWatcher.retainedAt(broker.url, 'riohub/status')).get('riohub/status')).toBe('offline');
    // While the hub is down, the simulator loses a light.
    await restartSimWithTwoLights();
    hub = await startTestHub(dataDir, { port });
    setup.hub = hub;
    await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'connected');
    await eventually(() => MqttWatcher.retainedAt(broker.url, 'riohub/#').then((retained) => Object.fromEntries(retained)), (retained) => retained['riohub/status'] === 'online' && retained['riohub/hub/lobby/connection'] === 'online' && retained['riohub/io/lobby/dummy/light/3'] === undefined && retained['riohub/io/lobby/dummy/light/2'] === '0');
  });
});

describe('MQTT settings', () => {
  it('keeps the password write-only, out of answers and the audit, and connects to a broker that needs it', async () => {
    const { hub } = setup;
    const secured = await startMosquitto({ users: { riohub: 'broker secret' } });
    extra.push(secured);
    const view = await enableBridge(hub, secured, { username: 'riohub', password: 'broker secret' });
    expect(view).toMatchObject({ hasPassword: true, username: 'riohub' });
    expect(JSON.stringify(view)).not.toContain('broker secret');
    const audit = await hub.admin.call('GET', '/api/audit?filter=mqtt');
    expect(JSON.stringify(audit.body)).toContain('"secret":"set"');
    expect(JSON.stringify(audit.body)).not.toContain('broker secret');

    await hub.admin.data('PUT', '/api/mqtt', { password: 'wrong' });
    const refused = await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (current) => current.status.state === 'reconnecting');
    expect(refused.status.error).toMatch(/not authori[sz]ed|bad user name or password/i);
  });

  it('never lets the stored password follow a new broker: a new address without the password is refused, nothing changed', async () => {
    const { hub, broker } = setup;
    const secured = await startMosquitto({ users: { riohub: 'broker secret' } });
    extra.push(secured);
    // Another broker, where the password must never go unless sent again with its address.
    const other = await startMosquitto({ users: { riohub: 'broker secret' } });
    extra.push(other);
    await enableBridge(hub, secured, { username: 'riohub', password: 'broker secret' });
    const stored = await hub.admin.data<MqttView>('GET', '/api/mqtt');
    const bridgeConnects = (log: string) => log.split('\n').filter((line) => line.includes('New client connected') && line.includes(` as ${stored.clientId}`)).length;

    for (const change of [{ url: other.url }, { url: broker.url }, { url: secured.url.replace('mqtt://127.0.0.1', 'mqtt://localhost') }]) {
      const answer = await hub.admin.call('PUT', '/api/mqtt', change);
      expect(answer.status, JSON.stringify(change)).toBe(400);
      expect(answer.body).toMatchObject({ ok: false, error: { code: 'invalid', message: "the broker's address or security changed: enter the password again", fields: { password: 'is required for a new broker' } } });
    }
    const after = await hub.admin.data<MqttView>('GET', '/api/mqtt');
    expect({ ...after, status: undefined }).toEqual({ ...stored, status: undefined });
    expect(after.status.state).toBe('connected');
    expect(bridgeConnects(other.log())).toBe(0);
    const audit = await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=mqtt');
    expect(audit[0]).toMatchObject({ action: 'mqtt.update', outcome: 'refused', changes: [] });

    // With the password (or clearing it), the new broker is taken.
    await hub.admin.data('PUT', '/api/mqtt', { url: other.url, password: 'broker secret' });
    await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'connected' && view.url === other.url);
    expect(bridgeConnects(other.log())).toBe(1);
    const cleared = await hub.admin.data<MqttView>('PUT', '/api/mqtt', { url: broker.url, password: '' });
    expect(cleared).toMatchObject({ url: broker.url, hasPassword: false });
    // Other changes keep the password where it is.
    await hub.admin.data('PUT', '/api/mqtt', { url: other.url, password: 'broker secret' });
    expect(await hub.admin.data<MqttView>('PUT', '/api/mqtt', { baseTopic: 'elsewhere', username: 'riohub' })).toMatchObject({ hasPassword: true, url: other.url });
  });

  it("audits a change as the fields it changed, not the connection's status", async () => {
    const { hub, broker } = setup;
    await enableBridge(hub, broker);
    await hub.admin.data('PUT', '/api/mqtt', { baseTopic: 'elsewhere' });
    const [latest] = await hub.admin.data<AuditRecord[]>('GET', '/api/audit?filter=mqtt');
    expect(latest).toMatchObject({ action: 'mqtt.update', outcome: 'done' });
    expect(latest?.changes).toEqual([{ field: 'baseTopic', from: 'riohub', to: 'elsewhere' }]);
  });

  it('reaches an mqtts:// broker by its pinned certificate or a CA given, and refuses another certificate before sending the password', async () => {
    const { hub } = setup;
    const certificate = await makeSelfSigned('127.0.0.1', 'test broker');
    const other = await makeSelfSigned('127.0.0.1', 'another broker');
    const secure = await startMosquitto({ tls: certificate, users: { riohub: 'tls secret' } });
    extra.push(secure);
    await enableBridge(hub, secure, { username: 'riohub', password: 'tls secret', fingerprint: fingerprintOf(certificate.cert) });
    await MqttWatcher.retainedAt(secure.url, 'riohub/status', { ca: certificate.cert, username: 'riohub', password: 'tls secret' }).then((retained) => expect(retained.get('riohub/status')).toBe('online'));

    // The broker logs every CONNECT it receives, with the client id: none comes from the bridge once the pin is wrong.
    const connects = () => secure.log().split('\n').filter((line) => line.includes('New client connected') && line.includes(' as riohub-')).length;
    // Another pin, or a CA, is another broker for the password: it must be sent again.
    expect((await hub.admin.call('PUT', '/api/mqtt', { fingerprint: fingerprintOf(other.cert) })).body).toMatchObject({ error: { fields: { password: 'is required for a new broker' } } });
    expect((await hub.admin.call('PUT', '/api/mqtt', { fingerprint: '', ca: certificate.cert })).body).toMatchObject({ error: { fields: { password: 'is required for a new broker' } } });
    await hub.admin.data('PUT', '/api/mqtt', { fingerprint: fingerprintOf(other.cert), password: 'tls secret' });
    const before = connects();
    expect(before).toBeGreaterThan(0);
    const refused = await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'reconnecting');
    expect(refused.status.error).toMatch(/not the pinned one/);
    expect(connects()).toBe(before);

    await hub.admin.data('PUT', '/api/mqtt', { fingerprint: '', ca: certificate.cert, password: 'tls secret' });
    await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'connected');
    await hub.admin.data('PUT', '/api/mqtt', { ca: other.cert, password: 'tls secret' });
    await eventually(() => hub.admin.data<MqttView>('GET', '/api/mqtt'), (view) => view.status.state === 'reconnecting' && view.status.error !== undefined);
  });

  it('refuses settings that cannot work, field by field', async () => {
    const { hub } = setup;
    const answer = await hub.admin.call('PUT', '/api/mqtt', { url: 'http://broker', baseTopic: 'a/#', qos: 3 });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ ok: false, error: { code: 'invalid', fields: { url: expect.any(String), baseTopic: expect.any(String), qos: expect.any(String) } } });
    const enabledWithoutUrl = await hub.admin.call('PUT', '/api/mqtt', { enabled: true });
    expect(enabledWithoutUrl.body).toMatchObject({ ok: false, error: { fields: { url: 'is required to enable the bridge' } } });
    const withCredentials = await hub.admin.call('PUT', '/api/mqtt', { url: 'mqtt://user:pw@127.0.0.1:1883' });
    expect(withCredentials.body).toMatchObject({ ok: false, error: { fields: { url: expect.stringMatching(/must not hold/) } } });
  });
});
