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
});
