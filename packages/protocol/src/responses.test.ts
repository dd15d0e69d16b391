import { describe, expect, it } from 'vitest';
import {
  decodeLoggerList,
  decodeLogResponse,
  decodeState,
  decodeTopology,
  decodeWriteResult,
  encodeLoggerList,
  encodeLogPage,
  encodeState,
  encodeTopology,
  encodeUnknownLogger,
  encodeWriteResult,
  writeResultStatus,
  type HsycoState,
  type WriteResult,
} from './responses';

describe('state', () => {
  it('encodes the documented idle answer exactly', () => {
    expect(encodeState({ timestamp: 1403628740123000, system: true, topotime: 1403171030000 })).toBe(
      '{"hsycostate":{"timestamp":1403628740123000,"system":"system","topotime":1403171030000}}',
    );
  });

  it('round-trips every section, with *, %, quotes, unicode and empty values', () => {
    const state: HsycoState = {
      timestamp: 1700000000000001,
      system: true,
      topotime: 1700000000000,
      io: [['dummy.light.1', '1'], ['virtual.1', 'a*b%c "q" \\ ☃ 🏠'], ['virtual.2', '']],
      ui: [['status.text', '3 lights on']],
      clock: 1700000000123,
      members: ['b6f0c2d4', 'a1'],
    };
    expect(decodeState(encodeState(state))).toEqual(state);
  });

  it('writes the full flag and the quality of part B in the documented order, and reads them back', () => {
    const state: HsycoState = {
      timestamp: 7,
      system: false,
      topotime: 3,
      io: [['a.dummy.light.1', '1']],
      full: true,
      quality: [['a.dummy.light.1', 'stale'], ['b.x', 'ok']],
      members: ['id'],
    };
    const body = encodeState(state);
    expect(body).toBe(
      '{"hsycostate":{"timestamp":7,"topotime":3,"io":{"a.dummy.light.1":"1"},"full":true,' +
        '"quality":{"a.dummy.light.1":"stale","b.x":"ok"},"members":["id"]}}',
    );
    expect(decodeState(body)).toEqual(state);
  });

  it('leaves the full flag out of an answer that carries changes only', () => {
    expect(encodeState({ timestamp: 7, system: false, topotime: 3, io: [], full: false })).toBe('{"hsycostate":{"timestamp":7,"topotime":3,"io":{}}}');
    expect(decodeState('{"hsycostate":{"timestamp":7,"topotime":3,"io":{}}}').full).toBeUndefined();
  });

  it('keeps __proto__ as an ordinary datapoint name', () => {
    const decoded = decodeState('{"hsycostate":{"timestamp":5,"topotime":0,"io":{"__proto__":"1","a":"2"}}}');
    expect(decoded.io).toEqual([['__proto__', '1'], ['a', '2']]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each([
    ['not json', 'state: the response is not JSON'],
    ['{"other":1}', 'state: hsycostate'],
    ['{"hsycostate":{"timestamp":"5","topotime":0}}', 'state: hsycostate.timestamp'],
    ['{"hsycostate":{"timestamp":0,"topotime":0}}', 'state: hsycostate.timestamp'],
    ['{"hsycostate":{"timestamp":1.5,"topotime":0}}', 'state: hsycostate.timestamp'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"system":"yes"}}', 'state: hsycostate.system'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"io":[]}}', 'state: hsycostate.io'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"io":{"a b":"1"}}}', 'state io: bad name "a b"'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"io":{"a":1}}}', 'state io: value of "a" is not a string'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"ui":{"status":"x"}}}', 'state ui: bad name "status"'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"full":false}}', 'state: hsycostate.full: must be true when present'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"full":"yes"}}', 'state: hsycostate.full'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"quality":{"a":"bad"}}}', 'state quality: "a" is neither "stale" nor "ok"'],
    ['{"hsycostate":{"timestamp":5,"topotime":0,"quality":{"a b":"ok"}}}', 'state quality: bad name "a b"'],
  ])('refuses %s with a clear error', (body, error) => {
    expect(() => decodeState(body)).toThrow(error);
  });
});

describe('topology', () => {
  it('round-trips locations and devices', () => {
    const topology = {
      topotime: 1403171030000,
      locations: [['1p', 'FIRST FLOOR']] as const,
      devices: [
        ['dummy.light.1', ['LIGHT', 'LIGHT', 'DUMMY']],
        ['dummy.autom.1', ['AUTOM', 'VSHUT', 'DUMMY']],
      ] as const,
    };
    expect(decodeTopology(encodeTopology(topology))).toEqual(topology);
  });

  it('refuses a device with a bad id or parameters', () => {
    expect(() => decodeTopology('{"hsycotopo":{"topotime":1,"devices":{"a b":[]}}}')).toThrow('bad device id');
    expect(() => decodeTopology('{"hsycotopo":{"topotime":1,"devices":{"a":[1]}}}')).toThrow('parameters of "a"');
  });
});

