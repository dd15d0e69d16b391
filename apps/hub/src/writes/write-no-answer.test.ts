// A write that reaches the remote, which applies it, while its answer never comes back in time (the
// network between slows to a trickle): the operator is told it may have been applied, and the
// write log confirms it once the value comes back, rather than keep saying it failed.
import type { WriteRecord } from '@riohub/hub-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_PASSWORD, startRig, type Rig } from '../links/fault-scenarios';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

async function lightAtSimulator(rig: Rig): Promise<string | undefined> {
  const body = JSON.parse((await rig.direct.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } };
  return body.hsycostate.io['dummy.light.1'];
}

describe('a write whose answer does not come back', () => {
  let hub: TestHub;
  let rig: Rig;

  beforeAll(async () => {
    hub = await startTestHub();
    rig = await startRig(hub.admin, 'site');
  });

  afterAll(async () => {
    await rig?.close();
    await hub?.close();
  });

  it('says it may have been applied, and is confirmed once its value comes back', async () => {
    const value = (await lightAtSimulator(rig)) === '1' ? '0' : '1';
    // Requests still reach the remote; its answers come back a byte a minute.
    rig.proxy.setMode({ kind: 'trickle', bytesPerTick: 1, intervalMs: 60_000 });
    const answer = await hub.admin.call<WriteRecord>('POST', '/api/writes', { name: 'site.dummy.light.1', value });
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({ ok: false, error: { code: 'no-answer', record: { status: 'failed' } } });
    expect(!answer.body.ok && answer.body.error.message).toMatch(/it may have been applied: check the value$/);
    expect(await lightAtSimulator(rig)).toBe(value);

    rig.proxy.setMode({ kind: 'pass' });
    await eventually(() => hub.admin.point('site.dummy.light.1'), (point) => point.value === value && point.state === 'ok', 40_000);
    const [record] = await eventually(() => hub.admin.data<WriteRecord[]>('GET', '/api/writes?limit=1'), ([latest]) => latest?.status !== 'failed');
    expect(record).toMatchObject({ name: 'site.dummy.light.1', newValue: value, status: 'confirmed' });
  });
});
