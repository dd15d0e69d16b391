// Benchmark: riohub beside what a user would pick instead, an MQTT bridge, in one run on this
// machine. The bridge is two Mosquitto brokers, the second bridging the first's topics in under a
// prefix (`site/…` → `remote/site/…`), as riohub prefixes a remote's points. The same change
// stream goes through each: a load offered from a process of its own (a publisher / a simulator)
// and a probe every 10 ms carrying its send time, measured where it arrives (a subscriber of the
// second broker / a dashboard WebSocket client of the hub). Prints each figure with its bridge
// counterpart and the ratio, and the machine's load. Run with `pnpm bench vs-mqtt`.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import mqtt from 'mqtt';
import { makeSelfSigned } from '@riohub/certificate';
import { spawnHub, startMosquitto, type MosquittoBroker } from '@riohub/testkit';
import { HubClient } from '../src/testing/test-hub';
import { runBenchScript } from './lib/bench-process';
import { chainLatency, chainMost, simulatorIntoRelay, streamedChainLatency } from './lib/chain-floor';
import { httpFloor } from './lib/http-floor';
import { coresUsed, median, now, percentile, sleep } from './lib/measure';
import { probeLatency, sustainedRate, traceEnv, traceFolder, type LatencyFigures } from './lib/riohub-stream';

const ADMIN_PASSWORD = 'bench-admin';
/** How long the most-delivered runs last; the first and last second are left out. */
const SECONDS = 8;
/**
 * How long each latency run lasts: a probe every 10 ms makes about 2,000 in 20 seconds, so the p99
 * is the 20th slowest. Runs of 6 seconds (the 6th slowest) moved it by a millisecond or more from
 * run to run, on both chains, and once put the bare chain above the bridge where longer runs had
 * it below.
 */
const LATENCY_SECONDS = 22;
/**
 * "Most": two simulators (and bare sources), as the bridge has two publishers, each asked for more
 * changes a second than the two cores let them make with the hub and the client running, so that
 * what arrives is what the chain can carry, not what was asked (at 4 × 40,000, riohub delivered
 * about all of it). Four simulators at half the rate made less: more processes for two cores.
 */
const MOST_SOURCES = 2;
const MOST_RATE = 160_000;
/**
 * Taken in turns: rounds of the five chains at 10,000 changes/s, each for TURN_SECONDS, in the
 * orders of `turnOrder`. The same chain measured minutes apart moved its p50 by 0.1–0.3 ms;
 * paired within a round, the differences between the chains keep less of that. Two rounds per
 * chain: with an odd count of chains, a balanced order takes twice as many rounds as chains.
 */
const ROUNDS = 10;
const TURN_SECONDS = 10;
const TURN_RATE = 10_000;
/** BENCH_ONLY=turns runs the rounds taken in turns alone; by default, everything. */
const turnsOnly = process.env['BENCH_ONLY'] === 'turns';

/** Runs the load publisher for `seconds`; resolves with what it managed to send per second. */
async function publishLoad(url: string, rate: number, seconds: number): Promise<number> {
  return (await runBenchScript<{ perSecond: number }>('mqtt-load', [url, 'site/load/', String(rate), String(seconds)])).perSecond;
}

