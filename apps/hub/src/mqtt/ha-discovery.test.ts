// Home Assistant discovery from the topology the simulator describes: which entity each datapoint
// becomes, and that each config is one HA accepts.
import type { Device } from '@riohub/hub-api';
import { describe, expect, it } from 'vitest';
import { componentOfTopic, haConfigProblems } from '../testing/ha-discovery-schema';
import { devicesByName, discoveryEntry, discoveryFilter, objectIdOf, type DiscoveryOptions } from './ha-discovery';

const INSTANCE = '0b7c3f4e-1111-4222-8333-944445555666';
const OPTIONS: DiscoveryOptions = { instanceId: INSTANCE, baseTopic: 'riohub', discoveryPrefix: 'homeassistant', allowWrites: true, qos: 0 };

/** The devices `riohub-sim` reports (apps/sim devices.ts), under the prefix `lobby`. */
const TOPOLOGY: Device[] = [
  { name: 'lobby.dummy.light.1', remote: 'lobby', params: ['LIGHT', 'LIGHT', 'DUMMY'] },
  { name: 'lobby.dummy.dimmer.1', remote: 'lobby', params: ['LIGHT', 'DIMMER', 'DUMMY'] },
  { name: 'lobby.dummy.autom.1', remote: 'lobby', params: ['AUTOM', 'VSHUT', 'DUMMY'] },
  { name: 'lobby.sensor.temp.1', remote: 'lobby', params: ['SENSOR', 'TEMPERATURE', 'SENSOR'] },
];
const POINTS = new Set(['lobby.dummy.light.1', 'lobby.dummy.dimmer.1', 'lobby.dummy.autom.1', 'lobby.dummy.autom.1.pos', 'lobby.sensor.temp.1', 'lobby.virtual.1', 'lobby.dummy.connection']);
const devices = devicesByName(TOPOLOGY);
const entryOf = (name: string, options = OPTIONS, kind: 'io' | 'hub' = 'io') => discoveryEntry(kind, name, devices, (point) => POINTS.has(point), options);

describe('Home Assistant discovery', () => {
  it('makes an on/off light a light that writes 1 and 0', () => {
    const entry = entryOf('lobby.dummy.light.1');
    expect(entry?.topic).toBe(`homeassistant/light/riohub-${INSTANCE}/lobby_dummy_light_1/config`);
    expect(entry?.config).toMatchObject({
      state_topic: 'riohub/io/lobby/dummy/light/1',
      command_topic: 'riohub/io/lobby/dummy/light/1/set',
      payload_on: '1',
      payload_off: '0',
      unique_id: `riohub_${INSTANCE}_lobby.dummy.light.1`,
      device: { identifiers: [`riohub_${INSTANCE}_lobby`], name: 'riohub lobby' },
      availability_mode: 'all',
      availability: [{ topic: 'riohub/status' }, { topic: 'riohub/hub/lobby/connection', payload_available: 'online' }],
    });
  });

  it('makes a dimmer a light with its level as brightness from 0 to 100', () => {
    expect(entryOf('lobby.dummy.dimmer.1')?.config).toMatchObject({
      brightness_state_topic: 'riohub/io/lobby/dummy/dimmer/1',
      brightness_command_topic: 'riohub/io/lobby/dummy/dimmer/1/set',
      brightness_scale: 100,
      payload_off: '0',
      on_command_type: 'brightness',
    });
  });

  it("makes a shutter a cover that opens up, closes down and stops, its position from .pos, which is no entity itself", () => {
    const entry = entryOf('lobby.dummy.autom.1');
    expect(entry?.component).toBe('cover');
    expect(entry?.config).toMatchObject({
      command_topic: 'riohub/io/lobby/dummy/autom/1/set',
      payload_open: 'up',
      payload_close: 'down',
      payload_stop: 'stop',
      position_topic: 'riohub/io/lobby/dummy/autom/1/pos',
      position_open: 100,
      position_closed: 0,
    });
    expect(entryOf('lobby.dummy.autom.1.pos')).toBeUndefined();
  });

  it('makes a temperature sensor a temperature sensor in °C', () => {
    expect(entryOf('lobby.sensor.temp.1')).toMatchObject({ component: 'sensor', config: { device_class: 'temperature', unit_of_measurement: '°C' } });
  });

  it('makes other datapoints text when writes are allowed, sensors when not or when they are readings', () => {
    expect(entryOf('lobby.virtual.1')?.component).toBe('text');
    expect(entryOf('lobby.virtual.1', { ...OPTIONS, allowWrites: false })?.component).toBe('sensor');
    expect(entryOf('lobby.dummy.connection')?.component).toBe('sensor');
  });

  it('shows lights and dimmers read only, without a command topic, when writes from MQTT are off', () => {
    const readOnly = { ...OPTIONS, allowWrites: false };
    expect(entryOf('lobby.dummy.light.1', readOnly)).toMatchObject({ component: 'binary_sensor', config: { payload_on: '1' } });
    expect(entryOf('lobby.dummy.dimmer.1', readOnly)?.component).toBe('sensor');
    expect(entryOf('lobby.dummy.autom.1', readOnly)?.config['command_topic']).toBeUndefined();
  });

  it("shows a remote's connection as a connectivity sensor that stays available while the remote is not", () => {
    const entry = entryOf('lobby.connection', OPTIONS, 'hub');
    expect(entry).toMatchObject({ component: 'binary_sensor', config: { device_class: 'connectivity', availability: [{ topic: 'riohub/status' }] } });
    expect(entryOf('lobby.time.delta', OPTIONS, 'hub')).toBeUndefined();
  });

  it('publishes configs Home Assistant accepts, under topics it parses, for every kind and both write settings', () => {
    for (const allowWrites of [true, false]) {
      const entries = [...[...POINTS].map((name) => entryOf(name, { ...OPTIONS, allowWrites })), entryOf('lobby.connection', OPTIONS, 'hub')].filter((entry) => entry !== undefined);
      expect(entries.length).toBeGreaterThan(5);
      for (const entry of entries) {
        expect(componentOfTopic('homeassistant', entry.topic), entry.topic).toBe(entry.component);
        expect(haConfigProblems(entry.component, entry.config), entry.name).toEqual([]);
      }
    }
  });

  it('gives names that differ only by _ and . different topics, stable across runs', () => {
    expect(objectIdOf('lobby.a.b')).toBe('lobby_a_b');
    expect(objectIdOf('lobby.a_b')).not.toBe(objectIdOf('lobby.a.b'));
    expect(objectIdOf('lobby.a_b')).toBe(objectIdOf('lobby.a_b'));
    expect(discoveryFilter(OPTIONS)).toBe(`homeassistant/+/riohub-${INSTANCE}/+/config`);
  });
});

describe('the Home Assistant schema check itself', () => {
  it('finds a missing required field, an unknown option and a wildcard topic', () => {
    expect(haConfigProblems('light', { state_topic: 'a' })).toContain('command_topic: required');
    expect(haConfigProblems('sensor', { state_topic: 'a', colour: 'red' })).toContain('colour: not an option of sensor');
    expect(haConfigProblems('text', { command_topic: 'a/#' })).toContain('command_topic: must be a topic without wildcards');
    expect(haConfigProblems('sensor', { state_topic: 'a', device_class: 'temperature', unit_of_measurement: 'C' })).toHaveLength(1);
  });
});
