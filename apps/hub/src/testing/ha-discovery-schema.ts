/**
 * What Home Assistant's MQTT integration accepts in a discovery config, for the components the
 * bridge publishes, written from HA's MQTT documentation (light default schema, cover, sensor,
 * binary_sensor, text, and the options every entity shares). Tests check every published config
 * against it: a required field missing, an unknown option, a topic with a wildcard, or a value
 * outside what HA allows is a problem.
 */

type Check = (value: unknown) => string | undefined;

const string: Check = (value) => (typeof value === 'string' ? undefined : 'must be a string');
const integer = (min: number, max: number): Check => (value) =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `must be an integer from ${min} to ${max}`;
const oneOf = (...allowed: unknown[]): Check => (value) => (allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}`);
const boolean: Check = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');
/** A topic HA publishes to: no wildcard. */
const publishTopic: Check = (value) => (typeof value !== 'string' || value === '' || /[+#]/.test(value) ? 'must be a topic without wildcards' : undefined);
/** A topic HA subscribes to: valid as a filter, and here never a wildcard (one point each). */
const stateTopic = publishTopic;
const template: Check = (value) => (typeof value === 'string' && value.includes('{{') ? undefined : 'must be a template');

const availabilityItem: Check = (value) => {
  if (typeof value !== 'object' || value === null) return 'must be a map';
  const item = value as Record<string, unknown>;
  for (const key of Object.keys(item)) if (!['topic', 'payload_available', 'payload_not_available', 'value_template'].includes(key)) return `unknown key ${key}`;
  return stateTopic(item['topic']) ?? (item['value_template'] === undefined ? undefined : template(item['value_template']));
};

const device: Check = (value) => {
  if (typeof value !== 'object' || value === null) return 'must be a map';
  const entry = value as Record<string, unknown>;
  const allowed = ['identifiers', 'connections', 'name', 'manufacturer', 'model', 'model_id', 'sw_version', 'hw_version', 'serial_number', 'suggested_area', 'via_device', 'configuration_url'];
  for (const key of Object.keys(entry)) if (!allowed.includes(key)) return `unknown key ${key}`;
  const identifiers = entry['identifiers'];
  if (!Array.isArray(identifiers) || identifiers.length === 0 || identifiers.some((id) => typeof id !== 'string')) return 'identifiers: must be a list of strings';
  return undefined;
};

/** The options every MQTT entity takes (and, when it belongs to a device, needs: a unique id). */
const COMMON: Record<string, Check> = {
  name: string,
  unique_id: string,
  default_entity_id: string,
  object_id: string,
  device,
  availability: (value) => (Array.isArray(value) && value.length > 0 ? value.map(availabilityItem).find(Boolean) : 'must be a non-empty list'),
  availability_mode: oneOf('all', 'any', 'latest'),
  qos: integer(0, 2),
  entity_category: oneOf('config', 'diagnostic'),
  enabled_by_default: boolean,
  icon: string,
};

interface ComponentSchema {
  required: string[];
  options: Record<string, Check>;
}

const COMPONENTS: Record<string, ComponentSchema> = {
  light: {
    required: ['command_topic'],
    options: {
      command_topic: publishTopic,
      state_topic: stateTopic,
      state_value_template: template,
      payload_on: string,
      payload_off: string,
      on_command_type: oneOf('last', 'first', 'brightness'),
      brightness_command_topic: publishTopic,
      brightness_state_topic: stateTopic,
      brightness_scale: integer(1, 2 ** 31 - 1),
      retain: boolean,
      optimistic: boolean,
    },
  },
  cover: {
    required: [],
    options: {
      command_topic: publishTopic,
      state_topic: stateTopic,
      device_class: oneOf('awning', 'blind', 'curtain', 'damper', 'door', 'garage', 'gate', 'shade', 'shutter', 'window'),
      payload_open: string,
      payload_close: string,
      payload_stop: string,
      state_open: string,
      state_opening: string,
      state_closed: string,
      state_closing: string,
      state_stopped: string,
      position_topic: stateTopic,
      position_open: integer(0, 100),
      position_closed: integer(0, 100),
      set_position_topic: publishTopic,
      retain: boolean,
      optimistic: boolean,
    },
  },
  sensor: {
    required: ['state_topic'],
    options: {
      state_topic: stateTopic,
      device_class: oneOf('temperature', 'humidity', 'illuminance', 'power', 'energy', 'voltage', 'current', 'pressure', 'battery'),
      unit_of_measurement: string,
      state_class: oneOf('measurement', 'total', 'total_increasing'),
      value_template: template,
    },
  },
  binary_sensor: {
    required: ['state_topic'],
    options: {
      state_topic: stateTopic,
      payload_on: string,
      payload_off: string,
      device_class: oneOf('connectivity', 'light', 'door', 'window', 'motion', 'problem', 'running'),
      value_template: template,
    },
  },
  text: {
    required: ['command_topic'],
    options: {
      command_topic: publishTopic,
      state_topic: stateTopic,
      min: integer(0, 255),
      max: integer(1, 255),
      mode: oneOf('text', 'password'),
      pattern: string,
      retain: boolean,
    },
  },
};

/** Units HA accepts for a sensor's device class (the ones the bridge uses). */
const UNITS: Record<string, string[]> = { temperature: ['°C', '°F', 'K'], humidity: ['%'] };

/** Every problem HA would have with a discovery config of `component`; empty when it is accepted. */
export function haConfigProblems(component: string, config: Record<string, unknown>): string[] {
  const schema = COMPONENTS[component];
  if (!schema) return [`${component}: not a component the bridge may publish`];
  const problems: string[] = [];
  for (const key of schema.required) if (config[key] === undefined) problems.push(`${key}: required`);
  for (const [key, value] of Object.entries(config)) {
    const check = schema.options[key] ?? COMMON[key];
    if (!check) {
      problems.push(`${key}: not an option of ${component}`);
      continue;
    }
    const problem = check(value);
    if (problem) problems.push(`${key}: ${problem}`);
  }
  // A device's entities need unique ids (HA refuses an entity with a device and no unique_id).
  if (config['device'] !== undefined && typeof config['unique_id'] !== 'string') problems.push('unique_id: required with a device');
  const deviceClass = config['device_class'];
  if (component === 'sensor' && typeof deviceClass === 'string' && UNITS[deviceClass] && !UNITS[deviceClass].includes(config['unit_of_measurement'] as string)) {
    problems.push(`unit_of_measurement: must be one of ${UNITS[deviceClass].join(', ')} for ${deviceClass}`);
  }
  if (typeof config['default_entity_id'] === 'string' && !(config['default_entity_id'] as string).startsWith(`${component}.`)) {
    problems.push(`default_entity_id: must be ${component}.<object id>`);
  }
  return problems;
}

/** The component of a discovery topic `<prefix>/<component>/<node id>/<object id>/config`, checked as HA parses it. */
export function componentOfTopic(prefix: string, topic: string): string | undefined {
  const match = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\w+)/(?:[a-zA-Z0-9_-]+/)?[a-zA-Z0-9_-]+/config$`).exec(topic);
  return match?.[1];
}
