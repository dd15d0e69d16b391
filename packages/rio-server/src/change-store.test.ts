import { compileNameFilter } from '@riohub/protocol';
import { describe, expect, it } from 'vitest';
import { ChangeStore } from './change-store';

const all = compileNameFilter('');

/** A clock that stands still, so every change must still get a strictly greater timestamp. */
function frozenStore(): ChangeStore {
  return new ChangeStore(() => 1_000_000);
}

describe('ChangeStore', () => {
  it('gives every change a strictly greater timestamp, even when the clock stands still', () => {
    const store = frozenStore();
    const stamps: number[] = [];
    for (let i = 0; i < 5; i++) {
      store.set('io', `p.${i}`, 'x');
      stamps.push(store.timestamp);
    }
    expect(stamps).toEqual([1_000_001, 1_000_002, 1_000_003, 1_000_004, 1_000_005]);
  });

  it('makes every earlier timestamp unknown when a name is deleted, so clients re-read the full state', () => {
    const store = frozenStore();
    store.set('io', 'a', '1');
    store.set('io', 'b', '2');
    const before = store.timestamp;
    expect(store.knows(before)).toBe(true);
    expect(store.delete('io', 'a')).toBe(true);
    expect(store.delete('io', 'a')).toBe(false);
    expect(store.knows(before)).toBe(false);
    expect(store.all('io', all)).toEqual([['b', '2']]);
    store.set('io', 'c', '3');
    expect(store.changesSince('io', store.timestamp - 1, all)).toEqual([['c', '3']]);
    expect(store.has('io', 'a')).toBe(false);
  });

  it('makes every earlier timestamp unknown when it forgets its history, and wakes the waiting polls', () => {
    const store = frozenStore();
    store.set('io', 'a', '1');
    const before = store.timestamp;
    let woken = 0;
    store.onChange(() => woken++);
    store.forgetHistory();
    expect(store.knows(before)).toBe(false);
    expect(store.knows(store.timestamp)).toBe(true);
    expect(store.timestamp).toBeGreaterThan(before);
    expect(woken).toBe(1);
    expect(store.all('io', all)).toEqual([['a', '1']]);
  });

  it('ignores a write of the value a name already has', () => {
    const store = frozenStore();
    expect(store.set('io', 'a', '1')).toBe(true);
    const before = store.timestamp;
    expect(store.set('io', 'a', '1')).toBe(false);
    expect(store.timestamp).toBe(before);
  });

  it('returns each name changed after a timestamp once, with its latest value, oldest first', () => {
    const store = frozenStore();
    store.set('io', 'a', '1');
    store.set('io', 'b', '1');
    const mark = store.timestamp;
    store.set('io', 'c', '1');
    store.set('io', 'a', '2');
    store.set('io', 'c', '3');
    expect(store.changesSince('io', mark, all)).toEqual([['a', '2'], ['c', '3']]);
    expect(store.changesSince('io', store.timestamp, all)).toEqual([]);
  });

  it('keeps datapoints and GUI variables apart on one clock', () => {
    const store = frozenStore();
    store.set('io', 'a', '1');
    const mark = store.timestamp;
    store.set('ui', 'status.text', 'hi');
    expect(store.changesSince('io', mark, all)).toEqual([]);
    expect(store.changesSince('ui', mark, all)).toEqual([['status.text', 'hi']]);
    expect(store.timestamp).toBeGreaterThan(mark);
  });

  it('applies the filter to changes and to the full state', () => {
    const store = frozenStore();
    store.set('io', 'dummy.light.1', '1');
    store.set('io', 'secret.x', '1');
    const filter = compileNameFilter('!secret.*');
    expect(store.all('io', filter)).toEqual([['dummy.light.1', '1']]);
    expect(store.changesSince('io', store.origin, filter)).toEqual([['dummy.light.1', '1']]);
  });

  it('knows only timestamps of its own run', () => {
    const store = frozenStore();
    store.set('io', 'a', '1');
    expect(store.knows(store.origin)).toBe(true);
    expect(store.knows(store.timestamp)).toBe(true);
    expect(store.knows(store.origin - 1)).toBe(false);
    expect(store.knows(store.timestamp + 1)).toBe(false);
  });

  it('walks only the changes it returns, however many names it holds', () => {
    const store = frozenStore();
    for (let i = 0; i < 100_000; i++) store.set('io', `p.${i}`, '0');
    const mark = store.timestamp;
    store.set('io', 'p.5', '1');
    let calls = 0;
    const counting = () => {
      calls++;
      return true;
    };
    expect(store.changesSince('io', mark, counting)).toEqual([['p.5', '1']]);
    expect(calls).toBe(1);
  });

  describe('quality (PROTOCOL.md part B)', () => {
    it('puts a change of quality on the change clock, and answers it after an earlier timestamp only', () => {
      const store = frozenStore();
      store.set('io', 'a', '1');
      store.set('io', 'b', '1');
      const mark = store.timestamp;
      expect(store.setQuality('a', 'stale')).toBe(true);
      expect(store.timestamp).toBe(mark + 1);
      expect(store.knows(store.timestamp)).toBe(true);
      expect(store.qualityChangesSince(mark, all)).toEqual([['a', 'stale']]);
      expect(store.qualityChangesSince(store.timestamp, all)).toEqual([]);
      // A value change is no quality change, and the other way round.
      expect(store.changesSince('io', mark, all)).toEqual([]);
      store.set('io', 'a', '2');
      expect(store.qualityChangesSince(mark, all)).toEqual([['a', 'stale']]);
    });

    it('is ok unless marked stale; marking it as it is is no change and wakes no poll', () => {
      const store = frozenStore();
      store.set('io', 'a', '1');
      let woken = 0;
      store.onChange(() => woken++);
      expect(store.quality('a')).toBe('ok');
      expect(store.setQuality('a', 'ok')).toBe(false);
      expect(store.setQuality('a', 'stale')).toBe(true);
      expect(store.setQuality('a', 'stale')).toBe(false);
      expect(woken).toBe(1);
      expect(store.quality('a')).toBe('stale');
    });

    it('reports a point back to ok as a change, and lists only the stale ones as the full state', () => {
      const store = frozenStore();
      for (const name of ['a', 'b', 'c']) store.set('io', name, '1');
      store.setQuality('a', 'stale');
      store.setQuality('b', 'stale');
      const mark = store.timestamp;
      store.setQuality('a', 'ok');
      expect(store.qualityChangesSince(mark, all)).toEqual([['a', 'ok']]);
      expect(store.staleNames(all)).toEqual([['b', 'stale']]);
      expect(store.staleNames(compileNameFilter('!b'))).toEqual([]);
    });

    it('returns each name whose quality changed once, with its latest quality, oldest change first', () => {
      const store = frozenStore();
      for (const name of ['a', 'b']) store.set('io', name, '1');
      const mark = store.timestamp;
      store.setQuality('a', 'stale');
      store.setQuality('b', 'stale');
      store.setQuality('a', 'ok');
      expect(store.qualityChangesSince(mark, all)).toEqual([['b', 'stale'], ['a', 'ok']]);
    });

    it('forgets the quality of a deleted datapoint', () => {
      const store = frozenStore();
      store.set('io', 'a', '1');
      store.setQuality('a', 'stale');
      store.delete('io', 'a');
      expect(store.staleNames(all)).toEqual([]);
      expect(store.quality('a')).toBe('ok');
      store.set('io', 'a', '1');
      expect(store.quality('a')).toBe('ok');
    });

    it('walks only the quality changes it returns, however many names are stale', () => {
      const store = frozenStore();
      for (let i = 0; i < 10_000; i++) {
        store.set('io', `p.${i}`, '0');
        store.setQuality(`p.${i}`, 'stale');
      }
      const mark = store.timestamp;
      store.setQuality('p.5', 'ok');
      let calls = 0;
      const counting = () => {
        calls++;
        return true;
      };
      expect(store.qualityChangesSince(mark, counting)).toEqual([['p.5', 'ok']]);
      expect(calls).toBe(1);
    });
  });
});
