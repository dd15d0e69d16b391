/**
 * Home Assistant MQTT discovery from the topology, as pure functions (docs/mqtt.md): which entity
 * a datapoint becomes, and the retained config that announces it at
 * `<discoveryPrefix>/<component>/<node id>/<object id>/config`.
 *
 * Only datapoints that exist become entities (a device of the topology whose point is filtered out
 * shows nothing), so an entity goes exactly when its point goes. Every entity of a remote belongs
 * to one HA device, `riohub <remote>`, available while the bridge is online and the remote's
 * connection is `online`. Unique ids are the hub's instance id and the full name: stable across
 * restarts, and distinct for two hubs on one broker.
 */
import type { Device, PointKind } from '@riohub/hub-api';
import { commandTopic, connectionTopic, remoteOf, stateTopic, statusTopic } from './mqtt-topics';

export type HaComponent = 'light' | 'cover' | 'sensor' | 'binary_sensor' | 'text';

export interface DiscoveryOptions {
  instanceId: string;
  baseTopic: string;
  discoveryPrefix: string;
  /** `…/set` is taken: entities get command topics. Off: each is shown read only. */
  allowWrites: boolean;
  qos: 0 | 1 | 2;
}

/** A config to publish, retained, at `topic`. */
export interface DiscoveryEntry {
  topic: string;
  component: HaComponent;
  /** The full name of the datapoint it shows. */
  name: string;
  config: Record<string, unknown>;
}

/** The node id of every config of this hub: its instance id, so that two hubs never meet. */
export function discoveryNodeId(instanceId: string): string {
  return `riohub-${instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Where this hub's configs are: one subscription finds what an earlier run left. */
export function discoveryFilter(options: Pick<DiscoveryOptions, 'discoveryPrefix' | 'instanceId'>): string {
  return `${options.discoveryPrefix}/+/${discoveryNodeId(options.instanceId)}/+/config`;
}

/** Matches this hub's config topics, today's and an earlier run's. */
export function configTopicPattern(options: Pick<DiscoveryOptions, 'discoveryPrefix' | 'instanceId'>): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(options.discoveryPrefix)}/\\w+/${escape(discoveryNodeId(options.instanceId))}/[A-Za-z0-9_-]+/config$`);
}

/** 32-bit FNV-1a, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The object id of a topic: letters, digits, `_` and `-` only. Dots become `_`; a name that holds
 * a `_` of its own gets a hash of itself, so that `a.b_c` and `a.b.c` never share a topic.
 */
export function objectIdOf(name: string): string {
  const plain = name.replaceAll('.', '_');
  return name.includes('_') ? `${plain}_${fnv1a(name)}` : plain;
}

/** `LIGHT;DIMMER` and the other device kinds a datapoint can be, from its topology entry. */
type DeviceKind = 'light' | 'dimmer' | 'shutter' | 'temperature' | 'humidity' | 'sensor' | 'other';

function deviceKindOf(params: readonly string[] | undefined): DeviceKind {
  const [type, subtype] = params ?? [];
  if (type === 'LIGHT') return subtype === 'DIMMER' ? 'dimmer' : 'light';
  if (type === 'AUTOM') return 'shutter';
  if (type === 'SENSOR') return subtype === 'TEMPERATURE' ? 'temperature' : subtype === 'HUMIDITY' ? 'humidity' : 'sensor';
  return 'other';
}

/** What the merged topology says of each device, by full name, for lookups per point. */
export function devicesByName(topology: readonly Device[]): Map<string, Device> {
  return new Map(topology.map((device) => [device.name, device]));
}

/** A shutter's position (`<shutter>.pos`) is part of its cover, not an entity of its own. */
export function shutterOfPosition(name: string, devices: ReadonlyMap<string, Device>): string | undefined {
  if (!name.endsWith('.pos')) return undefined;
  const shutter = name.slice(0, -'.pos'.length);
  return deviceKindOf(devices.get(shutter)?.params) === 'shutter' ? shutter : undefined;
}

/** Readings that no write can change: an I/O server's connection, the SYSTEM clock's own points. */
function isReading(name: string): boolean {
  return name.endsWith('.connection');
}

/**
 * The discovery config of a datapoint (`io`) or of the hub's `<remote>.connection`, or `undefined`
 * when it shows none (a GUI variable, a shutter's position, the hub's clock points).
 * `exists(name)` says whether a datapoint exists (a shutter's position, to show it).
 */
