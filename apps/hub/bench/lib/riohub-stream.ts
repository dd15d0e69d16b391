// A change stream through riohub for the benches: simulators offer the load (processes of their
// own), the hub runs as its own process, and what arrives is measured at a dashboard WebSocket
// client, as a browser would receive it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSim, type SimProcess } from '@riohub/testkit';
import type { HubClient, HubSocket } from '../../src/testing/test-hub';
import { runBenchScript } from './bench-process';
import { coresUsed, onDeltas, percentile, sleep, waitForPoints, watchPauses, type Pause } from './measure';

export const SIM_PASSWORD = 'bench';

/** The stages a probe is seen at (trace-recorder.mjs), after its send and before its arrival. */
const STAGES = ['applied-at-server', 'answer-written', 'answer-received', 'answer-decoded', 'tree-applied', 'delta-sent'] as const;
/** What the time between one sighting and the next is spent on. */
const STAGE_NAMES = [
  'probe write → the simulator applied it',
  'simulator: applied → poll answer written (waits for the hub\'s next poll)',
  'on the wire: simulator → hub',
  'hub: decode the answer',
  'hub: apply to the tree',
  'hub: tree → WebSocket send',
  'on the wire: hub → client, and its parse',
] as const;

/**
 * The four hops every chain of the bench has, riohub's stages joined into them so that they stand
 * beside the bare chain's (chain-floor.ts): the server's answer, the wire to the concentrator, the
 * concentrator's own work, the wire to the client.
 */
export const HOP_NAMES = [
  'server: changed → poll answer written',
  'on the wire: server → concentrator',
  'concentrator: answer read whole → WebSocket send',
  'on the wire: concentrator → client, and its parse',
] as const;
/** Where each hop begins and ends among riohub's sightings (the change, STAGES, the arrival). */
const HOP_BOUNDS = [
  [1, 2],
  [2, 3],
  [3, 6],
  [6, 7],
] as const;

/**
 * The window with no poll held, in parts (trace-recorder.mjs): two as the server sees it, and
 * between them the concentrator's own turnaround as it sees it.
 */
const WINDOW_PARTS = ['poll-turnaround', 'concentrator-turnaround', 'poll-handled'] as const;
export const WINDOW_NAMES = [
  'an answer written → the next poll read by the server (the concentrator\'s turnaround, the wire)',
  'of which the concentrator\'s own: the answer read whole → the next poll written',
  'the poll read → held by the server (its handling of the request)',
] as const;

export interface StageFigures {
  stage: string;
  p50: number;
  p99: number;
}

/** The processes a probe goes through, as their pauses are named. */
type Role = 'simulator' | 'hub' | 'client';

/**
 * The environment that makes a simulator or a hub record where the probe is (RIOHUB_TRACE_DIR):
 * the recorder preloaded, the folder its files go to, and what the process is (its pauses' name).
 */
