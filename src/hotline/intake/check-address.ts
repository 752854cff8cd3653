import { classifyIp } from '../../net/classify-ip.js';
import { IpParseError } from '../../net/ip-parse-error.js';
import { parseIp } from '../../net/ip-address.js';
import { formatIpv4, parseIpv4Fast } from '../../net/ipv4.js';
import { formatIpv6Words, ipv6FromWords, parseIpv6Into } from '../../net/ipv6.js';

/**
 * The address {@link checkAddress} accepted last. One module-level record, overwritten per call, so the hot path
 * (a million lines) allocates nothing but the canonical string.
 */
export interface CheckedAddress {
  /** 4 or 6 (IPv4-mapped IPv6 counts as 4). */
  family: 4 | 6;
  /** The IPv4 value (uint32) when family is 4. */
  v4: number;
  /** The IPv6 address as four big-endian words when family is 6. */
  readonly v6: Uint32Array;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  text: string;
}

export const checked: CheckedAddress = { family: 4, v4: 0, v6: new Uint32Array(4), text: '' };

// First octets of every IPv4 block in the IANA special-purpose registry (plus multicast and class E). classifyIp
// walks all its blocks per call (about 0.6 us); with this filter the common case, a global address, costs one array
// read. check-address.test.ts checks the filter against classifyIp, so a block added there and missed here fails.
const V4_MAYBE_SPECIAL = new Uint8Array(256);
for (const o of [0, 10, 100, 127, 169, 172, 192, 198, 203]) V4_MAYBE_SPECIAL[o] = 1;
for (let o = 224; o < 256; o++) V4_MAYBE_SPECIAL[o] = 1;

/** Whether classifyIp must be asked about this IPv6 first group (16 bits); everything else is plain 2000::/3. */
function v6MaybeSpecial(group: number): boolean {
  // Outside 2000::/3 all is reserved or special; inside, only these /16s hold special blocks (2001::/23, 2001:db8::/32,
  // 2002::/16 6to4, 2620:4f:8000::/48 AS112, 3fff::/20 documentation).
  return group < 0x2000 || group > 0x3fff || group === 0x2001 || group === 0x2002 || group === 0x2620 || group === 0x3fff;
}

/** Whether the IPv4 address needs classifyIp (exported for the test that keeps the filter honest). */
export function ipv4MaybeSpecial(v4: number): boolean {
  return V4_MAYBE_SPECIAL[v4 >>> 24] === 1;
}

/** Whether the IPv6 address (first word) needs classifyIp (exported for the test that keeps the filter honest). */
export function ipv6MaybeSpecial(w0: number): boolean {
  return v6MaybeSpecial(w0 >>> 16);
}

const HOSTNAME = /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/i;

/**
 * Checks that `text` is a public address a network operator can be told about. On success fills {@link checked}
 * and returns null; otherwise returns the reason, a sentence that names the address: the IpParseError message for
 * text that is not an address, the classifyIp reason for special-purpose space (private, shared/CGNAT, loopback,
 * link-local, documentation, benchmarking, multicast, reserved, 6to4, Teredo, ULA...).
 *
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is read as the IPv4 address it stands for, so both spellings are one host.
 *
 * @example
 * checkAddress('31.149.1.1')  // null; checked.text === '31.149.1.1'
 * checkAddress('10.1.2.3')    // '10.1.2.3 is in 10.0.0.0/8, private-use (RFC 1918): special-purpose address space, ...'
 * checkAddress('10.1.2')      // '"10.1.2" is not a valid IPv4 address: it has fewer than 4 parts'
 */
export function checkAddress(text: string): string | null {
  if (text.length === 0) return 'the address is empty';
  const v4 = parseIpv4Fast(text);
  if (v4 >= 0) {
    if (V4_MAYBE_SPECIAL[v4 >>> 24] === 1) {
      const c = classifyIp({ kind: 'ipv4', value: v4 });
      if (c.kind !== 'global') return specialReason(c.reason);
    }
    checked.family = 4;
    checked.v4 = v4;
    // parseIpv4Fast accepts only the canonical spelling (no leading zeros, no spaces), so the input is the output.
    checked.text = text;
    return null;
  }
  const w = checked.v6;
  if (text.includes(':') && parseIpv6Into(text, w, 0) === 0) {
    const w0 = w[0]!;
    if (w0 === 0 && w[1] === 0 && w[2] === 0xffff) return checkAddress(formatIpv4(w[3]!));
    if (v6MaybeSpecial(w0 >>> 16)) {
      const c = classifyIp({ kind: 'ipv6', value: ipv6FromWords(w0, w[1]!, w[2]!, w[3]!) });
      if (c.kind !== 'global') return specialReason(c.reason);
    }
    checked.family = 6;
    checked.text = formatIpv6Words(w0, w[1]!, w[2]!, w[3]!);
    return null;
  }
  return invalidReason(text);
}

function specialReason(classifyReason: string): string {
  return `${classifyReason}: special-purpose address space, not a public host an operator can be notified about`;
}

/** The reason for text that is no address at all; only reached for bad lines, so it may be slow. */
function invalidReason(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  if (HOSTNAME.test(text)) return `${shown} is a host name, not an IP address: resolve it to its addresses first`;
  try {
    parseIp(text);
  } catch (e) {
    if (e instanceof IpParseError) return e.message;
    throw e;
  }
  return `${shown} is not a valid IP address`;
}

/**
 * Parses a port: a whole decimal number from 0 to 65535. Returns -1 for anything else.
 *
 * @example
 * parsePort('443') // 443
 * parsePort('70000') // -1
 */
export function parsePort(text: string): number {
  const n = text.length;
  if (n === 0 || n > 5) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= 65535 ? v : -1;
}

/** Why {@link parsePort} refused `text`. */
export function portProblem(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  return `${shown} is not a port: ports are whole numbers from 0 to 65535`;
}
