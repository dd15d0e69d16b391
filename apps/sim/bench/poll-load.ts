// Benchmark: the simulator as a load source. 100,000 datapoints changing 10,000 times a second,
// long-polled by several clients over HTTPS. Prints what each client received and what it cost
// the simulator (CPU, memory). Run with `pnpm bench`.
import { readFileSync } from 'node:fs';
import { decodeState } from '@riohub/protocol';
import { RioTestClient, spawnSim } from '@riohub/testkit';

const DATAPOINTS = 100_000;
const CHANGES_PER_SECOND = 10_000;
const CLIENTS = 4;
const DURATION_MS = 15_000;

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function residentMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) / 1024;
}

async function pollFor(client: RioTestClient, until: number) {
  const full = await client.get('/x/rioget?1*1*bench');
  let timestamp = decodeState(full.body).timestamp;
  let changes = 0;
  let polls = 0;
  const latencies: number[] = [];
  while (performance.now() < until) {
    const response = await client.get(`/x/rioget?1*${timestamp}*bench`);
    const state = decodeState(response.body);
    timestamp = state.timestamp;
    changes += state.io?.length ?? 0;
    polls++;
    latencies.push(response.elapsedMs);
  }
  latencies.sort((a, b) => a - b);
  return {
    fullStateMs: full.elapsedMs,
    fullStateBytes: full.body.length,
    changes,
    polls,
    p50: latencies[Math.floor(latencies.length / 2)] ?? 0,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

const sim = await spawnSim([
  '--password', 'bench',
  '--lights', String(DATAPOINTS),
  '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0',
  '--changes-per-second', String(CHANGES_PER_SECOND),
]);
const pid = sim.child.pid as number;
const clients = Array.from({ length: CLIENTS }, () => new RioTestClient(sim.url, sim.certificate));
try {
  const rssBefore = residentMiB(pid);
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  const results = await Promise.all(clients.map((client) => pollFor(client, started + DURATION_MS)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;

  console.log(`simulator: ${DATAPOINTS} datapoints, ${CHANGES_PER_SECOND} changes/s, ${CLIENTS} HTTPS clients, ${seconds.toFixed(1)} s`);
  console.log(`simulator memory: ${rssBefore.toFixed(0)} MiB resident at start, ${residentMiB(pid).toFixed(0)} MiB at end`);
  console.log(`simulator CPU: ${((cpu / seconds) * 100).toFixed(0)}% of one core`);
  results.forEach((r, i) => {
    console.log(
      `client ${i + 1}: full state ${(r.fullStateBytes / 1e6).toFixed(1)} MB in ${r.fullStateMs.toFixed(0)} ms; ` +
        `${(r.changes / seconds).toFixed(0)} changes/s in ${(r.polls / seconds).toFixed(0)} polls/s; ` +
        `poll latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
  });
} finally {
  await Promise.all(clients.map((client) => client.close()));
  await sim.stop();
}
