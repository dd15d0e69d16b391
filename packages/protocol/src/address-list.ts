/** `RemoteServerAddress`: which client addresses may use the API. */
import ipaddr from 'ipaddr.js';
import { ProtocolError } from './errors';

type Range = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface AddressList {
  /** Whether a client at this address (as a socket reports it, v4-mapped IPv6 included) may connect. */
  allows(address: string): boolean;
}

/**
 * Compiles a comma-separated list of IPv4/IPv6 addresses, CIDR ranges and `*` (any). IPv4-mapped
 * IPv6 addresses (`::ffff:127.0.0.1`, as a dual-stack socket reports IPv4 clients) count as the
 * IPv4 address they carry, on both sides. Throws on an entry that is none of these.
 */
export function compileAddressList(spec: string): AddressList {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) return { allows: (address) => parseAddress(address) !== undefined };
  const ranges = entries.map(parseRange);
  return {
    allows(address) {
      const parsed = parseAddress(address);
      if (!parsed) return false;
      return ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
    },
  };
}

/** Whether `text` is one IP address: IPv4 in dotted-quad decimal, or IPv6 (a zone id allowed). */
export function isIpAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // Zone ids (`fe80::1%eth0`) do not change which host it is.
  const withoutZone = address.replace(/%.*$/, '');
  // Only dotted-quad decimal for IPv4: ipaddr would read `010.0.0.1` as octal, an allow-list must not.
  const valid = withoutZone.includes(':')
    ? ipaddr.IPv6.isValid(withoutZone)
    : ipaddr.IPv4.isValidFourPartDecimal(withoutZone);
  return valid ? ipaddr.process(withoutZone) : undefined;
}

function parseRange(entry: string): Range {
  if (entry.includes('/')) {
    const [address, bitsText] = entry.split('/');
    let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      if (!parseAddress(address ?? '') || !/^[0-9]{1,3}$/.test(bitsText ?? '')) throw new Error('malformed');
      range = ipaddr.parseCIDR(entry);
    } catch {
      throw new ProtocolError(`bad address range "${entry}"`);
    }
    const [base, bits] = range;
    if (base.kind() === 'ipv6' && (base as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(base as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return range;
  }
  const address = parseAddress(entry);
  if (!address || entry.includes('%')) throw new ProtocolError(`bad address "${entry}"`);
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}
