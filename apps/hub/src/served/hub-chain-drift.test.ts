// A top hub's mirror of a site hub must converge exactly on what the site hub has, whatever leaves
// it: a deleted remote, a simulator restarted with fewer datapoints, a narrowed served filter.
// All real: simulators → site hub (HTTPS, certificate pinned) → top hub, each test its own chain.
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import type { Device } from '@riohub/hub-api';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type HubClient, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'sim-pw';
const SITE_PASSWORD = 'site-api-pw';
const SIM_ARGS = ['--password', SIM_PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '0', '--sensors', '0', '--virtuals', '1'];

interface Chain {
  sims: Record<'s1' | 's2', SimProcess>;
  site: TestHub;
  top: TestHub;
}

/** What a hub holds under a prefix, datapoints and GUI variables, as `<kind>:<name>` → value. */
async function pointsUnder(client: HubClient, prefix: string): Promise<Map<string, string>> {
  const { points } = await client.data<{ points: { name: string; kind: string; value: string }[] }>(
    'GET',
    `/api/points?prefix=${encodeURIComponent(prefix)}&limit=10000`,
  );
  return new Map(points.map((point) => [`${point.kind}:${point.name}`, point.value]));
}

/** Every point a hub holds under a prefix, by `<kind>:<name>`: what a wait names when it times out. */
async function namesUnder(client: HubClient, prefix: string): Promise<string[]> {
  return [...(await pointsUnder(client, prefix)).keys()];
}

/** A simulator's own full state, as `io:<prefix><name>` → value. */
async function simState(sim: SimProcess, prefix: string): Promise<Map<string, string>> {
  const client = new RioTestClient(sim.url, sim.certificate);
  try {
    const body = JSON.parse((await client.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } };
    return new Map(Object.entries(body.hsycostate.io).map(([name, value]) => [`io:${prefix}${name}`, value]));
  } finally {
    await client.close();
  }
}

function withoutClock(state: Map<string, string>): Map<string, string> {
  // The simulator's clock datapoint moves every second; everything else must match exactly.
  return new Map([...state].filter(([name]) => !name.endsWith('.system.time')));
}

