import { describe, expect, it } from 'vitest';
import { compileAddressList } from './address-list';

describe('address list', () => {
  it('matches single IPv4 and IPv6 addresses', () => {
    const list = compileAddressList('127.0.0.1,::1');
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('127.0.0.2')).toBe(false);
    expect(list.allows('::2')).toBe(false);
  });

  it('treats a v4-mapped IPv6 client as the IPv4 address it carries', () => {
    const list = compileAddressList('127.0.0.1');
    expect(list.allows('::ffff:127.0.0.1')).toBe(true);
    expect(list.allows('::ffff:127.0.0.9')).toBe(false);
    expect(compileAddressList('::ffff:10.0.0.1').allows('10.0.0.1')).toBe(true);
    expect(compileAddressList('::ffff:10.0.0.0/120').allows('::ffff:10.0.0.77')).toBe(true);
  });

  it('matches CIDR ranges of both families', () => {
    const list = compileAddressList('10.1.0.0/16, fd00::/8');
    expect(list.allows('10.1.200.3')).toBe(true);
    expect(list.allows('10.2.0.1')).toBe(false);
    expect(list.allows('fd12:3456::1')).toBe(true);
    expect(list.allows('fe80::1')).toBe(false);
    expect(list.allows('::ffff:10.1.0.1')).toBe(true);
  });

  it('allows any well-formed address with *', () => {
    const list = compileAddressList('*');
    expect(list.allows('203.0.113.9')).toBe(true);
    expect(list.allows('2001:db8::1')).toBe(true);
    expect(list.allows('not an address')).toBe(false);
  });

  it('ignores a zone id on the client address', () => {
    expect(compileAddressList('fe80::1').allows('fe80::1%eth0')).toBe(true);
  });

  it('allows nobody when empty', () => {
    expect(compileAddressList('').allows('127.0.0.1')).toBe(false);
  });

  it('refuses entries that are not addresses or ranges', () => {
    expect(() => compileAddressList('127.0.0.1,localhost')).toThrow('bad address "localhost"');
    expect(() => compileAddressList('10.0.0.0/33')).toThrow('bad address range "10.0.0.0/33"');
    expect(() => compileAddressList('300.1.1.1')).toThrow('bad address');
    expect(() => compileAddressList('010.0.0.1')).toThrow('bad address');
  });
});
