/**
 * The settings file (`riohub --config riohub.yaml`): remotes, users and this hub's Remote I/O API
 * declared as code. It is read and checked in full before the hub opens anything, with the same
 * zod schemas as the REST API (so both accept exactly the same values); every problem names its
 * line and field, and any problem stops the start. Passwords are never written in the file: each
 * names its source, an environment variable (`passwordEnv`) or a file (`passwordFile`, relative to
 * the settings file), and no message ever shows one.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { mqttInputSchema, remoteInputSchema, servedApiInputSchema, userInputSchema, type MqttInput, type RemoteSettings, type Role } from '@riohub/hub-api';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { postgresUrlFault } from '../db/postgres-url';
import { validateRemote } from '../remotes/remote-schema';
import { SERVED_API_DEFAULTS } from '../served/served-api-settings';

export type FieldPath = readonly (string | number)[];

export interface Problem {
  line: number;
  /** `remotes[0].options.drift` */
  field: string;
  message: string;
}

/** What is wrong with a settings file, every problem with its line: the hub does not start. */
export class SettingsFileError extends Error {
  override readonly name = 'SettingsFileError';

  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    const list = problems.map((problem) => `  ${file}:${problem.line}: ${problem.field}: ${problem.message}`).join('\n');
    super(`the settings file ${file} is not valid, the hub does not start:\n${list}`);
  }
}

export interface DeclaredRemote {
  /** Every field, the left-out ones at their defaults: the file is the whole entry. */
  settings: RemoteSettings;
  password: string;
  /** Whether the file gives a fingerprint (without one, a pinned remote keeps the one trusted). */
  fingerprintGiven: boolean;
  path: FieldPath;
}

export interface DeclaredUser {
  name: string;
  role: Role;
  /** Left out: an existing user keeps theirs (a new one needs one). */
  password: string | undefined;
  path: FieldPath;
}

export interface DeclaredServedApi {
  /** Every field, the left-out ones at their defaults. */
  settings: { address: string; control: boolean; ioFilter: string; uiFilter: string };
  /** Left out: the stored password is kept. */
  password: string | undefined;
  path: FieldPath;
}

export interface DeclaredMqtt {
  /** The fields the file gives; the others are at their defaults (the section is the whole bridge). */
  settings: Omit<MqttInput, 'password'>;
  /** Left out: the stored password is kept. */
  password: string | undefined;
  path: FieldPath;
}

/** A settings file, checked. A section left out of the file (`undefined`) is left alone. */
export interface SettingsFile {
  file: string;
  /**
   * Where the hub keeps what it stores (`--database`, which wins when given): a `postgres://`
   * URL, or `sqlite`. A password is best left out of the file: PostgreSQL's client reads `PGPASSWORD`.
   */
  database: string | undefined;
  /** Entries of a section given in the file that are not in it are deleted. */
  prune: boolean;
  remotes: DeclaredRemote[] | undefined;
  users: DeclaredUser[] | undefined;
  servedApi: DeclaredServedApi | undefined;
  /** The MQTT bridge (docs/mqtt.md). */
  mqtt: DeclaredMqtt | undefined;
  /** The line of a field, for what is refused while applying. */
  lineOf(path: FieldPath): number;
}

