/**
 * The MQTT bridge (docs/mqtt.md): the hub's datapoints, GUI variables and own points published to
 * a broker, `…/set` commands taken as writes, Home Assistant discovery.
 *
 * - `GET /api/mqtt` (admin) → `Result<MqttView>`
 * - `PUT /api/mqtt` (admin) with an `MqttInput` → `Result<MqttView>`; applied at once (the bridge
 *   reconnects with the new settings). The password is write-only.
 */
import { z } from 'zod';
import { normalizeFingerprint } from './remotes';
import { isWellFormedText, NOT_WELL_FORMED, VALID_TEXT } from './text';

export const mqttQosSchema = z.union([z.literal(0), z.literal(1), z.literal(2)], 'must be 0, 1 or 2');
export type MqttQos = z.infer<typeof mqttQosSchema>;

export const mqttSettingsViewSchema = z.object({
  /** The bridge runs: it connects and publishes. */
  enabled: z.boolean(),
  /** `mqtt://host:port` or `mqtts://host:port` (no user or password in it). */
  url: z.string(),
  /** `''`: none. */
  username: z.string(),
  /** Whether a password is set (it is never shown). */
  hasPassword: z.boolean(),
  /** The MQTT client id; writes from MQTT are recorded as `mqtt <clientId>`. */
  clientId: z.string(),
  /** Every topic of the bridge is under it: `riohub/io/lobby/dummy/light/1`. */
  baseTopic: z.string(),
  qos: mqttQosSchema,
  /** Home Assistant discovery configs are published. */
  discovery: z.boolean(),
  discoveryPrefix: z.string(),
  /** `…/set` messages become writes; off: each is refused and reported on `<base>/writes`. */
  allowWrites: z.boolean(),
  /** With `mqtts://`: the CA certificates (PEM) the broker's certificate is checked against; `''`: the system's. */
  ca: z.string(),
  /** With `mqtts://`: the broker's certificate pinned by its SHA-256 fingerprint instead; `''`: not pinned. */
  fingerprint: z.string(),
});
export type MqttSettingsView = z.infer<typeof mqttSettingsViewSchema>;

/**
 * `off`: not enabled; `connecting`: the first attempt; `connected`; `reconnecting`: the broker
 * was lost or refused, tried again with backoff (`error` says why).
 */
export const mqttStatusSchema = z.object({
  state: z.enum(['off', 'connecting', 'connected', 'reconnecting']),
  /** The last failure, while not connected. */
  error: z.string().optional(),
  /** Epoch ms: when the state began. */
  since: z.number(),
  /** Epoch ms of the next attempt, while reconnecting. */
  nextAttemptAt: z.number().optional(),
});
export type MqttStatus = z.infer<typeof mqttStatusSchema>;
export type MqttConnectionState = MqttStatus['state'];

export const mqttViewSchema = mqttSettingsViewSchema.extend({ status: mqttStatusSchema }).meta({ id: 'MqttView' });
export type MqttView = z.infer<typeof mqttViewSchema>;

/** A topic path one may publish under: levels separated by `/`, no wildcard, no empty level. */
const TOPIC_PATH = /^[^/+#]+(?:\/[^/+#]+)*$/;

function brokerUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return (url.protocol === 'mqtt:' || url.protocol === 'mqtts:') && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

const topicPath = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .refine(...VALID_TEXT)
  .refine((text) => TOPIC_PATH.test(text), 'must be topic levels separated by /, without +, # or an empty level');

/** The PEM blocks of certificates, in form (the hub also parses each). */
const PEM_CERTIFICATES = /^\s*(?:-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*)+$/;

/** A change of the bridge's settings (`PUT /api/mqtt`, `mqtt:` of the settings file): omitted fields are kept. */
export const mqttInputSchema = z
  .object({
    enabled: z.boolean().optional(),
    url: z
      .string()
      .max(2048, 'is too long')
      .refine((text) => text === '' || brokerUrl(text) !== undefined, 'must be mqtt://host:port or mqtts://host:port')
      .refine((text) => !brokerUrl(text)?.username && !brokerUrl(text)?.password, 'must not hold a user or password: give them in username and password')
      .optional(),
    username: z.string().max(256, 'must be at most 256 characters').refine(...VALID_TEXT).optional(),
    /** A new password; `''` clears it; omitted keeps the stored one. */
    password: z.string().max(256, 'must be at most 256 characters').refine(isWellFormedText, NOT_WELL_FORMED).optional(),
    clientId: z
      .string()
      .min(1, 'must not be empty')
      .max(128, 'must be at most 128 characters')
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, _, . or -')
      .optional(),
    baseTopic: topicPath.optional(),
    qos: mqttQosSchema.optional(),
    discovery: z.boolean().optional(),
    discoveryPrefix: topicPath.optional(),
    allowWrites: z.boolean().optional(),
    ca: z
      .string()
      .max(65_536, 'is too long')
      .refine((text) => text === '' || PEM_CERTIFICATES.test(text), 'must be PEM certificates (-----BEGIN CERTIFICATE-----…)')
      .optional(),
    fingerprint: z
      .string()
      .refine((text) => text === '' || normalizeFingerprint(text) !== undefined, 'must be a SHA-256 fingerprint (64 hex digits)')
      .optional(),
  })
  .strict()
  .meta({ id: 'MqttInput' });
export type MqttInput = z.infer<typeof mqttInputSchema>;

/**
 * What the bridge publishes on `<base>/writes` for every `…/set` it receives (not retained): the
 * write log's id and status when the write went through the pipeline, else the error code and
 * why it was refused (with the write log's id when the pipeline recorded the refusal).
 */
export type MqttWriteReport =
  | { ok: true; name: string; kind: 'io' | 'ui'; value: string; status: string; id: number; user: string }
  | { ok: false; name: string; kind: 'io' | 'ui' | 'hub'; value: string; code: string; error: string; id?: number; user: string };