/** The bridge: the second broker's subscriber, and a probe publisher on the first. */
async function bridgeFigures(upstream: MosquittoBroker, downstream: MosquittoBroker, rate: number, publishers: number, seconds: number): Promise<LatencyFigures> {
  const subscriber = await mqtt.connectAsync(downstream.url, { clean: true, reconnectPeriod: 0 });
  const prober = await mqtt.connectAsync(upstream.url, { clean: true, reconnectPeriod: 0 });
  try {
    await subscriber.subscribeAsync('remote/site/#', { qos: 0 });
    // The bridge is up when a message goes through it.
    let through = false;
    subscriber.on('message', (topic) => (through ||= topic === 'remote/site/ready'));
    while (!through) {
      await prober.publishAsync('site/ready', '1', { qos: 0 });
      await sleep(50);
    }
    const latencies: number[] = [];
    let delivered = 0;
    let counting = false;
    subscriber.on('message', (topic, payload) => {
      if (topic === 'remote/site/probe') latencies.push(now() - Number(payload.toString()));
      else if (counting) delivered++;
    });
    const load = Promise.all(Array.from({ length: publishers }, () => publishLoad(upstream.url, rate, seconds)));
    // Counted from the second to the second before last: the publishers' start and end left out.
    await sleep(1_000);
    counting = true;
    const started = performance.now();
    const brokers = [upstream.pid(), downstream.pid()].filter((pid) => pid !== undefined);
    const [, cores] = await coresUsed({ brokers, client: [process.pid] }, async () => {
      if (rate > 0) await runBenchScript('probe-writer', ['mqtt', upstream.url, 'site/probe', String(seconds - 2)]);
      else await sleep((seconds - 2) * 1000);
    });
    counting = false;
    const elapsed = (performance.now() - started) / 1000;
    const offered = (await load).reduce((sum, perSecond) => sum + perSecond, 0);
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), probes: latencies.length, delivered: delivered / elapsed, offered, cores };
  } finally {
    await Promise.all([subscriber.endAsync(), prober.endAsync()]);
  }
}

function mosquittoVersion(): string {
  const help = spawnSync('mosquitto', ['-h'], { encoding: 'utf8' });
  return /version (\S+)/.exec(`${help.stdout}${help.stderr}`)?.[1] ?? '?';
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
const load = () => loadavg()[0]?.toFixed(2) ?? '?';
/** Cores each kind of process used, as `hub 0.77, simulators 0.79`. */
const coresText = (cores: Record<string, number>) => Object.entries(cores).map(([name, used]) => `${name} ${used.toFixed(2)}`).join(', ');

interface Row {
  figure: string;
  bridge: string;
  riohub: string;
  /** riohub's figure over the bridge's: below 1 is better for times, above 1 for rates. */
  ratio: number;
}

type Percentiles = { p50: number; p99: number };

/** The p50 and the p99 rows of one comparison, each figure named by `figure('p50')`, `figure('p99')`. */
function percentileRows(figure: (percentile: string) => string, bridge: Percentiles, hub: Percentiles): Row[] {
  return (['p50', 'p99'] as const).map((percentile) => ({
    figure: figure(percentile),
    bridge: ms(bridge[percentile]),
    riohub: ms(hub[percentile]),
    ratio: hub[percentile] / bridge[percentile],
  }));
}

const rows: Row[] = [];
/** The latencies at 10,000/s with the same transport security on both links (TLS, or none). */
const likeForLike: Row[] = [];
/** The bridge's and riohub's figures as the table has them, for the bare chain's table. */
const compared: { rate: number; bridge: LatencyFigures; hub: Percentiles; probed: LatencyFigures }[] = [];
const most = { bridge: NaN, riohub: NaN, bridgePerCore: NaN, hubPerCore: NaN };
/** The chains taken in turns. */
const TURN_CHAINS = ['bridge', 'riohub', 'simulatorIntoRelay', 'bare', 'bareStreamed'] as const;
type TurnChain = (typeof TURN_CHAINS)[number];

/**
 * The order of a round: a balanced Latin square (Williams), so that over every ROUNDS rounds each
 * chain runs first as often as the others and right after each other chain as often. A plain
 * rotation put the simulator's relay right after riohub in most rounds, in whatever riohub's turn
 * left behind.
 */
function turnOrder(round: number): TurnChain[] {
  const count = TURN_CHAINS.length;
  // 0, 1, n−1, 2, n−2, …: every difference between neighbours once; each round shifts it by one.
  // With an odd count of chains, a round's order is also taken reversed (Williams' square of 2n rows).
  const shift = count % 2 === 0 ? round : Math.floor(round / 2);
  const first = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? count - i / 2 : (i + 1) / 2) % count);
  const order = first.map((chain) => TURN_CHAINS[(chain + shift) % count] as TurnChain);
  return count % 2 === 1 && round % 2 === 1 ? order.reverse() : order;
}
/** Each round's p50 of each chain (ms), with the load when it ended. */
const turns: { load: string; p50s: Record<TurnChain, number> }[] = [];
/** riohub's latency from the simulator's change where it was traced (the probe client's HTTPS write left out), as the bridge's is from the publish. */
const latencyRows = (rate: number, bridge: LatencyFigures, probed: LatencyFigures) => {
  const hub = probed.fromChange ?? probed;
  compared.push({ rate, bridge, hub, probed });
  rows.push(...percentileRows((percentile) => `latency ${percentile} at ${perSecond(rate)}`, bridge, hub));
};
const printRows = (table: readonly Row[]) => {
  for (const row of table) console.log(`| ${row.figure} | ${row.bridge} | ${row.riohub} | ${row.ratio.toFixed(2)}× |`);
};

