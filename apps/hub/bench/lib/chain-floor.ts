// The bare chain: riohub's hops with nothing in them, for what the Remote I/O protocol costs on this
// machine with the same runtime and libraries. A source serving a long poll over HTTPS
// (chain-floor-source.ts, a process as a simulator is), a relay polling it with undici and sending
// each answer's points over a `ws` WebSocket (chain-floor-relay.ts, a process as the hub is), and
// the client here, as riohub's bench receives: the same hops as riohub's path, and no riohub code.
// The probe is written to the source by the bench's probe writer, as riohub's is to a simulator.
// The relay also polls riohub's simulator (`simulatorIntoRelay`), for a chain between the two: the
// simulator's part of riohub's latency apart from the hub's.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { runBenchScript } from './bench-process';
import type { ChainSource } from './chain-floor-relay';
import { coresUsed, now, onDeltas, sleep } from './measure';
import { HOP_NAMES, probeFigures, RECORDER_WRITE_WAIT_MS, SIM_PASSWORD, spawnLatencySimulator, traceFolder, traceLines, WINDOW_NAMES, type LatencyFigures } from './riohub-stream';

const PASSWORD = 'bench';

interface ChainProcess<Ready> {
  ready: Ready;
  pid: number;
  /** Ends it (SIGTERM), once; resolves with the last line it printed, as JSON. */
  stop<Done>(): Promise<Done>;
}

/**
 * Starts one of the chain's scripts as runBenchScript does (`node --import tsx`); resolves once it
 * printed its first line, what it is ready with (a port).
 */
function startChainProcess<Ready>(script: 'chain-floor-source' | 'chain-floor-relay', args: readonly string[]): Promise<ChainProcess<Ready>> {
  const file = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let stopped: Promise<unknown> | undefined;
  // 'close', not 'exit': the last line (some hundreds of KB) may still be on its way through stdout at the exit.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // Rejects nothing once resolved: a later exit is stop()'s to report.
    void exited.then((code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 1) return;
      resolve({
        ready: JSON.parse(line) as Ready,
        pid: child.pid as number,
        stop<Done>() {
          // Once: a finally may stop again what was stopped to read its figures.
          stopped ??= (async () => {
            child.kill('SIGTERM');
            const code = await exited;
            if (code !== 0) throw new Error(`${script} exited with ${code}`);
            return JSON.parse(lines.at(-1) as string) as unknown;
          })();
          return stopped as Promise<Done>;
        },
      });
    });
  });
}

/** What the sources made per second while counted (against what they were asked for), and the cores each kind of process used. */
export type ChainFigures = LatencyFigures & { offered: number; cores: Record<string, number> };

/**
 * What the source (chain-floor-source.ts) says of each probe: its value (the writer's send time),
 * whether a poll was held when it was applied, when it was applied, when its answer was written.
 */
type SourceProbe = [value: string, pollHeld: boolean, applied: number, written: number | null];
/** What the source says at its end: what it made, its probes, and the window with no poll held as it saw it (ms). */
interface SourceFigures {
  perSecond: number;
  probes: SourceProbe[];
  pollWindow: { turnaround: number[]; handled: number[] };
}
/** What the relay (chain-floor-relay.ts) says of each probe: its value, when its answer was read whole, when its delta was sent. */
type RelayProbe = [value: string, read: number, sent: number];
/** What the relay says at its end: its probes, and each answer read whole → its next poll written (when written, ms). */
interface RelayFigures {
  probes: RelayProbe[];
  turnarounds: [written: number, ms: number][];
}

/**
 * Each probe's times joined across the source, the relay and the client (all on the machine's
 * monotonic clock, as riohub's breakdown): the p50 and p99 of each hop, of the whole way, and of
 * the probes whose change found the relay's poll held at the source and of those that found none.
 */
