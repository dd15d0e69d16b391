// A site hub narrows what it serves while a top hub, and a third-party client, already read it: the
// devices and datapoints it stops exposing must leave every level above, whichever rioget it speaks.
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'sim-pw';
const SITE_PASSWORD = 'site-api-pw';

interface StateHeader {
  hsycostate: { timestamp: number; topotime: number; io?: Record<string, string> };
}
interface Topology {
  hsycotopo: { topotime: number; devices: Record<string, unknown> };
}

describe('a served filter narrowed under readers already connected', () => {
  let sim: SimProcess;
  let direct: RioTestClient;
  let site: TestHub;
  let client: RioTestClient;
  /** Reads the site with rioget v2 (extended), and with v1 (public) as a stock HSYCO client would. */
  let extendedTop: TestHub;
  let publicTop: TestHub;

  const topology = async () => JSON.parse((await client.get(`/x/riotopo?1*${SITE_PASSWORD}`)).body) as Topology;
  const state = async (version: 1 | 2) => JSON.parse((await client.get(`/x/rioget?${version}*1*${SITE_PASSWORD}${version === 2 ? '*io' : ''}`)).body) as StateHeader;
  const serve = (settings: object) =>
    site.admin.data('PUT', '/api/hub/served-api', { password: SITE_PASSWORD, address: '127.0.0.1', control: true, ...settings });
  const siteAsRemote = () => ({ url: site.url, certificate: site.running.certificate });

  beforeAll(async () => {
    sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '3', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--system', 'false']);
    direct = new RioTestClient(sim.url, sim.certificate);
    site = await startTestHub(undefined, { tls: true });
    await serve({});
    await site.admin.addSim('lobby', sim, SIM_PASSWORD);
    await eventually(() => site.admin.point('lobby.connection', 'hub'), (point) => point.value === 'online');
    client = new RioTestClient(site.url, site.running.certificate);
    extendedTop = await startTestHub();
    publicTop = await startTestHub();
    await extendedTop.admin.addSim('a', siteAsRemote(), SITE_PASSWORD);
    await publicTop.admin.addSim('a', siteAsRemote(), SITE_PASSWORD, { api: 'public' });
    // Both tops hold the light that is about to be hidden, the extended one as a device too.
    await eventually(() => publicTop.admin.point('a.lobby.dummy.light.2', 'io'), () => true);
    await eventually(
      () => extendedTop.admin.data<{ name: string }[]>('GET', '/api/topology'),
      (devices) => devices.some((device) => device.name === 'a.lobby.dummy.light.2'),
    );
  });

  afterAll(async () => {
    await extendedTop?.close();
    await publicTop?.close();
    await site?.close();
    await client?.close();
    await direct?.close();
    await sim?.stop('SIGKILL');
  });

  it('moves topotime when the datapoint filter changes, in rioget and riotopo alike', async () => {
    const before = await topology();
    expect(Object.keys(before.hsycotopo.devices)).toContain('lobby.dummy.light.2');
    expect((await state(1)).hsycostate.topotime).toBe(before.hsycotopo.topotime);

    await serve({ ioFilter: '*,!lobby.dummy.light.2' });

    const after = await topology();
    expect(Object.keys(after.hsycotopo.devices)).not.toContain('lobby.dummy.light.2');
    // A client that saw the old topotime learns, from its next state, to read the topology again.
    expect(after.hsycotopo.topotime).toBeGreaterThan(before.hsycotopo.topotime);
    expect((await state(1)).hsycostate.topotime).toBe(after.hsycotopo.topotime);
    expect((await state(2)).hsycostate.topotime).toBe(after.hsycotopo.topotime);
  });

  it('leaves no hidden device in an extended top hub, and no hidden datapoint in a public one', async () => {
    // Changes flowing again, so that neither top is still held on a poll from before the filter.
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.1*1`);
    await eventually(() => publicTop.admin.point('a.lobby.dummy.light.1', 'io'), (point) => point.value === '1');
    await eventually(() => extendedTop.admin.point('a.lobby.dummy.light.1', 'io'), (point) => point.value === '1');

    await eventually(
      () => extendedTop.admin.data<{ name: string }[]>('GET', '/api/topology'),
      (devices) => !devices.some((device) => device.name === 'a.lobby.dummy.light.2') && devices.some((device) => device.name === 'a.lobby.dummy.light.3'),
    );
    const hidden = await eventually(
      () => publicTop.admin.call('GET', '/api/points/a.lobby.dummy.light.2?kind=io'),
      (answer) => answer.status === 404,
    );
    expect(hidden.status).toBe(404);
    // What is still exposed stays, live.
    await direct.get(`/x/rioset?1*${SIM_PASSWORD}*dummy.light.3*1`);
    await eventually(() => publicTop.admin.point('a.lobby.dummy.light.3', 'io'), (point) => point.value === '1');
  });
});
