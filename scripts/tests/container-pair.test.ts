/**
 * docker-compose.pair.yml in a real Docker engine: two hubs (the image container.test.ts builds,
 * `riohub-test/riohub:latest`, built here the same way so it is the working tree's) on one
 * PostgreSQL database. As no image registry is reachable, the `postgres` service runs an image made
 * here from Debian's postgresql-15 (scripts/container-postgres-image.sh) in place of the official
 * one. It waits for the three healthchecks, checks that hub-a is the active hub and hub-b its
 * standby naming it, that a remote entry made on either hub is listed by the other (one shared
 * store), that hub-b takes over within 10 s of hub-a's kill -9, and that hub-a, started again,
 * stands by naming hub-b. Published ports are on 127.0.0.1 only; the remote entries point at a
 * container's own loopback. Everything it creates is removed at the end (containers, network,
 * volumes), and dockerd is stopped when this test started it; the images are kept as the cache of
 * the next run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRiohubImage, composeDown, DOCKER, ensureDocker } from './docker-engine';
import { run, signIn, waitFor } from './processes';

const root = resolve(import.meta.dirname, '../..');
const IMAGE = 'riohub-test/riohub:latest';
const project = `riohubpair${process.pid}`;
const ADMIN_PASSWORD = 'container-pair-test-admin-pw';
const composeEnv: NodeJS.ProcessEnv = {
  ...process.env,
  DOCKER_BUILDKIT: '0',
  COMPOSE_PROJECT_NAME: project,
  RIOHUB_IMAGE: IMAGE,
  // Any free port, on loopback only.
  RIOHUB_PUBLISH_A: '127.0.0.1:',
  RIOHUB_PUBLISH_B: '127.0.0.1:',
  RIOHUB_SECRET_KEY: randomBytes(32).toString('base64'),
  RIOHUB_POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
  RIOHUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
};
const compose = (...args: string[]) => run('docker-compose', ['-f', 'docker-compose.pair.yml', ...args], { cwd: root, env: composeEnv, timeoutMs: 300_000 });
const docker = (...args: string[]) => run(DOCKER, args, { cwd: root, env: composeEnv });
const container = (service: string) => compose('ps', '-q', service).trim();
const health = (id: string) => docker('inspect', '-f', '{{.State.Health.Status}}', id).trim();
/** Where a hub is published now (a container started again may be given another port). */
const published = (service: string) => {
  const address = compose('port', service, '8080').trim();
  expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  return `http://${address}`;
};

type Api = Awaited<ReturnType<typeof signIn>>;
interface Hub {
  role: 'active' | 'inactive';
  pair?: { active: boolean; since: number; activeHub?: { instanceId: string; name: string; since: number } };
}
const hubOf = async (api: Api) => {
  const { status, body } = await api<{ ok: boolean; data: Hub }>('/api/hub');
  expect(status).toBe(200);
  return body.data;
};

let engine: { stop(): void } | undefined;
let composeStarted = false;

beforeAll(() => {
  engine = ensureDocker(root);
  buildRiohubImage(root, composeEnv, IMAGE);
  composeEnv['RIOHUB_POSTGRES_IMAGE'] = run('bash', ['scripts/container-postgres-image.sh'], { cwd: root, env: composeEnv, timeoutMs: 600_000 }).trim();
  composeStarted = true;
  // Waits for postgres's healthcheck, then hub-a's, before starting what depends on them.
  compose('up', '-d', '--no-build');
});

afterAll(() => {
  if (composeStarted) composeDown(root, 'docker-compose.pair.yml', composeEnv);
  engine?.stop();
});

