import { IpParseError, quoteInput } from './ip-parse-error.js';
import type { IpParseReason } from './ip-parse-error.js';
import { formatIpv4, parseIpv4Fast } from './ipv4.js';

// Negative results of parseIpv6Into; see parseIpv4Fast for why these are numbers.
const EMPTY = -1;
const INVALID_CHARACTER = -2;
const ZONE_ID = -3;
const GROUP_TOO_LONG = -4;
const TOO_FEW_GROUPS = -5;
const TOO_MANY_GROUPS = -6;
const MULTIPLE_DOUBLE_COLONS = -7;
const LEADING_COLON = -8;
const TRAILING_COLON = -9;
const EMPTY_GROUP = -10;
const MISPLACED_IPV4 = -11;
const INVALID_EMBEDDED_IPV4 = -12;

// Value of each ASCII hex digit, -1 for other characters: one load instead of three range tests per character.
const HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX[48 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[65 + d] = 10 + d;
  HEX[97 + d] = 10 + d;
}

// Scratch space for the 8 groups; module-level so the hot path allocates nothing.
const groups = new Int32Array(8);

/**
 * Parses IPv6 text into four big-endian uint32 words written to `out[offset..offset+3]`. Returns 0 on success or a
 * negative code when the text is not a valid address (then `out` is untouched). No allocation, no exceptions: the
 * lookup hot path. Use {@link parseIpv6} for a bigint and an error that says why.
 *
 * Accepts every RFC 4291 form: full, compressed (`::`), mixed with a trailing dotted quad (`::ffff:192.0.2.1`),
 * upper or lower case. Rejects zone ids (`fe80::1%eth0`), brackets, prefix lengths and more than 4 hex digits a group.
 *
 * @example
 * const w = new Uint32Array(4);
 * parseIpv6Into('2001:db8::1', w, 0) // 0, w = [0x20010db8, 0, 0, 1]
 */
export function parseIpv6Into(s: string, out: Uint32Array, offset: number): number {
  const n = s.length;
  if (n === 0) return EMPTY;
  let ng = 0;
  let dc = -1; // index in groups where '::' stands
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (n < 2 || s.charCodeAt(1) !== 58) return LEADING_COLON;
    dc = 0;
    i = 2;
  }
  while (i < n) {
    const start = i;
    let v = 0;
    let c = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      const h = c < 128 ? HEX[c]! : -1;
      if (h < 0) break;
      if (i - start === 4) return GROUP_TOO_LONG;
      v = (v << 4) | h;
    }
    if (i < n && c === 46) {
      // A dotted quad may only stand in place of the last two groups.
      if (ng > 6) return TOO_MANY_GROUPS;
      const v4 = parseIpv4Fast(start === 0 && i === n ? s : s.slice(start));
      if (v4 < 0) return s.indexOf(':', start) >= 0 ? MISPLACED_IPV4 : INVALID_EMBEDDED_IPV4;
      groups[ng++] = v4 >>> 16;
      groups[ng++] = v4 & 0xffff;
      i = n;
      break;
    }
    if (i === start) {
      if (i >= n) return TRAILING_COLON;
      if (c === 58) return EMPTY_GROUP;
      if (c === 37) return ZONE_ID;
      return INVALID_CHARACTER;
    }
    if (ng === 8) return TOO_MANY_GROUPS;
    groups[ng++] = v;
    if (i === n) break;
    if (c === 58) {
      i++;
      if (i === n) return TRAILING_COLON;
      if (s.charCodeAt(i) === 58) {
        if (dc >= 0) return MULTIPLE_DOUBLE_COLONS;
        dc = ng;
        i++;
      }
    } else if (c === 37) {
      return ZONE_ID;
    } else {
      return INVALID_CHARACTER;
    }
  }
  if (dc < 0) {
    if (ng !== 8) return TOO_FEW_GROUPS;
  } else {
    // '::' stands for at least one group of zeros (RFC 4291 2.2), so 8 explicit groups plus '::' is too many.
    if (ng > 7) return TOO_MANY_GROUPS;
    const tail = ng - dc;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[ng - 1 - k]!;
    for (let k = dc; k < 8 - tail; k++) groups[k] = 0;
  }
  out[offset] = ((groups[0]! << 16) | groups[1]!) >>> 0;
  out[offset + 1] = ((groups[2]! << 16) | groups[3]!) >>> 0;
  out[offset + 2] = ((groups[4]! << 16) | groups[5]!) >>> 0;
  out[offset + 3] = ((groups[6]! << 16) | groups[7]!) >>> 0;
  return 0;
}

