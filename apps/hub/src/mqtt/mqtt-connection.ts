/**
 * One broker connection kept up: connects, tells when it is up, and after any loss or refusal
 * tries again after a backoff that doubles up to 30 s, with jitter so that many hubs restarted
 * with their broker do not all knock at once. Its status (connected, reconnecting and why) is what
 * Settings → MQTT shows. No Fastify, no hub: the bridge wires it.
 *
 * The socket is made here, not by mqtt.js: a pinned broker certificate is checked before the
 * CONNECT packet, which carries the password, is let through.
 */
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { MqttStatus } from '@riohub/hub-api';
import type { IClientOptions, IPublishPacket, MqttClient } from 'mqtt';
import { normalizeFingerprint } from '@riohub/hub-api';
import { hostOf } from '../links/remote-client';
import type { MqttSettingsValue } from './mqtt-settings';
import { statusTopic } from './mqtt-topics';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
const KEEPALIVE_S = 30;

export interface ConnectionHooks {
  /** The broker accepted the connection: subscribe and publish through `client`. */
  connected(client: MqttClient): void;
  /** The connection is gone (nothing more can be sent through the client given to `connected`). */
  lost(): void;
  message(topic: string, payload: Buffer, packet: IPublishPacket): void;
  status(status: MqttStatus): void;
}

/** The delay before attempt `n` (0 is the first retry): doubling, capped, from half to all of it. */
export function retryDelayMs(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** A TLS socket whose writes wait until the broker's certificate is the pinned one. */
function pinnedSocket(host: string, port: number, fingerprint: string): Duplex {
  const pinned = normalizeFingerprint(fingerprint);
  const socket = tlsConnect({ host, port, servername: host, rejectUnauthorized: false });
  let verified = false;
  const held: [Buffer, (error?: Error | null) => void][] = [];
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      if (verified) socket.write(chunk, callback);
      else held.push([chunk, callback]);
    },
    read() {},
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.once('secureConnect', () => {
    const offered = (socket as TLSSocket).getPeerCertificate().fingerprint256;
    if (offered !== pinned) {
      // With a code: mqtt.js passes on only the stream errors that have one.
      stream.destroy(Object.assign(new Error(`the broker's certificate is not the pinned one (it offers SHA-256 ${offered})`), { code: 'CERT_NOT_PINNED' }));
      return;
    }
    verified = true;
    for (const [chunk, callback] of held.splice(0)) socket.write(chunk, callback);
  });
  socket.on('data', (chunk: Buffer) => stream.push(chunk));
  socket.once('end', () => stream.push(null));
  socket.once('error', (error) => stream.destroy(error));
  socket.once('close', () => stream.destroy());
  return stream;
}

function socketFor(settings: MqttSettingsValue): () => Duplex {
  const url = new URL(settings.url);
  const secure = url.protocol === 'mqtts:';
  const host = hostOf(url);
  const port = url.port ? Number(url.port) : secure ? 8883 : 1883;
  if (!secure) return () => netConnect({ host, port });
  if (settings.fingerprint) return () => pinnedSocket(host, port, settings.fingerprint);
  return () => tlsConnect({ host, port, servername: host, ...(settings.ca ? { ca: settings.ca } : {}) });
}

/** mqtt.js's client, loaded when a bridge first connects: a hub without MQTT never loads it. */
export const loadMqttClient = async (): Promise<typeof MqttClient> => (await import('mqtt')).MqttClient;

export class MqttConnection {
  private client: MqttClient | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;
  private current: MqttStatus = { state: 'connecting', since: Date.now() };

  constructor(
    private readonly settings: MqttSettingsValue,
    private readonly Client: typeof MqttClient,
    private readonly hooks: ConnectionHooks,
  ) {}

  get status(): MqttStatus {
    return this.current;
  }

  start(): void {
    this.open();
  }

  /**
   * Ends the connection. While connected, `goodbye` is published first (the bridge's retained
   * `offline`, which a clean disconnect does not make the broker send as the will).
   */
  async stop(goodbye?: { topic: string; payload: string; qos: 0 | 1 | 2 }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected && goodbye) {
      // At most 2 s for the broker to take it; the timer is cleared, so that it never holds the process up.
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => client.publish(goodbye.topic, goodbye.payload, { qos: goodbye.qos, retain: true }, () => resolve())),
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, 2_000);
        }),
      ]);
      clearTimeout(timeout);
    }
    await new Promise<void>((resolve) => client.end(!client.connected, {}, () => resolve()));
  }

  private setStatus(status: Omit<MqttStatus, 'since'>): void {
    this.current = { ...status, since: Date.now() };
    this.hooks.status(this.current);
  }

  private open(): void {
    if (this.stopped) return;
    const { settings } = this;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: settings.clientId,
      // A password goes with a user name only: MQTT 3 forbids it alone, and brokers drop such a CONNECT.
      ...(settings.username ? { username: settings.username, ...(settings.password ? { password: settings.password } : {}) } : {}),
      clean: true,
      keepalive: KEEPALIVE_S,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // The backoff is ours, with jitter; mqtt.js's is a fixed period.
      reconnectPeriod: 0,
      // Nothing is queued inside mqtt.js while disconnected: the bridge keeps the latest per topic.
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: statusTopic(settings.baseTopic), payload: Buffer.from('offline'), qos: settings.qos, retain: true },
    };
    const makeSocket = socketFor(settings);
    const client = new this.Client(() => makeSocket() as never, options);
    this.client = client;
    let up = false;
    client.on('connect', () => {
      if (this.client !== client) return;
      up = true;
      this.attempt = 0;
      this.lastError = undefined;
      this.setStatus({ state: 'connected' });
      this.hooks.connected(client);
    });
    client.on('message', (topic, payload, packet) => {
      if (this.client === client) this.hooks.message(topic, payload, packet);
    });
    client.on('error', (error) => {
      this.lastError = error.message;
    });
    client.on('disconnect', (packet) => {
      this.lastError = `the broker disconnected the bridge (reason ${packet.reasonCode ?? 'unknown'})`;
    });
    client.once('close', () => {
      if (this.client !== client) return;
      if (up) this.hooks.lost();
      client.end(true);
      this.client = undefined;
      if (this.stopped) return;
      const delay = retryDelayMs(this.attempt++);
      this.setStatus({ state: 'reconnecting', error: this.lastError ?? (up ? 'the connection was lost' : 'the broker closed the connection without accepting it'), nextAttemptAt: Date.now() + delay });
      this.timer = setTimeout(() => this.open(), delay);
      this.timer.unref();
    });
  }
}
