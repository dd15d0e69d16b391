import { describe, expect, it } from 'vitest';
import { encodeArg, joinArgs, splitArgs } from './args';
import { MAX_VALUE_BYTES } from './names';
import { buildRequestPath, parseRequestPath, type RioRequest } from './requests';

describe('argument encoding', () => {
  it('sends * inside an argument as %2A so it cannot split the list', () => {
    expect(encodeArg('a*b')).toBe('a%2Ab');
    expect(splitArgs(joinArgs(['1', 'p*ss', 'x']))).toEqual(['1', 'p*ss', 'x']);
  });

  it('round-trips %, spaces, reserved characters and unicode', () => {
    const args = ['100%', 'a b', '&=?#/+', 'température 21°C', '☃ 🏠', ''];
    expect(splitArgs(joinArgs(args))).toEqual(args);
  });

  it('reports a malformed percent escape with its position', () => {
    expect(() => splitArgs('1*%E0%A4%A*x')).toThrow('argument 2 is not valid percent-encoding');
    expect(() => splitArgs('1*%zz')).toThrow('argument 2');
  });
});

describe('URL forms', () => {
  const forms: RioRequest[] = [
    { verb: 'rioget', version: 1, timestamp: 1, password: 'secret' },
    { verb: 'rioget', version: 1, timestamp: 1403628740123000, password: 'p*w%d' },
    { verb: 'rioget', version: 2, timestamp: 5, password: 'pw', sections: { io: true, ui: true } },
    { verb: 'rioget', version: 2, timestamp: 5, password: 'pw', sections: { io: false, ui: true } },
    { verb: 'riotopo', password: 'pw' },
    { verb: 'rioset', password: 'pw', writes: [['dummy.light.1', '1'], ['virtual.1', 'a*b%c ☃']] },
    { verb: 'riouiset', password: 'pw', writes: [['status.text', 'Hello, world']] },
    { verb: 'riologs', password: 'pw' },
    { verb: 'riolog', password: 'pw', id: 'energy', after: 0, limit: 500 },
  ];

  it.each(forms)('builds and parses $verb back to the same request', (request) => {
    const path = buildRequestPath(request);
    expect(path.startsWith(`/x/${request.verb}?`)).toBe(true);
    expect(parseRequestPath(path)).toEqual({ ok: true, request });
  });

  it('builds the documented public form exactly', () => {
    expect(buildRequestPath({ verb: 'rioget', version: 1, timestamp: 1, password: 'secret' })).toBe(
      '/x/rioget?1*1*secret',
    );
    expect(
      buildRequestPath({ verb: 'rioset', password: 'pw', writes: [['dummy.light.1', '1']] }),
    ).toBe('/x/rioset?1*pw*dummy.light.1*1');
  });

  it('is not an API request outside /x/ or for an unknown verb', () => {
    expect(parseRequestPath('/x/riofoo?1*pw')).toBeUndefined();
    expect(parseRequestPath('/y/rioget?1*1*pw')).toBeUndefined();
  });

  it('defaults the riolog limit to 10000 and caps a larger one', () => {
    expect(parseRequestPath('/x/riolog?1*pw*energy*0')).toMatchObject({ ok: true, request: { limit: 10000 } });
    expect(parseRequestPath('/x/riolog?1*pw*energy*0*99999')).toMatchObject({ ok: true, request: { limit: 10000 } });
  });
});

describe('malformed requests', () => {
  it.each([
    ['/x/rioget', undefined, 'unsupported version ""'],
    ['/x/rioget?1*1', undefined, 'missing password'],
    ['/x/rioget?%ZZ*1*pw', undefined, 'argument 1'],
    ['/x/rioget?1*0*pw', 'pw', 'timestamp must be greater than 0'],
    ['/x/rioget?1*-5*pw', 'pw', 'bad timestamp'],
    ['/x/rioget?1*1.5*pw', 'pw', 'bad timestamp'],
    ['/x/rioget?1*99999999999999999*pw', 'pw', 'bad timestamp'],
    ['/x/rioget?1*9999999999999999*pw', 'pw', 'out of range'],
    ['/x/rioget?3*1*pw', 'pw', 'unsupported version'],
    ['/x/rioget?1*1*pw*extra', 'pw', 'expected 3 arguments'],
    ['/x/rioget?2*1*pw*io,xx', 'pw', 'unknown section "xx"'],
    ['/x/rioget?2*1*pw', 'pw', 'expected 4 arguments'],
    ['/x/rioset?1*pw', 'pw', 'nothing to write'],
    ['/x/rioset?1*pw*dummy.light.1', 'pw', 'odd number of fields'],
    ['/x/rioset?1*pw*bad name*1', 'pw', 'bad name "bad name"'],
    ['/x/rioset?1*pw*dummy..x*1', 'pw', 'bad name'],
    ['/x/riouiset?1*pw*status*1', 'pw', 'bad name "status"'],
    ['/x/riolog?1*pw*energy', 'pw', 'expected id, after'],
    ['/x/riolog?1*pw*energy*0*0', 'pw', 'limit must be at least 1'],
    ['/x/riotopo?2*pw', 'pw', 'unsupported version'],
  ])('%s fails with "%s" as the known password', (path, password, error) => {
    const parsed = parseRequestPath(path);
    expect(parsed?.ok).toBe(false);
    if (parsed?.ok === false) {
      expect(parsed.password).toBe(password);
      expect(parsed.error).toContain(error);
    }
  });

  it('accepts an empty value and one of exactly 4096 bytes, refuses one byte more', () => {
    const exact = 'é'.repeat(MAX_VALUE_BYTES / 2);
    expect(parseRequestPath(`/x/rioset?1*pw*virtual.1*`)).toMatchObject({ ok: true });
    expect(parseRequestPath(`/x/rioset?1*pw*virtual.1*${encodeArg(exact)}`)).toMatchObject({ ok: true });
    expect(parseRequestPath(`/x/rioset?1*pw*virtual.1*${encodeArg(`${exact}x`)}`)).toMatchObject({
      ok: false,
      error: 'value of virtual.1 is over 4096 bytes',
    });
  });

  it('refuses a value that holds a NUL character, which no value may hold', () => {
    expect(parseRequestPath(`/x/rioset?1*pw*virtual.1*a%00b`)).toMatchObject({ ok: false, error: 'value of virtual.1 holds a NUL character (U+0000)' });
    expect(parseRequestPath(`/x/riouiset?1*pw*status.text*%00`)).toMatchObject({ ok: false, error: 'value of status.text holds a NUL character (U+0000)' });
  });
});
