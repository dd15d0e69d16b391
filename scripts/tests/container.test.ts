/**
 * The container image and docker-compose.yml in a real Docker engine: builds the image from this
 * repository's Dockerfile (on a Debian base image made here with debootstrap, as no image registry
 * is reachable), starts the compose topology (two simulators, a site hub, a top hub), waits for
 * every healthcheck, and follows a write made at the top hub down to a simulator. Published ports
 * are on 127.0.0.1 only. Everything it creates is removed at the end (containers, network,
 * volumes), and dockerd is stopped when this test started it; the base image and the built image
 * are kept as the cache of the next run.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRiohubImage, composeDown, DOCKER, ensureDocker } from './docker-engine';
import { run, signIn, waitFor } from './processes';

const root = resolve(import.meta.dirname, '../..');
const IMAGE = 'riohub-test/riohub:latest';
const project = `riohubtest${process.pid}`;
const ADMIN_PASSWORD = 'container-test-admin-pw';
const SIM_PASSWORD = 'container-test-sim-pw';
const composeEnv = {
  ...process.env,
  DOCKER_BUILDKIT: '0',
  COMPOSE_PROJECT_NAME: project,
  RIOHUB_IMAGE: IMAGE,
  // Any free port, on loopback only.
  RIOHUB_PUBLISH: '127.0.0.1:',
  RIOHUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
  RIOHUB_SIM_PASSWORD: SIM_PASSWORD,
  RIOHUB_SITE_API_PASSWORD: 'container-test-site-pw',
};
const compose = (...args: string[]) => run('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: root, env: composeEnv, timeoutMs: 300_000 });
const docker = (...args: string[]) => run(DOCKER, args, { cwd: root, env: composeEnv });
const SERVICES = ['sim-lobby', 'sim-floor2', 'site-hub', 'top-hub'];
const container = (service: string) => compose('ps', '-q', service).trim();

let engine: { stop(): void } | undefined;
let composeStarted = false;
let topHub = '';

beforeAll(() => {
  engine = ensureDocker(root);
  buildRiohubImage(root, composeEnv, IMAGE);
  composeStarted = true;
  // Waits for the simulators' and the site hub's healthchecks before starting what depends on them.
  compose('up', '-d', '--no-build');
  const published = compose('port', 'top-hub', '8080').trim();
  expect(published).toMatch(/^127\.0\.0\.1:\d+$/);
  topHub = `http://${published}`;
});

afterAll(() => {
  if (composeStarted) composeDown(root, 'docker-compose.yml', composeEnv);
  engine?.stop();
});

describe('the container image and docker-compose.yml', () => {
  it('starts every service, and each one passes its healthcheck', async () => {
    for (const service of SERVICES) {
      const id = container(service);
      await waitFor(`${service} healthy`, () => (docker('inspect', '-f', '{{.State.Health.Status}}', id).trim() === 'healthy' ? true : undefined), 120_000);
      expect(docker('inspect', '-f', '{{.HostConfig.RestartPolicy.Name}}', id).trim()).toBe('unless-stopped');
    }
  });

  it('runs the hub as a non-root user under an init process, with its data in the volume /data', () => {
    const id = container('top-hub');
    expect(docker('exec', id, 'id', '-un').trim()).toBe('riohub');
    expect(docker('exec', id, 'cat', '/proc/1/cmdline').split('\0')[0]).toMatch(/tini$/);
    const mounts = JSON.parse(docker('inspect', '-f', '{{json .Mounts}}', id)) as { Type: string; Destination: string; Name?: string }[];
    expect(mounts).toContainEqual(expect.objectContaining({ Type: 'volume', Destination: '/data', Name: `${project}_top-hub-data` }));
    expect(docker('exec', id, 'ls', '/data')).toMatch(/\S/);
  });

  it('shows both simulators at the top hub, through the site hub, with no clicks', async () => {
    const page = await fetch(`${topHub}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script[^>]+src="[^"]+\.js"/);
    const api = await signIn(topHub, 'admin', ADMIN_PASSWORD);
    for (const site of ['site1.lobby.dummy.light', 'site1.floor2.dummy.light']) {
      const total = await waitFor(`points under ${site} at the top hub`, async () => {
        const { body } = await api<{ data: { total: number } }>(`/api/points?prefix=${site}`);
        return body.data.total > 0 ? body.data.total : undefined;
      });
      expect(total).toBeGreaterThan(0);
    }
  });

  it('takes a write at the top hub down to the simulator', async () => {
    const api = await signIn(topHub, 'admin', ADMIN_PASSWORD);
    const value = `from the top hub ${process.pid}`;
    const written = await api<{ ok: boolean; data: { status: string } }>('/api/writes', { method: 'POST', body: { name: 'site1.lobby.virtual.1', value } });
    expect(written).toMatchObject({ status: 200, body: { ok: true, data: { status: 'applied' } } });
    // Read at the simulator itself, inside its container, from its own Remote I/O API.
    const read = `fetch('http://127.0.0.1:9443/x/rioget?1*1*' + process.env.RIOHUB_SIM_PASSWORD).then((r) => r.json()).then((j) => console.log(j.hsycostate.io['virtual.1']))`;
    const atSimulator = await waitFor('the written value at the lobby simulator', () => {
      const seen = docker('exec', container('sim-lobby'), 'node', '-e', read).trim();
      return seen === value ? seen : undefined;
    }, 30_000);
    expect(atSimulator).toBe(value);
  });
});