const REASONS: Record<number, [IpParseReason, string]> = {
  [EMPTY]: ['empty', 'it is empty'],
  [INVALID_CHARACTER]: ['invalid-character', 'only hex digits, colons and a trailing dotted quad are allowed'],
  [ZONE_ID]: ['zone-id', 'it has a zone id (%...), which only means something on the host that wrote it'],
  [GROUP_TOO_LONG]: ['group-too-long', 'a group has more than 4 hex digits'],
  [TOO_FEW_GROUPS]: ['too-few-groups', 'it has fewer than 8 groups and no "::"'],
  [TOO_MANY_GROUPS]: ['too-many-groups', 'it has more than 8 groups'],
  [MULTIPLE_DOUBLE_COLONS]: ['multiple-double-colons', '"::" may appear only once'],
  [LEADING_COLON]: ['leading-colon', 'it starts with a single colon'],
  [TRAILING_COLON]: ['trailing-colon', 'it ends with a single colon'],
  [EMPTY_GROUP]: ['empty-group', 'it has an empty group (":::")'],
  [MISPLACED_IPV4]: ['misplaced-ipv4', 'a dotted quad may only replace the last two groups'],
  [INVALID_EMBEDDED_IPV4]: ['invalid-embedded-ipv4', 'the embedded IPv4 part is not a valid dotted quad'],
};

/** Builds the error for a negative {@link parseIpv6Into} result. */
export function ipv6ParseError(input: string, code: number): IpParseError {
  const q = quoteInput(input);
  if (code === INVALID_CHARACTER) {
    if (/\s/.test(input)) return new IpParseError(input, 'whitespace', `${q} is not a valid IPv6 address: it contains whitespace`);
    if (input.startsWith('[')) {
      return new IpParseError(input, 'brackets', `${q} is not a valid IPv6 address: remove the brackets, they belong to URLs`);
    }
    if (input.includes('/')) {
      return new IpParseError(input, 'prefix-length-not-allowed', `${q} is not a valid IPv6 address: it has a prefix length; parse it as a CIDR prefix`);
    }
  }
  const [reason, why] = REASONS[code] ?? ['invalid-character', 'it is malformed'];
  return new IpParseError(input, reason, `${q} is not a valid IPv6 address: ${why}`);
}

const scratch = new Uint32Array(4);

/**
 * Parses IPv6 text into its 128-bit value as a bigint. bigint keeps range and prefix arithmetic exact and simple;
 * the lookup hot path uses {@link parseIpv6Into} and never builds one.
 *
 * @throws {IpParseError} with the reason.
 * @example
 * parseIpv6('2001:DB8::1') // 0x20010db8000000000000000000000001n
 */
export function parseIpv6(s: string): bigint {
  const code = parseIpv6Into(s, scratch, 0);
  if (code !== 0) throw ipv6ParseError(s, code);
  return ipv6FromWords(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
}

/** Combines four big-endian uint32 words into the 128-bit value. */
export function ipv6FromWords(w0: number, w1: number, w2: number, w3: number): bigint {
  return (BigInt(w0) << 96n) | (BigInt(w1) << 64n) | (BigInt(w2) << 32n) | BigInt(w3);
}

/** Splits a 128-bit value into four big-endian uint32 words at `out[offset..offset+3]`. */
export function ipv6ToWords(value: bigint, out: Uint32Array, offset: number): void {
  out[offset] = Number((value >> 96n) & 0xffffffffn);
  out[offset + 1] = Number((value >> 64n) & 0xffffffffn);
  out[offset + 2] = Number((value >> 32n) & 0xffffffffn);
  out[offset + 3] = Number(value & 0xffffffffn);
}

/** The largest IPv6 address. */
export const IPV6_MAX = (1n << 128n) - 1n;

/**
 * Formats a 128-bit value in the canonical text form of RFC 5952: lower case, no leading zeros, the longest run of
 * two or more zero groups (the first of equal runs) as `::`, and IPv4-mapped addresses as `::ffff:a.b.c.d`.
 *
 * @example
 * formatIpv6(0x20010db8000000000000000000000001n) // '2001:db8::1'
 * formatIpv6(0xffffc0000201n) // '::ffff:192.0.2.1'
 */
export function formatIpv6(value: bigint): string {
  ipv6ToWords(value, scratch, 0);
  return formatIpv6Words(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
}

/** {@link formatIpv6} on four big-endian uint32 words. */
export function formatIpv6Words(w0: number, w1: number, w2: number, w3: number): string {
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${formatIpv4(w3)}`;
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed (RFC 5952 4.2.2)
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:0:0/96`, RFC 4291 2.5.5.2), or null if `value` is
 * not one. Lookups treat `::ffff:192.0.2.1` as `192.0.2.1`.
 *
 * @example
 * ipv4FromMapped(parseIpv6('::ffff:192.0.2.1')) // 3221225985
 */
export function ipv4FromMapped(value: bigint): number | null {
  return value >> 32n === 0xffffn ? Number(value & 0xffffffffn) : null;
}
