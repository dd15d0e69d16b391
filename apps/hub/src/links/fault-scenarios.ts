/**
 * Fault scenarios shared by the fault tests and `pnpm bench faults`: a hub's remote reached through
 * a fault proxy in front of a real simulator (TLS terminated with the simulator's own certificate,
 * which the hub pins), a fault applied, the remote shown offline with its points stale, values
 * changed at the simulator meanwhile, the fault healed, and the hub's tree compared with the
 * simulator's until they are equal.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FaultProxy,
  readHubTree,
  readServerState,
  RioTestClient,
  spawnSim,
  waitForConvergence,
  waitUntil,
  type FaultMode,
  type SimProcess,
  type Snapshot,
} from '@riohub/testkit';
import { POLL_TIMEOUT_MS } from './remote-client';
import type { HubClient } from '../testing/test-hub';

export const SIM_PASSWORD = 'fault-sim-pw';
export const SIM_ARGS = ['--password', SIM_PASSWORD, '--lights', '4', '--dimmers', '2', '--shutters', '0', '--sensors', '1', '--virtuals', '2'];
/** What the restarted simulator has instead: two lights fewer, two text points more. */
export const CHANGED_SIM_ARGS = ['--lights', '2', '--virtuals', '4'];
/** The hub's default cap on one answer (another change adds it); the oversized answer is 1 MiB more. */
export const DEFAULT_ANSWER_CAP_BYTES = 64 * 1024 * 1024;
/** Inside the body of every answer the simulator gives: past the ~170 bytes of headers, short of the end. */
export const CUT_AFTER_BYTES = 200;

/**
 * Bounds, all from the protocol: a poll with no answer fails after POLL_TIMEOUT_MS; after a
 * failure the link waits its backoff (a few seconds after the few failures a short fault causes)
 * and reads the full state. Generous, since CI shares two cores.
 */
export const OFFLINE_BOUND_MS = POLL_TIMEOUT_MS + 12_000;
export const CONVERGENCE_BOUND_MS = POLL_TIMEOUT_MS + 30_000;

export interface FaultCase {
  name: string;
  mode: FaultMode;
}

export const PROXY_FAULTS: readonly FaultCase[] = [
  { name: 'blackhole', mode: { kind: 'blackhole' } },
  { name: 'reset mid-answer', mode: { kind: 'reset', afterBytes: CUT_AFTER_BYTES } },
  { name: 'truncation', mode: { kind: 'truncate', afterBytes: CUT_AFTER_BYTES } },
  { name: 'garbage with 200', mode: { kind: 'garbage' } },
  // 5 bytes every 250 ms: even the shortest answer (~300 bytes with its headers) takes 15 s, past the hub's wait for its end.
  { name: 'trickle', mode: { kind: 'trickle', bytesPerTick: 5, intervalMs: 250 } },
  // Chunked, with no length announced: only counting the bytes as they stream can stop it.
  { name: 'oversized', mode: { kind: 'oversized', bytes: DEFAULT_ANSWER_CAP_BYTES + 1024 * 1024, chunked: true } },
];

export interface Rig {
  /** The remote's entry name, the prefix of its points: `<remote>.`. */
  remote: string;
  hub: HubClient;
  proxy: FaultProxy;
  sim: SimProcess;
  /** An independent client of the simulator, with its certificate pinned. */
  direct: RioTestClient;
  /** Every simulator and client started for it (restarts too), stopped by close(). */
  readonly owned: { sims: SimProcess[]; clients: RioTestClient[] };
  close(): Promise<void>;
}

/** A simulator behind a fault proxy, added to `hub` as `remote`; resolves once it is online. */
export async function startRig(hub: HubClient, remote: string, simArgs: readonly string[] = SIM_ARGS): Promise<Rig> {
  const first = await spawnSim(simArgs);
  const owned = { sims: [first], clients: [] as RioTestClient[] };
  const cert = first.certificate as string;
  const proxy = await FaultProxy.start({
    upstreamPort: Number(new URL(first.url).port),
    tls: { cert, key: readFileSync(join(first.dataDir, 'key.pem'), 'utf8') },
  });
  const direct = new RioTestClient(first.url, cert);
  owned.clients.push(direct);
  const rig: Rig = {
    remote,
    hub,
    proxy,
    sim: first,
    direct,
    owned,
    async close() {
      await proxy.close();
      await Promise.all(owned.clients.map((client) => client.close()));
      // The latest first: the first one owns the data folder the others reuse.
      for (const sim of [...owned.sims].reverse()) await sim.stop('SIGKILL');
    },
  };
  try {
    // The hub pins the simulator's certificate, and the proxy presents exactly that one.
    await hub.addSim(remote, { url: proxy.url, certificate: cert }, SIM_PASSWORD);
    await waitUntil(async () => (await hub.remote(remote)).status.connection === 'online', 30_000, `${remote} online`);
  } catch (error) {
    await rig.close();
    throw error;
  }
  return rig;
}

