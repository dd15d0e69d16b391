/** The argument list of every request: `*`-separated, each argument percent-encoded. */
import { ProtocolError } from './errors';

/** `encodeURIComponent` leaves `*` alone, but `*` separates arguments, so it must travel as `%2A`. */
export function encodeArg(arg: string): string {
  return encodeURIComponent(arg).replace(/\*/g, '%2A');
}

export function joinArgs(args: readonly string[]): string {
  return args.map(encodeArg).join('*');
}

/** Splits a raw query string (without `?`) into decoded arguments; malformed escapes are an error. */
export function splitArgs(query: string): string[] {
  return query.split('*').map((raw, index) => {
    try {
      return decodeURIComponent(raw);
    } catch {
      throw new ProtocolError(`argument ${index + 1} is not valid percent-encoding`);
    }
  });
}
