// A load publisher for the MQTT benches, in a process of its own so that its cost is not the
// measuring process's: `tsx mqtt-load.ts <url> <topic prefix> <messages/s, 0: as fast as it can> <seconds>`.
// Publishes QoS 0 values the size of a datapoint's, over 1,000 topics, and prints how many it sent.
import mqtt from 'mqtt';

const [url, prefix, rateText, secondsText] = process.argv.slice(2) as [string, string, string, string];
const rate = Number(rateText);
const seconds = Number(secondsText);
const TOPICS = 1_000;
/** A tick's share of the rate is published at once: the same spread as the simulator's changes. */
const TICK_MS = 5;
/** When the socket holds this much unsent, the publisher waits: it offers what the broker takes. */
const HIGH_WATER_BYTES = 1 << 20;

const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0 });
const stream = client.stream as unknown as { writableLength: number };
let sent = 0;
const started = performance.now();
const publishOne = () => {
  client.publish(`${prefix}${sent % TOPICS}`, String(sent % 100), { qos: 0 });
  sent++;
};
while (performance.now() - started < seconds * 1000) {
  if (rate > 0) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) publishOne();
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  } else if (stream.writableLength > HIGH_WATER_BYTES) {
    await new Promise((resolve) => setImmediate(resolve));
  } else {
    for (let i = 0; i < 500; i++) publishOne();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const elapsed = (performance.now() - started) / 1000;
await client.endAsync();
console.log(JSON.stringify({ sent, perSecond: sent / elapsed }));