describe('write results', () => {
  const cases: [WriteResult, number, string][] = [
    [{ ok: true }, 200, '{"hsycoresult":{"ok":true}}'],
    [{ ok: false, error: 'control disabled' }, 403, '{"hsycoresult":{"ok":false,"error":"control disabled"}}'],
    [
      { ok: false, error: 'unknown', names: ['x.y'] },
      404,
      '{"hsycoresult":{"ok":false,"error":"unknown","names":["x.y"]}}',
    ],
    [{ ok: false, error: 'odd number of fields' }, 400, '{"hsycoresult":{"ok":false,"error":"odd number of fields"}}'],
  ];

  it.each(cases)('encodes %j with status %i as documented', (result, status, body) => {
    expect(writeResultStatus(result)).toBe(status);
    expect(encodeWriteResult(result)).toBe(body);
    expect(decodeWriteResult(body)).toEqual(result);
  });
});

describe('data loggers', () => {
  it('round-trips the logger list', () => {
    const loggers = [
      { id: 'energy', type: 'counter' as const, unit: 'kWh' },
      { id: 'temperature', type: 'range' as const, unit: '°C' },
    ];
    expect(decodeLoggerList(encodeLoggerList(loggers))).toEqual(loggers);
    expect(() => decodeLoggerList('{"hsycologs":[{"id":"x","type":"gauge","unit":""}]}')).toThrow('type');
  });

  it('round-trips a page of samples and the unknown-logger answer', () => {
    const page = { id: 'energy', type: 'counter' as const, unit: 'kWh', samples: [[1, 0.5], [2, 0.75]] as const, more: true };
    expect(decodeLogResponse(encodeLogPage(page))).toEqual({ ok: true, page });
    expect(encodeUnknownLogger('nope')).toBe('{"hsycolog":{"error":"unknown","id":"nope"}}');
    expect(decodeLogResponse(encodeUnknownLogger('nope'))).toEqual({ ok: false, error: 'unknown', id: 'nope' });
  });

  it('refuses samples out of time order', () => {
    const body = '{"hsycolog":{"id":"e","type":"range","unit":"","samples":[[5,1],[5,2]],"more":false}}';
    expect(() => decodeLogResponse(body)).toThrow('not in increasing time order');
  });

  it('refuses a malformed page, saying which sample and why', () => {
    const page = (samples: string, rest = '"more":false') => `{"hsycolog":{"id":"e","type":"range","unit":"","samples":${samples},${rest}}}`;
    expect(() => decodeLogResponse(page('[[1,2],[3]]'))).toThrow('log: hsycolog.samples.1: expected [time, value]');
    expect(() => decodeLogResponse(page('[[1,2,3]]'))).toThrow('samples.0: expected [time, value]');
    expect(() => decodeLogResponse(page('[[1.5,2]]'))).toThrow('samples.0.0: expected a positive integer time');
    expect(() => decodeLogResponse(page('[[0,2]]'))).toThrow('samples.0.0');
    expect(() => decodeLogResponse(page('[[9007199254740992,2]]'))).toThrow('samples.0.0');
    expect(() => decodeLogResponse(page('[[1,"2"]]'))).toThrow('samples.0.1: expected a number');
    expect(() => decodeLogResponse(page('[[1,null]]'))).toThrow('samples.0.1');
    expect(() => decodeLogResponse(page('{"0":[1,2]}'))).toThrow('samples: expected an array');
    expect(() => decodeLogResponse(page('[]', '"more":"no"'))).toThrow('more: expected a boolean');
    expect(() => decodeLogResponse('{"hsycolog":{"id":"e b","type":"range","unit":"","samples":[],"more":false}}')).toThrow('bad logger id');
    expect(() => decodeLogResponse('{"hsycolog":{"id":"e","type":"gauge","unit":"","samples":[],"more":false}}')).toThrow('type');
    expect(() => decodeLogResponse('{"hsycolog":{"error":"other","id":"e"}}')).toThrow('log: hsycolog.type');
    expect(() => decodeLogResponse('{"hsycolog":[]}')).toThrow('log: hsycolog: expected an object');
    expect(() => decodeLogResponse('[1]')).toThrow('log: hsycolog: expected an object');
    expect(() => decodeLogResponse('{"hsycolog":')).toThrow('log: the response is not JSON');
    // What a page carries besides its fields is left out.
    expect(decodeLogResponse(page('[[1,2]]', '"more":true,"extra":1'))).toEqual({ ok: true, page: { id: 'e', type: 'range', unit: '', samples: [[1, 2]], more: true } });
  });
});