export function discoveryEntry(
  kind: PointKind,
  name: string,
  devices: ReadonlyMap<string, Device>,
  exists: (name: string) => boolean,
  options: DiscoveryOptions,
): DiscoveryEntry | undefined {
  const remote = remoteOf(name);
  if (name === remote) return undefined;
  const base = options.baseTopic;
  const common = (component: HaComponent, label: string): Record<string, unknown> => ({
    name: label,
    unique_id: `riohub_${options.instanceId}_${name}`,
    // The entity id HA gives it at first (object_id before HA 2025.10, which deprecated it): the
    // same as HA would derive from the device's and the entity's names.
    default_entity_id: `${component}.riohub_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`,
    device: deviceOf(remote, options),
    availability_mode: 'all',
    availability: [
      { topic: statusTopic(base), payload_available: 'online', payload_not_available: 'offline' },
      // The remote's connection is `online` or another word (`offline`, `disabled`…): all but one mean unavailable.
      {
        topic: connectionTopic(base, remote),
        payload_available: 'online',
        payload_not_available: 'offline',
        value_template: "{{ 'online' if value == 'online' else 'offline' }}",
      },
    ],
    qos: options.qos,
    ...(component === 'light' || component === 'cover' || component === 'text' ? { retain: false } : {}),
  });
  const label = name.slice(remote.length + 1);
  const state = stateTopic(base, kind, name);
  const command = commandTopic(base, kind, name);
  const entry = (component: HaComponent, config: Record<string, unknown>): DiscoveryEntry => ({
    topic: `${options.discoveryPrefix}/${component}/${discoveryNodeId(options.instanceId)}/${objectIdOf(name)}/config`,
    component,
    name,
    config,
  });

  if (kind === 'hub') {
    if (name !== `${remote}.connection`) return undefined;
    // The remote's own connection: available whenever the bridge is, whatever the remote does.
    const config = common('binary_sensor', 'connection');
    config['availability'] = [(config['availability'] as object[])[0]];
    return entry('binary_sensor', {
      ...config,
      state_topic: state,
      payload_on: 'online',
      payload_off: 'offline',
      value_template: "{{ 'online' if value == 'online' else 'offline' }}",
      device_class: 'connectivity',
      entity_category: 'diagnostic',
    });
  }
  if (kind !== 'io' || shutterOfPosition(name, devices)) return undefined;

  const writable = options.allowWrites && !isReading(name);
  switch (deviceKindOf(devices.get(name)?.params)) {
    case 'light':
      if (!writable) return entry('binary_sensor', { ...common('binary_sensor', label), state_topic: state, payload_on: '1', payload_off: '0', device_class: 'light' });
      return entry('light', { ...common('light', label), state_topic: state, command_topic: command, payload_on: '1', payload_off: '0' });
    case 'dimmer':
      if (!writable) return entry('sensor', { ...common('sensor', label), state_topic: state, unit_of_measurement: '%', state_class: 'measurement' });
      return entry('light', {
        ...common('light', label),
        // The level is both the state (0 is off) and the brightness, in percent.
        state_topic: state,
        state_value_template: "{{ '0' if (value | int(0)) == 0 else '100' }}",
        command_topic: command,
        payload_on: '100',
        payload_off: '0',
        // Turning on sends the brightness alone (the last one, or full): the level is the command.
        on_command_type: 'brightness',
        brightness_state_topic: state,
        brightness_command_topic: command,
        brightness_scale: 100,
      });
    case 'shutter': {
      const position = `${name}.pos`;
      return entry('cover', {
        ...common('cover', label),
        device_class: 'shutter',
        // The shutter's value is its motion; where it is comes from `.pos` (100: up, open).
        state_topic: state,
        state_opening: 'up',
        state_closing: 'down',
        state_stopped: 'stop',
        ...(exists(position) ? { position_topic: stateTopic(base, 'io', position), position_open: 100, position_closed: 0 } : {}),
        ...(writable ? { command_topic: command, payload_open: 'up', payload_close: 'down', payload_stop: 'stop' } : {}),
      });
    }
    case 'temperature':
      return entry('sensor', { ...common('sensor', label), state_topic: state, device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement' });
    case 'humidity':
      return entry('sensor', { ...common('sensor', label), state_topic: state, device_class: 'humidity', unit_of_measurement: '%', state_class: 'measurement' });
    case 'sensor':
      return entry('sensor', { ...common('sensor', label), state_topic: state });
    case 'other':
      if (isReading(name)) return entry('sensor', { ...common('sensor', label), state_topic: state, entity_category: 'diagnostic' });
      // Any text, as HSYCO's virtual points are: editable when writes are allowed.
      if (writable) return entry('text', { ...common('text', label), state_topic: state, command_topic: command, max: 255 });
      return entry('sensor', { ...common('sensor', label), state_topic: state });
  }
}

function deviceOf(remote: string, options: DiscoveryOptions): Record<string, unknown> {
  return {
    identifiers: [`riohub_${options.instanceId}_${remote}`],
    name: `riohub ${remote}`,
    manufacturer: 'riohub',
    model: 'HSYCO server (Remote I/O API)',
  };
}
