import { IpParseError, quoteInput } from './ip-parse-error.js';
import type { IpParseReason } from './ip-parse-error.js';

// Negative results of parseIpv4Fast. Numbers rather than exceptions because the bulk lookup path parses millions of
// strings a second and must not pay for a throw (or even an allocation) per bad line.
const EMPTY = -1;
const INVALID_CHARACTER = -2;
const LEADING_ZERO = -3;
const OCTET_OUT_OF_RANGE = -4;
const TOO_FEW_PARTS = -5;
const TOO_MANY_PARTS = -6;
const EMPTY_PART = -7;

/**
 * Parses dotted-quad IPv4 text into its uint32 value, or returns a negative number if the text is not a valid
 * address. No allocation, no exceptions: this is the string parser of the lookup hot path. Use {@link parseIpv4}
 * when you want an error that says why.
 *
 * Strict: exactly four decimal parts 0-255, no leading zeros (inet_aton would read `010` as octal 8), no
 * whitespace, no shorthand forms like `10.1`.
 *
 * @example
 * parseIpv4Fast('192.0.2.1') // 3221225985
 * parseIpv4Fast('192.0.2.01') < 0 // true
 */
export function parseIpv4Fast(s: string): number {
  const n = s.length;
  if (n === 0) return EMPTY;
  let acc = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return EMPTY_PART;
      if (++dots > 3) return TOO_MANY_PARTS;
      acc = (acc << 8) | part;
      part = 0;
      digits = 0;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return INVALID_CHARACTER;
      // After at least one digit, a zero value means the part started with '0' and more digits follow.
      if (digits !== 0 && part === 0) return LEADING_ZERO;
      part = part * 10 + d;
      if (part > 255) return OCTET_OUT_OF_RANGE;
      digits++;
    }
  }
  if (digits === 0) return EMPTY_PART;
  if (dots !== 3) return TOO_FEW_PARTS;
  return ((acc << 8) | part) >>> 0;
}

const REASONS: Record<number, [IpParseReason, string]> = {
  [EMPTY]: ['empty', 'it is empty'],
  [INVALID_CHARACTER]: ['invalid-character', 'only digits and dots are allowed'],
  [LEADING_ZERO]: ['leading-zero', 'a part has a leading zero (ambiguous: octal or decimal?)'],
  [OCTET_OUT_OF_RANGE]: ['octet-out-of-range', 'a part is greater than 255'],
  [TOO_FEW_PARTS]: ['too-few-parts', 'it has fewer than 4 parts'],
  [TOO_MANY_PARTS]: ['too-many-parts', 'it has more than 4 parts'],
  [EMPTY_PART]: ['empty-part', 'a part is empty (two dots in a row, or a dot at the start or end)'],
};

/** Builds the error for a negative {@link parseIpv4Fast} result; picks a more helpful reason for common mistakes. */
export function ipv4ParseError(input: string, code: number): IpParseError {
  const q = quoteInput(input);
  if (code === INVALID_CHARACTER) {
    if (/\s/.test(input)) return new IpParseError(input, 'whitespace', `${q} is not a valid IPv4 address: it contains whitespace`);
    if (input.includes('/')) {
      return new IpParseError(input, 'prefix-length-not-allowed', `${q} is not a valid IPv4 address: it has a prefix length; parse it as a CIDR prefix`);
    }
  }
  const [reason, why] = REASONS[code] ?? ['invalid-character', 'it is malformed'];
  return new IpParseError(input, reason, `${q} is not a valid IPv4 address: ${why}`);
}

/**
 * Parses dotted-quad IPv4 text into its uint32 value.
 *
 * @throws {IpParseError} with the reason, e.g. for `1.2.3`, `1.2.3.256`, `01.2.3.4`, ` 1.2.3.4`.
 * @example
 * parseIpv4('10.0.0.1') // 167772161
 */
export function parseIpv4(s: string): number {
  const v = parseIpv4Fast(s);
  if (v < 0) throw ipv4ParseError(s, v);
  return v;
}

/**
 * Formats a uint32 as dotted-quad text.
 *
 * @example
 * formatIpv4(167772161) // '10.0.0.1'
 */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The largest IPv4 address as a number. */
export const IPV4_MAX = 0xffffffff;

/** Whether `value` is an integer in the IPv4 range; the guard for numbers coming from outside. */
export function isIpv4Value(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= IPV4_MAX;
}
