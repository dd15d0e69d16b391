/** Every URL form of the Remote I/O API, built and parsed (PROTOCOL.md parts A and B). */
import { joinArgs, splitArgs } from './args';
import { ProtocolError } from './errors';
import { isValidGuiName, isValidName, isValidValue, MAX_VALUE_BYTES, textFault } from './names';

export const API_PATH_PREFIX = '/x/';
export const VERBS = ['rioget', 'riotopo', 'rioset', 'riouiset', 'riologs', 'riolog'] as const;
export type Verb = (typeof VERBS)[number];

/** `riolog` returns at most this many samples, also the default. */
export const MAX_LOG_SAMPLES = 10_000;

export interface Sections {
  io: boolean;
  ui: boolean;
}

export type Write = readonly [name: string, value: string];

export type RioRequest =
  | { verb: 'rioget'; version: 1; timestamp: number; password: string }
  | { verb: 'rioget'; version: 2; timestamp: number; password: string; sections: Sections }
  | { verb: 'riotopo'; password: string }
  | { verb: 'rioset'; password: string; writes: Write[] }
  | { verb: 'riouiset'; password: string; writes: Write[] }
  | { verb: 'riologs'; password: string }
  | { verb: 'riolog'; password: string; id: string; after: number; limit: number };

/** Part A is what a stock HSYCO server answers; everything else is riohub's part B. */
export function isPublicRequest(request: RioRequest): boolean {
  return request.verb === 'rioget' && request.version === 1;
}

/** The path and query of a request, e.g. `/x/rioget?1*1*secret`. */
export function buildRequestPath(request: RioRequest): string {
  return `${API_PATH_PREFIX}${request.verb}?${joinArgs(requestArgs(request))}`;
}

function requestArgs(request: RioRequest): string[] {
  switch (request.verb) {
    case 'rioget':
      return request.version === 1
        ? ['1', String(request.timestamp), request.password]
        : ['2', String(request.timestamp), request.password, sectionList(request.sections)];
    case 'riotopo':
    case 'riologs':
      return ['1', request.password];
    case 'rioset':
    case 'riouiset':
      return ['1', request.password, ...request.writes.flat()];
    case 'riolog':
      return ['1', request.password, request.id, String(request.after), String(request.limit)];
  }
}

function sectionList(sections: Sections): string {
  return [sections.io && 'io', sections.ui && 'ui'].filter(Boolean).join(',');
}

/**
 * The outcome of parsing a request. A failed parse still carries the password when it could be
 * read, because the server must check it before revealing anything (a wrong one is dropped
 * silently, a right one earns a 400 saying what is wrong).
 */
export type ParsedRequest =
  | { ok: true; request: RioRequest }
  | { ok: false; password: string | undefined; error: string };

/** Parses `/x/<verb>?<args>`; `undefined` when the path is not an API verb at all. */
export function parseRequestPath(pathAndQuery: string): ParsedRequest | undefined {
  if (!pathAndQuery.startsWith(API_PATH_PREFIX)) return undefined;
  const question = pathAndQuery.indexOf('?');
  const verb = pathAndQuery.slice(API_PATH_PREFIX.length, question < 0 ? undefined : question);
  if (!(VERBS as readonly string[]).includes(verb)) return undefined;
  return parseRequest(verb as Verb, question < 0 ? '' : pathAndQuery.slice(question + 1));
}

export function parseRequest(verb: Verb, query: string): ParsedRequest {
  let args: string[];
  try {
    args = splitArgs(query);
  } catch (error) {
    return { ok: false, password: undefined, error: (error as Error).message };
  }
  // rioget carries the timestamp before the password; every other verb has it second.
  const password = args[verb === 'rioget' ? 2 : 1];
  try {
    return { ok: true, request: parseArgs(verb, args) };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { ok: false, password, error: error.message };
  }
}

function parseArgs(verb: Verb, args: string[]): RioRequest {
  const [version] = args;
  if (verb === 'rioget') {
    if (version !== '1' && version !== '2') throw new ProtocolError(`unsupported version "${version}"`);
    const [, timestampArg, password, sectionsArg] = args;
    if (password === undefined) throw new ProtocolError('missing password');
    const timestamp = parsePositiveInteger(timestampArg, 'timestamp');
    if (timestamp < 1) throw new ProtocolError('timestamp must be greater than 0');
    if (version === '1') {
      expectCount(args, 3);
      return { verb, version: 1, timestamp, password };
    }
    expectCount(args, 4);
    return { verb, version: 2, timestamp, password, sections: parseSections(sectionsArg ?? '') };
  }
  if (version !== '1') throw new ProtocolError(`unsupported version "${version}"`);
  const password = args[1];
  if (password === undefined) throw new ProtocolError('missing password');
  switch (verb) {
    case 'riotopo':
    case 'riologs':
      expectCount(args, 2);
      return { verb, password };
    case 'rioset':
    case 'riouiset':
      return { verb, password, writes: parseWrites(args.slice(2), verb === 'riouiset') };
    case 'riolog': {
      if (args.length < 4 || args.length > 5) throw new ProtocolError('expected id, after and an optional limit');
      const id = args[2] ?? '';
      if (!isValidName(id)) throw new ProtocolError(`bad logger id "${id}"`);
      const after = parsePositiveInteger(args[3], 'after');
      const limit = args[4] === undefined ? MAX_LOG_SAMPLES : parsePositiveInteger(args[4], 'limit');
      if (limit < 1) throw new ProtocolError('limit must be at least 1');
      return { verb, password, id, after, limit: Math.min(limit, MAX_LOG_SAMPLES) };
    }
  }
}

function expectCount(args: string[], count: number): void {
  if (args.length !== count) throw new ProtocolError(`expected ${count} arguments, got ${args.length}`);
}

function parsePositiveInteger(arg: string | undefined, what: string): number {
  if (arg === undefined || !/^[0-9]{1,16}$/.test(arg)) throw new ProtocolError(`bad ${what} "${arg ?? ''}"`);
  const value = Number(arg);
  if (!Number.isSafeInteger(value)) throw new ProtocolError(`${what} out of range`);
  return value;
}

function parseSections(arg: string): Sections {
  const sections: Sections = { io: false, ui: false };
  for (const section of arg.split(',')) {
    if (section === 'io' || section === 'ui') sections[section] = true;
    else throw new ProtocolError(`unknown section "${section}"`);
  }
  return sections;
}

function parseWrites(fields: string[], gui: boolean): Write[] {
  if (fields.length === 0) throw new ProtocolError('nothing to write');
  if (fields.length % 2 !== 0) throw new ProtocolError('odd number of fields');
  const writes: Write[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as string;
    const value = fields[i + 1] as string;
    if (!(gui ? isValidGuiName(name) : isValidName(name))) throw new ProtocolError(`bad name "${name}"`);
    if (!isValidValue(value)) throw new ProtocolError(`value of ${name} is over ${MAX_VALUE_BYTES} bytes`);
    const fault = textFault(value);
    if (fault) throw new ProtocolError(`value of ${name} holds ${fault}`);
    writes.push([name, value]);
  }
  return writes;
}
