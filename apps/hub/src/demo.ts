/**
 * `--demo`: two simulators as child processes on free loopback ports, `lobby` (small) and `floor2`
 * (larger), connected as remotes when no remote is configured yet. Their certificates and the
 * shared password are kept, so later starts find them again; ports change and are followed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_REMOTE_OPTIONS, type RemoteSettings } from '@riohub/hub-api';
import { fingerprintOf } from '@riohub/certificate';
import { spawnSim, type SimProcess } from '@riohub/sim-launcher';
import { SecretBox } from './db/secret-box';
import { readMeta, secretBoxOf, writeMeta, type Store } from './db/store';
import type { RemoteRepo } from './remotes/remote-repo';

const DEMO_SIMULATORS = [
  { name: 'lobby', args: ['--lights', '8', '--dimmers', '4', '--shutters', '2', '--sensors', '3', '--changes-per-second', '1'] },
  { name: 'floor2', args: ['--lights', '40', '--dimmers', '20', '--shutters', '10', '--sensors', '12', '--changes-per-second', '4'] },
];

export interface Demo {
  stop(): Promise<void>;
}

export async function startDemo(store: Store, repo: RemoteRepo, dataDir: string): Promise<Demo> {
  const password = await demoPassword(store);
  const sims: SimProcess[] = [];
  try {
    for (const { name, args } of DEMO_SIMULATORS) {
      sims.push(
        await spawnSim(['--name', name, ...args], {
          dataDir: join(dataDir, 'demo', name),
          // The password travels in the environment, not on a command line that `ps` shows.
          env: { RIOHUB_SIM_PASSWORD: password },
        }),
      );
    }
  } catch (error) {
    await Promise.all(sims.map((sim) => sim.stop()));
    throw error;
  }

  const configureNew = (await repo.list()).length === 0;
  for (const [index, { name }] of DEMO_SIMULATORS.entries()) {
    const sim = sims[index] as SimProcess;
    const settings: RemoteSettings = {
      name,
      enabled: true,
      host: '127.0.0.1',
      port: Number(new URL(sim.url).port),
      tls: 'pin',
      fingerprint: fingerprintOf(sim.certificate ?? ''),
      // Both simulators log `energy` and `temperature`: the dashboard shows loggers out of the box.
      options: { ...DEFAULT_REMOTE_OPTIONS, ui: true, dataloggers: 'energy;temperature' },
    };
    const stored = await repo.get(name);
    if (stored?.demo) await repo.update({ ...stored.settings, port: settings.port, fingerprint: settings.fingerprint }, password);
    else if (!stored && configureNew) await repo.insert(settings, password as string, true);
  }

  return {
    async stop() {
      await Promise.all(sims.map((sim) => sim.stop()));
    },
  };
}

/**
 * The simulators' shared password, sealed like every stored secret. One stored in plain text by
 * an older hub is sealed now; one sealed under another key is replaced (the simulators take
 * whatever they are started with, and the demo remotes' entries need entering again anyway).
 */
async function demoPassword(store: Store): Promise<string> {
  const box = secretBoxOf(store);
  const stored = await readMeta(store, 'demo_password');
  try {
    if (stored) {
      const password = box.open(stored, 'demo');
      if (!SecretBox.isSealed(stored)) await writeMeta(store, 'demo_password', box.seal(password, 'demo'));
      return password;
    }
  } catch {
    // Sealed under another key: a new one below.
  }
  const password = randomBytes(18).toString('base64url');
  await writeMeta(store, 'demo_password', box.seal(password, 'demo'));
  return password;
}
