/**
 * Every response body of the Remote I/O API, encoded and decoded. Encoding writes keys in the
 * documented order; decoding checks a remote's answer and says exactly what is wrong with it.
 * Dictionaries travel as arrays of pairs: names such as `__proto__` are valid names, and arrays
 * keep them from ever touching an object's prototype.
 */
import { z } from 'zod';
import { entryOf } from './entry-of';
import { ProtocolError } from './errors';
import { isQuality, isValidGuiName, isValidName } from './names';
import { readUsualState } from './state-reader';

export type Entry = readonly [name: string, value: string];

/** Part B: whether a datapoint's value is live (`ok`) or the last one known (`stale`). */
export type Quality = 'stale' | 'ok';
export type QualityEntry = readonly [name: string, quality: Quality];

export interface HsycoState {
  /** The server's change clock: microseconds since the epoch of its last change. */
  timestamp: number;
  /** `true` when the server runs a SYSTEM I/O server (`"system":"system"`). */
  system: boolean;
  /** Epoch milliseconds of the last topology change. */
  topotime: number;
  io?: readonly Entry[];
  ui?: readonly Entry[];
  /** Part B: the server's wall clock, epoch milliseconds, whenever `system` is set. */
  clock?: number;
  /**
   * Part B (version 2 only): the answer is the server's whole state, so names absent from it are
   * gone. Absent (never `false` on the wire): the answer carries changes only.
   */
  full?: boolean;
  /** Part B: datapoints whose quality changed (with `full`: every stale one). */
  quality?: readonly QualityEntry[];
  /** Part B: this server's instance id, then those of every server it concentrates. */
  members?: readonly string[];
}

export function encodeState(state: HsycoState): string {
  let body = `{"hsycostate":{"timestamp":${state.timestamp}`;
  if (state.system) body += ',"system":"system"';
  body += `,"topotime":${state.topotime}`;
  if (state.io) body += `,"io":${encodeEntries(state.io)}`;
  if (state.ui) body += `,"ui":${encodeEntries(state.ui)}`;
  if (state.clock !== undefined) body += `,"clock":${state.clock}`;
  if (state.full) body += ',"full":true';
  if (state.quality) body += `,"quality":${encodeEntries(state.quality)}`;
  if (state.members) body += `,"members":${JSON.stringify(state.members)}`;
  return `${body}}}`;
}

