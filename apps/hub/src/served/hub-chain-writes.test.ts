// One rioset through two hubs to two simulators, one of which refuses its part after the other
// applied its own: the top hub tells its client, and its write log, what really happened below.
import type { WriteRecord } from '@riohub/hub-api';
import { RioTestClient, spawnSim, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'sim-pw';
const MID_PASSWORD = 'mid-api-pw';
const TOP_PASSWORD = 'top-api-pw';

interface WriteAnswer {
  hsycoresult: { ok: boolean; error?: string; names?: string[]; reasons?: Record<string, string> };
}

describe('a write refused in part two levels down', () => {
  const sims: SimProcess[] = [];
  const direct: RioTestClient[] = [];
  let mid: TestHub;
  let top: TestHub;
  let client: RioTestClient;

  const serve = (hub: TestHub, password: string) => hub.admin.data('PUT', '/api/hub/served-api', { password, address: '127.0.0.1', control: true });
  const light = async (index: number) =>
    (JSON.parse((await (direct[index] as RioTestClient).get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } }).hsycostate.io['dummy.light.1'];
  const write = async (query: string) => JSON.parse((await client.get(`/x/rioset?1*${TOP_PASSWORD}*${query}`)).body) as WriteAnswer;
  const logged = async (count: number) => new Map((await top.admin.data<WriteRecord[]>('GET', `/api/writes?limit=${count}`)).map((record) => [record.name, record]));

  beforeAll(async () => {
    for (const name of ['s1', 's2']) {
      const sim = await spawnSim(['--password', SIM_PASSWORD, '--name', name, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--system', 'false']);
      sims.push(sim);
      direct.push(new RioTestClient(sim.url, sim.certificate));
    }
    mid = await startTestHub(undefined, { tls: true });
    await serve(mid, MID_PASSWORD);
    await mid.admin.addSim('s1', sims[0] as SimProcess, SIM_PASSWORD);
    await mid.admin.addSim('s2', sims[1] as SimProcess, SIM_PASSWORD);
    top = await startTestHub(undefined, { tls: true });
    await serve(top, TOP_PASSWORD);
    await top.admin.addSim('mid', { url: mid.url, certificate: mid.running.certificate }, MID_PASSWORD);
    for (const name of ['mid.s1.dummy.light.1', 'mid.s2.dummy.light.1']) await eventually(() => top.admin.point(name), (point) => point.state === 'ok');
    client = new RioTestClient(top.url, top.running.certificate);
  });

  afterAll(async () => {
    await client?.close();
    await top?.close();
    await mid?.close();
    for (const each of direct) await each.close();
    for (const sim of sims) await sim.stop('SIGKILL');
  });

  it('answers partly applied, naming only the refused name, and logs the applied part as applied, then confirmed', async () => {
    // s1's light takes 1; s2's refuses 2 (a light is 0 or 1), after the middle hub sent s1's part.
    const answer = await write('mid.s1.dummy.light.1*1*mid.s2.dummy.light.1*2');
    expect(await light(0)).toBe('1');
    expect(answer.hsycoresult).toMatchObject({ ok: false, error: 'partly applied', names: ['mid.s2.dummy.light.1'] });
    expect(answer.hsycoresult.reasons?.['mid.s2.dummy.light.1']).toMatch(/s2/);
    const records = await eventually(() => logged(2), (log) => log.get('mid.s1.dummy.light.1')?.status === 'confirmed');
    expect(records.get('mid.s2.dummy.light.1')).toMatchObject({ status: 'refused', error: expect.stringMatching(/^mid refused the write/) });
    await eventually(() => top.admin.point('mid.s1.dummy.light.1'), (point) => point.value === '1');
  });
});
