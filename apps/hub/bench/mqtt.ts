// Benchmark: simulators → hub → MQTT bridge → Mosquitto → a subscriber, all on this machine, next to
// a Mosquitto-only baseline measured in the same run (a client publishing straight to the same
// broker). Prints the changes/s that reach the subscriber, and the latency from a change to its
// arrival (p50/p99) at 1,000 and 10,000 changes/s. Run with `pnpm bench mqtt`.
import { loadavg } from 'node:os';
import mqtt from 'mqtt';
import { RioTestClient, spawnHub, spawnSim, startMosquitto, type MosquittoBroker } from '@riohub/testkit';
import { HubClient } from '../src/testing/test-hub';
import { now, percentile, sleep } from './lib/measure';

const ADMIN_PASSWORD = 'bench-admin';
const SIM_PASSWORD = 'bench';
const MEASURE_MS = 8_000;
const PROBE_EVERY_MS = 10;


/** A subscriber that counts what arrives under `filter` and takes the latency of each probe (its payload is the send time). */
async function subscriber(url: string, filter: string, probeTopic: string) {
  const client = await mqtt.connectAsync(url, { clientId: `bench-sub-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0 });
  const latencies: number[] = [];
  let received = 0;
  client.on('message', (topic, payload) => {
    received++;
    if (topic === probeTopic && payload.length > 0) latencies.push(now() - Number(payload.toString()));
  });
  await client.subscribeAsync(filter, { qos: 0 });
  return {
    received: () => received,
    latencies,
    close: () => client.endAsync(),
  };
}

function line(label: string, rate: number, latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `${label}: ${rate.toFixed(0)} changes/s received, latency p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms over ${sorted.length} probes`;
}

/** Changes made at a simulator at `changesPerSecond`, probes written to its `virtual.1`, all through the hub. */
async function throughHub(broker: MosquittoBroker, admin: HubClient, changesPerSecond: number): Promise<string> {
  const name = `mq${changesPerSecond}`;
  const sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '20000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '1', '--system', 'false', '--changes-per-second', String(changesPerSecond)]);
  try {
    await admin.addSim(name, sim, SIM_PASSWORD, { discovery: false });
    const sub = await subscriber(broker.url, `riohub/io/${name}/#`, `riohub/io/${name}/virtual/1`);
    // The first publication of all 20,000 values passes before measuring.
    while (sub.received() < 20_000) await sleep(100);
    const direct = new RioTestClient(sim.url, sim.certificate);
    const started = performance.now();
    const before = sub.received();
    while (performance.now() - started < MEASURE_MS) {
      await direct.get(`/x/rioset?1*${SIM_PASSWORD}*virtual.1*${now().toFixed(3)}`);
      await sleep(PROBE_EVERY_MS);
    }
    await sleep(200);
    const rate = (sub.received() - before) / ((performance.now() - started) / 1000);
    await direct.close();
    await sub.close();
    await admin.data('DELETE', `/api/remotes/${name}`);
    return line(`  through the hub at ${changesPerSecond.toLocaleString('en')} changes/s`, rate, sub.latencies);
  } finally {
    await sim.stop();
  }
}

/** The same load published straight to the broker by one client: what Mosquitto alone costs. */
async function mosquittoOnly(broker: MosquittoBroker, changesPerSecond: number): Promise<string> {
  const probeTopic = 'baseline/io/virtual/1';
  const sub = await subscriber(broker.url, 'baseline/#', probeTopic);
  const publisher = await mqtt.connectAsync(broker.url, { clientId: `bench-pub-${process.pid}`, reconnectPeriod: 0 });
  const started = performance.now();
  const before = sub.received();
  let sent = 0;
  let nextProbe = 0;
  while (performance.now() - started < MEASURE_MS) {
    const elapsed = performance.now() - started;
    for (; sent < (elapsed / 1000) * changesPerSecond; sent++) publisher.publish(`baseline/io/dummy/light/${sent % 20_000}`, String(sent % 2), { qos: 0, retain: true });
    if (elapsed >= nextProbe) {
      publisher.publish(probeTopic, now().toFixed(3), { qos: 0, retain: true });
      nextProbe = elapsed + PROBE_EVERY_MS;
    }
    await sleep(1);
  }
  await sleep(200);
  const rate = (sub.received() - before) / ((performance.now() - started) / 1000);
  await publisher.endAsync();
  await sub.close();
  return line(`  Mosquitto alone at ${changesPerSecond.toLocaleString('en')} changes/s`, rate, sub.latencies);
}

/** Four busy simulators at once: what the bridge delivers to one subscriber of everything. */
async function sustained(broker: MosquittoBroker, admin: HubClient): Promise<string> {
  const sims = await Promise.all([0, 1, 2, 3].map(() => spawnSim(['--password', SIM_PASSWORD, '--lights', '20000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--system', 'false', '--changes-per-second', '20000'])));
  try {
    for (const [i, sim] of sims.entries()) await admin.addSim(`load${i}`, sim, SIM_PASSWORD, { discovery: false });
    const sub = await subscriber(broker.url, 'riohub/io/#', '');
    await sleep(5_000);
    const before = sub.received();
    await sleep(10_000);
    const rate = (sub.received() - before) / 10;
    await sub.close();
    for (let i = 0; i < sims.length; i++) await admin.data('DELETE', `/api/remotes/load${i}`);
    return `  sustained: 4 simulators offering 80,000 changes/s in all → ${rate.toFixed(0)} changes/s delivered to an MQTT subscriber`;
  } finally {
    await Promise.all(sims.map((sim) => sim.stop()));
  }
}

// Other work on the machine lengthens every figure: the load is printed with them.
console.log(`MQTT bridge (simulators, hub, Mosquitto and subscriber on one machine; load average ${loadavg()[0]?.toFixed(2)}):`);
const broker = await startMosquitto();
const hub = await spawnHub(ADMIN_PASSWORD);
try {
  const admin = new HubClient(hub.url);
  await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
  await admin.data('PUT', '/api/mqtt', { enabled: true, url: broker.url, discovery: false });
  for (const rate of [1_000, 10_000]) {
    console.log(await throughHub(broker, admin, rate));
    console.log(await mosquittoOnly(broker, rate));
  }
  console.log(await sustained(broker, admin));
  console.log(`  load average at the end: ${loadavg()[0]?.toFixed(2)}`);
} finally {
  await hub.stop();
  await broker.close();
}