describe('docker-compose.pair.yml: two hubs on one PostgreSQL database', () => {
  it('starts postgres, hub-a and hub-b, and each one passes its healthcheck', async () => {
    for (const service of ['postgres', 'hub-a', 'hub-b']) {
      const id = container(service);
      await waitFor(`${service} healthy`, () => (health(id) === 'healthy' ? true : undefined), 120_000);
    }
    // The database runs as postgres, with its data in the volume; password authentication over the network.
    const db = container('postgres');
    expect(docker('exec', db, 'sh', '-c', 'stat -c %U /proc/$(head -1 /var/lib/postgresql/data/postmaster.pid)').trim()).toBe('postgres');
    const wrong = spawnSync(DOCKER, ['exec', '-e', 'PGPASSWORD=wrong', db, 'sh', '-c', 'psql -h "$(hostname -i)" -U riohub -d riohub -c "select 1"'], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed for user "riohub"/);
    const mounts = JSON.parse(docker('inspect', '-f', '{{json .Mounts}}', db)) as { Type: string; Destination: string; Name?: string }[];
    expect(mounts).toContainEqual(expect.objectContaining({ Type: 'volume', Destination: '/var/lib/postgresql/data', Name: `${project}_postgres-data` }));
    expect(docker('exec', db, 'stat', '-c', '%U', '/var/lib/postgresql/data/PG_VERSION').trim()).toBe('postgres');
  });

  it('elects hub-a, which starts first, and hub-b stands by naming it', async () => {
    const a = await signIn(published('hub-a'), 'admin', ADMIN_PASSWORD);
    const b = await signIn(published('hub-b'), 'admin', ADMIN_PASSWORD);
    expect(await hubOf(a)).toMatchObject({ role: 'active', pair: { active: true, activeHub: { name: 'hub-a:8080' } } });
    // A standby reads the active hub's record every 2 s.
    const standby = await waitFor('hub-b standing by, naming hub-a', async () => {
      const hub = await hubOf(b);
      return hub.pair?.activeHub?.name === 'hub-a:8080' ? hub : undefined;
    }, 15_000);
    expect(standby).toMatchObject({ role: 'inactive', pair: { active: false } });
  });

  it('lists a remote entry made on either hub on the other one too (one shared store)', async () => {
    const hubs = { 'hub-a': await signIn(published('hub-a'), 'admin', ADMIN_PASSWORD), 'hub-b': await signIn(published('hub-b'), 'admin', ADMIN_PASSWORD) };
    for (const [maker, other] of [['hub-a', 'hub-b'], ['hub-b', 'hub-a']] as const) {
      // Nothing listens there: a container's own loopback, a port nobody serves.
      const name = `made-on-${maker}`;
      const made = await hubs[maker]<{ ok: boolean }>('/api/remotes', { method: 'POST', body: { name, host: '127.0.0.1', port: 9, tls: 'http', password: 'not-a-real-remote' } });
      expect(made).toMatchObject({ status: 201, body: { ok: true } });
      const listed = await waitFor(`${name} listed by ${other}`, async () => {
        const { body } = await hubs[other]<{ data: { name: string; host: string; port: number }[] }>('/api/remotes');
        return body.data.find((remote) => remote.name === name);
      }, 10_000);
      expect(listed).toMatchObject({ host: '127.0.0.1', port: 9 });
    }
  });

  it('hands over to hub-b within 10 s of hub-a\'s kill -9, and hub-a started again stands by', async () => {
    const b = await signIn(published('hub-b'), 'admin', ADMIN_PASSWORD);
    const hubA = container('hub-a');
    docker('kill', hubA);
    const killedAt = Date.now();
    const active = await waitFor('hub-b active after hub-a was killed', async () => {
      const hub = await hubOf(b);
      return hub.pair?.active === true ? hub : undefined;
    }, 10_000);
    console.log(`container pair test: hub-b active ${Date.now() - killedAt} ms after hub-a's kill -9`);
    expect(active).toMatchObject({ role: 'active', pair: { active: true, activeHub: { name: 'hub-b:8080' } } });

    docker('start', hubA);
    await waitFor('hub-a healthy again', () => (health(hubA) === 'healthy' ? true : undefined), 60_000);
    const a = await signIn(published('hub-a'), 'admin', ADMIN_PASSWORD);
    const standby = await waitFor('hub-a standing by, naming hub-b', async () => {
      const hub = await hubOf(a);
      return hub.pair?.activeHub?.name === 'hub-b:8080' ? hub : undefined;
    }, 15_000);
    expect(standby).toMatchObject({ role: 'inactive', pair: { active: false } });
    expect(await hubOf(b)).toMatchObject({ role: 'active', pair: { active: true } });
  });
});
