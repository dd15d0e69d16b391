/** Flags parsed strictly; every mistake is a UsageError whose message says what to fix. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: the message says what to fix; the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags' values; no positionals, no unknown flags. */
export function parseFlags<T extends Options>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