function chainBreakdown(
  arrivals: ReadonlyMap<string, number>,
  { probes: source, pollWindow }: SourceFigures,
  relay: RelayFigures,
): Required<Pick<LatencyFigures, 'hops' | 'fromChange' | 'pollHeld' | 'noPollHeld' | 'pollWindow'>> {
  const relayed = new Map(relay.probes.map(([value, read, sent]) => [value, { read, sent }]));
  const durations: number[][] = HOP_NAMES.map(() => []);
  const whole: number[] = [];
  const held: number[] = [];
  const notHeld: number[] = [];
  let from = Infinity;
  let to = -Infinity;
  for (const [value, pollHeld, applied, written] of source) {
    const arrived = arrivals.get(value);
    const at = relayed.get(value);
    if (arrived === undefined || at === undefined || written === null) continue;
    from = Math.min(from, applied);
    to = Math.max(to, arrived);
    const times = [applied, written, at.read, at.sent, arrived];
    for (let i = 0; i < HOP_NAMES.length; i++) durations[i]?.push((times[i + 1] as number) - (times[i] as number));
    whole.push(arrived - applied);
    (pollHeld ? held : notHeld).push(arrived - applied);
  }
  return {
    hops: HOP_NAMES.map((hop, i) => probeFigures(hop, durations[i] as number[])),
    fromChange: probeFigures('the source\'s change → the client', whole),
    pollHeld: probeFigures('the same, the probes whose change found the relay\'s poll held at the source', held),
    noPollHeld: probeFigures('the same, the probes whose change found none (the relay between an answer and its next poll)', notHeld),
    // In WINDOW_NAMES' order; the relay's turnarounds while the probes went, as the source counts its parts.
    pollWindow: [pollWindow.turnaround, relay.turnarounds.filter(([written]) => written >= from && written <= to).map(([, ms]) => ms), pollWindow.handled].map(
      (durations, i) => probeFigures(WINDOW_NAMES[i] as string, durations),
    ),
  };
}

/** A source the relay polls: a bare one (chain-floor-source.ts), or riohub's simulator. */
interface PolledSource {
  url: string;
  password: string;
  /** The file holding its certificate's PEM. */
  certificate: string;
  pid: number;
  /** The bench's count begins: a bare source counts what it makes from here; a simulator's probes are read from here. */
  startCounting(): void;
  /** Ends it, once; resolves with what it made and what it saw of each probe. */
  stop(): Promise<SourceFigures>;
}

async function startBareSource(names: number, rate: number): Promise<PolledSource> {
  const source = await startChainProcess<{ port: number; certificate: string }>('chain-floor-source', [PASSWORD, String(names), String(rate)]);
  return {
    url: `https://127.0.0.1:${source.ready.port}`,
    password: PASSWORD,
    certificate: source.ready.certificate,
    pid: source.pid,
    // The source counts what it makes from here (SIGUSR2), to its end.
    startCounting: () => process.kill(source.pid, 'SIGUSR2'),
    stop: () => source.stop<SourceFigures>(),
  };
}

/**
 * riohub's simulator as the relay's source, started as the latency runs start it: what it saw of
 * each probe comes from its recorder (trace-recorder.mjs), the same lines riohub's breakdown reads.
 * It is told its rate, not counted: its figure is the rate asked, as riohub's latency runs report.
 */
async function startSimulatorSource(rate: number): Promise<PolledSource> {
  const trace = traceFolder();
  const sim = await spawnLatencySimulator(rate, { trace }).catch((error: unknown) => {
    rmSync(trace, { recursive: true, force: true });
    throw error;
  });
  let countedFrom = Infinity;
  let stopped: Promise<SourceFigures> | undefined;
  return {
    url: sim.url,
    password: SIM_PASSWORD,
    certificate: join(sim.dataDir, 'cert.pem'),
    pid: sim.child.pid as number,
    startCounting: () => (countedFrom = now()),
    stop: () =>
      (stopped ??= (async () => {
        try {
          await sleep(RECORDER_WRITE_WAIT_MS);
          await sim.stop();
          return recordedSourceFigures(trace, rate, countedFrom);
        } finally {
          rmSync(trace, { recursive: true, force: true });
        }
      })()),
  };
}

/**
 * A simulator's figures as a bare source reports its own, from its recorder's lines since
 * `countedFrom`: each probe applied (and whether a poll was held then) with its answer's write, and
 * the window with no poll held as the server saw it.
 */
function recordedSourceFigures(folder: string, rate: number, countedFrom: number): SourceFigures {
  const probes = new Map<string, SourceProbe>();
  const pollWindow: SourceFigures['pollWindow'] = { turnaround: [], handled: [] };
  for (const [stage, value, at] of traceLines(folder)) {
    if (!(at >= countedFrom)) continue;
    const probe = probes.get(value);
    if (stage === 'applied-at-server' && !probe) probes.set(value, [value, true, at, null]);
    else if (stage === 'no-poll-held' && probe) probe[1] = false;
    else if (stage === 'answer-written' && probe && probe[3] === null) probe[3] = at;
    else if (stage === 'poll-turnaround') pollWindow.turnaround.push(Number(value));
    else if (stage === 'poll-handled') pollWindow.handled.push(Number(value));
  }
  return { perSecond: rate, probes: [...probes.values()], pollWindow };
}

/**
 * Sources started by `starts`, one relay polling them all, and a client of the relay, for
 * `seconds`; what is measured is the middle (the first and last second left out): the points that
 * arrived per second, the cores each kind of process kept busy, and, when `probed` (one source),
 * the probe's latency from its change at the source to its arrival here, the probe written every
 * 10 ms by the bench's probe writer as riohub's is.
 */
