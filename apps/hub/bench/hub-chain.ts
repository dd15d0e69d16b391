// Benchmark: a change travelling up two levels, simulator → site hub (HTTPS) → top hub, each a
// process of its own, while the simulator changes 1,000 other datapoints a second. A long-poll
// client at every level (the simulator, the site hub's API, the top hub's API) notes when each
// probe arrives; the extra latency of a level is its arrival minus the level below's. Then the
// same with 100 more scripts long-polling the top hub's whole tree. Then an outage three levels
// down (simulator → site hub → region hub → top hub): how long after the simulator (or the site
// hub) is killed its points are stale at each level, and how long after its restart they are live
// again with its exact values. Run with `pnpm bench chain`.
import { setMaxListeners } from 'node:events';
import { spawnHub, spawnSim, type HubProcess, type SimProcess } from '@riohub/testkit';
import { fingerprintOf } from '@riohub/certificate';
import { Agent, request } from 'undici';
import { startChain, type Chain, type ChainLevel } from '../src/served/chain-processes';
import { HubClient } from '../src/testing/test-hub';
import { cpuSeconds, now, percentile, sleep } from './lib/measure';

const ADMIN_PASSWORD = 'bench-admin';
const SIM_PASSWORD = 'bench-sim';
const API_PASSWORD = 'bench-api';
const PROBE = 'virtual.1';
const PROBE_MS = 10_000;



interface Level {
  name: string;
  url: string;
  password: string;
  /** The probe's name at this level. */
  probe: string;
  agent: Agent;
}

/** Long-polls a level until stopped; records when each probe value (a send time) first arrived. */
function watch(level: Level, signal: AbortSignal): { arrivals: Map<string, number>; done: Promise<void> } {
  const arrivals = new Map<string, number>();
  const done = (async () => {
    let timestamp = 1;
    while (!signal.aborted) {
      try {
        const response = await request(`${level.url}/x/rioget?2*${timestamp}*${level.password}*io`, { dispatcher: level.agent, signal });
        const body = (await response.body.json()) as { hsycostate: { timestamp: number; io?: Record<string, string> } };
        const arrived = now();
        const value = body.hsycostate.io?.[level.probe];
        if (value && !arrivals.has(value)) arrivals.set(value, arrived);
        timestamp = body.hsycostate.timestamp;
      } catch {
        if (!signal.aborted) await sleep(100);
      }
    }
  })();
  return { arrivals, done };
}

/** Scripts polling the top hub's whole tree, each answered with what changed since its last poll. */
function pollers(level: Level, count: number, signal: AbortSignal): { answers: () => number; done: Promise<void[]> } {
  let answers = 0;
  const loops = Array.from({ length: count }, async () => {
    let timestamp = 1;
    while (!signal.aborted) {
      try {
        const response = await request(`${level.url}/x/rioget?1*${timestamp}*${level.password}`, { dispatcher: level.agent, signal });
        const body = (await response.body.json()) as { hsycostate: { timestamp: number } };
        timestamp = body.hsycostate.timestamp;
        answers++;
      } catch {
        if (!signal.aborted) await sleep(100);
      }
    }
  });
  return { answers: () => answers, done: Promise.all(loops) };
}

