// The simulator's server settings and refusals, seen by a third-party client: a real process over
// real HTTPS on loopback, its certificate pinned.
import { decodeState, decodeTopology } from '@riohub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, startRemote, stopRemote, type Remote } from './test-remote';

describe('simulator, refusals', () => {
  let remote: Remote;
  let closed: Remote;

  beforeAll(async () => {
    [remote, closed] = await Promise.all([startRemote([]), startRemote(['--address', '10.9.9.9,fd00::/8'])]);
  });
  afterAll(() => Promise.all([stopRemote(remote), stopRemote(closed)]));

  it('drops a wrong password, a disallowed address and an unparseable request after 10 s, silently', async () => {
    const held = await Promise.all([
      remote.client.expectDropped('/x/rioget?1*1*wrong'),
      remote.client.expectDropped('/x/rioset?1*wrong*dummy.light.1*1'),
      remote.client.expectDropped('/x/rioget?1*1'),
      remote.client.expectDropped('/x/riotopo?1*%ZZ'),
      closed.client.expectDropped('/x/rioget?1*1*pw'),
    ]);
    for (const ms of held) {
      expect(ms).toBeGreaterThanOrEqual(9_900);
      expect(ms).toBeLessThan(15_000);
    }
    expect(remote.sim.stderr()).toContain('wrong password');
    expect(remote.sim.stderr()).not.toContain('wrong"');
    expect(closed.sim.stderr()).toContain('address not allowed');
    // The wrong write was not applied.
    expect(io(decodeState((await remote.client.get('/x/rioget?1*1*pw')).body))['dummy.light.1']).toBe('0');
  });
});

describe('simulator, server settings', () => {
  let readOnly: Remote;
  let filtered: Remote;
  let publicOnly: Remote;

  beforeAll(async () => {
    [readOnly, filtered, publicOnly] = await Promise.all([
      startRemote(['--control', 'false', '--system', 'false', '--members', 'a1,b2']),
      startRemote(['--io-filter', 'dummy.*,!dummy.light.2', '--ui-filter', 'status.*']),
      startRemote(['--api', 'public', '--clock-offset=-120']),
    ]);
  });
  afterAll(() => Promise.all([stopRemote(readOnly), stopRemote(filtered), stopRemote(publicOnly)]));

  it('refuses writes with 403 when control is disabled, and reads still work', async () => {
    const response = await readOnly.client.get('/x/rioset?1*pw*dummy.light.1*1');
    expect(response.status).toBe(403);
    expect(response.body).toBe('{"hsycoresult":{"ok":false,"error":"control disabled"}}');
    expect((await readOnly.client.get('/x/riouiset?1*pw*status.text*x')).status).toBe(403);
    const state = decodeState((await readOnly.client.get('/x/rioget?2*1*pw*io')).body);
    expect(state.system).toBe(false);
    expect(state.clock).toBeUndefined();
    expect(io(state)['system.time']).toBeUndefined();
    expect(state.members?.slice(1)).toEqual(['a1', 'b2']);
  });

  it('hides filtered-out names everywhere: state, topology and writes', async () => {
    const state = decodeState((await filtered.client.get('/x/rioget?2*1*pw*io,ui')).body);
    const points = io(state);
    expect(points['dummy.light.1']).toBe('0');
    expect(points['dummy.light.2']).toBeUndefined();
    expect(points['sensor.temp.1']).toBeUndefined();
    expect(Object.keys(Object.fromEntries(state.ui ?? [])).sort()).toEqual(['status.text', 'status.visible']);
    const topology = decodeTopology((await filtered.client.get('/x/riotopo?1*pw')).body);
    expect(topology.devices.map(([name]) => name)).not.toContain('dummy.light.2');
    expect(topology.devices.map(([name]) => name)).toContain('dummy.light.3');
    const write = await filtered.client.get('/x/rioset?1*pw*dummy.light.2*1');
    expect(write.status).toBe(404);
    expect((await filtered.client.get('/x/riouiset?1*pw*lights.text*x')).status).toBe(404);

    // A change to a hidden name does not wake a poll.
    const poll = filtered.client.get(`/x/rioget?1*${state.timestamp}*pw`);
    await filtered.client.get('/x/rioset?1*pw*dummy.light.3*1');
    expect(decodeState((await poll).body).io).toEqual([['dummy.light.3', '1']]);
  });

  it('answers only part A with --api public, dropping part B like a failed authentication', async () => {
    const state = decodeState((await publicOnly.client.get('/x/rioget?1*1*pw')).body);
    expect(state.system).toBe(true);
    const held = await Promise.all([
      publicOnly.client.expectDropped('/x/rioget?2*1*pw*io'),
      publicOnly.client.expectDropped('/x/riotopo?1*pw'),
      publicOnly.client.expectDropped('/x/riologs?1*pw'),
      // Even a malformed part-B request with the right password reveals nothing.
      publicOnly.client.expectDropped('/x/riotopo?1*pw*extra'),
      publicOnly.client.expectDropped('/x/rioget?2*1*pw*bogus'),
    ]);
    for (const ms of held) expect(ms).toBeGreaterThanOrEqual(9_900);
  });
});

describe('simulator, spontaneous changes and clock offset', () => {
  let busy: Remote;

  beforeAll(async () => {
    busy = await startRemote(['--changes-per-second', '200', '--clock-offset=30', '--http']);
  });
  afterAll(() => stopRemote(busy));

  it('changes values by itself at the requested rate, and every poll brings news', async () => {
    let state = decodeState((await busy.client.get('/x/rioget?1*1*pw')).body);
    let changes = 0;
    for (let i = 0; i < 5; i++) {
      const response = await busy.client.get(`/x/rioget?1*${state.timestamp}*pw`);
      expect(response.elapsedMs).toBeLessThan(2_000);
      state = decodeState(response.body);
      changes += state.io?.length ?? 0;
    }
    expect(changes).toBeGreaterThan(0);
  });

  it('runs its clock with the given offset', async () => {
    const { clock } = decodeState((await busy.client.get('/x/rioget?2*1*pw*io')).body);
    expect(Math.abs((clock ?? 0) - (Date.now() + 30_000))).toBeLessThan(3_000);
  });
});
