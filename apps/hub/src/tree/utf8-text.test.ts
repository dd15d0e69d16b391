import { describe, expect, it } from 'vitest';
import { Utf8Text } from './utf8-text';

describe('text written into UTF-8 bytes piece by piece', () => {
  it('holds the bytes of the pieces in order, growing past its capacity whatever the characters', () => {
    const text = new Utf8Text(8);
    const pieces = ['{"a":', '"é"', ',"😀":"', 'x'.repeat(100), '€"}'];
    for (const piece of pieces) text.add(piece);
    const bytes = text.take();
    expect(bytes.equals(Buffer.from(pieces.join(''), 'utf8'))).toBe(true);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ a: 'é', '😀': `${'x'.repeat(100)}€` });
  });

  it('starts afresh after each take, the bytes taken left as they were', () => {
    const text = new Utf8Text(4);
    text.add('first');
    const first = text.take();
    text.add('second');
    expect(text.take().toString('utf8')).toBe('second');
    expect(first.toString('utf8')).toBe('first');
    expect(text.take()).toHaveLength(0);
  });
});