async function measure(levels: Level[], sim: SimProcess, hubs: HubProcess[], extraPollers: number): Promise<void> {
  const stop = new AbortController();
  // One signal for every poller of the run: not a leak, so no listener cap.
  setMaxListeners(0, stop.signal);
  const watchers = levels.map((level) => watch(level, stop.signal));
  const scripts = pollers(levels.at(-1) as Level, extraPollers, stop.signal);
  await sleep(1_000);
  const cpuBefore = hubs.map((hub) => cpuSeconds(hub.child.pid ?? 0));
  const answersBefore = scripts.answers();
  const writer = new Agent({ connect: { ca: sim.certificate } });
  const sent: string[] = [];
  const started = performance.now();
  while (performance.now() - started < PROBE_MS) {
    const value = now().toFixed(3);
    sent.push(value);
    await request(`${sim.url}/x/rioset?1*${SIM_PASSWORD}*${PROBE}*${value}`, { dispatcher: writer }).then((response) => response.body.dump());
    await sleep(20);
  }
  await sleep(1_000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = hubs.map((hub, index) => (cpuSeconds(hub.child.pid ?? 0) - (cpuBefore[index] ?? 0)) / seconds);
  const answers = (scripts.answers() - answersBefore) / seconds;
  stop.abort();
  await Promise.all([...watchers.map((watcher) => watcher.done), scripts.done]);
  await writer.close();

  console.log(`\n${extraPollers} extra scripts long-polling the top hub (${answers.toFixed(0)} answers/s to them):`);
  for (let index = 1; index < levels.length; index++) {
    const below = watchers[index - 1]?.arrivals;
    const here = watchers[index]?.arrivals;
    const extra: number[] = [];
    for (const value of sent) {
      const at = here?.get(value);
      const before = below?.get(value);
      if (at !== undefined && before !== undefined) extra.push(at - before);
    }
    extra.sort((a, b) => a - b);
    console.log(
      `  level ${index} (${levels[index]?.name}): extra latency p50 ${percentile(extra, 0.5).toFixed(1)} ms, ` +
        `p99 ${percentile(extra, 0.99).toFixed(1)} ms over ${extra.length} of ${sent.length} probes`,
    );
  }
  const total = sent
    .map((value) => (watchers.at(-1)?.arrivals.get(value) ?? NaN) - Number(value))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  console.log(`  simulator write → top hub's API: p50 ${percentile(total, 0.5).toFixed(1)} ms, p99 ${percentile(total, 0.99).toFixed(1)} ms`);
  console.log(`  CPU: site hub ${(cpu[0] ?? 0).toFixed(2)} cores, top hub ${(cpu[1] ?? 0).toFixed(2)} cores`);
}

async function main(): Promise<void> {
  const sim = await spawnSim([
    '--password', SIM_PASSWORD, '--lights', '5000', '--dimmers', '0', '--shutters', '0', '--sensors', '0',
    '--virtuals', '1', '--system', 'false', '--changes-per-second', '1000',
  ]);
  const site = await spawnHub(ADMIN_PASSWORD, { args: ['--tls'] });
  const top = await spawnHub(ADMIN_PASSWORD);
  const siteAgent = new Agent({ connect: { ca: site.certificate } });
  const levels: Level[] = [
    { name: 'simulator', url: sim.url, password: SIM_PASSWORD, probe: PROBE, agent: new Agent({ connect: { ca: sim.certificate } }) },
    { name: 'site hub', url: site.url, password: API_PASSWORD, probe: `lobby.${PROBE}`, agent: siteAgent },
    { name: 'top hub', url: top.url, password: API_PASSWORD, probe: `site1.lobby.${PROBE}`, agent: new Agent({ connections: 256 }) },
  ];
  try {
    const siteAdmin = new HubClient(site.url, siteAgent);
    const topAdmin = new HubClient(top.url);
    for (const admin of [siteAdmin, topAdmin]) {
      await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
      await admin.data('PUT', '/api/hub/served-api', { password: API_PASSWORD, control: true });
    }
    await siteAdmin.addSim('lobby', sim, SIM_PASSWORD);
    const siteUrl = new URL(site.url);
    await topAdmin.data('POST', '/api/remotes', {
      name: 'site1', host: siteUrl.hostname, port: Number(siteUrl.port), tls: 'pin', fingerprint: fingerprintOf(site.certificate ?? ''), password: API_PASSWORD,
    });
    for (let tries = 0; (await topAdmin.data<{ points: number }>('GET', '/api/hub')).points < 5000; tries++) {
      if (tries > 600) throw new Error('the top hub did not get the simulator’s datapoints');
      await sleep(100);
    }
    console.log('simulator (5,000 lights changing 1,000 times a second) → site hub (HTTPS) → top hub; a probe every 20 ms for 10 s');
    await measure(levels, sim, [site, top], 0);
    await measure(levels, sim, [site, top], 100);
  } finally {
    await Promise.all(levels.map((level) => level.agent.close()));
    await top.stop();
    await site.stop();
    await sim.stop();
  }
}

/** Whether every point of the simulator at a level is `stale` (or every one live, with `stale` false). */
async function allPoints(chain: Chain, level: ChainLevel, stale: boolean): Promise<boolean> {
  const tree = await chain.tree(level);
  const own = `io:${level.prefix}connection`;
  const points = [...tree].filter(([key]) => key !== own);
  return points.length > 0 && points.every(([, point]) => point.stale === stale);
}

/** Milliseconds from `since` until each level shows every point stale (or live), polled every 10 ms. */
async function timesUntil(chain: Chain, levels: ChainLevel[], stale: boolean, since: number): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  const deadline = since + 120_000;
  while (times.size < levels.length && performance.now() < deadline) {
    for (const level of levels) {
      if (!times.has(level.name) && (await allPoints(chain, level, stale).catch(() => false))) times.set(level.name, performance.now() - since);
    }
    await sleep(10);
  }
  return times;
}

function describeTimes(times: Map<string, number>, levels: ChainLevel[]): string {
  return levels.map((level) => `${level.name} ${times.has(level.name) ? `${(times.get(level.name) ?? 0).toFixed(0)} ms` : 'not within 120 s'}`).join(', ');
}

async function outage(): Promise<void> {
  const chain = await startChain();
  try {
    const levels = chain.levels;
    const [, region, top] = levels as [ChainLevel, ChainLevel, ChainLevel];
    if ((await timesUntil(chain, levels, false, performance.now())).size < levels.length) throw new Error('the chain did not come up');
    console.log('\nan outage three levels down: simulator → site hub → region hub → top hub (HTTPS, each a process)');
    for (let round = 1; round <= 3; round++) {
      const killedAt = performance.now();
      await chain.killSim();
      console.log(`  simulator killed (round ${round}): every point stale at ${describeTimes(await timesUntil(chain, levels, true, killedAt), levels)}`);
      const restartedAt = performance.now();
      await chain.restartSim();
      console.log(`    restarted: live again at ${describeTimes(await timesUntil(chain, levels, false, restartedAt), levels)} (after the link's backoff)`);
    }
    const killedAt = performance.now();
    await chain.killSite();
    console.log(`  site hub killed: every point stale at ${describeTimes(await timesUntil(chain, [region, top], true, killedAt), [region, top])}`);
    const restartedAt = performance.now();
    await chain.restartSite();
    console.log(`    restarted: live again at ${describeTimes(await timesUntil(chain, [region, top], false, restartedAt), [region, top])} (including its start)`);
    console.log('  (a killed process refuses connections at once; a silent network cut shows after the 13 s poll timeout instead)');
  } finally {
    await chain.close();
  }
}

await main();
await outage();