console.log(`vs-mqtt: Mosquitto ${mosquittoVersion()} bridge beside riohub, one run, ${cpus().length} cores; load average at the start ${load()}`);
// Every broker sends each message as it comes (`set_tcp_nodelay`), as a user after latency would set
// it. Mosquitto's default holds small messages for Nagle's algorithm: over TLS the bridge's p99 was
// then 39–40 ms (a delayed acknowledgement), against 2.2 ms with it set; in plain, and for the most
// delivered, it made no difference beyond the noise.
const upstream = await startMosquitto({ noDelay: true });
const downstream = await startMosquitto({ noDelay: true, bridge: { address: `127.0.0.1:${upstream.port}`, prefix: 'remote/' } });
// The same bridge with its link between the sites over TLS, as riohub's link to a remote is over
// HTTPS (the Remote I/O API's transport): each site's own clients stay on a plain listener.
const bridgeCertificate = await makeSelfSigned('127.0.0.1', 'bench upstream broker');
const upstreamTls = await startMosquitto({ noDelay: true, tlsListener: bridgeCertificate });
const downstreamTls = await startMosquitto({ noDelay: true, bridge: { address: `127.0.0.1:${upstreamTls.tlsPort}`, prefix: 'remote/', ca: bridgeCertificate.cert } });
// The simulators and the hub record where each probe is (trace-recorder.mjs), for the breakdown.
const trace = traceFolder();
// BENCH_HUB_NODE_ARGS: options for the hub's Node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (as for end-to-end).
const nodeArgs = process.env['BENCH_HUB_NODE_ARGS']?.split(' ').filter(Boolean);
const hub = await spawnHub(ADMIN_PASSWORD, { env: traceEnv(trace, 'hub'), nodeArgs });
/** Each traced run, with how it ran. */
const breakdowns: [string, LatencyFigures][] = [];
try {
  const admin = new HubClient(hub.url);
  await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
  if (!turnsOnly) {
    for (const rate of [5_000, 10_000]) {
      const bridge = await bridgeFigures(upstream, downstream, rate, 1, LATENCY_SECONDS);
      const riohub = await probeLatency(admin, rate, LATENCY_SECONDS, { trace, hubPid: hub.child.pid });
      breakdowns.push([perSecond(rate), riohub]);
      console.log(`  at ${perSecond(rate)} (load ${load()}): bridge offered ${perSecond(bridge.offered ?? 0)}, delivered ${perSecond(bridge.delivered)}, ${bridge.probes} probes (cores used: ${coresText(bridge.cores ?? {})}); riohub delivered ${perSecond(riohub.delivered)}, ${riohub.probes} probes (cores used: ${coresText(riohub.cores ?? {})})`);
      latencyRows(rate, bridge, riohub);
    }
    // Like for like at 10,000/s: the bridge with its link over TLS, and riohub's simulator polled over plain HTTP.
    const bridgeTls = await bridgeFigures(upstreamTls, downstreamTls, 10_000, 1, LATENCY_SECONDS);
    const plain = await probeLatency(admin, 10_000, LATENCY_SECONDS, { trace, overHttp: true, hubPid: hub.child.pid });
    breakdowns.push([`${perSecond(10_000)}, the simulator over plain HTTP`, plain]);
    console.log(`  like for like at ${perSecond(10_000)} (load ${load()}): the bridge over TLS ${bridgeTls.probes} probes (cores used: ${coresText(bridgeTls.cores ?? {})}); riohub over plain HTTP ${plain.probes} probes (cores used: ${coresText(plain.cores ?? {})})`);
    const atTenThousand = compared.find(({ rate }) => rate === 10_000);
    if (atTenThousand) {
      likeForLike.push(
        ...percentileRows((percentile) => `latency ${percentile}, the link between the sites encrypted (bridge: TLS; riohub: HTTPS)`, bridgeTls, atTenThousand.hub),
        ...percentileRows((percentile) => `latency ${percentile}, the link in plain (bridge: TCP; riohub: HTTP)`, atTenThousand.bridge, plain.fromChange ?? plain),
      );
    }
    // As much as each takes: two publishers as fast as the broker takes them; two simulators asked for more than they can make.
    const bridgeMost = await bridgeFigures(upstream, downstream, 0, 2, SECONDS);
    const riohubMost = await sustainedRate(admin, MOST_SOURCES, MOST_RATE, SECONDS, hub.child.pid as number);
    const brokerCores = bridgeMost.cores?.['brokers'] ?? NaN;
    console.log(`  most (load ${load()}): bridge offered ${perSecond(bridgeMost.offered ?? 0)} by two publishers (cores used: brokers ${brokerCores.toFixed(2)}); riohub asked ${perSecond(riohubMost.offered ?? 0)} of ${MOST_SOURCES} simulators (cores used: ${coresText(riohubMost.cores)})`);
    rows.push({ figure: 'most changes delivered', bridge: perSecond(bridgeMost.delivered), riohub: perSecond(riohubMost.delivered), ratio: riohubMost.delivered / bridgeMost.delivered });
    // What the concentrator itself costs, apart from the load sources and the client: changes per second per core it used.
    const bridgePerCore = bridgeMost.delivered / brokerCores;
    const hubPerCore = riohubMost.delivered / (riohubMost.cores['hub'] ?? NaN);
    rows.push({ figure: 'changes delivered per core of the brokers / the hub', bridge: perSecond(bridgePerCore), riohub: perSecond(hubPerCore), ratio: hubPerCore / bridgePerCore });
    Object.assign(most, { bridge: bridgeMost.delivered, riohub: riohubMost.delivered, bridgePerCore, hubPerCore });
  }
  const chains: Record<TurnChain, () => Promise<number>> = {
    bridge: async () => (await bridgeFigures(upstream, downstream, TURN_RATE, 1, TURN_SECONDS)).p50,
    riohub: async () => {
      const figures = await probeLatency(admin, TURN_RATE, TURN_SECONDS, { trace, hubPid: hub.child.pid });
      return (figures.fromChange ?? figures).p50;
    },
    simulatorIntoRelay: async () => (await simulatorIntoRelay(TURN_RATE, TURN_SECONDS)).p50,
    bare: async () => (await chainLatency(TURN_RATE, TURN_SECONDS)).p50,
    bareStreamed: async () => (await streamedChainLatency(TURN_RATE, TURN_SECONDS)).p50,
  };
  for (let round = 0; round < ROUNDS; round++) {
    const p50s: Partial<Record<TurnChain, number>> = {};
    for (const chain of turnOrder(round)) p50s[chain] = await chains[chain]();
    turns.push({ load: load(), p50s: p50s as Record<TurnChain, number> });
  }
} finally {
  await hub.stop();
  await Promise.all([upstream.close(), downstream.close(), upstreamTls.close(), downstreamTls.close()]);
}

