// The dashboard's store without React: points in natural order, snapshot and deltas, removals,
// writes from pending to settled or refused, and drafts that stay with their point.
import type { Point } from '@riohub/hub-api';
import { describe, expect, it } from 'vitest';
import { createHubStore, pointKey, SnapshotPoints } from './index';
import { naturalSortKey } from './points-slice';

function point(name: string, value = '0', kind: Point['kind'] = 'io'): Point {
  return { name, kind, value, changedAt: 1, remote: name.slice(0, name.indexOf('.')), state: 'ok' };
}

describe('the points slice', () => {
  it('lists names in natural order: light.2 before light.10, whatever the depth', () => {
    const store = createHubStore();
    store.getState().replacePoints(['a.light.10', 'a.light.2', 'a.light.1', 'a.autom.10.pos', 'a.autom.2', 'a.autom.2.pos', 'a.autom.10', 'a1.x', 'a.light.1'].map((name) => point(name)));
    store.getState().applyPoints([point('a.light.1', '0', 'hub')]);
    expect(store.getState().keys).toEqual([
      'io:a.autom.2',
      'io:a.autom.2.pos',
      'io:a.autom.10',
      'io:a.autom.10.pos',
      'hub:a.light.1',
      'io:a.light.1',
      'io:a.light.2',
      'io:a.light.10',
      'io:a1.x',
    ]);
    expect(naturalSortKey('x.9') < naturalSortKey('x.10')).toBe(true);
  });

  it('replaces everything with a snapshot, applies deltas in place and counts per remote', () => {
    const store = createHubStore();
    store.getState().replacePoints([point('a.x', '1'), point('b.y', '2'), point('a.connection', 'online', 'hub')]);
    const keys = store.getState().keys;
    store.getState().applyPoints([{ ...point('a.x', '5'), changedAt: 9 }]);
    expect(store.getState().points.get('io:a.x')?.value).toBe('5');
    expect(store.getState().keys).toBe(keys);
    expect(store.getState().lastChange.get('a')).toBe(9);
    store.getState().applyPoints([point('a.z', '3')]);
    expect(store.getState().keys).toEqual(['hub:a.connection', 'io:a.x', 'io:a.z', 'io:b.y']);
    expect(store.getState().counts.get('a')).toBe(2);
    store.getState().removePoints([{ kind: 'io', name: 'a.x' }]);
    expect(store.getState().keys).toEqual(['hub:a.connection', 'io:a.z', 'io:b.y']);
    store.getState().replacePoints([point('c.q')]);
    expect(store.getState().keys).toEqual(['io:c.q']);
  });

  it('takes a snapshot gathered chunk by chunk as it takes one whole', () => {
    const whole = createHubStore();
    const chunked = createHubStore();
    const points = ['b.x.10', 'a.x.2', 'a.x.10', 'a.x.1'].map((name, index) => ({ ...point(name, String(index)), changedAt: index }));
    whole.getState().replacePoints(points);
    const snapshot = new SnapshotPoints();
    snapshot.add(points.slice(0, 2));
    snapshot.add(points.slice(2));
    chunked.getState().replacePoints(snapshot);
    for (const key of ['points', 'keys', 'counts', 'lastChange'] as const) expect(chunked.getState()[key]).toEqual(whole.getState()[key]);
    expect(chunked.getState().keys).toEqual(['io:a.x.1', 'io:a.x.2', 'io:a.x.10', 'io:b.x.10']);
  });
});

describe('the writes slice', () => {
  it('keeps a write pending until settled, and a refused one with its reason until dismissed', () => {
    const store = createHubStore();
    const key = pointKey('io', 'a.x');
    store.getState().startWrite(key, 'r1', '1');
    expect(store.getState().writes[key]).toEqual({ requestId: 'r1', value: '1' });
    store.getState().settleWrite(key);
    expect(store.getState().writes[key]).toBeUndefined();

    store.getState().startWrite(key, 'r2', 'bad');
    store.getState().failWrite('r2', 'a refused the write: expected "0" or "1"');
    // A refusal is not settled by a later value: it stays until the operator dismisses it.
    store.getState().settleWrite(key);
    expect(store.getState().writes[key]?.error).toBe('a refused the write: expected "0" or "1"');
    store.getState().dismissWrite(key);
    expect(store.getState().writes[key]).toBeUndefined();
  });

  it('keeps a draft under its own point, remembering the live value it started from', () => {
    const store = createHubStore();
    const one = pointKey('io', 'a.virtual.1');
    const two = pointKey('io', 'a.virtual.2');
    store.getState().editDraft(one, 'P', 'old');
    store.getState().editDraft(one, 'PROBE', 'newer');
    expect(store.getState().drafts[one]).toEqual({ value: 'PROBE', base: 'old' });
    expect(store.getState().drafts[two]).toBeUndefined();
    store.getState().discardDraft(one);
    expect(store.getState().drafts).toEqual({});
  });
});
