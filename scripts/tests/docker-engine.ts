/**
 * What the container tests share: a Docker engine (started by scripts/ensure-docker.sh when none
 * answers, and stopped again only by the test that started it), the riohub image built from this
 * repository on the debootstrap base image, and a compose project taken down with its volumes.
 */
import { spawnSync } from 'node:child_process';
import { run } from './processes';

export const DOCKER = process.env['DOCKER'] ?? '/usr/bin/docker';

/** A Docker engine that answers; `stop` stops dockerd when this started it, after its containers. */
export function ensureDocker(root: string): { stop(): void } {
  const ensure = spawnSync('bash', ['scripts/ensure-docker.sh'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
  if (ensure.status !== 0) throw new Error("no Docker engine: see scripts/ensure-docker.sh's message above");
  const started = /started (\d+)/.exec(ensure.stdout.toString());
  const pid = started?.[1] ? Number(started[1]) : undefined;
  return {
    stop() {
      if (pid === undefined) return;
      process.kill(pid, 'SIGTERM');
      // dockerd stops its containers first; bounded by the timeout of `docker-compose down` before it.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && spawnSync('kill', ['-0', String(pid)]).status === 0) spawnSync('sleep', ['0.5']);
    },
  };
}

/**
 * Builds `image` from the repository's Dockerfile on the base image (made once, see
 * scripts/container-base-image.sh) and returns the base image's name. With nothing changed since
 * the last build, every layer is cached.
 */
export function buildRiohubImage(root: string, env: NodeJS.ProcessEnv, image: string): string {
  const base = run('bash', ['scripts/container-base-image.sh'], { cwd: root, env, timeoutMs: 600_000 }).trim();
  run(DOCKER, ['build', '-q', '-t', image, '--build-arg', `BUILD_IMAGE=${base}`, '--build-arg', `BASE_IMAGE=${base}`, '.'], { cwd: root, env, timeoutMs: 900_000 });
  return base;
}

/** Takes a compose project down with its volumes; a failure is said, not thrown (it runs in `afterAll`). */
export function composeDown(root: string, file: string, env: NodeJS.ProcessEnv): void {
  const down = spawnSync('docker-compose', ['-f', file, 'down', '--volumes', '--remove-orphans', '--timeout', '15'], { cwd: root, env, stdio: 'inherit', timeout: 120_000 });
  if (down.status !== 0) console.error(`docker-compose -f ${file} down failed (project ${env['COMPOSE_PROJECT_NAME']})`);
}
