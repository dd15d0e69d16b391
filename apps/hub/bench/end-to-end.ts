// Benchmark: simulators → hub → WebSocket clients, all on this machine. Prints end-to-end change
// rates, change-to-browser latency at 1,000 and 10,000 changes/s, first full sync of 100,000 and
// 1,000,000 datapoints, and the hub's resident memory per datapoint. Run with `pnpm bench`.
import os from 'node:os';
import { RioTestClient, spawnHub, spawnSim, type SimProcess } from '@riohub/testkit';
import { HubClient } from '../src/testing/test-hub';
import { cpuSeconds, residentMiB, sleep, waitForPoints } from './lib/measure';
import { probeLatency, subscribed, sustainedRate } from './lib/riohub-stream';

const ADMIN_PASSWORD = 'bench-admin';
const SIM_PASSWORD = 'bench';

/** CPU seconds this process has used. */
function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** A probe written at a simulator changing `changesPerSecond` datapoints, measured at the browser for 8 s. */
async function latencyAt(admin: HubClient, changesPerSecond: number): Promise<string> {
  const figures = await probeLatency(admin, changesPerSecond, 10);
  return (
    `latency at ${changesPerSecond} changes/s: p50 ${figures.p50.toFixed(1)} ms, ` +
    `p99 ${figures.p99.toFixed(1)} ms over ${figures.probes} probes (target p99 ≤ 20 ms at 10,000/s); ` +
    `the browser received ${figures.delivered.toFixed(0)} point updates/s`
  );
}

/** Several busy simulators at once: what reaches one browser subscribed to everything, over 10 s. */
async function sustained(admin: HubClient, hubPid: number): Promise<string> {
  const figures = await sustainedRate(admin, 4, 40_000, 12, hubPid);
  return `sustained: 4 simulators offering 160,000 changes/s in all → ${figures.delivered.toFixed(0)} point updates/s delivered to a browser (target ≥ 100,000/s)`;
}

/**
 * First full sync of `remotes` × `perRemote` datapoints into a fresh hub, and the hub's memory for
 * them (resident set growth after the sync has settled, so it includes not-yet-collected garbage).
 */
