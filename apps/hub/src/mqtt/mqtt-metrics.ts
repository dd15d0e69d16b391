/** The MQTT bridge's figures beside the hub's (metrics/hub-metrics.ts), on the same registry. */
import { Gauge, type Registry } from 'prom-client';
import type { MqttBridge } from './mqtt-bridge';

export function registerMqttMetrics(registry: Registry, bridge: Pick<MqttBridge, 'status'>): void {
  new Gauge({
    name: 'riohub_mqtt_connected',
    help: 'Whether the MQTT bridge is connected to its broker (1), or enabled and not connected (0); absent while it is off.',
    registers: [registry],
    collect() {
      this.reset();
      const { state } = bridge.status;
      if (state !== 'off') this.set(state === 'connected' ? 1 : 0);
    },
  });
}
