// Benchmark: each fault of the fault suite once, against a hub running as a process of its own
// (simulator → fault proxy → hub; then simulator → proxy → site hub → top hub): the time until
// the remote is shown offline with every point stale, the time from healing until the hub's tree
// equals the simulator's exactly, and the hub's resident memory (RSS, from /proc, sampled every
// 50 ms) before the fault, at its peak, and after convergence. Run with `pnpm bench faults`.
import { spawnHub, waitForConvergence, waitUntil, type HubProcess } from '@riohub/testkit';
import { Agent } from 'undici';
import {
  CONVERGENCE_BOUND_MS,
  CUT_AFTER_BYTES,
  changeAtSim,
  hubTree,
  OFFLINE_BOUND_MS,
  PROXY_FAULTS,
  runKillRestart,
  runProxyFault,
  simState,
  startRig,
  waitOfflineAndStale,
  type FaultTimes,
} from '../src/links/fault-scenarios';
import { HubClient } from '../src/testing/test-hub';
import { residentMiB } from './lib/measure';

const ADMIN_PASSWORD = 'bench-faults-admin';
const SITE_API_PASSWORD = 'bench-faults-site';

interface Row extends FaultTimes {
  fault: string;
  rss: { before: number; peak: number; after: number };
}

/** Samples a process's RSS while `run` runs: before, peak, after. */
async function withMemory<T>(pid: number, run: () => Promise<T>): Promise<{ result: T; rss: Row['rss'] }> {
  const before = residentMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, residentMiB(pid))), 50);
  try {
    const result = await run();
    const after = residentMiB(pid);
    return { result, rss: { before, peak: Math.max(peak, after), after } };
  } finally {
    clearInterval(sampler);
  }
}

async function signedIn(hub: HubProcess): Promise<{ client: HubClient; agent: Agent | undefined }> {
  const agent = hub.certificate ? new Agent({ connect: { ca: hub.certificate } }) : undefined;
  const client = new HubClient(hub.url, agent);
  const result = await client.call('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
  if (!result.body.ok) throw new Error(`sign-in failed: ${result.body.error.message}`);
  return { client, agent };
}

/** One fault against a fresh hub process and simulator. */
async function oneLevel(fault: string, run: (rig: Awaited<ReturnType<typeof startRig>>) => Promise<FaultTimes>): Promise<Row> {
  const hub = await spawnHub(ADMIN_PASSWORD);
  const { client } = await signedIn(hub);
  const rig = await startRig(client, 'site');
  try {
    const pid = hub.child.pid as number;
    const { result, rss } = await withMemory(pid, () => run(rig));
    return { fault, ...result, rss };
  } finally {
    await rig.close();
    await hub.stop();
  }
}

/** A reset below a site hub; offline and convergence seen at the top hub. The site hub's memory. */
async function twoLevels(): Promise<Row> {
  const site = await spawnHub(ADMIN_PASSWORD, { args: ['--tls'] });
  const top = await spawnHub(ADMIN_PASSWORD);
  const siteClient = await signedIn(site);
  const { client: topClient } = await signedIn(top);
  const rig = await startRig(siteClient.client, 'lobby');
  try {
    await siteClient.client.data('PUT', '/api/hub/served-api', { password: SITE_API_PASSWORD, address: '127.0.0.1', control: true });
    await topClient.addSim('site1', { url: site.url, certificate: site.certificate }, SITE_API_PASSWORD);
    const ownPoints = (key: string) => /^io:site1\.lobby\.(connection|time\.delta|time\.alarm)$/.test(key);
    const atTop = hubTree(topClient, 'site1.lobby.');
    const simAsTop = simState(rig, 'site1.lobby.');
    await waitForConvergence(simAsTop, atTop, { timeoutMs: CONVERGENCE_BOUND_MS, ignore: ownPoints });
    const { result, rss } = await withMemory(site.child.pid as number, async () => {
      const faultAt = performance.now();
      rig.proxy.setMode({ kind: 'reset', afterBytes: CUT_AFTER_BYTES });
      await changeAtSim(rig);
      await waitOfflineAndStale(siteClient.client, 'lobby');
      await waitUntil(async () => (await topClient.point('site1.lobby.connection', 'io')).value === 'offline', OFFLINE_BOUND_MS, 'offline at the top');
      const offlineMs = performance.now() - faultAt;
      await changeAtSim(rig);
      const healAt = performance.now();
      rig.proxy.setMode({ kind: 'pass' });
      await waitForConvergence(simAsTop, atTop, { timeoutMs: CONVERGENCE_BOUND_MS, ignore: ownPoints });
      return { offlineMs, convergedMs: performance.now() - healAt };
    });
    return { fault: 'reset, two levels (at the top)', ...result, rss };
  } finally {
    await rig.close();
    await top.stop();
    await site.stop();
    await siteClient.agent?.close();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const failures: string[] = [];
  const attempt = async (name: string, run: () => Promise<Row>) => {
    process.stderr.write(`fault: ${name}…\n`);
    try {
      rows.push(await run());
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split('\n').slice(0, 4).join(' | ')}`);
    }
  };
  for (const fault of PROXY_FAULTS) await attempt(fault.name, () => oneLevel(fault.name, (rig) => runProxyFault(rig, fault.mode)));
  await attempt('kill -9, restart with other points', () => oneLevel('kill -9, restart with other points', runKillRestart));
  await attempt('reset, two levels', twoLevels);

  const seconds = (ms: number) => (ms / 1000).toFixed(2).padStart(8);
  const mb = (value: number) => value.toFixed(0).padStart(6);
  console.log('\nFaults between a hub process and a simulator (TLS through the fault proxy); hub RSS in MB');
  console.log(`${'fault'.padEnd(38)}${'offline+stale s'.padStart(16)}${'converged s'.padStart(13)}${'RSS before'.padStart(12)}${'peak'.padStart(7)}${'after'.padStart(7)}`);
  for (const row of rows) {
    console.log(
      `${row.fault.padEnd(38)}${seconds(row.offlineMs).padStart(16)}${seconds(row.convergedMs).padStart(13)}${mb(row.rss.before).padStart(12)}${mb(row.rss.peak).padStart(7)}${mb(row.rss.after).padStart(7)}`,
    );
  }
  console.log(`bounds: offline within ${OFFLINE_BOUND_MS / 1000} s, convergence within ${CONVERGENCE_BOUND_MS / 1000} s of healing`);
  for (const failure of failures) console.log(`FAILED ${failure}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
