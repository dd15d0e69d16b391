// The hub's PostgreSQL server stops under it (a crash: every connection cut). Every request that
// needs the store is answered with why, the dashboard's writes as REST's: none is left hanging.
import { randomBytes } from 'node:crypto';
import type { WriteRecord } from '@riohub/hub-api';
import { RioTestClient, spawnSim, startPostgres, type PostgresCluster, type SimProcess } from '@riohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../testing/test-hub';

const PASSWORD = 'sim-pw';

describe('the database server down under a running hub', () => {
  let cluster: PostgresCluster;
  let sim: SimProcess;
  let hub: TestHub;

  beforeAll(async () => {
    cluster = await startPostgres();
    sim = await spawnSim(['--password', PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
    hub = await startTestHub(undefined, { database: await cluster.createDatabase(), env: { RIOHUB_SECRET_KEY: randomBytes(32).toString('base64') } });
    await hub.admin.addSim('site', sim, PASSWORD);
    await eventually(() => hub.admin.point('site.connection', 'hub'), (point) => point.value === 'online');
  });

  afterAll(async () => {
    await hub?.close().catch(() => undefined);
    await sim?.stop('SIGKILL');
    await cluster?.close();
  });

  it('answers a write sent over the dashboard socket with storage-failed, as REST does, refuses reads as plainly, and sends nothing', async () => {
    const socket = await hub.admin.socket();
    await socket.until(() => socket.messages.some((message) => message.type === 'storage'));
    await cluster.stop();

    const rest = await hub.admin.call<WriteRecord>('POST', '/api/writes', { name: 'site.dummy.light.1', value: '1' });
    expect(rest.status).toBe(503);
    expect(rest.body).toMatchObject({ ok: false, error: { code: 'storage-failed' } });

    socket.send({ type: 'write', payload: { requestId: 'w1', name: 'site.dummy.light.1', value: '1' } });
    await socket.until(() => socket.messages.some((message) => message.type === 'write-result'), 15_000);
    const answer = socket.messages.find((message) => message.type === 'write-result');
    expect(answer?.payload).toMatchObject({ requestId: 'w1', result: { ok: false, error: { code: 'storage-failed' } } });
    expect(JSON.stringify(answer?.payload)).toMatch(/nothing was sent/);
    // A read needs the store too, for the session: refused as clearly, with nothing said to be unsaved.
    const read = await hub.admin.call('GET', '/api/points/site.dummy.light.1');
    expect(read).toMatchObject({ status: 503, body: { ok: false, error: { code: 'storage-failed' } } });
    expect(!read.body.ok && read.body.error.message).toMatch(/: the request could not be answered$/);
    // Nothing reached the building.
    const direct = new RioTestClient(sim.url, sim.certificate);
    const state = JSON.parse((await direct.get(`/x/rioget?1*1*${PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } };
    await direct.close();
    expect(state.hsycostate.io['dummy.light.1']).toBe('0');
  });
});
