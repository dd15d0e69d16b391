import { describe, expect, it } from 'vitest';
import { isValidGuiName, isValidName, isValidRemoteName, utf8ByteLength } from './names';

describe('names', () => {
  it('accepts dot-separated segments of letters, digits, _ and -', () => {
    for (const name of ['dummy.light.1', 'a', 'A_b-9.x', 'system.time', '__proto__']) {
      expect(isValidName(name)).toBe(true);
    }
  });

  it('refuses empty segments, spaces, other punctuation and non-ASCII letters', () => {
    for (const name of ['', '.', 'a.', '.a', 'a..b', 'a b', 'a*b', 'a/b', 'température', 'a.b\n']) {
      expect(isValidName(name)).toBe(false);
    }
  });

  it('needs an object and an attribute for a GUI variable', () => {
    expect(isValidGuiName('status.text')).toBe(true);
    expect(isValidGuiName('status')).toBe(false);
  });

  it('allows only lower-case remote names (they become prefixes)', () => {
    expect(isValidRemoteName('lobby-2_a')).toBe(true);
    expect(isValidRemoteName('Lobby')).toBe(false);
    expect(isValidRemoteName('lobby.a')).toBe(false);
  });

  it('counts UTF-8 bytes like an encoder does, surrogate pairs and lone surrogates included', () => {
    const encoder = new TextEncoder();
    for (const text of ['', 'abc', 'é', '€', '🏠', 'a🏠é€', '\ud800', 'x\udc00y']) {
      expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
    }
  });
});