describe('a top hub converges on what a site hub has', () => {
  const chains: Chain[] = [];
  const sims: SimProcess[] = [];

  async function sim(args: string[] = [], dataDir?: string): Promise<SimProcess> {
    const started = await spawnSim([...SIM_ARGS, ...args], dataDir ? { dataDir } : {});
    sims.push(started);
    return started;
  }

  /** Simulators s1 and s2 → site hub → top hub, which knows the site hub as `a`. */
  async function chain(topOptions: object = {}): Promise<Chain> {
    const [s1, s2] = [await sim(), await sim()];
    const site = await startTestHub(undefined, { tls: true });
    const top = await startTestHub();
    const built = { sims: { s1, s2 }, site, top };
    chains.push(built);
    await site.admin.data('PUT', '/api/hub/served-api', { password: SITE_PASSWORD, address: '127.0.0.1', control: true });
    await site.admin.addSim('s1', s1, SIM_PASSWORD, { ui: true });
    await site.admin.addSim('s2', s2, SIM_PASSWORD, { ui: true });
    await top.admin.addSim('a', { url: site.url, certificate: site.running.certificate }, SITE_PASSWORD, topOptions);
    for (const name of ['a.s1.connection', 'a.s2.connection']) {
      await eventually(() => top.admin.point(name, 'io'), (point) => point.value === 'online');
    }
    return built;
  }

  afterEach(async () => {
    for (const { site, top } of chains.splice(0)) {
      await top.close();
      await site.close();
    }
    await Promise.all(sims.splice(0).map((started) => started.stop('SIGKILL')));
  });

  /** Waits until the top holds exactly what the site hub holds of everything (under `a.`). */
  async function converged({ site, top }: Chain): Promise<Map<string, string>> {
    let expected = new Map<string, string>();
    const atTop = await eventually(
      async () => {
        expected = new Map([...(await pointsUnder(site.admin, ''))].filter(([key]) => !key.startsWith('ui:')).map(([key, value]) => [key.replace(/^hub:/, 'io:').replace(':', ':a.'), value]));
        return pointsUnder(top.admin, 'a.');
      },
      (state) => {
        const mirrored = new Map([...state].filter(([key]) => key.startsWith('io:')));
        return mirrored.size === expected.size && [...expected].every(([key, value]) => key.endsWith('.system.time') || mirrored.get(key) === value);
      },
      30_000,
    );
    expect(withoutClock(new Map([...atTop].filter(([key]) => key.startsWith('io:'))))).toEqual(withoutClock(expected));
    return atTop;
  }

  it('forgets every point, GUI variable and device of a remote deleted at the site hub (a.s2.* gone, a.s2.connection too)', async () => {
    const built = await chain({ ui: true });
    const { site, top } = built;
    expect((await pointsUnder(top.admin, 'a.s2.')).get('io:a.s2.connection')).toBe('online');
    await eventually(() => pointsUnder(top.admin, 'a.s2.'), (state) => state.get('ui:a.s2.status.text') === 'Welcome to sim');
    await eventually(() => top.admin.data<Device[]>('GET', '/api/topology'), (devices) => devices.some((device) => device.name.startsWith('a.s2.')));

    await site.admin.data('DELETE', '/api/remotes/s2');

    await eventually(() => namesUnder(top.admin, 'a.s2.'), (names) => names.length === 0, 30_000);
    expect((await top.admin.call('GET', '/api/points/a.s2.connection')).status).toBe(404);
    const devices = await eventually(
      () => top.admin.data<Device[]>('GET', '/api/topology'),
      // s1's topology is read by its own link at the site hub: waited for too, not only s2's gone.
      (list) => !list.some((device) => device.name.startsWith('a.s2.')) && list.some((device) => device.name.startsWith('a.s1.')),
    );
    expect(devices.some((device) => device.name.startsWith('a.s1.'))).toBe(true);
    // s1 is untouched and still live.
    expect(await top.admin.point('a.s1.dummy.light.1')).toMatchObject({ state: 'ok' });
    await converged(built);
  });

  it('forgets a remote deleted at the site hub when the top reads it with the public API (v1: a full read on every topotime change)', async () => {
    const built = await chain({ api: 'public' });
    await built.site.admin.data('DELETE', '/api/remotes/s2');
    await eventually(() => namesUnder(built.top.admin, 'a.s2.'), (names) => names.length === 0, 30_000);
    expect(await built.top.admin.point('a.s1.dummy.light.1')).toMatchObject({ state: 'ok' });
    await converged(built);
  });

  it('converges exactly on a simulator restarted below the site hub with fewer and changed datapoints', async () => {
    const built = await chain();
    const { s1 } = built.sims;
    const port = new URL(s1.url).port;
    s1.child.kill('SIGKILL');
    await eventually(() => built.top.admin.point('a.s1.connection', 'io'), (point) => point.value === 'offline');
    const again = await sim(['--port', port, '--lights', '1', '--virtuals', '0', '--system', 'false'], s1.dataDir);
    const client = new RioTestClient(again.url, again.certificate);
    await client.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.dimmer.1*64`);
    await client.close();
    await eventually(() => built.top.admin.point('a.s1.dummy.dimmer.1', 'io'), (point) => point.value === '64', 30_000);
    const atTop = await converged(built);
    const expected = await simState(again, 'a.s1.');
    for (const [key, value] of expected) expect(atTop.get(key), key).toBe(value);
    for (const gone of ['io:a.s1.dummy.light.2', 'io:a.s1.virtual.1', 'io:a.s1.system.time', 'io:a.s1.time.delta', 'io:a.s1.time.alarm']) {
      expect(atTop.has(gone), gone).toBe(false);
    }
  });

  it('forgets names the site hub stops serving when its served filter narrows', async () => {
    const built = await chain();
    await built.site.admin.data('PUT', '/api/hub/served-api', { ioFilter: '*,!s2.*' });
    await eventually(() => namesUnder(built.top.admin, 'a.s2.'), (names) => names.length === 0, 30_000);
    expect((await pointsUnder(built.top.admin, 'a.s1.')).get('io:a.s1.connection')).toBe('online');
  });
});
