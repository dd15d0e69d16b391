// Remote links against real simulator processes over real HTTPS, through outages.
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'remote-pw';

describe('remote link recovery', () => {
  let hub: TestHub;
  const sims: SimProcess[] = [];

  beforeEach(async () => {
    hub = await startTestHub();
  });
  afterEach(async () => {
    await hub.close();
    await Promise.all(sims.splice(0).map((sim) => sim.stop('SIGKILL')));
  });

  async function sim(args: string[], dataDir?: string): Promise<SimProcess> {
    const started = await spawnSim(['--password', PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '0', '--sensors', '0', ...args], dataDir ? { dataDir } : {});
    sims.push(started);
    return started;
  }

  it('keeps stale values while a killed remote is down, then resyncs everything changed meanwhile', async () => {
    const first = await sim([]);
    const port = new URL(first.url).port;
    await hub.admin.addSim('lobby', first, PASSWORD);
    await eventually(() => hub.admin.point('lobby.connection', 'hub'), (p) => p.value === 'online');
    const direct = new RioTestClient(first.url, first.certificate);
    await direct.get(`/x/rioset?1*${PASSWORD}*dummy.light.1*1`);
    await direct.close();
    await eventually(() => hub.admin.point('lobby.dummy.light.1'), (p) => p.value === '1');

    first.child.kill('SIGKILL');
    await eventually(() => hub.admin.point('lobby.connection', 'hub'), (p) => p.value === 'offline');
    const stale = await hub.admin.point('lobby.dummy.light.1');
    expect(stale).toMatchObject({ value: '1', state: 'stale' });
    expect((await hub.admin.remote('lobby')).status.connection).toBe('offline');

    // The same remote comes back (same certificate, same port) with different values and one light fewer.
    const second = await sim(['--port', port, '--lights', '2'], first.dataDir);
    const client = new RioTestClient(second.url, second.certificate);
    await client.get(`/x/rioset?1*${PASSWORD}*dummy.light.2*1*dummy.dimmer.1*55`);
    await client.close();
    await eventually(() => hub.admin.point('lobby.connection', 'hub'), (p) => p.value === 'online');
    await eventually(() => hub.admin.point('lobby.dummy.dimmer.1'), (p) => p.value === '55');
    expect(await hub.admin.point('lobby.dummy.light.1')).toMatchObject({ value: '0', state: 'ok' });
    expect(await hub.admin.point('lobby.dummy.light.2')).toMatchObject({ value: '1', state: 'ok' });
    // What the remote no longer has is gone from the tree, not left behind as if it were current.
    expect((await hub.admin.call('GET', '/api/points/lobby.dummy.light.3')).status).toBe(404);
  });

  it('goes offline when a remote stops answering without closing the socket, and back online', async () => {
    const frozen = await sim([]);
    await hub.admin.addSim('frozen', frozen, PASSWORD);
    await eventually(() => hub.admin.point('frozen.connection', 'hub'), (p) => p.value === 'online');
    frozen.child.kill('SIGSTOP');
    try {
      const remote = await eventually(() => hub.admin.remote('frozen'), (r) => r.status.connection === 'offline', 30_000);
      expect(remote.status.error?.code).toBe('no-answer');
      expect(await hub.admin.point('frozen.dummy.light.1')).toMatchObject({ state: 'stale' });
    } finally {
      frozen.child.kill('SIGCONT');
    }
    await eventually(() => hub.admin.point('frozen.connection', 'hub'), (p) => p.value === 'online', 40_000);
    expect(await hub.admin.point('frozen.dummy.light.1')).toMatchObject({ state: 'ok' });
  }, 90_000);

  it('refuses a remote restarted with a different certificate, and shows what it offers', async () => {
    const first = await sim([]);
    const port = new URL(first.url).port;
    await hub.admin.addSim('site', first, PASSWORD);
    await eventually(() => hub.admin.point('site.connection', 'hub'), (p) => p.value === 'online');
    first.child.kill('SIGKILL');
    await eventually(() => hub.admin.point('site.connection', 'hub'), (p) => p.value === 'offline');

    const impostor = await sim(['--port', port]);
    const remote = await eventually(
      () => hub.admin.remote('site'),
      (r) => r.status.error?.code === 'certificate-changed',
      40_000,
    );
    expect(remote.status.connection).toBe('offline');
    expect(remote.status.offeredFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(remote.status.offeredFingerprint).not.toBe(remote.fingerprint);
    // It never saw the password: nothing was logged as a refused request on its side.
    expect(impostor.stderr()).not.toContain('remote API request refused');
  }, 60_000);
});