async function runChain(starts: (() => Promise<PolledSource>)[], seconds: number, probed: boolean, streamed = false): Promise<ChainFigures> {
  const starting = await Promise.allSettled(starts.map((start) => start()));
  // Those that started are stopped below, also when another did not.
  const sources = starting.flatMap((started) => (started.status === 'fulfilled' ? [started.value] : []));
  let relay: ChainProcess<{ port: number }> | undefined;
  let socket: WebSocket | undefined;
  try {
    for (const started of starting) if (started.status === 'rejected') throw started.reason;
    const polled: ChainSource[] = sources.map((source, i) => ({
      name: sources.length === 1 ? 'floor' : `floor${i}`,
      url: source.url,
      password: source.password,
      certificate: source.certificate,
      streamed,
    }));
    relay = await startChainProcess<{ port: number }>('chain-floor-relay', [JSON.stringify(polled)]);
    const client = new WebSocket(`ws://127.0.0.1:${relay.ready.port}`);
    socket = client;
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    // A relay that ends early closes the socket: that is reported by its exit, not as an uncaught error here.
    client.on('error', () => undefined);
    /** Each probe's arrival by its value, the time its writer sent it. */
    const arrivals = new Map<string, number>();
    let delivered = 0;
    let counting = false;
    onDeltas(client, (point, arrived) => {
      if (!counting) return;
      if (point.name.endsWith('.virtual.1')) arrivals.set(point.value, arrived);
      else delivered++;
    });
    await sleep(1_000);
    counting = true;
    for (const source of sources) source.startCounting();
    const started = performance.now();
    const pids = { relay: [relay.pid], sources: sources.map((source) => source.pid), client: [process.pid] };
    // The probe's writer (a process of the bench's) is left out of the cores, as riohub's.
    const source = sources[0];
    const [, cores] = await coresUsed(pids, () =>
      probed && source
        ? runBenchScript('probe-writer', ['rio', source.url, source.password, 'virtual.1', String(seconds - 2)], {
            RIOHUB_PROBE_CA: readFileSync(source.certificate, 'utf8'),
          })
        : sleep((seconds - 2) * 1000),
    );
    counting = false;
    const elapsed = (performance.now() - started) / 1000;
    client.terminate();
    const relayed = await relay.stop<RelayFigures>();
    // What the sources made meanwhile, against what they were asked for: whether they held their rate.
    const made = await Promise.all(sources.map((each) => each.stop()));
    const offered = made.reduce((sum, each) => sum + each.perSecond, 0);
    const breakdown = probed && made[0] ? chainBreakdown(arrivals, made[0], relayed) : undefined;
    const probes = breakdown ? breakdown.pollHeld.probes + breakdown.noPollHeld.probes : 0;
    return { p50: breakdown?.fromChange.p50 ?? NaN, p99: breakdown?.fromChange.p99 ?? NaN, probes, delivered: delivered / elapsed, offered, cores, ...breakdown };
  } finally {
    socket?.terminate();
    await Promise.allSettled([relay?.stop(), ...sources.map((each) => each.stop())]);
  }
}

/** The bare chain's probe latency and delivery at `rate` changes a second, 20,000 names (as riohub's probeLatency). */
export function chainLatency(rate: number, seconds: number): Promise<ChainFigures> {
  return runChain([() => startBareSource(20_000, rate)], seconds, true);
}

/**
 * The bare chain with its source read as a stream (chain-floor-relay.ts), not long-polled: the same
 * hops with no window between an answer and the next poll, for what a streamed read would buy.
 */
export function streamedChainLatency(rate: number, seconds: number): Promise<ChainFigures> {
  return runChain([() => startBareSource(20_000, rate)], seconds, true, true);
}

/**
 * riohub's simulator into the bare relay, probed as riohub is: beside riohub's figures, the same
 * simulator read by another concentrator (the relay for the hub, though part A for part B, and a
 * fresh process for one running since the bench began); beside the bare chain's, the same relay
 * reading another server (the simulator for the bare source).
 */
export function simulatorIntoRelay(rate: number, seconds: number): Promise<ChainFigures> {
  return runChain([() => startSimulatorSource(rate)], seconds, true);
}

/** `count` sources of 50,000 names offering `rate` changes a second each into one relay (as riohub's sustainedRate). */
export function chainMost(count: number, rate: number, seconds: number): Promise<ChainFigures> {
  return runChain(Array.from({ length: count }, () => () => startBareSource(50_000, rate)), seconds, false);
}
