import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNameFilter } from './name-filter';

describe('name filter', () => {
  it('exposes everything when empty', () => {
    const filter = compileNameFilter('');
    expect(filter('dummy.light.1')).toBe(true);
    expect(compileNameFilter(' , ')('x')).toBe(true);
  });

  it('exposes only what an including pattern matches', () => {
    const filter = compileNameFilter('dummy.light.*, sensor.*');
    expect(filter('dummy.light.1')).toBe(true);
    expect(filter('sensor.temp.3')).toBe(true);
    expect(filter('dummy.dimmer.1')).toBe(false);
  });

  it('exposes all but the excluded when every pattern excludes', () => {
    const filter = compileNameFilter('!secret.*');
    expect(filter('secret.code')).toBe(false);
    expect(filter('dummy.light.1')).toBe(true);
  });

  it('lets a later ! pattern win over an earlier include', () => {
    const filter = compileNameFilter('dummy.*,!dummy.light.2');
    expect(filter('dummy.light.1')).toBe(true);
    expect(filter('dummy.light.2')).toBe(false);
  });

  it('lets a later include win over an earlier !', () => {
    const filter = compileNameFilter('!dummy.*,dummy.light.2');
    expect(filter('dummy.light.2')).toBe(true);
    expect(filter('dummy.light.1')).toBe(false);
    expect(filter('sensor.temp.1')).toBe(false);
  });

  it('treats regex characters literally and * as any run, the empty run included', () => {
    const filter = compileNameFilter('a.b*');
    expect(filter('a.b')).toBe(true);
    expect(filter('a.bcd.e')).toBe(true);
    expect(filter('axb')).toBe(false);
    expect(compileNameFilter('*.connection')('dummy.connection')).toBe(true);
    expect(compileNameFilter('*light*')('dummy.light.1')).toBe(true);
  });

  it('matches wildcards in order, each run as short or long as the name needs', () => {
    const filter = compileNameFilter('ab*ba');
    expect(filter('aba')).toBe(false);
    expect(filter('abba')).toBe(true);
    expect(filter('ab.x.ba')).toBe(true);
    const positions = compileNameFilter('*.autom.*.pos');
    expect(positions('lobby.autom.1.pos')).toBe(true);
    expect(positions('lobby.autom.pos')).toBe(false);
    expect(positions('a.autom.b.autom.c.pos')).toBe(true);
    expect(positions('lobby.autom.1.pos.x')).toBe(false);
    expect(compileNameFilter('a**b')('ab')).toBe(true);
    expect(compileNameFilter('*')('')).toBe(true);
    expect(compileNameFilter('x.*.*.y')('x..y')).toBe(false);
    expect(compileNameFilter('x.*.*.y')('x...y')).toBe(true);
  });

  // A client chooses the names it writes (rioset), up to the request line's length: a filter's
  // patterns are judged against them before they are known to exist. Several wildcards before a
  // literal that never comes made a backtracking regular expression take seconds (two wildcards,
  // 240,000 characters) to hours (three, 20,000), the hub's event loop blocked meanwhile.
  it('judges a long name that almost matches several wildcards as it judges a short one', () => {
    const twoWildcards = 'a.autom.'.repeat(30_000) + 'a';
    expect(compileNameFilter('!*.autom.*.pos')(twoWildcards)).toBe(true);
    expect(compileNameFilter('*.autom.*.pos')(twoWildcards)).toBe(false);
    const threeWildcards = 'x.'.repeat(10_000);
    expect(compileNameFilter('*.*.*.y')(threeWildcards)).toBe(false);
    expect(compileNameFilter('*.*.*.y')(`${threeWildcards}y`)).toBe(true);
  });

  it('matches as the regular expression of its pattern does, on short names', () => {
    // Few letters, so that patterns and names meet often: `*` any run, `.` a literal dot.
    const text = (maxLength: number) => fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength });
    // Not empty: an empty list exposes everything, whatever the name.
    const pattern = fc.array(text(3), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('*')).filter((glob) => glob !== '');
    fc.assert(
      fc.property(pattern, text(12), (glob, name) => {
        const regex = new RegExp(`^${glob.split('*').map((part) => part.replaceAll('.', '\\.')).join('.*')}$`);
        expect(compileNameFilter(glob)(name)).toBe(regex.test(name));
      }),
      { numRuns: 2_000 },
    );
  });
});