const SECTIONS = ['database', 'prune', 'remotes', 'users', 'servedApi', 'mqtt'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const userSchema = userInputSchema.partial({ password: true });

/** `remotes[0].options.drift` */
export function fieldName(path: FieldPath): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index > 0 ? '.' : ''}${segment}`)).join('');
}

/** Reads and checks a settings file; throws SettingsFileError with every problem found. */
export function readSettingsFile(file: string, env: NodeJS.ProcessEnv): SettingsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SettingsFileError(file, [{ line: 0, field: '(file)', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  return parseSettings(text, file, env);
}

export function parseSettings(text: string, file: string, env: NodeJS.ProcessEnv): SettingsFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SettingsFileError(
      file,
      // The message without the position and excerpt that prettyErrors appends (the line is given apart).
      doc.errors.map((error) => ({ line: error.linePos?.[0].line ?? 1, field: '(YAML)', message: error.message.replace(/ at line \d+, column \d+:[^]*$/, '') })),
    );
  }
  const lineOf = (path: FieldPath) => locate(doc, lines, path);
  const reader = new Reader(lineOf, env, dirname(resolve(file)));
  const settings = reader.read(doc.toJS({ maxAliasCount: 100 }) as unknown, file);
  if (reader.problems.length > 0) throw new SettingsFileError(file, reader.problems.sort((a, b) => a.line - b.line));
  return settings;
}

/** The line of a field: its key's line, or the nearest enclosing one that is in the file. */
function locate(doc: Document, lines: LineCounter, path: FieldPath): number {
  const lineAt = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lines.linePos(range[0]).line : undefined;
  };
  let node: unknown = doc.contents;
  let line = lineAt(node) ?? 1;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (!pair) break;
      line = lineAt(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      line = lineAt(node) ?? line;
    } else break;
  }
  return line;
}

/** An entry's fields but where its password is. */
function withoutSources(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'passwordEnv' && key !== 'passwordFile'));
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the file's sections and entries, collecting every problem rather than stopping at the first. */
class Reader {
  readonly problems: Problem[] = [];

  constructor(
    private readonly lineOf: (path: FieldPath) => number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly folder: string,
  ) {}

  read(root: unknown, file: string): SettingsFile {
    const settings: SettingsFile = { file, database: undefined, prune: false, remotes: undefined, users: undefined, servedApi: undefined, mqtt: undefined, lineOf: this.lineOf };
    if (root === null || root === undefined) return settings;
    if (!isPlainMap(root)) {
      this.problem([], 'must be a map of database, remotes, users, servedApi, mqtt and prune');
      return settings;
    }
    for (const key of Object.keys(root)) if (!SECTIONS.includes(key)) this.problem([key], `unknown section (the sections are ${SECTIONS.join(', ')})`);
    if (root['database'] !== undefined) {
      const database = root['database'];
      if (typeof database !== 'string' || (database !== 'sqlite' && !/^postgres(ql)?:\/\//.test(database))) this.problem(['database'], 'must be sqlite or a postgres:// URL');
      else if (database === 'sqlite') settings.database = undefined;
      else {
        const fault = postgresUrlFault(database);
        if (fault) this.problem(['database'], fault);
        else settings.database = database;
      }
    }
    if (root['prune'] !== undefined) {
      if (typeof root['prune'] === 'boolean') settings.prune = root['prune'];
      else this.problem(['prune'], 'must be true or false');
    }
    settings.remotes = this.list(root, 'remotes', (entry, path) => this.remote(entry, path));
    settings.users = this.list(root, 'users', (entry, path) => this.user(entry, path));
    if (root['servedApi'] !== undefined) {
      if (isPlainMap(root['servedApi'])) settings.servedApi = this.servedApi(root['servedApi'], ['servedApi']);
      else this.problem(['servedApi'], 'must be a map of fields');
    }
    if (root['mqtt'] !== undefined) {
      if (isPlainMap(root['mqtt'])) settings.mqtt = this.mqtt(root['mqtt'], ['mqtt']);
      else this.problem(['mqtt'], 'must be a map of fields');
    }
    this.unique(settings.remotes, 'remote');
    this.unique(settings.users, 'user');
    return settings;
  }

  /** Records a problem; `undefined`, for the value that could not be read. */
  private problem(path: FieldPath, message: string): undefined {
    this.problems.push({ line: this.lineOf(path), field: path.length > 0 ? fieldName(path) : '(file)', message });
    return undefined;
  }

  private list<T>(root: Record<string, unknown>, section: string, entry: (value: Record<string, unknown>, path: FieldPath) => T | undefined): T[] | undefined {
    const value = root[section];
    if (value === undefined) return undefined;
    // `remotes:` with nothing after it: an empty list (which, with prune, deletes them all).
    if (value === null) return [];
    if (!Array.isArray(value)) {
      this.problem([section], 'must be a list of entries');
      return undefined;
    }
    const entries: T[] = [];
    value.forEach((item: unknown, index) => {
      const path = [section, index];
      if (!isPlainMap(item)) {
        this.problem(path, 'must be a map of fields');
        return;
      }
      const checked = entry(item, path);
      if (checked !== undefined) entries.push(checked);
    });
    return entries;
  }

  private unique(entries: readonly { path: FieldPath; settings?: { name: string }; name?: string }[] | undefined, kind: string): void {
    const seen = new Map<string, FieldPath>();
    for (const entry of entries ?? []) {
      const name = entry.settings?.name ?? entry.name ?? '';
      const first = seen.get(name);
      if (first) this.problem([...entry.path, 'name'], `another ${kind} is named ${name} (line ${this.lineOf([...first, 'name'])})`);
      else seen.set(name, entry.path);
    }
  }

  private remote(entry: Record<string, unknown>, path: FieldPath): DeclaredRemote | undefined {
    const password = this.password(entry, path, true);
    const fields = withoutSources(entry);
    const body = { ...fields, ...(password === undefined ? {} : { password }) };
    const parsed = remoteInputSchema.safeParse(body);
    if (!parsed.success) {
      this.zodProblems(parsed.error, path, entry);
      return undefined;
    }
    if (password === undefined) return undefined;
    const checked = validateRemote(parsed.data, undefined);
    if (!checked.ok) {
      for (const [field, message] of Object.entries(checked.fields)) this.problem([...path, ...field.split('.')], message);
      return undefined;
    }
    return { settings: checked.settings, password, fingerprintGiven: entry['fingerprint'] !== undefined, path };
  }

  /**
   * An entry's fields and the password it names, checked together by `schema` (which sees the
   * password as `password`); `undefined` when a problem was recorded.
   */
  private withPassword<T>(schema: z.ZodType<T>, entry: Record<string, unknown>, path: FieldPath): { data: T; password: string | undefined } | undefined {
    const password = this.password(entry, path, false);
    const parsed = schema.safeParse({ ...withoutSources(entry), ...(password === undefined ? {} : { password }) });
    if (!parsed.success) {
      this.zodProblems(parsed.error, path, entry);
      return undefined;
    }
    return { data: parsed.data, password };
  }

  private user(entry: Record<string, unknown>, path: FieldPath): DeclaredUser | undefined {
    const checked = this.withPassword(userSchema, entry, path);
    return checked && { name: checked.data.name, role: checked.data.role, password: checked.password, path };
  }

  private servedApi(entry: Record<string, unknown>, path: FieldPath): DeclaredServedApi | undefined {
    const checked = this.withPassword(servedApiInputSchema, entry, path);
    if (!checked) return undefined;
    const { password } = checked;
    const { address, control, ioFilter, uiFilter } = checked.data;
    return {
      settings: {
        address: address ?? SERVED_API_DEFAULTS.address,
        control: control ?? SERVED_API_DEFAULTS.control,
        ioFilter: ioFilter ?? SERVED_API_DEFAULTS.ioFilter,
        uiFilter: uiFilter ?? SERVED_API_DEFAULTS.uiFilter,
      },
      password,
      path,
    };
  }

  private mqtt(entry: Record<string, unknown>, path: FieldPath): DeclaredMqtt | undefined {
    const checked = this.withPassword(mqttInputSchema, entry, path);
    if (!checked) return undefined;
    // The password is checked with the fields, and kept apart from them as the other sections'.
    const settings: Omit<MqttInput, 'password'> = { ...checked.data };
    delete (settings as MqttInput).password;
    return { settings, password: checked.password, path };
  }

  /**
   * The password an entry names (`passwordEnv` or `passwordFile`), or `undefined` when it names
   * none or a problem was recorded. A file's one trailing line break is not part of it.
   */
  private password(entry: Record<string, unknown>, path: FieldPath, required: boolean): string | undefined {
    if (entry['password'] !== undefined) {
      this.problem([...path, 'password'], 'a password is never written in the file: name where it is with passwordEnv or passwordFile');
      return undefined;
    }
    const fromEnv = entry['passwordEnv'];
    const fromFile = entry['passwordFile'];
    if (fromEnv !== undefined && fromFile !== undefined) {
      this.problem([...path, 'passwordFile'], 'give passwordEnv or passwordFile, not both');
      return undefined;
    }
    if (fromEnv !== undefined) {
      const field = [...path, 'passwordEnv'];
      if (typeof fromEnv !== 'string' || !ENV_NAME.test(fromEnv)) return this.problem(field, 'must be the name of an environment variable');
      const value = this.env[fromEnv];
      // The name is not repeated: it may be the password itself, typed in its place (the line and
      // field say where to look).
      if (value === undefined) return this.problem(field, 'names an environment variable that is not set');
      if (value === '') return this.problem(field, 'names an environment variable that is empty');
      return value;
    }
    if (fromFile !== undefined) {
      const field = [...path, 'passwordFile'];
      if (typeof fromFile !== 'string' || fromFile === '') return this.problem(field, 'must be the path of a file');
      let value: string;
      try {
        value = readFileSync(resolve(this.folder, fromFile), 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        // The path is not repeated, as the variable's name is not: it may be the password itself.
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        const from = isAbsolute(fromFile) ? '' : `; a relative path is read from ${this.folder}`;
        return this.problem(field, `names a file that cannot be read (${code}${from})`);
      }
      if (value === '') return this.problem(field, 'names a file that is empty');
      return value;
    }
    if (required) this.problem(path, 'needs a password: passwordEnv or passwordFile');
    return undefined;
  }

  /** Zod's findings at their fields; the password's at the field that named its source. */
  private zodProblems(error: z.ZodError, path: FieldPath, entry: Record<string, unknown>): void {
    const source = entry['passwordEnv'] !== undefined ? 'passwordEnv' : 'passwordFile';
    for (const issue of error.issues) {
      const at = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
      if (at[0] === 'password') at[0] = source;
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) this.problem([...path, ...at, key], 'unknown field');
      else this.problem([...path, ...at], issue.message);
    }
  }
}
