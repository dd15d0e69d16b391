/**
 * A real MQTT client for tests, as Home Assistant or a script would connect: it subscribes, keeps
 * the latest payload of every topic (an empty retained payload deletes it), and waits for
 * conditions, never for time. `retainedAt` reads what a broker holds right now, completely.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface SeenMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

export class MqttWatcher {
  readonly messages: SeenMessage[] = [];
  /** The latest payload per topic. */
  readonly state = new Map<string, string>();
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const text = payload.toString('utf8');
      this.messages.push({ topic, payload: text, retain: packet.retain });
      if (text === '') this.state.delete(topic);
      else this.state.set(topic, text);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects and subscribes to `filters`; resolves once subscribed. */
  static async connect(url: string, filters: string[], options: IClientOptions = {}): Promise<MqttWatcher> {
    const client = await mqtt.connectAsync(url, { clientId: `test-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0, ...options });
    const watcher = new MqttWatcher(client);
    if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
    return watcher;
  }

  /** Every topic under `prefix` and its latest payload. */
  under(prefix: string): Map<string, string> {
    return new Map([...this.state].filter(([topic]) => topic.startsWith(prefix)));
  }

  /** Resolves once `test` holds, checked after every message (and at least every 200 ms). */
  async until(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting on MQTT for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** The first message after `from` (an index into `messages`) that `test` accepts. */
  async next(from: number, test: (message: SeenMessage) => boolean, what: string, timeoutMs = 20_000): Promise<SeenMessage> {
    let found: SeenMessage | undefined;
    await this.until(() => (found = this.messages.slice(from).find(test)) !== undefined, what, timeoutMs);
    return found as SeenMessage;
  }

  async publish(topic: string, payload: string, options: { retain?: boolean; qos?: 0 | 1 | 2 } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  /**
   * What the broker retains under `filter`, all of it: a fresh client subscribes, then publishes a
   * marker to itself; the retained messages come before the marker does.
   */
  static async retainedAt(url: string, filter: string, options: IClientOptions = {}): Promise<Map<string, string>> {
    const watcher = await MqttWatcher.connect(url, [], options);
    try {
      const marker = `test-marker/${randomUUID()}`;
      await watcher.client.subscribeAsync([filter, marker], { qos: 1 });
      await watcher.publish(marker, 'end');
      await watcher.until(() => watcher.state.has(marker), 'the marker after the retained messages');
      watcher.state.delete(marker);
      return new Map([...watcher.messages].filter((message) => message.retain && message.topic !== marker && message.payload !== '').map((message) => [message.topic, message.payload]));
    } finally {
      await watcher.close();
    }
  }
}
