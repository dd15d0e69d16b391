/** Name and value rules shared by every URL form and response (PROTOCOL.md, "Common rules"). */
import type { Quality } from './responses';

/** Datapoint names, GUI variables and logger ids: dot-separated segments of `[A-Za-z0-9_-]`. */
const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
/** GUI variables are `<object>.<attribute>`: at least two segments. */
const GUI_NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/;
/** A remote entry's name, the prefix of everything it brings into the hub. */
const REMOTE_NAME = /^[a-z0-9_-]+$/;

/** The largest value a write may carry, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 4096;

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

export function isValidGuiName(name: string): boolean {
  return GUI_NAME.test(name);
}

export function isValidRemoteName(name: string): boolean {
  return REMOTE_NAME.test(name);
}

/** UTF-8 length without allocating (the package also runs in browsers, so no Buffer). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** A lone UTF-16 surrogate: half a character, which has no UTF-8 form to travel in a URL. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether text has a UTF-8 form: a lone UTF-16 surrogate (which JSON lets a client send) has none,
 * so a password holding one could never be percent-encoded into a request.
 */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * What keeps a value from being text that can be written, or undefined: half a character (JSON
 * can carry one, a URL cannot), or a NUL character (a URL can carry one, but PostgreSQL's text
 * cannot hold it, so a hub on it could not record the write; refused on every store alike).
 */
export function textFault(value: string): string | undefined {
  if (!isWellFormedText(value)) return 'half a character (a lone UTF-16 surrogate)';
  if (value.includes('\u0000')) return 'a NUL character (U+0000)';
  return undefined;
}

/** A datapoint's quality as a concentrator serves it (part B): `stale` or `ok`. */
export function isQuality(value: unknown): value is Quality {
  return value === 'stale' || value === 'ok';
}

export function isValidValue(value: string): boolean {
  return utf8ByteLength(value) <= MAX_VALUE_BYTES;
}
