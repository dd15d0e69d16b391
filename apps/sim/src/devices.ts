/**
 * The simulated I/O servers and their datapoints, named as HSYCO names them (I/O server id first):
 * DUMMY lights, dimmers and shutters, temperature sensors, generic virtual points, and one
 * `<server>.connection` per I/O server.
 */
import type { SimConfig } from './config';

export type DeviceKind = 'light' | 'dimmer' | 'shutter' | 'position' | 'sensor' | 'virtual' | 'connection' | 'clock';

export interface Datapoint {
  name: string;
  kind: DeviceKind;
  initial: string;
  /** The topology entry (`[type, subtype, I/O server type]`) of a datapoint that is a device. */
  topology?: readonly [string, string, string];
}

/** Why a value cannot be written to a datapoint of this kind; `undefined` when it can. */
export function refusal(kind: DeviceKind, value: string): string | undefined {
  switch (kind) {
    case 'light':
      return value === '0' || value === '1' ? undefined : 'expected "0" or "1"';
    case 'dimmer':
      return /^(?:[0-9]|[1-9][0-9]|100)$/.test(value) ? undefined : 'expected a level from "0" to "100"';
    case 'shutter':
      return value === 'up' || value === 'down' || value === 'stop' ? undefined : 'expected "up", "down" or "stop"';
    case 'sensor':
      return /^-?[0-9]+(?:\.[0-9]+)?$/.test(value) ? undefined : 'expected a number';
    case 'virtual':
      return undefined;
    case 'clock':
      return /^[0-9]{1,15}$/.test(value) ? undefined : 'expected epoch milliseconds';
    case 'position':
    case 'connection':
      return 'read only';
  }
}

/** The position datapoint that goes with a shutter. */
export function positionOf(shutter: string): string {
  return `${shutter}.pos`;
}

/** Every datapoint the configuration asks for, in a stable order. */
export function buildDatapoints(config: SimConfig): Datapoint[] {
  const points: Datapoint[] = [];
  const servers: string[] = [];
  if (config.lights + config.dimmers + config.shutters > 0) servers.push('dummy');
  if (config.sensors > 0) servers.push('sensor');
  if (config.virtuals > 0) servers.push('virtual');
  if (config.system) servers.push('system');
  for (const server of servers) points.push({ name: `${server}.connection`, kind: 'connection', initial: 'online' });

  for (let i = 1; i <= config.lights; i++) {
    points.push({ name: `dummy.light.${i}`, kind: 'light', initial: '0', topology: ['LIGHT', 'LIGHT', 'DUMMY'] });
  }
  for (let i = 1; i <= config.dimmers; i++) {
    points.push({ name: `dummy.dimmer.${i}`, kind: 'dimmer', initial: '0', topology: ['LIGHT', 'DIMMER', 'DUMMY'] });
  }
  for (let i = 1; i <= config.shutters; i++) {
    const name = `dummy.autom.${i}`;
    points.push({ name, kind: 'shutter', initial: 'stop', topology: ['AUTOM', 'VSHUT', 'DUMMY'] });
    points.push({ name: positionOf(name), kind: 'position', initial: '0' });
  }
  for (let i = 1; i <= config.sensors; i++) {
    const initial = (19 + (i % 7) * 0.5).toFixed(1);
    points.push({ name: `sensor.temp.${i}`, kind: 'sensor', initial, topology: ['SENSOR', 'TEMPERATURE', 'SENSOR'] });
  }
  for (let i = 1; i <= config.virtuals; i++) {
    points.push({ name: `virtual.${i}`, kind: 'virtual', initial: '' });
  }
  return points;
}
