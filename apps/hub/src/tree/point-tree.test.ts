import type { Point } from '@riohub/hub-api';
import { describe, expect, it } from 'vitest';
import { CONNECTION_READ_ONLY, HUB_BELOW_READ_ONLY, OWN_POINT_READ_ONLY, PointTree } from './point-tree';

describe('PointTree', () => {
  it('keeps datapoints and GUI variables of the same name apart', () => {
    const tree = new PointTree();
    tree.set('io', 'lobby.status.text', 'a', 'lobby');
    tree.set('ui', 'lobby.status.text', 'b', 'lobby');
    expect(tree.get('io', 'lobby.status.text')?.value).toBe('a');
    expect(tree.get('ui', 'lobby.status.text')?.value).toBe('b');
    expect(tree.size).toBe(2);
  });

  it('reports a change only when the value changes, with its event flag', () => {
    const tree = new PointTree();
    const changes: { point: Point; event: boolean }[] = [];
    tree.onChange((point, event) => changes.push({ point, event }));
    expect(tree.set('io', 'a.x', '1', 'a', false)).toBe(true);
    expect(tree.set('io', 'a.x', '1', 'a')).toBe(false);
    expect(tree.set('io', 'a.x', '2', 'a')).toBe(true);
    expect(changes.map((c) => [c.point.value, c.event])).toEqual([['1', false], ['2', true]]);
  });

  it('marks a remote stale without losing values, and ok again', () => {
    const tree = new PointTree();
    tree.set('io', 'a.x', '1', 'a');
    tree.set('hub', 'a.connection', 'online', 'a');
    tree.set('io', 'b.x', '1', 'b');
    const flipped: string[] = [];
    tree.onChange((point) => flipped.push(`${point.name}:${point.state}`));
    tree.setOnline('a', false);
    expect(tree.get('io', 'a.x')).toMatchObject({ value: '1', state: 'stale' });
    expect(tree.get('hub', 'a.connection')?.state).toBe('ok');
    expect(tree.get('io', 'b.x')?.state).toBe('ok');
    tree.setOnline('a', true);
    expect(flipped).toEqual(['a.x:stale', 'a.x:ok']);
  });

  it('selects by prefix at dot boundaries and removes a whole remote', () => {
    const tree = new PointTree();
    tree.set('io', 'lobby.dummy.light.1', '1', 'lobby');
    tree.set('io', 'lobby2.dummy.light.1', '1', 'lobby2');
    expect([...tree.under(['lobby'])].map((p) => p.name)).toEqual(['lobby.dummy.light.1']);
    expect([...tree.under(['lobby.dummy.'])].map((p) => p.name)).toEqual(['lobby.dummy.light.1']);
    expect([...tree.under([''])]).toHaveLength(2);
    expect(tree.removeRemote('lobby')).toEqual([{ kind: 'io', name: 'lobby.dummy.light.1' }]);
    expect(tree.find('lobby.dummy.light.1')).toBeUndefined();
    expect(tree.countOf('lobby2')).toBe(1);
  });

  it('marks a point stale while its remote serves it stale, whatever the connection, and hears every flip', () => {
    const tree = new PointTree();
    tree.set('io', 'a.x', '1', 'a');
    tree.set('io', 'a.y', '1', 'a');
    tree.set('hub', 'a.connection', 'online', 'a');
    const flipped: string[] = [];
    tree.onChange((point, event) => flipped.push(`${point.name}:${point.state}:${event}`));
    expect(tree.setStaleBelow('io', 'a.x', true)).toBe(true);
    expect(tree.setStaleBelow('io', 'a.x', true)).toBe(false);
    expect(tree.setStaleBelow('hub', 'a.connection', true)).toBe(false);
    expect(tree.setStaleBelow('io', 'a.unknown', true)).toBe(false);
    expect(tree.get('io', 'a.x')).toMatchObject({ value: '1', state: 'stale' });
    // Offline and back: a.x stays stale all along (no flip), a.y flips twice.
    tree.setOnline('a', false);
    tree.setOnline('a', true);
    expect(tree.get('io', 'a.x')?.state).toBe('stale');
    // A new value is no news about quality.
    tree.set('io', 'a.x', '2', 'a');
    expect(tree.get('io', 'a.x')?.state).toBe('stale');
    tree.setStaleBelow('io', 'a.x', false);
    expect(flipped).toEqual(['a.x:stale:false', 'a.y:stale:false', 'a.y:ok:false', 'a.x:stale:true', 'a.x:ok:false']);
  });

  it('replaces a remote\'s quality from a whole state: listed names stale, every other ok, other remotes untouched', () => {
    const tree = new PointTree();
    for (const name of ['a.x', 'a.y', 'a.z']) tree.set('io', name, '1', 'a');
    tree.set('io', 'b.x', '1', 'b');
    tree.setStaleBelow('io', 'a.x', true);
    tree.setStaleBelow('io', 'b.x', true);
    tree.replaceStaleBelow('a', 'io', (name) => name === 'a.y');
    expect(['a.x', 'a.y', 'a.z', 'b.x'].map((name) => tree.get('io', name)?.state)).toEqual(['ok', 'stale', 'ok', 'stale']);
  });

  it('says why a point cannot be written: its own points, readings, a remote that takes no writes; listeners hear the flips', () => {
    const tree = new PointTree();
    tree.set('hub', 'a.connection', 'online', 'a');
    tree.set('io', 'a.dummy.connection', 'online', 'a');
    tree.set('io', 'a.dummy.autom.1', 'stop', 'a');
    tree.set('io', 'a.dummy.autom.1.pos', '0', 'a');
    tree.set('ui', 'a.status.text', 'hi', 'a');
    tree.set('io', 'b.dummy.light.1', '0', 'b');
    expect(tree.get('hub', 'a.connection')?.readOnly).toBe(OWN_POINT_READ_ONLY);
    expect(tree.get('io', 'a.dummy.connection')?.readOnly).toBe(CONNECTION_READ_ONLY);
    expect(tree.get('io', 'a.dummy.autom.1.pos')).not.toHaveProperty('readOnly');
    // A hub below serves its own points as datapoints: `site.lobby.time.delta` is its clock reading.
    tree.set('io', 'site.lobby.time.delta', '0', 'site');
    tree.set('io', 'site.lobby.dummy.time.delta', '0', 'site');
    expect(tree.get('io', 'site.lobby.time.delta')?.readOnly).toBe(HUB_BELOW_READ_ONLY);
    expect(tree.get('io', 'site.lobby.dummy.time.delta')).not.toHaveProperty('readOnly');

    const flips: string[] = [];
    tree.onChange((point, event) => flips.push(`${point.kind}:${point.name}:${point.readOnly ?? 'writable'}:${event}`));
    tree.setReadings('a', new Map([['a.dummy.autom.1.pos', 'a reading']]));
    expect(flips).toEqual(['io:a.dummy.autom.1.pos:a reading:false']);
    expect(tree.get('io', 'a.dummy.autom.1')).not.toHaveProperty('readOnly');

    flips.length = 0;
    tree.setRemoteReadOnly('a', 'a refuses control');
    expect(flips.sort()).toEqual([
      'io:a.dummy.autom.1.pos:a refuses control:false',
      'io:a.dummy.autom.1:a refuses control:false',
      'io:a.dummy.connection:a refuses control:false',
      'ui:a.status.text:a refuses control:false',
    ]);
    expect(tree.get('hub', 'a.connection')?.readOnly).toBe(OWN_POINT_READ_ONLY);
    expect(tree.get('io', 'b.dummy.light.1')).not.toHaveProperty('readOnly');

    flips.length = 0;
    tree.setRemoteReadOnly('a', undefined);
    tree.setReadings('a', new Map());
    expect(flips).toHaveLength(5);
    expect(tree.get('io', 'a.dummy.autom.1.pos')).not.toHaveProperty('readOnly');
    expect(tree.get('io', 'a.dummy.connection')?.readOnly).toBe(CONNECTION_READ_ONLY);
  });

  it('writes the points of any prefixes as JSON, key for key what JSON.stringify makes of them, in chunks of a size, in the same order', () => {
    const tree = new PointTree();
    tree.set('io', 'a.x', '1', 'a');
    tree.set('hub', 'a.connection', 'online', 'a');
    tree.setOnline('b', false);
    tree.set('io', 'b.y', 'q"\u0001\u00e9', 'b');
    tree.set('io', 'b.dummy.connection', 'online', 'b');
    tree.set('ui', 'b.status.text', 'hi', 'b');
    tree.set('io', 'b.n\u00e4me', 'x', 'b');
    tree.setStaleBelow('io', 'a.x', true);
    tree.setRemoteReadOnly('b', 'b refuses control');
    for (let i = 0; i < 7; i++) tree.set('io', `a.n${i}`, String(i), 'a');
    for (const per of [1, 3, 100]) {
      for (const prefixes of [[''], ['a'], ['b.'], ['a.n'], ['a.n1', 'b.dummy'], ['c']]) {
        const expected = [...tree.under(prefixes)].map((point) => JSON.stringify(point));
        const chunks = tree.underAsJson(prefixes, per);
        const texts: string[] = [];
        let next = chunks.next();
        for (; !next.done; next = chunks.next()) texts.push(next.value.toString('utf8'));
        const rest = next.value.toString('utf8');
        for (const text of texts) expect(JSON.parse(`[${text}]`)).toHaveLength(per);
        expect(JSON.parse(`[${rest}]`).length).toBeLessThan(per);
        expect([...texts, rest].filter((text) => text !== '').join(',')).toBe(expected.join(','));
        // Inside an envelope, each text is a whole message; the last one says so, even with no point.
        const envelope = { open: '{"points":[', close: '],"last":false}', lastClose: '],"last":true}' };
        const wrapped = tree.underAsJson(prefixes, per, envelope);
        const messages: { points: unknown[]; last: boolean }[] = [];
        let step = wrapped.next();
        for (; !step.done; step = wrapped.next()) messages.push(JSON.parse(step.value.toString('utf8')) as { points: unknown[]; last: boolean });
        messages.push(JSON.parse(step.value.toString('utf8')) as { points: unknown[]; last: boolean });
        expect(messages.map((message) => message.last)).toEqual([...texts.map(() => false), true]);
        expect(messages.flatMap((message) => message.points)).toEqual(expected.map((point) => JSON.parse(point) as unknown));
      }
    }
  });
});
