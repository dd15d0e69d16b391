// The rows of the Datapoints list: device classes, headers, the search, and keys that name what a row shows.
import { describe, expect, it } from 'vitest';
import { buildRows, deviceGroup, rowKey } from './datapoint-rows';

describe('datapoint rows', () => {
  it('groups a name by its device class, up to its first numbered segment', () => {
    expect(deviceGroup('lobby.dummy.autom.1.pos')).toBe('lobby.dummy.autom');
    expect(deviceGroup('site1.lobby.dummy.light.12')).toBe('site1.lobby.dummy.light');
    expect(deviceGroup('lobby.dummy.connection')).toBe('lobby.dummy');
    expect(deviceGroup('lobby.1.x')).toBe('lobby');
    expect(deviceGroup('lobby.a1.b')).toBe('lobby.a1');
    expect(deviceGroup('a.b.')).toBe('a.b');
    expect(deviceGroup('lobby')).toBe('');
  });

  it('puts a header before each remote and device class, leaves GUI variables out, and filters by the search', () => {
    const keys = ['hub:a.connection', 'io:a.dummy.light.1', 'io:a.dummy.light.2', 'ui:a.status.text', 'io:b.virtual.1'];
    expect(buildRows(keys, '').map(rowKey)).toEqual([
      'remote:a',
      'hub:a.connection',
      'group:a.dummy.light',
      'io:a.dummy.light.1',
      'io:a.dummy.light.2',
      'remote:b',
      'group:b.virtual',
      'io:b.virtual.1',
    ]);
    expect(buildRows(keys, ' LIGHT.2 ').map(rowKey)).toEqual(['remote:a', 'group:a.dummy.light', 'io:a.dummy.light.2']);
  });
});
