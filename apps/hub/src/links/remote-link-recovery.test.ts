// Remote links against real simulator processes over real HTTPS, through outages.
import { RioTestClient } from '@riohub/testkit';
import { describe, expect, it } from 'vitest';
import { eventually, hubPerTest } from '../testing/test-hub';

const PASSWORD = 'remote-pw';

describe('remote link recovery', () => {
  const t = hubPerTest(['--password', PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '0', '--sensors', '0']);

  it('keeps stale values while a killed remote is down, then resyncs everything changed meanwhile', async () => {
    const first = await t.sim([]);
    const port = new URL(first.url).port;
    await t.hub.admin.addSim('lobby', first, PASSWORD);
    await eventually(() => t.hub.admin.point('lobby.connection', 'hub'), (p) => p.value === 'online');
    const direct = new RioTestClient(first.url, first.certificate);
    await direct.get(`/x/rioset?1*${PASSWORD}*dummy.light.1*1`);
    await direct.close();
    await eventually(() => t.hub.admin.point('lobby.dummy.light.1'), (p) => p.value === '1');

    first.child.kill('SIGKILL');
    await eventually(() => t.hub.admin.point('lobby.connection', 'hub'), (p) => p.value === 'offline');
    const stale = await t.hub.admin.point('lobby.dummy.light.1');
    expect(stale).toMatchObject({ value: '1', state: 'stale' });
    expect((await t.hub.admin.remote('lobby')).status.connection).toBe('offline');

    // The same remote comes back (same certificate, same port) with different values and one light fewer.
    const second = await t.sim(['--port', port, '--lights', '2'], first.dataDir);
    const client = new RioTestClient(second.url, second.certificate);
    await client.get(`/x/rioset?1*${PASSWORD}*dummy.light.2*1*dummy.dimmer.1*55`);
    await client.close();
    await eventually(() => t.hub.admin.point('lobby.connection', 'hub'), (p) => p.value === 'online');
    await eventually(() => t.hub.admin.point('lobby.dummy.dimmer.1'), (p) => p.value === '55');
    expect(await t.hub.admin.point('lobby.dummy.light.1')).toMatchObject({ value: '0', state: 'ok' });
    expect(await t.hub.admin.point('lobby.dummy.light.2')).toMatchObject({ value: '1', state: 'ok' });
    // What the remote no longer has is gone from the tree, not left behind as if it were current.
    expect((await t.hub.admin.call('GET', '/api/points/lobby.dummy.light.3')).status).toBe(404);
  });

  it('goes offline when a remote stops answering without closing the socket, and back online', async () => {
    const frozen = await t.sim([]);
    await t.hub.admin.addSim('frozen', frozen, PASSWORD);
    await eventually(() => t.hub.admin.point('frozen.connection', 'hub'), (p) => p.value === 'online');
    frozen.child.kill('SIGSTOP');
    try {
      const remote = await eventually(() => t.hub.admin.remote('frozen'), (r) => r.status.connection === 'offline', 30_000);
      expect(remote.status.error?.code).toBe('no-answer');
      expect(await t.hub.admin.point('frozen.dummy.light.1')).toMatchObject({ state: 'stale' });
    } finally {
      frozen.child.kill('SIGCONT');
    }
    await eventually(() => t.hub.admin.point('frozen.connection', 'hub'), (p) => p.value === 'online', 40_000);
    expect(await t.hub.admin.point('frozen.dummy.light.1')).toMatchObject({ state: 'ok' });
  });

  it('refuses a remote restarted with a different certificate, and shows what it offers', async () => {
    const first = await t.sim([]);
    const port = new URL(first.url).port;
    await t.hub.admin.addSim('site', first, PASSWORD);
    await eventually(() => t.hub.admin.point('site.connection', 'hub'), (p) => p.value === 'online');
    first.child.kill('SIGKILL');
    await eventually(() => t.hub.admin.point('site.connection', 'hub'), (p) => p.value === 'offline');

    const impostor = await t.sim(['--port', port]);
    const remote = await eventually(
      () => t.hub.admin.remote('site'),
      (r) => r.status.error?.code === 'certificate-changed',
      40_000,
    );
    expect(remote.status.connection).toBe('offline');
    expect(remote.status.offeredFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(remote.status.offeredFingerprint).not.toBe(remote.fingerprint);
    // It never saw the password: nothing was logged as a refused request on its side.
    expect(impostor.stderr()).not.toContain('remote API request refused');
  });

  it('says since when a remote is down and when it tries next, and Retry now tries at once', async () => {
    const first = await t.sim([]);
    const port = new URL(first.url).port;
    await t.hub.admin.addSim('lobby', first, PASSWORD);
    const online = await eventually(() => t.hub.admin.remote('lobby'), (r) => r.status.connection === 'online');
    expect(online.status).not.toHaveProperty('offlineSince');
    first.child.kill('SIGKILL');
    // Down long enough for the backoff to grow past 8 s: time to restart the simulator and ask.
    const down = await eventually(() => t.hub.admin.remote('lobby'), (r) => (r.status.nextRetryAt ?? 0) - Date.now() > 8_000, 60_000);
    expect(down.status.offlineSince).toBeLessThanOrEqual(down.status.nextRetryAt as number);
    expect(down.status.error).toMatchObject({ code: 'connection-failed', detail: expect.stringMatching(/^ECONNREFUSED/) });

    await t.sim(['--port', port], first.dataDir);
    const waiting = await t.hub.admin.remote('lobby');
    expect(waiting.status.offlineSince).toBe(down.status.offlineSince);
    const scheduled = waiting.status.nextRetryAt as number;
    expect((await t.hub.admin.call('POST', '/api/remotes/lobby/retry')).status).toBe(200);
    const back = await eventually(() => t.hub.admin.remote('lobby'), (r) => r.status.connection === 'online');
    // Back before the attempt the backoff had scheduled.
    expect(back.status.lastAnswerAt).toBeLessThan(scheduled);
    expect(back.status).not.toHaveProperty('offlineSince');
    expect(back.status).not.toHaveProperty('nextRetryAt');

    // A disabled entry has no link to retry.
    await t.hub.admin.data('PUT', '/api/remotes/lobby', { host: back.host, enabled: false });
    const refused = await t.hub.admin.call('POST', '/api/remotes/lobby/retry');
    expect(refused.status).toBe(409);
    expect(!refused.body.ok && refused.body.error.message).toBe('lobby is not polled, so there is nothing to retry: it is disabled: enable it to connect');
    expect((await t.hub.admin.call('POST', '/api/remotes/nowhere/retry')).status).toBe(404);
  });
});
