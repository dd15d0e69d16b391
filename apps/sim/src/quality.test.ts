// The simulator told to serve datapoints as stale (`--stale`, flipped by SIGUSR2): PROTOCOL.md part
// B `quality` on version-2 reads, none on version 1, and writes to a stale datapoint refused.
import { decodeState } from '@riohub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRemote, stopRemote, type Remote } from './test-remote';

describe('simulator with --stale', () => {
  let remote: Remote;
  const read = async (path: string) => decodeState((await remote.client.get(path)).body);

  beforeAll(async () => {
    remote = await startRemote(['--lights', '2', '--dimmers', '1', '--shutters', '0', '--sensors', '0', '--virtuals', '1', '--stale', 'dummy.light.*']);
  });
  afterAll(() => stopRemote(remote));

  /** Waits until a version-2 full read says `name` has `quality` (a signal is handled asynchronously). */
  async function qualityBecomes(name: string, stale: boolean): Promise<void> {
    for (let tries = 0; tries < 200; tries++) {
      const state = await read('/x/rioget?2*1*pw*io');
      if ((state.quality ?? []).some(([listed]) => listed === name) === stale) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${name} never became ${stale ? 'stale' : 'ok'}`);
  }

  it('lists every stale datapoint with the full state of a version-2 read, and none in version 1', async () => {
    const full = await read('/x/rioget?2*1*pw*io');
    expect(full.full).toBe(true);
    expect(full.quality).toEqual([['dummy.light.1', 'stale'], ['dummy.light.2', 'stale']]);
    const v1 = await remote.client.get('/x/rioget?1*1*pw');
    expect(v1.body).not.toContain('quality');
    expect(decodeState(v1.body).io?.length).toBe(full.io?.length);
    // GUI variables carry no quality: asked for alone, no quality section.
    expect((await read('/x/rioget?2*1*pw*ui')).quality).toBeUndefined();
  });

  it('refuses a write to a stale datapoint, applying none of the write', async () => {
    const response = await remote.client.get('/x/rioset?1*pw*dummy.dimmer.1*50*dummy.light.1*1');
    expect(response.status).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      hsycoresult: {
        ok: false,
        error: 'not applied',
        names: ['dummy.light.1'],
        reasons: { 'dummy.light.1': 'stale: the server that owns it is unreachable' },
      },
    });
    expect(Object.fromEntries((await read('/x/rioget?2*1*pw*io')).io ?? [])['dummy.dimmer.1']).toBe('0');
  });

  it('answers a held version-2 poll with the quality change alone when SIGUSR2 flips it, and back', async () => {
    const { timestamp } = await read('/x/rioget?2*1*pw*io');
    const poll = remote.client.get(`/x/rioget?2*${timestamp}*pw*io`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    remote.sim.child.kill('SIGUSR2');
    const flipped = decodeState((await poll).body);
    expect(flipped.full).toBeUndefined();
    expect(flipped.io).toBeUndefined();
    expect(flipped.quality).toEqual([['dummy.light.1', 'ok'], ['dummy.light.2', 'ok']]);
    expect(flipped.timestamp).toBeGreaterThan(timestamp);
    expect((await read('/x/rioget?2*1*pw*io')).quality).toBeUndefined();
    expect((await remote.client.get('/x/rioset?1*pw*dummy.light.1*1')).status).toBe(200);

    remote.sim.child.kill('SIGUSR2');
    await qualityBecomes('dummy.light.1', true);
    const changes = await read(`/x/rioget?2*${flipped.timestamp}*pw*io`);
    expect(changes.quality).toEqual([['dummy.light.1', 'stale'], ['dummy.light.2', 'stale']]);
    expect(changes.io).toEqual([['dummy.light.1', '1']]);
  });
});