/** Kills the simulator with SIGKILL and starts another on the same port and data folder with `args`. */
export async function killAndRestart(rig: Rig, args: readonly string[], whileDown?: () => Promise<void>): Promise<void> {
  const { child } = rig.sim;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  await whileDown?.();
  const port = new URL(rig.sim.url).port;
  const next = await spawnSim([...SIM_ARGS, ...args, '--port', port], { dataDir: rig.sim.dataDir });
  const direct = new RioTestClient(next.url, next.certificate);
  rig.owned.sims.push(next);
  rig.owned.clients.push(direct);
  rig.sim = next;
  rig.direct = direct;
}


/** What the hub shows of a remote that is down: its status, its own `connection` point, its points. */
export async function offlineView(hub: HubClient, remote: string): Promise<{ status: string; connection: string; points: number; stale: number }> {
  const [view, connection, tree] = await Promise.all([
    hub.remote(remote),
    hub.point(`${remote}.connection`, 'hub'),
    readHubTree((path) => hub.data('GET', path), `${remote}.`),
  ]);
  const stale = [...tree.values()].filter((point) => point.stale).length;
  return { status: view.status.connection, connection: connection.value, points: tree.size, stale };
}

/** Resolves once the remote is offline in its status and its own point, and every point of it is stale. */
export async function waitOfflineAndStale(hub: HubClient, remote: string, timeoutMs = OFFLINE_BOUND_MS): Promise<void> {
  await waitUntil(
    async () => {
      const view = await offlineView(hub, remote);
      return view.status === 'offline' && view.connection === 'offline' && view.points > 0 && view.stale === view.points;
    },
    timeoutMs,
    `${remote} offline with every point stale`,
  );
}

let changeCounter = 0;

/**
 * Changes datapoints at the simulator itself, through its own API: a light, a dimmer, a text, each
 * to a value other than its own now (cases run side by side: the values follow this simulator).
 */
export async function changeAtSim(rig: Rig): Promise<void> {
  changeCounter++;
  const now = await readServerState(rig.direct, SIM_PASSWORD, { prefix: '' });
  const light = now.get('io:dummy.light.1')?.value === '1' ? '0' : '1';
  const dimmer = (Number(now.get('io:dummy.dimmer.1')?.value ?? 0) + 37) % 101;
  const writes = `dummy.light.1*${light}*dummy.dimmer.1*${dimmer}*virtual.1*${encodeURIComponent(`changed ${changeCounter} ★`)}`;
  const response = await rig.direct.get(`/x/rioset?1*${SIM_PASSWORD}*${writes}`);
  if (response.status !== 200) throw new Error(`the simulator refused the change: ${response.status} ${response.body}`);
}

export function simState(rig: Rig, prefix = `${rig.remote}.`): () => Promise<Snapshot> {
  return () => readServerState(rig.direct, SIM_PASSWORD, { prefix });
}

export function hubTree(hub: HubClient, prefix: string): () => Promise<Snapshot> {
  return () => readHubTree((path) => hub.data('GET', path), prefix);
}

export interface FaultTimes {
  /** From the fault until the remote showed offline with every point stale. */
  offlineMs: number;
  /** From healing until the hub's tree equalled the simulator's, nothing stale. */
  convergedMs: number;
}

/**
 * One proxy fault, start to end: equal before, fault, offline and stale, a change at the
 * simulator, heal, equal again.
 */
export async function runProxyFault(rig: Rig, mode: FaultMode): Promise<FaultTimes> {
  await waitForConvergence(simState(rig), hubTree(rig.hub, `${rig.remote}.`), { timeoutMs: CONVERGENCE_BOUND_MS });
  const faultAt = performance.now();
  rig.proxy.setMode(mode);
  // A change makes the simulator answer the held poll now, so faults on answers show at once.
  await changeAtSim(rig);
  await waitOfflineAndStale(rig.hub, rig.remote);
  const offlineMs = performance.now() - faultAt;
  await changeAtSim(rig);
  const healAt = performance.now();
  rig.proxy.setMode({ kind: 'pass' });
  await waitForConvergence(simState(rig), hubTree(rig.hub, `${rig.remote}.`), { timeoutMs: CONVERGENCE_BOUND_MS });
  return { offlineMs, convergedMs: performance.now() - healAt };
}

/** Kill -9, then a restart with other points: offline and stale, then exactly the new simulator's tree. */
export async function runKillRestart(rig: Rig): Promise<FaultTimes> {
  await waitForConvergence(simState(rig), hubTree(rig.hub, `${rig.remote}.`), { timeoutMs: CONVERGENCE_BOUND_MS });
  const faultAt = performance.now();
  let offlineMs = 0;
  await killAndRestart(rig, CHANGED_SIM_ARGS, async () => {
    await waitOfflineAndStale(rig.hub, rig.remote);
    offlineMs = performance.now() - faultAt;
  });
  const healAt = performance.now();
  await changeAtSim(rig);
  await waitForConvergence(simState(rig), hubTree(rig.hub, `${rig.remote}.`), { timeoutMs: CONVERGENCE_BOUND_MS });
  return { offlineMs, convergedMs: performance.now() - healAt };
}