if (rows.length > 0) {
  console.log('\n| figure | Mosquitto bridge | riohub | riohub / bridge |\n|---|---|---|---|');
  printRows(rows);
}
console.log(`load average at the end: ${load()}`);
if (likeForLike.length > 0) {
  console.log(`\nlike for like at ${perSecond(10_000)}: the link between the sites with the same transport security on both\n| figure | Mosquitto bridge | riohub | riohub / bridge |\n|---|---|---|---|`);
  printRows(likeForLike);
}
for (const [how, figures] of breakdowns) {
  console.log(`\nriohub at ${how}, where a change's time goes (each probe's stages, timestamps carried through):\n| stage | p50 | p99 |\n|---|---|---|`);
  for (const stage of figures.stages ?? []) console.log(`| ${stage.stage} | ${ms(stage.p50)} | ${ms(stage.p99)} |`);
  if (figures.fromChange) console.log(`| **${figures.fromChange.stage}** | ${ms(figures.fromChange.p50)} | ${ms(figures.fromChange.p99)} |`);
  console.log(`| (the probe's write → its arrival, as measured by the client) | ${ms(figures.p50)} | ${ms(figures.p99)} |`);
  for (const some of [figures.untouched, figures.pollHeld, figures.noPollHeld]) {
    if (some) console.log(`| ${some.stage} (${some.probes} of ${figures.probes}) | ${ms(some.p50)} | ${ms(some.p99)} |`);
  }
  const pauses = (figures.pauses ?? []).map((pause) => `${pause.role} ${pause.perSecond.toFixed(1)}/s (median ${ms(pause.median)}, longest ${ms(pause.longest)})`);
  if (pauses.length > 0) console.log(`garbage-collection pauses meanwhile: ${pauses.join(', ')}`);
}
rmSync(trace, { recursive: true, force: true });
// The same hops with nothing in them (lib/chain-floor.ts): a source serving the long poll over
// HTTPS, a relay reading it with undici and sending it on with ws, this client, the probe written
// to the source by the same writer as riohub's. These figures are the protocol and the runtime;
// what riohub's are above them is riohub's own code.
if (!turnsOnly) {
  console.log('\nthe bare chain, the same hops as riohub\'s path with no riohub code, probed as riohub is:');
  const chainRows: [string, string, string, string][] = [];
  /** riohub's hops beside the bare chain's, at each rate. */
  const hopTables: [number, LatencyFigures, LatencyFigures][] = [];
  for (const { rate, bridge, hub: fromChange, probed } of compared) {
    const chain = await chainLatency(rate, LATENCY_SECONDS);
    console.log(`  at ${perSecond(rate)} (load ${load()}): the source made ${perSecond(chain.offered)}, delivered ${perSecond(chain.delivered)}, ${chain.probes} probes (cores used: ${coresText(chain.cores)})`);
    chainRows.push(
      [`latency p50 at ${perSecond(rate)}`, ms(bridge.p50), ms(fromChange.p50), ms(chain.p50)],
      [`latency p99 at ${perSecond(rate)}`, ms(bridge.p99), ms(fromChange.p99), ms(chain.p99)],
    );
    hopTables.push([rate, probed, chain]);
  }
  // As riohub's most: the same sources asked for as much, into one relay.
  const chainAtMost = await chainMost(MOST_SOURCES, MOST_RATE, SECONDS);
  const relayPerCore = chainAtMost.delivered / (chainAtMost.cores['relay'] ?? NaN);
  console.log(`  most (load ${load()}): ${MOST_SOURCES} sources made ${perSecond(chainAtMost.offered)}, delivered ${perSecond(chainAtMost.delivered)} (cores used: ${coresText(chainAtMost.cores)})`);
  chainRows.push(
    ['most changes delivered', perSecond(most.bridge), perSecond(most.riohub), perSecond(chainAtMost.delivered)],
    ['changes delivered per core of the brokers / the hub / the relay', perSecond(most.bridgePerCore), perSecond(most.hubPerCore), perSecond(relayPerCore)],
  );
  console.log('\n| figure | Mosquitto bridge | riohub | the bare chain (same hops, no riohub code) |\n|---|---|---|---|');
  for (const row of chainRows) console.log(`| ${row.join(' | ')} |`);
  // Hop by hop: where riohub's time is above the floor's (the simulator's and the hub's work, or the wires).
  for (const [rate, riohub, chain] of hopTables) {
    console.log(`\nhop by hop at ${perSecond(rate)}, riohub beside the bare chain (the simulator / the source; the hub / the relay):\n| hop | riohub p50 | riohub p99 | bare chain p50 | bare chain p99 |\n|---|---|---|---|---|`);
    const pair = (name: string, hub: Percentiles | undefined, bare: Percentiles | undefined) =>
      console.log(`| ${name} | ${ms(hub?.p50 ?? NaN)} | ${ms(hub?.p99 ?? NaN)} | ${ms(bare?.p50 ?? NaN)} | ${ms(bare?.p99 ?? NaN)} |`);
    (riohub.hops ?? []).forEach((hop, i) => pair(hop.stage, hop, chain.hops?.[i]));
    pair('**the change → the client**', riohub.fromChange, chain.fromChange);
    const share = (some: { probes: number } | undefined, of: LatencyFigures) => `${some?.probes ?? 0} of ${(of.pollHeld?.probes ?? 0) + (of.noPollHeld?.probes ?? 0)}`;
    pair(`the same, the probes that found a poll held (riohub ${share(riohub.pollHeld, riohub)}; bare ${share(chain.pollHeld, chain)})`, riohub.pollHeld, chain.pollHeld);
    pair(`the same, the probes that found none (riohub ${share(riohub.noPollHeld, riohub)}; bare ${share(chain.noPollHeld, chain)})`, riohub.noPollHeld, chain.noPollHeld);
    // What keeps the window open, each poll seen from the server's side.
    (riohub.pollWindow ?? []).forEach((part, i) => pair(`the window with no poll held: ${part.stage}`, part, chain.pollWindow?.[i]));
  }
}
printTurns();
// What the first hop cannot go below here, whatever the hub does with the answer.
const floor = await httpFloor();
console.log(
  `\nthe floor of the Remote I/O hop, in one process: a 50-change answer written → read whole by undici, ` +
    `HTTPS p50 ${ms(floor.https.p50)} p99 ${ms(floor.https.p99)}, plain HTTP p50 ${ms(floor.http.p50)} p99 ${ms(floor.http.p99)} (load ${load()})`,
);

