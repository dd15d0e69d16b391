// Hubs of hubs, all real: simulators → two site hubs (HTTPS, certificates pinned) → one top hub.
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import type { LoggerView, RawSeries } from '@riohub/hub-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type HubClient, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'sim-pw';
const SITE_PASSWORD = 'site-api-pw';
const TOP_PASSWORD = 'top-api-pw';

interface Site {
  sim: SimProcess;
  direct: RioTestClient;
  hub: TestHub;
}

/** The simulator's own full state, as `<prefix><name>` → value. */
async function simState(site: Site, prefix: string): Promise<Map<string, string>> {
  const body = JSON.parse((await site.direct.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } };
  return new Map(Object.entries(body.hsycostate.io).map(([name, value]) => [prefix + name, value]));
}

/** What a hub holds of a prefix's datapoints. */
async function hubState(client: HubClient, prefix: string): Promise<Map<string, string>> {
  const { points } = await client.data<{ points: { name: string; kind: string; value: string }[] }>(
    'GET',
    `/api/points?prefix=${encodeURIComponent(prefix)}&limit=10000`,
  );
  return new Map(points.filter((point) => point.kind === 'io').map((point) => [point.name, point.value]));
}

function serve(hub: TestHub, password: string): Promise<unknown> {
  return hub.admin.data('PUT', '/api/hub/served-api', { password, address: '127.0.0.1', control: true });
}

