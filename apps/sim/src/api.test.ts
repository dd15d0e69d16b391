// The simulator seen by a third-party client written from PROTOCOL.md: a real process over real
// HTTPS on loopback, its certificate pinned.
import { buildRequestPath, decodeLogResponse, decodeState, decodeTopology } from '@riohub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, startRemote, stopRemote, type Remote } from './test-remote';

describe('simulator, default settings', () => {
  let remote: Remote;
  const read = async (path: string) => decodeState((await remote.client.get(path)).body);

  beforeAll(async () => {
    remote = await startRemote([]);
  });
  afterAll(() => stopRemote(remote));

  it('answers timestamp=1 at once with the full state, as JSON', async () => {
    const response = await remote.client.get('/x/rioget?1*1*pw');
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('application/json; charset=utf-8');
    const state = decodeState(response.body);
    expect(state.system).toBe(true);
    expect(state.timestamp).toBeGreaterThan(1_600_000_000_000_000);
    const points = io(state);
    expect(points['dummy.light.1']).toBe('0');
    expect(points['dummy.light.10']).toBe('0');
    expect(points['dummy.light.11']).toBeUndefined();
    expect(points['dummy.dimmer.5']).toBe('0');
    expect(points['dummy.autom.3']).toBe('stop');
    expect(points['sensor.temp.4']).toMatch(/^\d+\.\d$/);
    expect(points['virtual.1']).toBe('');
    for (const server of ['dummy', 'sensor', 'virtual', 'system']) expect(points[`${server}.connection`]).toBe('online');
    expect(state.ui).toBeUndefined();
    expect(state.clock).toBeUndefined();
  });

  it('holds a poll with nothing new for 10 seconds, then answers without io', async () => {
    const { timestamp } = await read('/x/rioget?1*1*pw');
    const response = await remote.client.get(`/x/rioget?1*${timestamp}*pw`);
    expect(response.elapsedMs).toBeGreaterThanOrEqual(9_900);
    expect(response.elapsedMs).toBeLessThan(15_000);
    expect(response.body).toMatch(/^\{"hsycostate":\{"timestamp":\d+,"system":"system","topotime":\d+\}\}$/);
    expect(decodeState(response.body).timestamp).toBe(timestamp);
  });

  it('answers a held poll as soon as a datapoint changes, with only that change', async () => {
    const { timestamp } = await read('/x/rioget?1*1*pw');
    const poll = remote.client.get(`/x/rioget?1*${timestamp}*pw`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await remote.client.get('/x/rioset?1*pw*dummy.dimmer.2*40')).body).toBe('{"hsycoresult":{"ok":true}}');
    const response = await poll;
    expect(response.elapsedMs).toBeLessThan(5_000);
    const state = decodeState(response.body);
    expect(state.io).toEqual([['dummy.dimmer.2', '40']]);
    expect(state.timestamp).toBeGreaterThan(timestamp);
  });

  it('answers at once with the full state for a timestamp it does not know', async () => {
    const { timestamp } = await read('/x/rioget?1*1*pw');
    for (const unknown of [timestamp + 1_000_000, 2]) {
      const response = await remote.client.get(`/x/rioget?1*${unknown}*pw`);
      expect(response.elapsedMs).toBeLessThan(5_000);
      expect(io(decodeState(response.body))['dummy.light.1']).toBeDefined();
    }
  });

  it('returns every change after a timestamp, once, with its latest value', async () => {
    const { timestamp } = await read('/x/rioget?1*1*pw');
    await remote.client.get('/x/rioset?1*pw*virtual.2*a*virtual.3*b');
    await remote.client.get('/x/rioset?1*pw*virtual.2*c');
    const state = await read(`/x/rioget?1*${timestamp}*pw`);
    expect(state.io).toEqual([['virtual.3', 'b'], ['virtual.2', 'c']]);
  });

  it('carries *, %, quotes and unicode in values through a write and a read', async () => {
    const value = '50% * "off" ☃ 🏠 a\\b';
    const path = buildRequestPath({ verb: 'rioset', password: 'pw', writes: [['virtual.4', value]] });
    expect((await remote.client.get(path)).status).toBe(200);
    expect(io(await read('/x/rioget?1*1*pw'))['virtual.4']).toBe(value);
  });

  it('accepts an empty value and one of 4096 bytes, refuses 4097', async () => {
    const write = (value: string) =>
      remote.client.get(buildRequestPath({ verb: 'rioset', password: 'pw', writes: [['virtual.5', value]] }));
    expect((await write('é'.repeat(2048))).status).toBe(200);
    expect((await write('')).status).toBe(200);
    const refused = await write('x'.repeat(4097));
    expect(refused.status).toBe(400);
    expect(refused.body).toBe('{"hsycoresult":{"ok":false,"error":"value of virtual.5 is over 4096 bytes"}}');
  });

  it('applies writes all or nothing', async () => {
    const before = io(await read('/x/rioget?1*1*pw'));
    const badValue = await remote.client.get('/x/rioset?1*pw*dummy.light.2*1*dummy.dimmer.1*101');
    expect(badValue.status).toBe(400);
    expect(badValue.body).toContain('dummy.dimmer.1: expected a level from');
    const unknown = await remote.client.get('/x/rioset?1*pw*dummy.light.2*1*dummy.light.99*1*nope.x*1');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ hsycoresult: { ok: false, error: 'unknown', names: ['dummy.light.99', 'nope.x'] } });
    const readOnly = await remote.client.get('/x/rioset?1*pw*dummy.light.2*1*dummy.connection*offline');
    expect(readOnly.status).toBe(400);
    expect(io(await read('/x/rioget?1*1*pw'))['dummy.light.2']).toBe(before['dummy.light.2']);
  });

  it('answers malformed writes with 400 and what is wrong', async () => {
    expect(await remote.client.get('/x/rioset?1*pw*dummy.light.1')).toMatchObject({
      status: 400,
      body: '{"hsycoresult":{"ok":false,"error":"odd number of fields"}}',
    });
    expect((await remote.client.get('/x/rioset?1*pw*bad%20name*1')).body).toContain('bad name');
    expect((await remote.client.get('/x/rioget?1*abc*pw')).status).toBe(400);
  });

  it('serves GUI variables, the clock and members through version 2', async () => {
    const state = await read('/x/rioget?2*1*pw*io,ui');
    const ui = Object.fromEntries(state.ui ?? []);
    expect(ui['status.text']).toBe('Welcome to sim');
    expect(ui['status.visible']).toBe('true');
    expect(ui['lights.text']).toMatch(/^\d+ lights? on$/);
    expect(Math.abs((state.clock ?? 0) - Date.now())).toBeLessThan(5_000);
    expect(state.members).toHaveLength(1);
    expect(state.members?.[0]).toMatch(/^[0-9a-f-]{36}$/);

    const uiOnly = await read('/x/rioget?2*1*pw*ui');
    expect(uiOnly.io).toBeUndefined();
    expect(uiOnly.ui).toBeDefined();
  });

  it('says "full":true on a version-2 answer exactly when it is the whole state, and never on version 1', async () => {
    const whole = await read('/x/rioget?2*1*pw*io,ui');
    expect(whole.full).toBe(true);
    // A timestamp it does not know, from the future or from before its start: the whole state again.
    for (const unknown of [whole.timestamp + 1_000_000, 2]) {
      const state = await read(`/x/rioget?2*${unknown}*pw*io`);
      expect(state.full).toBe(true);
      expect(io(state)['dummy.light.1']).toBeDefined();
    }
    const poll = remote.client.get(`/x/rioget?2*${whole.timestamp}*pw*io`);
    await remote.client.get('/x/rioset?1*pw*virtual.1*changed');
    const changes = decodeState((await poll).body);
    expect(changes.io).toEqual([['virtual.1', 'changed']]);
    expect(changes.full).toBeUndefined();
    for (const path of ['/x/rioget?1*1*pw', `/x/rioget?1*${whole.timestamp + 1_000_000}*pw`]) {
      expect((await remote.client.get(path)).body).not.toContain('"full"');
    }
  });

  it('writes GUI variables and wakes a ui poll with them', async () => {
    const { timestamp } = await read('/x/rioget?2*1*pw*ui');
    const poll = remote.client.get(`/x/rioget?2*${timestamp}*pw*ui`);
    const written = await remote.client.get(buildRequestPath({ verb: 'riouiset', password: 'pw', writes: [['status.text', 'Hello *']] }));
    expect(written.status).toBe(200);
    expect(decodeState((await poll).body).ui).toEqual([['status.text', 'Hello *']]);
    expect((await remote.client.get('/x/riouiset?1*pw*nothing.here*1')).status).toBe(404);
  });

  it('keeps the lights label counting lights on', async () => {
    const count = async () =>
      Number(/^(\d+)/.exec(Object.fromEntries((await read('/x/rioget?2*1*pw*ui')).ui ?? [])['lights.text'] ?? '')?.[1]);
    const before = await count();
    await remote.client.get('/x/rioset?1*pw*dummy.light.5*1*dummy.light.6*1');
    expect(await count()).toBe(before + 2);
    await remote.client.get('/x/rioset?1*pw*dummy.light.5*0');
    expect(await count()).toBe(before + 1);
  });

  it('moves a shutter over time and stops it at the end of its travel', async () => {
    await remote.client.get('/x/rioset?1*pw*dummy.autom.1*up');
    const seen = new Set<string>();
    let state = await read('/x/rioget?1*1*pw');
    while (io(state)['dummy.autom.1'] !== 'stop') {
      const changes = io(state);
      if (changes['dummy.autom.1.pos']) seen.add(changes['dummy.autom.1.pos']);
      state = await read(`/x/rioget?1*${state.timestamp}*pw`);
    }
    expect(io(await read('/x/rioget?1*1*pw'))['dummy.autom.1.pos']).toBe('100');
    expect(seen.size).toBeGreaterThan(3);
  });

  it('sets its clock when system.time is written', async () => {
    const target = Date.now() + 3_600_000;
    expect((await remote.client.get(`/x/rioset?1*pw*system.time*${target}`)).status).toBe(200);
    const { clock } = await read('/x/rioget?2*1*pw*io');
    expect(Math.abs((clock ?? 0) - target)).toBeLessThan(5_000);
    expect((await remote.client.get('/x/rioset?1*pw*system.time*tomorrow')).status).toBe(400);
  });

  it('lists its devices in the topology', async () => {
    const topology = decodeTopology((await remote.client.get('/x/riotopo?1*pw')).body);
    const devices = Object.fromEntries(topology.devices);
    expect(devices['dummy.light.1']).toEqual(['LIGHT', 'LIGHT', 'DUMMY']);
    expect(devices['dummy.dimmer.1']).toEqual(['LIGHT', 'DIMMER', 'DUMMY']);
    expect(devices['dummy.autom.1']).toEqual(['AUTOM', 'VSHUT', 'DUMMY']);
    expect(topology.devices).toHaveLength(10 + 5 + 3 + 4);
    expect(topology.topotime).toBe((await read('/x/rioget?1*1*pw')).topotime);
  });

  it('serves its data loggers page by page', async () => {
    expect(JSON.parse((await remote.client.get('/x/riologs?1*pw')).body)).toEqual({
      hsycologs: [
        { id: 'energy', type: 'counter', unit: 'kWh' },
        { id: 'temperature', type: 'range', unit: '°C' },
      ],
    });
    const all = decodeLogResponse((await remote.client.get('/x/riolog?1*pw*energy*0')).body);
    if (!all.ok) throw new Error('energy is unknown');
    expect(all.page.samples.length).toBeGreaterThan(8_000);
    expect(all.page.more).toBe(false);
    const values = all.page.samples.map(([, value]) => value);
    expect(values.every((value, i) => i === 0 || value >= (values[i - 1] as number))).toBe(true);

    const first = decodeLogResponse((await remote.client.get('/x/riolog?1*pw*temperature*0*100')).body);
    if (!first.ok) throw new Error('temperature is unknown');
    expect(first.page.samples).toHaveLength(100);
    expect(first.page.more).toBe(true);
    const after = first.page.samples[99]?.[0] as number;
    const next = decodeLogResponse((await remote.client.get(`/x/riolog?1*pw*temperature*${after}*100`)).body);
    expect(next.ok && next.page.samples[0]?.[0]).toBeGreaterThan(after);

    const unknown = await remote.client.get('/x/riolog?1*pw*water*0');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toBe('{"hsycolog":{"error":"unknown","id":"water"}}');
  });
});

