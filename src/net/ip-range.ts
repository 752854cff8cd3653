import { IpParseError, quoteInput } from './ip-parse-error.js';
import type { IpAddress } from './ip-address.js';
import { formatIp, parseIp } from './ip-address.js';
import type { Cidr } from './cidr.js';
import { cidrLast, parseCidr } from './cidr.js';

/** An inclusive range of addresses of one family, `first <= last`. */
export type IpRange =
  | { readonly kind: 'ipv4'; readonly first: number; readonly last: number }
  | { readonly kind: 'ipv6'; readonly first: bigint; readonly last: bigint };

/**
 * The range a prefix covers.
 *
 * @example
 * rangeOfCidr(parseCidr('192.0.2.0/24')) // { kind: 'ipv4', first: 3221225984, last: 3221226239 }
 */
export function rangeOfCidr(cidr: Cidr): IpRange {
  return cidr.kind === 'ipv4'
    ? { kind: 'ipv4', first: cidr.address, last: cidrLast(cidr) as number }
    : { kind: 'ipv6', first: cidr.address, last: cidrLast(cidr) as bigint };
}

/**
 * Builds a range from two addresses of the same family.
 *
 * @throws {IpParseError} when the families differ or `first > last`.
 */
export function ipRange(first: IpAddress, last: IpAddress): IpRange {
  const text = `${formatIp(first)}-${formatIp(last)}`;
  if (first.kind !== last.kind) {
    throw new IpParseError(text, 'mixed-families', `${quoteInput(text)} is not a range: it mixes IPv4 and IPv6`);
  }
  if (first.value > last.value) {
    throw new IpParseError(text, 'range-reversed', `${quoteInput(text)} is not a range: the first address is after the last`);
  }
  return first.kind === 'ipv4'
    ? { kind: 'ipv4', first: first.value, last: last.value as number }
    : { kind: 'ipv6', first: first.value, last: last.value as bigint };
}

/**
 * Parses a range as written in registry data: `first-last` (spaces around the dash allowed, as RIPE writes
 * inetnums), a CIDR prefix, or a single address.
 *
 * @throws {IpParseError} saying what is wrong.
 * @example
 * parseIpRange('192.0.2.0 - 192.0.2.127') // { kind: 'ipv4', first: 3221225984, last: 3221226111 }
 * parseIpRange('2001:db8::/32').kind       // 'ipv6'
 */
export function parseIpRange(s: string): IpRange {
  const dash = s.indexOf('-');
  if (dash >= 0) {
    if (s.indexOf('-', dash + 1) >= 0) {
      throw new IpParseError(s, 'invalid-range', `${quoteInput(s)} is not a range: it has more than one "-"`);
    }
    return ipRange(parseIp(s.slice(0, dash).trim()), parseIp(s.slice(dash + 1).trim()));
  }
  return rangeOfCidr(parseCidr(s, { allowBareAddress: true }));
}

/**
 * Formats a range as `first-last`, or as a CIDR prefix when it is exactly one.
 *
 * @example
 * formatIpRange(parseIpRange('10.0.0.0-10.255.255.255')) // '10.0.0.0/8'
 * formatIpRange(parseIpRange('10.0.0.1-10.0.0.2'))       // '10.0.0.1-10.0.0.2'
 */
export function formatIpRange(range: IpRange): string {
  const prefixLength = exactPrefixLength(range);
  if (prefixLength !== null) return `${formatIp(ipOf(range.kind, range.first))}/${prefixLength}`;
  return `${formatIp(ipOf(range.kind, range.first))}-${formatIp(ipOf(range.kind, range.last))}`;
}

/** The prefix length if the range is exactly one CIDR prefix, else null. O(1); lookups format ranges per host. */
export function exactPrefixLength(range: IpRange): number | null {
  if (range.kind === 'ipv4') {
    const size = range.last - range.first + 1;
    const bits = Math.log2(size);
    return Number.isInteger(bits) && range.first % size === 0 ? 32 - bits : null;
  }
  const size = range.last - range.first + 1n;
  if ((size & (size - 1n)) !== 0n || range.first % size !== 0n) return null;
  return 128 - (size.toString(2).length - 1);
}

function ipOf(kind: 'ipv4' | 'ipv6', value: number | bigint): IpAddress {
  return kind === 'ipv4' ? { kind, value: value as number } : { kind, value: value as bigint };
}

/**
 * The smallest list of CIDR prefixes that covers exactly the range, in address order.
 *
 * @example
 * rangeToCidrs(parseIpRange('10.0.0.1-10.0.0.6')).map(formatCidr)
 * // ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']
 */
export function rangeToCidrs(range: IpRange): Cidr[] {
  const out: Cidr[] = [];
  if (range.kind === 'ipv4') {
    let first = range.first;
    const last = range.last;
    while (first <= last) {
      // Largest aligned block starting at `first`, then shrink until it fits.
      let bits = 32;
      while (bits > 0 && first % 2 ** bits !== 0) bits--;
      while (first + 2 ** bits - 1 > last) bits--;
      out.push({ kind: 'ipv4', address: first, prefixLength: 32 - bits });
      first += 2 ** bits;
    }
    return out;
  }
  let first = range.first;
  const last = range.last;
  while (first <= last) {
    let bits = 128n;
    while (bits > 0n && (first & ((1n << bits) - 1n)) !== 0n) bits--;
    while (first + (1n << bits) - 1n > last) bits--;
    out.push({ kind: 'ipv6', address: first, prefixLength: 128 - Number(bits) });
    first += 1n << bits;
  }
  return out;
}

/**
 * The largest CIDR prefix that contains `ip` and lies inside `range`: the "network" to show for an address whose
 * registry range is not a single prefix.
 *
 * @example
 * formatCidr(cidrWithin(parseIpRange('10.0.0.0-10.0.2.255'), parseIp('10.0.2.9'))!) // '10.0.2.0/24'
 */
export function cidrWithin(range: IpRange, ip: IpAddress): Cidr | null {
  // Blocks containing ip shrink as the length grows, so "fits inside the range" is monotone in the length and a
  // binary search finds the shortest length that fits (lookups call this for every host).
  if (range.kind === 'ipv4') {
    if (ip.kind !== 'ipv4' || ip.value < range.first || ip.value > range.last) return null;
    const v = ip.value;
    let lo = 0;
    let hi = 32;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const size = POW2[32 - mid]!;
      const start = v - (v % size);
      if (start >= range.first && start + size - 1 <= range.last) hi = mid;
      else lo = mid + 1;
    }
    const size = POW2[32 - lo]!;
    return { kind: 'ipv4', address: v - (v % size), prefixLength: lo };
  }
  if (ip.kind !== 'ipv6' || ip.value < range.first || ip.value > range.last) return null;
  const v = ip.value;
  let lo = 0;
  let hi = 128;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const hostBits = BigInt(128 - mid);
    const start = (v >> hostBits) << hostBits;
    if (start >= range.first && start + (1n << hostBits) - 1n <= range.last) hi = mid;
    else lo = mid + 1;
  }
  const hostBits = BigInt(128 - lo);
  return { kind: 'ipv6', address: (v >> hostBits) << hostBits, prefixLength: lo };
}

const POW2 = Array.from({ length: 33 }, (_, i) => 2 ** i);
