import { formatIpv4, ipv4ParseError, parseIpv4Fast } from './ipv4.js';
import { formatIpv6, ipv4FromMapped, parseIpv6 } from './ipv6.js';

/**
 * An IP address of either family. IPv4 is a uint32 number (cheap, fits typed arrays); IPv6 a bigint (exact 128-bit
 * arithmetic for prefixes and ranges).
 */
export type IpAddress =
  | { readonly kind: 'ipv4'; readonly value: number }
  | { readonly kind: 'ipv6'; readonly value: bigint };

/**
 * Parses an IPv4 or IPv6 address. Text with a colon is IPv6, anything else IPv4. IPv4-mapped IPv6 stays IPv6 here
 * (use {@link unmapIpv4} to get at the IPv4 address) so formatting round-trips.
 *
 * @throws {IpParseError} saying why the text is not an address.
 * @example
 * parseIp('192.0.2.1')   // { kind: 'ipv4', value: 3221225985 }
 * parseIp('2001:db8::1') // { kind: 'ipv6', value: 42540766411282592856903984951653826561n }
 */
export function parseIp(s: string): IpAddress {
  if (s.includes(':')) return { kind: 'ipv6', value: parseIpv6(s) };
  const v = parseIpv4Fast(s);
  if (v < 0) throw ipv4ParseError(s, v);
  return { kind: 'ipv4', value: v };
}

/**
 * Formats an address canonically (dotted quad; RFC 5952 for IPv6).
 *
 * @example
 * formatIp(parseIp('2001:0DB8:0000::0001')) // '2001:db8::1'
 */
export function formatIp(ip: IpAddress): string {
  return ip.kind === 'ipv4' ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

/**
 * Turns an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) into the IPv4 address it stands for; returns anything else
 * unchanged. Use before lookups and comparisons so both spellings of one host are one host.
 *
 * @example
 * unmapIpv4(parseIp('::ffff:192.0.2.1')) // { kind: 'ipv4', value: 3221225985 }
 */
export function unmapIpv4(ip: IpAddress): IpAddress {
  if (ip.kind === 'ipv4') return ip;
  const v4 = ipv4FromMapped(ip.value);
  return v4 === null ? ip : { kind: 'ipv4', value: v4 };
}

/** Whether two addresses are the same (same family and value). */
export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  return a.kind === b.kind && a.value === b.value;
}
