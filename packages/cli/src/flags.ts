/** Flags parsed strictly; every mistake is a UsageError whose message says what to fix. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino, type Level, type LevelWithSilent } from 'pino';

/** A bad command line: the message says what to fix; the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Where flags left off the command line are read from: `<prefix><FLAG>` in `env`
 * (`RIOHUB_ALLOWED_HOSTS` for `--allowed-hosts`). The command line wins; then the environment;
 * then the flag's default.
 */
export interface FlagEnvironment {
  prefix: string;
  env: NodeJS.ProcessEnv;
  /** Flags never read from the environment (a command such as `--reset-password`). */
  except?: readonly string[];
}

/** The environment variable that stands for a flag: the prefix, then the flag in capitals, `-` as `_`. */
export function environmentName(prefix: string, flag: string): string {
  return `${prefix}${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** The flags' values; no positionals, no unknown flags. */
export function parseFlags<T extends Options>(argv: readonly string[], options: T, environment?: FlagEnvironment) {
  return parseCommandLine(argv, options, environment, false).values;
}

/** The flags' values and the positional arguments (a subcommand's file); no unknown flags. */
export function parseCommandLine<T extends Options>(argv: readonly string[], options: T, environment?: FlagEnvironment, allowPositionals = true) {
  const withoutDefaults = environment
    ? (Object.fromEntries(Object.entries(options).map(([flag, { default: _default, ...rest }]) => [flag, rest])) as Options)
    : options;
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals, options: withoutDefaults });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  if (environment) {
    for (const [flag, option] of Object.entries(options)) {
      if (values[flag] !== undefined) continue;
      const name = environmentName(environment.prefix, flag);
      const text = environment.except?.includes(flag) ? undefined : environment.env[name];
      if (text !== undefined) values[flag] = option.type === 'boolean' ? switchValue(name, text) : text;
      else if (option.default !== undefined) values[flag] = option.default;
    }
  }
  return { values: values as ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: true }>>['values'], positionals: parsed.positionals };
}

function switchValue(name: string, text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new UsageError(`${name} "${text}": expected true or false (or 1 or 0)`);
}

/** A whole number from `min` to `max`. */
export function wholeNumber(flag: string, text: string, max: number, min = 0): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > max || Number(text) < min) {
    throw new UsageError(`--${flag} "${text}": expected a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** A TCP port; 0 takes any free one. */
export function port(text: string): number {
  return wholeNumber('port', text, 65_535);
}

export function trueOrFalse(flag: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`--${flag} "${text}": expected true or false`);
}

/** pino's levels, most severe first, then `silent`, which writes nothing. */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  ...Object.entries(pino.levels.values)
    .sort(([, severity], [, other]) => other - severity)
    .map(([name]) => name as Level),
  'silent',
];
export type LogLevel = LevelWithSilent;

/** The least severe level a server logs, from `RIOHUB_LOG_LEVEL` (`info` when unset), checked. */
export function logLevelFrom(env: NodeJS.ProcessEnv): LogLevel {
  const level = env['RIOHUB_LOG_LEVEL'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`RIOHUB_LOG_LEVEL "${level}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return level as LogLevel;
}
