// The probe of the latency benches, in a process of its own so that the measuring client does
// nothing but receive: every 10 ms it writes its send time (measure.ts's `now`) as a value, either as an
// MQTT publish (`mqtt <url> <topic> <seconds>`) or as a Remote I/O write to a simulator
// (`rio <url> <password> <name> <seconds>`, its certificate in RIOHUB_PROBE_CA).
import mqtt from 'mqtt';
import { RioTestClient } from '@riohub/testkit';
import { now } from './measure';

const [kind, url, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const INTERVAL_MS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function probe(seconds: number, write: () => Promise<unknown>): Promise<number> {
  let sent = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await write();
    sent++;
    await sleep(INTERVAL_MS);
  }
  return sent;
}

let sent: number;
if (kind === 'mqtt') {
  const [topic, seconds] = rest as [string, string];
  const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0 });
  sent = await probe(Number(seconds), () => client.publishAsync(topic, now().toFixed(3), { qos: 0 }));
  await client.endAsync();
} else {
  const [password, name, seconds] = rest as [string, string, string];
  const client = new RioTestClient(url, process.env['RIOHUB_PROBE_CA']);
  sent = await probe(Number(seconds), () => client.get(`/x/rioset?1*${password}*${name}*${now().toFixed(3)}`));
  await client.close();
}
console.log(JSON.stringify({ sent }));