async function fullSync(remotes: number, perRemote: number): Promise<string[]> {
  const sims: SimProcess[] = [];
  // BENCH_HUB_NODE_ARGS: options for the hub's Node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = process.env['BENCH_HUB_NODE_ARGS']?.split(' ').filter(Boolean);
  const hub = await spawnHub(ADMIN_PASSWORD, { nodeArgs });
  try {
    const admin = new HubClient(hub.url);
    await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
    const hubPid = hub.child.pid as number;
    // Started four at a time: two cores, and each start compiles the simulator's TypeScript.
    for (let i = 0; i < remotes; i += 4) {
      const batch = Math.min(4, remotes - i);
      sims.push(
        ...(await Promise.all(
          Array.from({ length: batch }, () =>
            spawnSim(['--password', SIM_PASSWORD, '--lights', String(perRemote), '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0', '--system', 'false']),
          ),
        )),
      );
    }
    // Each simulator answers full states before the clock starts: a fresh process's first answer
    // costs it 20–40 ms of compiling (2–4 s of the two cores for 100 of them), which a real server,
    // running for days, does not pay. The load source must not be what is measured. Read as the
    // hub's link reads them (datapoints only), twice: with one read of both sections, the
    // simulators' work on the hub's read was still cold, and they used 9–15 s of CPU during the
    // sync, against 3.2–4.0 s so (six runs and two, one day).
    for (const sim of sims) {
      const direct = new RioTestClient(sim.url, sim.certificate);
      for (let read = 0; read < 2; read++) await direct.get(`/x/rioget?2*1*${SIM_PASSWORD}*io`);
      await direct.close();
    }
    await sleep(2_000);
    const before = (await admin.data<{ points: number }>('GET', '/api/hub')).points;
    const rssBefore = residentMiB(hubPid);
    // Where the time goes: CPU each side used meanwhile, and the machine's load.
    const simsCpu = () => sims.reduce((sum, sim) => sum + cpuSeconds(sim.child.pid as number), 0);
    const cpuBefore = { hub: cpuSeconds(hubPid), sims: simsCpu(), client: ownCpuSeconds() };
    const load = os.loadavg()[0] as number;
    const started = performance.now();
    for (const [i, sim] of sims.entries()) await admin.addSim(`sync${remotes}x${i}`, sim, SIM_PASSWORD, { discovery: false });
    const addedMs = performance.now() - started;
    const total = remotes * perRemote;
    await waitForPoints(admin, before + total);
    const syncMs = performance.now() - started;
    const syncCpu = { hub: cpuSeconds(hubPid) - cpuBefore.hub, sims: simsCpu() - cpuBefore.sims, client: ownCpuSeconds() - cpuBefore.client };
    await sleep(5_000);
    const rssAfter = residentMiB(hubPid);
    const socket = await admin.socket();
    let bytes = 0;
    // Some messages kept to time JSON.parse alone afterwards: what any browser must spend on the text.
    const sample: Buffer[] = [];
    socket.ws.on('message', (data: Buffer) => {
      bytes += data.length;
      if (sample.length < 20) sample.push(data);
    });
    const snapshotCpuBefore = { hub: cpuSeconds(hubPid), client: ownCpuSeconds() };
    const snapshotLoad = os.loadavg()[0] as number;
    const snapshotMs = await subscribed(socket, ['']);
    const snapshotCpu = { hub: cpuSeconds(hubPid) - snapshotCpuBefore.hub, client: ownCpuSeconds() - snapshotCpuBefore.client };
    socket.close();
    const parseStarted = performance.now();
    let sampleBytes = 0;
    for (const data of sample) {
      JSON.parse(data.toString());
      sampleBytes += data.length;
    }
    const parseSeconds = ((performance.now() - parseStarted) / 1000) * (bytes / sampleBytes);
    const s = (seconds: number) => `${seconds.toFixed(1)} s`;
    return [
      `first full sync of ${total.toLocaleString('en')} datapoints from ${remotes} remote(s): ${(syncMs / 1000).toFixed(1)} s`,
      `  stages: ${remotes} remote(s) added one POST after another in ${s(addedMs / 1000)}, the last point ${s((syncMs - addedMs) / 1000)} after; ` +
        `CPU meanwhile: hub ${s(syncCpu.hub)}, simulators ${s(syncCpu.sims)}, this client ${s(syncCpu.client)}, of the ${s((2 * syncMs) / 1000)} two cores had; load average ${load.toFixed(1)}`,
      `hub resident memory: ${rssBefore.toFixed(0)} MiB → ${rssAfter.toFixed(0)} MiB, ${(((rssAfter - rssBefore) * 1024 * 1024) / total).toFixed(0)} bytes per datapoint`,
      `snapshot of ${total.toLocaleString('en')} points to a new browser: ${(snapshotMs / 1000).toFixed(1)} s`,
      `  stages: ${(bytes / 1e6).toFixed(0)} MB of JSON; CPU meanwhile: hub ${s(snapshotCpu.hub)} (writing and sending), ` +
        `this client ${s(snapshotCpu.client)} (receiving, parsing and keeping every point, as a browser would; ` +
        `JSON.parse of the text alone ${s(parseSeconds)}); load average ${snapshotLoad.toFixed(1)}`,
    ];
  } finally {
    await hub.stop();
    await Promise.all(sims.map((sim) => sim.stop()));
  }
}

// BENCH_ONLY=sync runs the full syncs alone (BENCH_ONLY=sync1m: the 1,000,000 one alone); by default, everything.
const only = process.env['BENCH_ONLY'] ?? '';
console.log(`hub end to end (simulators, hub and browser client on one machine):`);
if (only === '') {
  const hub = await spawnHub(ADMIN_PASSWORD);
  try {
    const admin = new HubClient(hub.url);
    await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
    console.log(await latencyAt(admin, 1_000));
    console.log(await latencyAt(admin, 10_000));
    console.log(await sustained(admin, hub.child.pid as number));
  } finally {
    await hub.stop();
  }
}
if (only !== 'sync1m') for (const line of await fullSync(1, 100_000)) console.log(line);
for (const line of await fullSync(100, 10_000)) console.log(line);