export function traceEnv(folder: string, role: Role): Record<string, string> {
  const recorder = fileURLToPath(new URL('./trace-recorder.mjs', import.meta.url));
  return { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${recorder}`.trim(), RIOHUB_TRACE_DIR: folder, RIOHUB_TRACE_ROLE: role };
}

/** How long to wait, after the last probe, for the recorders to have written what they saw (once a second: trace-recorder.mjs). */
export const RECORDER_WRITE_WAIT_MS = 1_200;

/** Every line the recorders wrote in `folder`, as `[stage, value, at]` (`at` on the trace clock). */
export function* traceLines(folder: string): Generator<[stage: string, value: string, at: number]> {
  for (const file of readdirSync(folder)) {
    for (const line of readFileSync(join(folder, file), 'utf8').split('\n')) {
      const [stage, value, at] = line.split(' ');
      if (stage && value && at) yield [stage, value, Number(at)];
    }
  }
}

export function traceFolder(): string {
  return mkdtempSync(join(tmpdir(), 'riohub-bench-trace-'));
}

/** How often a process paused for garbage collection while the probes went, and for how long. */
export interface PauseFigures {
  role: Role;
  perSecond: number;
  /** Milliseconds. */
  median: number;
  longest: number;
}

/**
 * Each probe's sightings joined across processes: the p50 and p99 of each stage, for probes seen
 * at every one; and of the whole way from the simulator's change (its write applied) to the client.
 * With the pauses of the three processes (the client's are this process's, `clientPauses`): how
 * often and how long, and the latency of the probes no pause of any of them overlapped.
 */
function stageBreakdown(
  folder: string,
  arrivals: ReadonlyMap<string, number>,
  clientPauses: readonly Pause[],
): {
  stages: StageFigures[];
  hops: StageFigures[];
  fromChange: StageFigures;
  pauses: PauseFigures[];
  untouched: ProbeFigures;
  pollHeld: ProbeFigures;
  noPollHeld: ProbeFigures;
  pollWindow: ProbeFigures[];
} {
  const sightings = new Map<string, Map<string, number[]>>();
  const pauses: (Pause & { role: Role })[] = clientPauses.map((pause) => ({ ...pause, role: 'client' }));
  /** The simulator's `poll-turnaround` and `poll-handled` lines and the hub's `concentrator-turnaround`: each a duration, and when. */
  const windowParts = new Map<string, { duration: number; at: number }[]>(WINDOW_PARTS.map((part) => [part, []]));
  for (const [stage, value, at] of traceLines(folder)) {
    if (stage.startsWith('gc:')) {
      pauses.push({ role: stage.slice('gc:'.length) as Role, duration: Number(value), start: at });
      continue;
    }
    const part = windowParts.get(stage);
    if (part) {
      part.push({ duration: Number(value), at });
      continue;
    }
    const byStage = sightings.get(value) ?? new Map<string, number[]>();
    byStage.set(stage, [...(byStage.get(stage) ?? []), at]);
    sightings.set(value, byStage);
  }
  const durations: number[][] = STAGE_NAMES.map(() => []);
  const hops: number[][] = HOP_NAMES.map(() => []);
  const fromChange: number[] = [];
  const untouched: number[] = [];
  const pollHeld: number[] = [];
  const noPollHeld: number[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const [value, arrived] of arrivals) {
    const times = [Number(value)];
    for (const stage of STAGES) {
      // The first sighting after the one before (a value can be seen again in a later full answer).
      const at = (sightings.get(value)?.get(stage) ?? []).filter((time) => time >= (times.at(-1) as number) - 0.5).sort((a, b) => a - b)[0];
      if (at === undefined) break;
      times.push(at);
    }
    if (times.length !== STAGES.length + 1) continue;
    times.push(arrived);
    const applied = times[1] as number;
    fromChange.push(arrived - applied);
    if (!pauses.some((pause) => pause.start < arrived && pause.start + pause.duration > applied)) untouched.push(arrived - applied);
    (sightings.get(value)?.has('no-poll-held') ? noPollHeld : pollHeld).push(arrived - applied);
    from = Math.min(from, applied);
    to = Math.max(to, arrived);
    for (let i = 0; i < STAGE_NAMES.length; i++) durations[i]?.push((times[i + 1] as number) - (times[i] as number));
    HOP_BOUNDS.forEach(([start, end], i) => hops[i]?.push((times[end] as number) - (times[start] as number)));
  }
  const seconds = (to - from) / 1000;
  const pauseFigures = (['simulator', 'hub', 'client'] as const).map((role): PauseFigures => {
    const lengths = pauses.filter((pause) => pause.role === role && pause.start >= from && pause.start <= to).map((pause) => pause.duration);
    lengths.sort((a, b) => a - b);
    return { role, perSecond: lengths.length / seconds, median: percentile(lengths, 0.5), longest: lengths.at(-1) ?? NaN };
  });
  return {
    stages: STAGE_NAMES.map((stage, i) => probeFigures(stage, durations[i] as number[])),
    hops: HOP_NAMES.map((hop, i) => probeFigures(hop, hops[i] as number[])),
    fromChange: probeFigures('the simulator\'s change → the client', fromChange),
    pauses: pauseFigures,
    untouched: probeFigures('the same, the probes no pause of the three overlapped', untouched),
    pollHeld: probeFigures('the same, the probes whose change found the hub\'s poll held at the simulator', pollHeld),
    noPollHeld: probeFigures('the same, the probes whose change found none (the hub between an answer and its next poll)', noPollHeld),
    pollWindow: WINDOW_PARTS.map((part, i) =>
      probeFigures(
        WINDOW_NAMES[i] as string,
        (windowParts.get(part) ?? []).filter(({ at }) => at >= from && at <= to).map(({ duration }) => duration),
      ),
    ),
  };
}

export interface LatencyFigures {
  /** Milliseconds from a probe's send to its arrival. */
  p50: number;
  p99: number;
  probes: number;
  /** Changes that arrived per second. */
  delivered: number;
  /** What the load source managed to offer per second, where it says. */
  offered?: number;
  /** Cores each kind of process kept busy meanwhile, where measured. */
  cores?: Record<string, number>;
  /** Where the time went, when the simulator and the hub recorded the probe's stages. */
  stages?: StageFigures[];
  /** The same joined into the hops every chain has (HOP_NAMES), to stand beside the bare chain's. */
  hops?: StageFigures[];
  /** The latency from the simulator's change (the probe's write applied), the client's write left out. */
  fromChange?: StageFigures;
  /** The simulator's, the hub's and the client's garbage-collection pauses meanwhile. */
  pauses?: PauseFigures[];
  /** `fromChange` for the probes that no pause of the three overlapped, and how many those were. */
  untouched?: ProbeFigures;
  /** `fromChange` for the probes whose change found the hub's poll held at the simulator, and for those that found none. */
  pollHeld?: ProbeFigures;
  noPollHeld?: ProbeFigures;
  /** Each poll's way through the window with no poll held (WINDOW_NAMES), as the server saw it. */
  pollWindow?: ProbeFigures[];
}

/** A latency of some of the probes, and how many those were. */
export type ProbeFigures = StageFigures & { probes: number };

/** The p50 and p99 of `values` (sorted here, in place), and how many they are. */
export function probeFigures(stage: string, values: number[]): ProbeFigures {
  const sorted = values.sort((a, b) => a - b);
  return { stage, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), probes: sorted.length };
}

/** Subscribes a socket to prefixes and waits for the end of its snapshot; resolves with how long it took (ms). */
export async function subscribed(socket: HubSocket, prefixes: string[]): Promise<number> {
  const started = performance.now();
  const before = socket.messages.length;
  socket.send({ type: 'subscribe', payload: { prefixes } });
  await socket.until(() => socket.messages.slice(before).some((m) => m.type === 'snapshot' && m.payload.last), 600_000);
  return performance.now() - started;
}

/**
 * The simulator of the latency runs: 20,000 lights of which `rate` change a second, and the probe's
 * datapoint (`virtual.1`), its password SIM_PASSWORD. `trace`: the folder its recorder writes to.
 */
export function spawnLatencySimulator(rate: number, { trace, overHttp = false }: { trace?: string; overHttp?: boolean } = {}): Promise<SimProcess> {
  return spawnSim(
    ['--password', SIM_PASSWORD, '--lights', '20000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '1', '--changes-per-second', String(rate), ...(overHttp ? ['--http'] : [])],
    // At info the simulator logs each of the probe's writes, a line the client (this process) would
    // be woken to read a hundred times a second, in the middle of what it measures.
    { env: { RIOHUB_LOG_LEVEL: 'warn', ...(trace ? traceEnv(trace, 'simulator') : {}) } },
  );
}

/**
 * A simulator changing `rate` datapoints a second, and a probe written at it every 10 ms (its send
 * time as the value) measured at the browser client, for `seconds` (the first and last left out).
 * `trace`: the folder the recorders write to (the stages and pauses); `overHttp`: the simulator
 * served, and polled, over plain HTTP (what TLS costs on the way); `hubPid`: the hub's process,
 * whose cores are counted with the simulator's and the client's.
 */
export async function probeLatency(
  admin: HubClient,
  rate: number,
  seconds: number,
  { trace, overHttp = false, hubPid }: { trace?: string; overHttp?: boolean; hubPid?: number } = {},
): Promise<LatencyFigures> {
  const name = `lat${rate}${overHttp ? 'http' : ''}`;
  const sim = await spawnLatencySimulator(rate, { trace, overHttp });
  try {
    await admin.addSim(name, sim, SIM_PASSWORD);
    await waitForPoints(admin, 20_000);
    const socket = await admin.socket();
    await subscribed(socket, [`${name}.`]);
    const arrivals = new Map<string, number>();
    let delivered = 0;
    let counting = false;
    onDeltas(socket.ws, (point, arrived) => {
      if (point.name === `${name}.virtual.1`) arrivals.set(point.value, arrived);
      else if (counting) delivered++;
    });
    await sleep(1_000);
    counting = true;
    const started = performance.now();
    const clientPauses = watchPauses();
    // The cores each process kept busy, the probe's writer (a process of the bench's) left out.
    const pids = { ...(hubPid ? { hub: [hubPid] } : {}), simulator: [sim.child.pid as number], client: [process.pid] };
    const [, cores] = await coresUsed(pids, () =>
      runBenchScript('probe-writer', ['rio', sim.url, SIM_PASSWORD, 'virtual.1', String(seconds - 2)], sim.certificate ? { RIOHUB_PROBE_CA: sim.certificate } : {}),
    );
    counting = false;
    const elapsed = (performance.now() - started) / 1000;
    const paused = await clientPauses();
    socket.close();
    await admin.data('DELETE', `/api/remotes/${name}`);
    const latencies = [...arrivals].map(([sent, arrived]) => arrived - Number(sent)).sort((a, b) => a - b);
    if (trace) await sleep(RECORDER_WRITE_WAIT_MS);
    return {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      probes: latencies.length,
      delivered: delivered / elapsed,
      offered: rate,
      cores,
      ...(trace ? stageBreakdown(trace, arrivals, paused) : {}),
    };
  } finally {
    await sim.stop();
  }
}

/**
 * `count` simulators each offering `rate` changes a second: what reaches one client subscribed to
 * everything, and the cores the hub, the simulators and the client used meanwhile.
 */
export async function sustainedRate(admin: HubClient, count: number, rate: number, seconds: number, hubPid: number): Promise<LatencyFigures & { cores: Record<string, number> }> {
  const sims = await Promise.all(
    Array.from({ length: count }, () => spawnSim(['--password', SIM_PASSWORD, '--lights', '50000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--changes-per-second', String(rate)])),
  );
  try {
    for (const [i, sim] of sims.entries()) await admin.addSim(`load${i}`, sim, SIM_PASSWORD);
    await waitForPoints(admin, count * 50_000);
    const socket = await admin.socket();
    await subscribed(socket, ['']);
    let delivered = 0;
    onDeltas(socket.ws, () => delivered++);
    await sleep(1_000);
    const from = delivered;
    const started = performance.now();
    const [, cores] = await coresUsed({ hub: [hubPid], simulators: sims.map((sim) => sim.child.pid as number), client: [process.pid] }, () => sleep((seconds - 2) * 1000));
    const rateDelivered = (delivered - from) / ((performance.now() - started) / 1000);
    socket.close();
    for (let i = 0; i < sims.length; i++) await admin.data('DELETE', `/api/remotes/load${i}`);
    return { p50: NaN, p99: NaN, probes: 0, delivered: rateDelivered, offered: count * rate, cores };
  } finally {
    await Promise.all(sims.map((sim) => sim.stop()));
  }
}
