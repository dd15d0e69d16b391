// A change stream through riohub for the benches: simulators offer the load (processes of their
// own), the hub runs as its own process, and what arrives is measured at a dashboard WebSocket
// client, as a browser would receive it.
import { RioTestClient, spawnSim } from '@riohub/testkit';
import type { HubClient, HubSocket } from '../../src/testing/test-hub';

const SIM_PASSWORD = 'bench';

export interface LatencyFigures {
  /** Milliseconds from a probe's send to its arrival. */
  p50: number;
  p99: number;
  probes: number;
  /** Changes that arrived per second. */
  delivered: number;
  /** What the load source managed to offer per second, where it says. */
  offered?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function waitForPoints(admin: HubClient, count: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  while ((await admin.data<{ points: number }>('GET', '/api/hub')).points < count) {
    if (Date.now() > deadline) throw new Error(`the hub did not reach ${count} points`);
    await sleep(50);
  }
}

/** Subscribes a socket to prefixes and waits for the end of its snapshot. */
export async function subscribed(socket: HubSocket, prefixes: string[]): Promise<void> {
  const before = socket.messages.length;
  socket.send({ type: 'subscribe', payload: { prefixes } });
  await socket.until(() => socket.messages.slice(before).some((m) => m.type === 'snapshot' && m.payload.last), 600_000);
}

/** Counts the points of every `delta` the socket receives, and hands each point to `each`. */
function onDeltas(socket: HubSocket, each: (point: { name: string; value: string }, arrived: number) => void): void {
  socket.ws.on('message', (data) => {
    const arrived = now();
    const message = JSON.parse(data.toString()) as { type: string; payload: { points: { name: string; value: string }[] } };
    if (message.type !== 'delta') return;
    for (const point of message.payload.points) each(point, arrived);
  });
}

/**
 * A simulator changing `rate` datapoints a second, and a probe written at it every 10 ms (its send
 * time as the value) measured at the browser client, for `seconds` (the first and last left out).
 */
export async function probeLatency(admin: HubClient, rate: number, seconds: number): Promise<LatencyFigures> {
  const name = `lat${rate}`;
  const sim = await spawnSim(['--password', SIM_PASSWORD, '--lights', '20000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '1', '--changes-per-second', String(rate)]);
  const direct = new RioTestClient(sim.url, sim.certificate);
  try {
    await admin.addSim(name, sim, SIM_PASSWORD);
    await waitForPoints(admin, 20_000);
    const socket = await admin.socket();
    await subscribed(socket, [`${name}.`]);
    const latencies: number[] = [];
    let delivered = 0;
    let counting = false;
    onDeltas(socket, (point, arrived) => {
      if (point.name === `${name}.virtual.1`) latencies.push(arrived - Number(point.value));
      else if (counting) delivered++;
    });
    await sleep(1_000);
    counting = true;
    const started = performance.now();
    while (performance.now() - started < (seconds - 2) * 1000) {
      await direct.get(`/x/rioset?1*${SIM_PASSWORD}*virtual.1*${now().toFixed(3)}`);
      await sleep(10);
    }
    counting = false;
    const elapsed = (performance.now() - started) / 1000;
    socket.close();
    await admin.data('DELETE', `/api/remotes/${name}`);
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), probes: latencies.length, delivered: delivered / elapsed, offered: rate };
  } finally {
    await direct.close();
    await sim.stop();
  }
}

/** `count` simulators each offering `rate` changes a second: what reaches one client subscribed to everything. */
export async function sustainedRate(admin: HubClient, count: number, rate: number, seconds: number): Promise<LatencyFigures> {
  const sims = await Promise.all(
    Array.from({ length: count }, () => spawnSim(['--password', SIM_PASSWORD, '--lights', '50000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--changes-per-second', String(rate)])),
  );
  try {
    for (const [i, sim] of sims.entries()) await admin.addSim(`load${i}`, sim, SIM_PASSWORD);
    await waitForPoints(admin, count * 50_000);
    const socket = await admin.socket();
    await subscribed(socket, ['']);
    let delivered = 0;
    onDeltas(socket, () => delivered++);
    await sleep(1_000);
    const from = delivered;
    const started = performance.now();
    await sleep((seconds - 2) * 1000);
    const rateDelivered = (delivered - from) / ((performance.now() - started) / 1000);
    socket.close();
    for (let i = 0; i < sims.length; i++) await admin.data('DELETE', `/api/remotes/load${i}`);
    return { p50: NaN, p99: NaN, probes: 0, delivered: rateDelivered, offered: count * rate };
  } finally {
    await Promise.all(sims.map((sim) => sim.stop()));
  }
}