/**
 * The rounds taken in turns, then riohub's p50 less the bridge's, and three differences that add up
 * to it in each round (not in their medians): the bare chain less the bridge; the simulator into
 * the bare relay less the bare chain (the server changed); riohub less the simulator into the bare
 * relay (the concentrator changed, though not it alone: the hub reads part B and has run since the
 * bench began, where the relay reads part A and starts for its turn). Last, the bare chain read as
 * a stream, beside the bridge and beside the bare chain long-polled: what the long poll's window
 * costs, and what is left without it.
 */
function printTurns(): void {
  if (turns.length === 0) return;
  console.log(
    `\ntaken in turns at ${perSecond(TURN_RATE)}: ${turns.length} rounds of ${TURN_SECONDS} s each, in a balanced order; p50 from the change (the bridge's from the publish)\n` +
      '| round (load at its end) | bridge | riohub | riohub\'s simulator → the bare relay | the bare chain | the bare chain, streamed |\n|---|---|---|---|---|---|',
  );
  turns.forEach(({ load: loadAtEnd, p50s }, round) =>
    console.log(`| ${round + 1} (${loadAtEnd}) | ${TURN_CHAINS.map((chain) => ms(p50s[chain])).join(' | ')} |`),
  );
  const differences: [string, (p50s: Record<TurnChain, number>) => number][] = [
    ['riohub − the bridge', (p50s) => p50s.riohub - p50s.bridge],
    ['the bare chain − the bridge (the same hops with no riohub code, beside Mosquitto\'s)', (p50s) => p50s.bare - p50s.bridge],
    ['the simulator\'s relay − the bare chain (the server changed, the same relay)', (p50s) => p50s.simulatorIntoRelay - p50s.bare],
    ['riohub − the simulator\'s relay (the concentrator changed, the same simulator)', (p50s) => p50s.riohub - p50s.simulatorIntoRelay],
    ['the bare chain, streamed − the bridge (the same hops read as a stream: no long poll\'s window)', (p50s) => p50s.bareStreamed - p50s.bridge],
    ['the bare chain − the bare chain, streamed (the long poll\'s window)', (p50s) => p50s.bare - p50s.bareStreamed],
  ];
  console.log('\n| difference of p50s, round by round | median | least | most | rounds above 0 |\n|---|---|---|---|---|');
  for (const [name, of] of differences) {
    // A round in which a chain delivered no probe has no figure to pair.
    const values = turns.map(({ p50s }) => of(p50s)).filter(Number.isFinite).sort((a, b) => a - b);
    const above = values.filter((value) => value > 0).length;
    console.log(`| ${name} | ${ms(median(values))} | ${ms(values[0] as number)} | ${ms(values.at(-1) as number)} | ${above} of ${values.length} |`);
  }
}
