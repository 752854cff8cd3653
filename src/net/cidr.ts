import { IpParseError, quoteInput } from './ip-parse-error.js';
import type { IpAddress } from './ip-address.js';
import { formatIp, parseIp } from './ip-address.js';

/** A CIDR prefix: a network address and a prefix length (0-32 for IPv4, 0-128 for IPv6). */
export type Cidr =
  | { readonly kind: 'ipv4'; readonly address: number; readonly prefixLength: number }
  | { readonly kind: 'ipv6'; readonly address: bigint; readonly prefixLength: number };

export interface ParseCidrOptions {
  /** Mask host bits instead of rejecting them (`10.0.0.1/8` becomes `10.0.0.0/8`). Default false. */
  readonly lenient?: boolean;
  /** Accept a bare address as a host prefix (/32 or /128). Default false. */
  readonly allowBareAddress?: boolean;
}

/** Number of addresses in an IPv4 prefix of this length; a float because /0 holds 2^32. */
function v4BlockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/**
 * Parses `address/length`. Host bits set (`10.0.0.1/8`) are an error, because they usually mean a typo or a host
 * pasted where a network was meant; pass `lenient` to mask them instead.
 *
 * @throws {IpParseError} for a bad address, a missing, malformed or out-of-range length, or host bits set.
 * @example
 * parseCidr('10.0.0.0/8')                      // { kind: 'ipv4', address: 167772160, prefixLength: 8 }
 * parseCidr('10.0.0.1/8', { lenient: true })   // the same
 * parseCidr('2001:db8::/32').prefixLength       // 32
 */
export function parseCidr(s: string, options: ParseCidrOptions = {}): Cidr {
  const slash = s.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(s);
    if (options.allowBareAddress) return hostCidr(ip);
    throw new IpParseError(s, 'missing-prefix-length', `${quoteInput(s)} is not a CIDR prefix: it has no "/length"`);
  }
  const ip = parseIp(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  const max = ip.kind === 'ipv4' ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText)) {
    throw new IpParseError(
      s,
      'invalid-prefix-length',
      `${quoteInput(s)} is not a CIDR prefix: the length after "/" must be a decimal number without leading zeros`,
    );
  }
  const prefixLength = Number(lenText);
  if (prefixLength > max) {
    throw new IpParseError(
      s,
      'prefix-length-out-of-range',
      `${quoteInput(s)} is not a CIDR prefix: the length must be at most ${max} for ${ip.kind === 'ipv4' ? 'IPv4' : 'IPv6'}`,
    );
  }
  const cidr = cidrOf(ip, prefixLength);
  if (cidr.address !== ip.value && !options.lenient) {
    throw new IpParseError(
      s,
      'host-bits-set',
      `${quoteInput(s)} is not a CIDR prefix: host bits are set; the network is ${formatCidr(cidr)}`,
    );
  }
  return cidr;
}

/**
 * The prefix of the given length that contains `ip` (host bits cleared).
 *
 * @example
 * formatCidr(cidrOf(parseIp('192.0.2.77'), 24)) // '192.0.2.0/24'
 */
export function cidrOf(ip: IpAddress, prefixLength: number): Cidr {
  if (ip.kind === 'ipv4') {
    const size = v4BlockSize(prefixLength);
    return { kind: 'ipv4', address: ip.value - (ip.value % size), prefixLength };
  }
  const hostBits = BigInt(128 - prefixLength);
  return { kind: 'ipv6', address: (ip.value >> hostBits) << hostBits, prefixLength };
}

/** The single-address prefix (/32 or /128) of `ip`. */
export function hostCidr(ip: IpAddress): Cidr {
  return ip.kind === 'ipv4'
    ? { kind: 'ipv4', address: ip.value, prefixLength: 32 }
    : { kind: 'ipv6', address: ip.value, prefixLength: 128 };
}

/**
 * Formats a prefix as `address/length`, the address in canonical form.
 *
 * @example
 * formatCidr(parseCidr('2001:DB8:0::/32')) // '2001:db8::/32'
 */
export function formatCidr(cidr: Cidr): string {
  const ip: IpAddress = cidr.kind === 'ipv4' ? { kind: 'ipv4', value: cidr.address } : { kind: 'ipv6', value: cidr.address };
  return `${formatIp(ip)}/${cidr.prefixLength}`;
}

/** The last address of a prefix. */
export function cidrLast(cidr: Cidr): number | bigint {
  if (cidr.kind === 'ipv4') return cidr.address + v4BlockSize(cidr.prefixLength) - 1;
  return cidr.address + (1n << BigInt(128 - cidr.prefixLength)) - 1n;
}

/**
 * Whether the prefix contains the address (always false across families).
 *
 * @example
 * cidrContains(parseCidr('10.0.0.0/8'), parseIp('10.1.2.3')) // true
 */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.kind === 'ipv4') {
    return ip.kind === 'ipv4' && ip.value >= cidr.address && ip.value <= (cidrLast(cidr) as number);
  }
  return ip.kind === 'ipv6' && ip.value >= cidr.address && ip.value <= (cidrLast(cidr) as bigint);
}
