// A pair on one PostgreSQL database, the first hub running: the second starts with a settings file
// that rotates the served API's password and moves the MQTT bridge. The running hub takes both up
// at once, as it does a change made through the API: the rotated-out password is not let in there.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttView, ServedApiView } from '@riohub/hub-api';
import { RioTestClient, spawnHub, startPostgres, type HubProcess, type PostgresCluster } from '@riohub/testkit';
import { afterEach, expect, it } from 'vitest';
import { ADMIN_PASSWORD, eventually, HubClient } from '../testing/test-hub';

let cluster: PostgresCluster | undefined;
const hubs: HubProcess[] = [];
const folders: string[] = [];

afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  await cluster?.close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function signedIn(hub: HubProcess): Promise<HubClient> {
  const client = new HubClient(hub.url);
  await client.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
  return client;
}

it("takes up, on the running hub, the served API and MQTT settings the other hub's settings file applied", async () => {
  cluster = await startPostgres();
  const env = { RIOHUB_DATABASE: await cluster.createDatabase(), RIOHUB_SECRET_KEY: randomBytes(32).toString('base64') };
  const first = await spawnHub(ADMIN_PASSWORD, { env, captureLog: true });
  hubs.push(first);
  const a = await signedIn(first);
  await a.data('PUT', '/api/hub/served-api', { password: 'old-served-pw', address: '127.0.0.1', control: false });
  await a.data('PUT', '/api/mqtt', { enabled: false, url: 'mqtt://127.0.0.1:1883', baseTopic: 'old' });
  const servedByA = new RioTestClient(first.url, undefined);
  expect((await servedByA.get('/x/rioget?1*1*old-served-pw')).status).toBe(200);

  const folder = mkdtempSync(join(tmpdir(), 'riohub-pair-settings-'));
  folders.push(folder);
  const file = join(folder, 'riohub.yaml');
  writeFileSync(file, 'servedApi: { passwordEnv: SERVED_PW, address: "127.0.0.1", control: true }\nmqtt: { enabled: false, url: "mqtt://127.0.0.1:1884", baseTopic: "new" }\n');
  const second = await spawnHub(ADMIN_PASSWORD, { env: { ...env, SERVED_PW: 'new-served-pw' }, captureLog: true, args: ['--config', file] });
  hubs.push(second);

  await eventually(() => a.data<ServedApiView>('GET', '/api/hub/served-api'), (view) => view.control);
  expect(await a.data<MqttView>('GET', '/api/mqtt')).toMatchObject({ url: 'mqtt://127.0.0.1:1884', baseTopic: 'new' });
  // The new password is let in there; the old one no longer is (a refused request gets no answer).
  expect((await servedByA.get('/x/rioget?1*1*new-served-pw')).status).toBe(200);
  await servedByA.close();
  const oldPassword = new RioTestClient(first.url, undefined);
  expect(await oldPassword.get('/x/rioget?1*1*old-served-pw').then((answer) => answer.status, () => 'no answer')).toBe('no answer');
  await oldPassword.close();
});