describe('hubs of hubs', () => {
  const sites: Site[] = [];
  let top: TestHub;

  async function startSite(simName: string): Promise<Site> {
    const sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '0', '--sensors', '0']);
    const hub = await startTestHub(undefined, { tls: true });
    await serve(hub, SITE_PASSWORD);
    await hub.admin.addSim(simName, sim, SIM_PASSWORD);
    await eventually(() => hub.admin.point(`${simName}.connection`, 'hub'), (point) => point.value === 'online');
    const site = { sim, direct: new RioTestClient(sim.url, sim.certificate), hub };
    sites.push(site);
    return site;
  }

  function hubAsRemote(hub: TestHub): { url: string; certificate: string | undefined } {
    return { url: hub.url, certificate: hub.running.certificate };
  }

  beforeAll(async () => {
    const [site1, site2] = [await startSite('lobby'), await startSite('floor2')];
    top = await startTestHub();
    await top.admin.addSim('site1', hubAsRemote(site1.hub), SITE_PASSWORD);
    await top.admin.addSim('site2', hubAsRemote(site2.hub), SITE_PASSWORD);
  });

  afterAll(async () => {
    await top?.close();
    for (const site of sites) {
      await site.hub.close();
      await site.direct.close();
      await site.sim.stop('SIGKILL');
    }
  });

  it('lists every site datapoint at the top, under both prefixes, with the merged topology', async () => {
    const light = await eventually(() => top.admin.point('site1.lobby.dummy.light.1'), () => true);
    expect(light).toMatchObject({ kind: 'io', remote: 'site1', state: 'ok' });
    // The site hub's own point about its simulator travels up as a datapoint. Each site is its own
    // link at the top, so site2's first answer may come after site1's: wait for it too.
    const connection = await eventually(() => top.admin.point('site2.floor2.connection', 'io'), () => true);
    expect(connection).toMatchObject({ value: 'online' });
    const devices = await eventually(
      () => top.admin.data<{ name: string; params: string[] }[]>('GET', '/api/topology'),
      // Each site's topology arrives when its own link has fetched it: wait for both.
      (list) => list.some((device) => device.name === 'site1.lobby.dummy.dimmer.1') && list.some((device) => device.name.startsWith('site2.floor2.dummy.light.')),
    );
    expect(devices.find((device) => device.name === 'site1.lobby.dummy.dimmer.1')?.params).toEqual(['LIGHT', 'DIMMER', 'DUMMY']);
  });

  it('writes from the top through the site hub to the simulator, and the change comes back up', async () => {
    const [site1] = sites as [Site];
    const before = (await simState(site1, '')).get('dummy.light.2');
    const next = before === '1' ? '0' : '1';
    const record = await top.admin.data<{ status: string }>('POST', '/api/writes', { name: 'site1.lobby.dummy.light.2', value: next });
    expect(['applied', 'confirmed']).toContain(record.status);
    await eventually(() => simState(site1, ''), (state) => state.get('dummy.light.2') === next);
    await eventually(() => top.admin.point('site1.lobby.dummy.light.2'), (point) => point.value === next);
    // A change made at the simulator itself climbs both levels.
    await site1.direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.dimmer.1*37`);
    await eventually(() => top.admin.point('site1.lobby.dummy.dimmer.1'), (point) => point.value === '37');
  });

  it('refuses, at the top, a write to a datapoint of the site hub itself, naming it', async () => {
    const result = await top.admin.call('POST', '/api/writes', { name: 'site1.lobby.connection', value: 'offline' });
    expect(result.body.ok).toBe(false);
    expect(JSON.stringify(result.body)).toContain('read only');
  });

  it('shows a restarted site hub offline at the top, then recovers the exact state', async () => {
    const [site1] = sites as [Site];
    const port = Number(new URL(site1.hub.url).port);
    const instanceId = (await site1.hub.admin.data<{ instanceId: string }>('GET', '/api/hub')).instanceId;
    await site1.hub.stop();
    await eventually(() => top.admin.point('site1.connection', 'hub'), (point) => point.value === 'offline');
    expect(await top.admin.point('site1.lobby.dummy.light.1')).toMatchObject({ state: 'stale' });
    // Changed while the site hub is down: the top must end up with it anyway.
    await site1.direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.3*1*dummy.dimmer.1*81`);

    site1.hub = await startTestHub(site1.hub.dataDir, { tls: true, port });
    // The same instance id after a restart: the top's members and loop checks stay true.
    expect((await site1.hub.admin.data<{ instanceId: string }>('GET', '/api/hub')).instanceId).toBe(instanceId);
    await eventually(() => top.admin.point('site1.connection', 'hub'), (point) => point.value === 'online', 30_000);
    const expected = await simState(site1, 'site1.lobby.');
    const atTop = await eventually(
      () => hubState(top.admin, 'site1.lobby.'),
      (state) => [...expected].every(([name, value]) => name.endsWith('.time') || state.get(name) === value),
      30_000,
    );
    for (const [name, value] of expected) {
      // The simulator's clock datapoint moves every second; everything else must match exactly.
      if (!name.endsWith('system.time')) expect(atTop.get(name), name).toBe(value);
    }
    // Beyond the simulator's datapoints, only the site hub's own points about it.
    expect([...atTop.keys()].filter((name) => !expected.has(name)).sort()).toEqual([
      'site1.lobby.connection',
      'site1.lobby.time.alarm',
      'site1.lobby.time.delta',
    ]);
    expect(atTop.get('site1.lobby.connection')).toBe('online');
    expect(await top.admin.point('site1.lobby.dummy.light.1')).toMatchObject({ state: 'ok' });
  });

  it('replicates a data logger up two levels, sample for sample (riologs and riolog over the site hub)', async () => {
    const [site1] = sites as [Site];
    const fast = { dataloggerspollinterval: 1 };
    await site1.hub.admin.data('PUT', '/api/remotes/lobby', { host: '127.0.0.1', options: { dataloggers: 'energy', ...fast } });
    await top.admin.data('PUT', '/api/remotes/site1', { host: '127.0.0.1', options: { dataloggers: 'lobby.energy', ...fast } });
    const atTop = await eventually(
      () => top.admin.data<LoggerView[]>('GET', '/api/loggers'),
      (views) => views.some((view) => view.id === 'site1.lobby.energy' && view.replication === 'up to date' && view.samples > 8000),
      30_000,
    );
    expect(atTop.find((view) => view.id === 'site1.lobby.energy')).toMatchObject({ remote: 'site1', remoteId: 'lobby.energy', type: 'counter', unit: 'kWh' });
    const last = await eventually(
      () => top.admin.data<LoggerView[]>('GET', '/api/loggers'),
      (views) => views.find((view) => view.id === 'site1.lobby.energy')?.lastSample !== undefined,
    );
    const until = (last.find((view) => view.id === 'site1.lobby.energy')?.lastSample as [number, number])[0];
    const replicated = await top.admin.data<RawSeries>('GET', `/api/loggers/site1.lobby.energy/samples?from=0&to=${until + 1}`);
    const original: [number, number][] = [];
    for (let after = 0, more = true; more; ) {
      const page = JSON.parse((await site1.direct.get(`/x/riolog?1*${SIM_PASSWORD}*energy*${after}*5000`)).body) as {
        hsycolog: { samples: [number, number][]; more: boolean };
      };
      original.push(...page.hsycolog.samples.filter(([time]) => time <= until));
      more = page.hsycolog.more && (page.hsycolog.samples.at(-1)?.[0] ?? Infinity) < until;
      after = page.hsycolog.samples.at(-1)?.[0] ?? after;
    }
    expect(replicated.samples.length).toBe(original.length);
    expect(replicated.samples).toEqual(original);
    // What the site hub serves of its loggers, as any client reads it.
    const client = new RioTestClient(site1.hub.url, site1.hub.running.certificate);
    try {
      const logs = await client.get(`/x/riologs?1*${SITE_PASSWORD}`);
      expect(JSON.parse(logs.body)).toEqual({ hsycologs: [{ id: 'lobby.energy', type: 'counter', unit: 'kWh' }] });
      const unknown = await client.get(`/x/riolog?1*${SITE_PASSWORD}*energy*0`);
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body)).toEqual({ hsycolog: { error: 'unknown', id: 'energy' } });
    } finally {
      await client.close();
    }
  });

  it('reports every instance id below it in members, and a hub added below itself is refused as a loop', async () => {
    const [site1] = sites as [Site];
    await serve(top, TOP_PASSWORD);
    const topId = (await top.admin.data<{ instanceId: string }>('GET', '/api/hub')).instanceId;
    const siteId = (await site1.hub.admin.data<{ instanceId: string }>('GET', '/api/hub')).instanceId;
    const direct = new RioTestClient(top.url, undefined);
    try {
      const body = JSON.parse((await direct.get(`/x/rioget?2*1*${TOP_PASSWORD}*io`)).body) as { hsycostate: { members: string[] } };
      expect(body.hsycostate.members[0]).toBe(topId);
      expect(body.hsycostate.members).toContain(siteId);
      expect(body.hsycostate.members.length).toBe(5);
    } finally {
      await direct.close();
    }
    await site1.hub.admin.addSim('top', { url: top.url, certificate: undefined }, TOP_PASSWORD);
    const refused = await eventually(() => site1.hub.admin.remote('top'), (remote) => remote.status.error?.code === 'loop');
    expect(refused.status.connection).toBe('offline');
    expect(refused.status.error?.message).toContain('loop');
    await site1.hub.admin.call('DELETE', '/api/remotes/top');
  });
});