function encodeEntries(entries: readonly Entry[]): string {
  let body = '{';
  for (let i = 0; i < entries.length; i++) {
    const [name, value] = entries[i] as Entry;
    if (i > 0) body += ',';
    body += `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  }
  return `${body}}`;
}

const timeSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A JSON object passed through as it is: its keys are checked by hand (see the file header). */
const dictionarySchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object',
);

const stateSchema = z.object({
  hsycostate: z.object({
    timestamp: timeSchema,
    system: z.literal('system').optional(),
    topotime: z.number().int().nonnegative(),
    io: dictionarySchema.optional(),
    ui: dictionarySchema.optional(),
    clock: timeSchema.optional(),
    full: z.literal(true, 'must be true when present').optional(),
    quality: dictionarySchema.optional(),
    members: z.array(z.string().min(1)).optional(),
  }),
});

/**
 * A state answer, checked. Changes written the usual way are read straight from the text
 * (state-reader.ts, the hub's hottest path); anything else is parsed and checked here, which says
 * what is wrong. `whole`: the answer to a read of the whole state (timestamp 1), which version 1
 * does not flag: its names are kept for as long as the remote has them, and JSON.parse makes each
 * one string, the same for every remote that has the name.
 */
export function decodeState(body: string, whole = false): HsycoState {
  return (whole ? undefined : readUsualState(body)) ?? decodeAnyState(body);
}

/** The general decoder of a state answer: the schema, then each section's names and values. */
export function decodeAnyState(body: string): HsycoState {
  const { hsycostate: raw } = parseWith(stateSchema, body, 'state');
  const state: HsycoState = { timestamp: raw.timestamp, system: raw.system === 'system', topotime: raw.topotime };
  if (raw.io) state.io = decodeEntries(raw.io, isValidName, 'state io');
  if (raw.ui) state.ui = decodeEntries(raw.ui, isValidGuiName, 'state ui');
  if (raw.clock !== undefined) state.clock = raw.clock;
  if (raw.full) state.full = true;
  if (raw.quality) state.quality = decodeQuality(raw.quality);
  if (raw.members) state.members = raw.members;
  return state;
}

function decodeEntries(
  dictionary: Record<string, unknown>,
  validName: (name: string) => boolean,
  what: string,
): Entry[] {
  const entries: Entry[] = [];
  for (const name of Object.keys(dictionary)) {
    const value = dictionary[name];
    if (!validName(name)) throw new ProtocolError(`${what}: bad name "${name}"`);
    if (typeof value !== 'string') throw new ProtocolError(`${what}: value of "${name}" is not a string`);
    entries.push(entryOf(name, value));
  }
  return entries;
}

function decodeQuality(dictionary: Record<string, unknown>): QualityEntry[] {
  const entries: QualityEntry[] = [];
  for (const name of Object.keys(dictionary)) {
    const quality = dictionary[name];
    if (!isValidName(name)) throw new ProtocolError(`state quality: bad name "${name}"`);
    if (!isQuality(quality)) throw new ProtocolError(`state quality: "${name}" is neither "stale" nor "ok"`);
    entries.push(entryOf(name, quality));
  }
  return entries;
}

export interface HsycoTopology {
  topotime: number;
  locations: readonly Entry[];
  /** Device id (a datapoint name) and its parameters, e.g. `["LIGHT","DIMMER","DUMMY"]`. */
  devices: readonly (readonly [name: string, params: readonly string[]])[];
}

export function encodeTopology(topology: HsycoTopology): string {
  const devices = topology.devices.map(([name, params]) => `${JSON.stringify(name)}:${JSON.stringify(params)}`);
  return (
    `{"hsycotopo":{"topotime":${topology.topotime},"locations":${encodeEntries(topology.locations)},` +
    `"devices":{${devices.join(',')}}}}`
  );
}

const topologySchema = z.object({
  hsycotopo: z.object({
    topotime: z.number().int().nonnegative(),
    locations: dictionarySchema.optional(),
    devices: dictionarySchema,
  }),
});

const deviceParamsSchema = z.array(z.string());

export function decodeTopology(body: string): HsycoTopology {
  const { hsycotopo: raw } = parseWith(topologySchema, body, 'topology');
  const devices = Object.keys(raw.devices).map((name) => {
    if (!isValidName(name)) throw new ProtocolError(`topology: bad device id "${name}"`);
    const params = deviceParamsSchema.safeParse(raw.devices[name]);
    if (!params.success) throw new ProtocolError(`topology: parameters of "${name}" are not a list of strings`);
    return [name, params.data] as const;
  });
  const locations = decodeEntries(raw.locations ?? {}, () => true, 'topology locations');
  return { topotime: raw.topotime, locations, devices };
}

/**
 * A concentrator's refusal of names that exist but cannot be written now (their remote is offline,
 * read only, refuses control): `not applied` when nothing was written, `partly applied` when a
 * remote failed after another had applied its part. `reasons` says why, per name.
 */
export interface ForwardRefusal {
  ok: false;
  error: 'not applied' | 'partly applied';
  names: readonly string[];
  reasons: Readonly<Record<string, string>>;
}

/** The answer to `rioset` and `riouiset`. */
export type WriteResult =
  | { ok: true }
  | { ok: false; error: 'control disabled' }
  | { ok: false; error: 'unknown'; names: readonly string[] }
  | ForwardRefusal
  | { ok: false; error: string };

export function isForwardRefusal(result: WriteResult): result is ForwardRefusal {
  return !result.ok && (result.error === 'not applied' || result.error === 'partly applied') && 'reasons' in result;
}

/** The HTTP status that goes with a write result. */
export function writeResultStatus(result: WriteResult): 200 | 400 | 403 | 404 | 409 {
  if (result.ok) return 200;
  if (result.error === 'control disabled') return 403;
  if (result.error === 'unknown') return 404;
  if (isForwardRefusal(result)) return 409;
  return 400;
}

/** A refusal in one line, for logs and operators. */
export function describeWriteRefusal(result: Exclude<WriteResult, { ok: true }>): string {
  if (isForwardRefusal(result)) {
    return `${result.error}: ${result.names.map((name) => `${name} (${result.reasons[name] ?? 'refused'})`).join(', ')}`;
  }
  if ('names' in result) return `unknown name: ${result.names.join(', ')}`;
  return result.error;
}

export function encodeWriteResult(result: WriteResult): string {
  return JSON.stringify({ hsycoresult: result });
}

const writeResultSchema = z.object({
  hsycoresult: z.union([
    z.object({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), error: z.literal('unknown'), names: z.array(z.string()) }),
    z.object({
      ok: z.literal(false),
      error: z.enum(['not applied', 'partly applied']),
      names: z.array(z.string()),
      reasons: dictionarySchema,
    }),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]),
});

export function decodeWriteResult(body: string): WriteResult {
  const result = parseWith(writeResultSchema, body, 'write result').hsycoresult;
  return 'reasons' in result ? { ...result, reasons: decodeReasons(result.reasons) } : result;
}

/**
 * Reasons by name, in an object without a prototype: `__proto__` is a valid datapoint name, and
 * its reason must be kept as its own, not taken for the object's prototype.
 */
function decodeReasons(dictionary: Record<string, unknown>): Record<string, string> {
  const reasons = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(dictionary)) {
    const reason = dictionary[name];
    if (typeof reason !== 'string') throw new ProtocolError(`write result: hsycoresult.reasons: the reason of "${name}" is not a string`);
    reasons[name] = reason;
  }
  return reasons;
}

export type LoggerType = 'counter' | 'range';

export interface LoggerInfo {
  id: string;
  type: LoggerType;
  unit: string;
}

/** `[epoch ms, value]` */
export type Sample = readonly [time: number, value: number];

export interface LogPage extends LoggerInfo {
  samples: readonly Sample[];
  /** More samples exist after the last one returned: ask again from its time. */
  more: boolean;
}

const loggerInfoSchema = z.object({
  id: z.string().refine(isValidName, 'bad logger id'),
  type: z.enum(['counter', 'range']),
  unit: z.string(),
});

export function encodeLoggerList(loggers: readonly LoggerInfo[]): string {
  return JSON.stringify({ hsycologs: loggers.map(({ id, type, unit }) => ({ id, type, unit })) });
}

export function decodeLoggerList(body: string): LoggerInfo[] {
  return parseWith(z.object({ hsycologs: z.array(loggerInfoSchema) }), body, 'logger list').hsycologs;
}

export function encodeLogPage(page: LogPage): string {
  const { id, type, unit, samples, more } = page;
  return JSON.stringify({ hsycolog: { id, type, unit, samples, more } });
}

export function encodeUnknownLogger(id: string): string {
  return JSON.stringify({ hsycolog: { error: 'unknown', id } });
}

export type LogResponse = { ok: true; page: LogPage } | { ok: false; error: 'unknown'; id: string };

/**
 * A `riolog` answer: a page of samples, or the unknown-logger answer. Checked by hand rather than
 * with a schema: a page carries up to 10,000 samples, and a schema per sample costs more than
 * the JSON parse. Every sample must be `[time, value]`, a positive integer time (epoch ms) and a
 * number, times strictly increasing; anything else is refused, saying which sample and why.
 */
export function decodeLogResponse(body: string): LogResponse {
  const json = parseJson(body, 'log');
  const hsycolog = isRecord(json) ? json['hsycolog'] : undefined;
  if (!isRecord(hsycolog)) throw new ProtocolError('log: hsycolog: expected an object');
  const page = logPage(hsycolog);
  if (typeof page !== 'string') return { ok: true, page };
  // Not a page: the unknown-logger answer, or the page's fault is the reason.
  if (hsycolog['error'] === 'unknown' && typeof hsycolog['id'] === 'string') return { ok: false, error: 'unknown', id: hsycolog['id'] };
  throw new ProtocolError(`log: hsycolog.${page}`);
}

/** The page, or what is wrong with it (`samples.3.0: …`). */
function logPage(raw: Record<string, unknown>): LogPage | string {
  const { id, type, unit, samples, more } = raw;
  if (typeof id !== 'string') return 'id: expected a string';
  if (!isValidName(id)) return 'id: bad logger id';
  if (type !== 'counter' && type !== 'range') return 'type: expected "counter" or "range"';
  if (typeof unit !== 'string') return 'unit: expected a string';
  if (!Array.isArray(samples)) return 'samples: expected an array';
  if (typeof more !== 'boolean') return 'more: expected a boolean';
  let previous = 0;
  for (let i = 0; i < samples.length; i++) {
    const sample: unknown = samples[i];
    if (!Array.isArray(sample) || sample.length !== 2) return `samples.${i}: expected [time, value]`;
    const [time, value] = sample as unknown[];
    if (typeof time !== 'number' || !Number.isSafeInteger(time) || time <= 0) return `samples.${i}.0: expected a positive integer time (epoch ms)`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `samples.${i}.1: expected a number`;
    if (time <= previous) throw new ProtocolError(`log: samples of "${id}" are not in increasing time order`);
    previous = time;
  }
  return { id, type, unit, samples: samples as Sample[], more };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ProtocolError(`${what}: the response is not JSON`);
  }
}

function parseWith<T>(schema: z.ZodType<T>, body: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ProtocolError(`${what}: the response is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || '(top)';
    throw new ProtocolError(`${what}: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
