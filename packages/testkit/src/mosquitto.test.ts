// The broker's second listener for bridges (`tlsListener`) over real loopback sockets, with
// certificates made as @riohub/certificate makes them: a TLS client, and bridges from other brokers
// (`bridge.ca`), each spoken to with mqtt.js, as the hub speaks to a broker.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { makeSelfSigned, type Certificate } from '@riohub/certificate';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoBroker, type MosquittoOptions } from './mosquitto';
import { waitUntil } from './wait';

const clients: MqttClient[] = [];
const brokers: MosquittoBroker[] = [];

/** A client of `broker`'s plain listener, connected. */
async function plainClient(broker: MosquittoBroker): Promise<MqttClient> {
  const client = await connectAsync(broker.url, { reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

/** A client of `broker`'s plain listener subscribed to `filter`, with what it received as `topic payload` lines. */
async function subscriber(broker: MosquittoBroker, filter: string): Promise<{ received: string[] }> {
  const client = await plainClient(broker);
  const received: string[] = [];
  client.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
  await client.subscribeAsync(filter);
  return { received };
}

async function started(options: MosquittoOptions): Promise<MosquittoBroker> {
  const broker = await startMosquitto(options);
  brokers.push(broker);
  return broker;
}

let certificate: Certificate;
let another: Certificate;

beforeAll(async () => {
  [certificate, another] = await Promise.all([makeSelfSigned('127.0.0.1', 'upstream broker'), makeSelfSigned('127.0.0.1', 'another broker')]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

describe('a broker with a TLS listener for bridges', () => {
  it('serves MQTT over TLS on tlsPort with the certificate given, its own clients staying on the plain listener', async () => {
    const broker = await started({ tlsListener: certificate });
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(broker.tlsPort).not.toBe(broker.port);

    // Trusting only the certificate given, its name (127.0.0.1) checked.
    const secure = await connectAsync(`mqtts://127.0.0.1:${broker.tlsPort}`, { ca: certificate.cert, reconnectPeriod: 0 });
    clients.push(secure);
    const stream = secure.stream as TLSSocket;
    expect(stream.getPeerX509Certificate()?.fingerprint256).toBe(new X509Certificate(certificate.cert).fingerprint256);
    // A certificate it does not trust is refused.
    await expect(connectAsync(`mqtts://127.0.0.1:${broker.tlsPort}`, { ca: another.cert, reconnectPeriod: 0, connectTimeout: 5_000 })).rejects.toThrow();

    expect((await plainClient(broker)).connected).toBe(true);
  });

  it("carries a bridge that trusts its certificate, and none that trusts another's", async () => {
    const upstream = await started({ tlsListener: certificate });
    const address = `127.0.0.1:${upstream.tlsPort}`;
    const trusting = await started({ bridge: { address, prefix: 'remote/', ca: certificate.cert } });
    const distrusting = await started({ bridge: { address, prefix: 'remote/', ca: another.cert } });
    const [atTrusting, atDistrusting] = await Promise.all([subscriber(trusting, 'remote/#'), subscriber(distrusting, 'remote/#')]);

    // Retained: a bridge that connects after the publish still takes it in.
    await (await plainClient(upstream)).publishAsync('site/temperature', '21.5', { retain: true });

    await waitUntil(async () => atTrusting.received.includes('remote/site/temperature 21.5'), 10_000, 'the message through the trusting bridge');
    await waitUntil(async () => distrusting.log().includes('certificate verify failed'), 10_000, () => `the distrusting bridge refused:\n${distrusting.log()}`);
    expect(atDistrusting.received).toEqual([]);
  });
});
