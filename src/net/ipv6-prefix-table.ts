import { decodeSections, encodeSections, BinarySectionsError } from './binary-sections.js';
import { bigintKeys, flattenRanges } from './flatten-ranges.js';
import { INVALID_ADDRESS, NO_MATCH } from './ipv4-prefix-table.js';
import { ipv6FromWords, ipv6ParseError, ipv6ToWords, parseIpv6Into } from './ipv6.js';

/** An inclusive IPv6 range and the value (a non-negative int32) it maps to. */
export interface Ipv6Range {
  readonly first: bigint;
  readonly last: bigint;
  readonly value: number;
}

const MAGIC = 'BAKENPT6';
const scratch = new Uint32Array(4);

// Scratch for the two-pass bulk string lookups.
const BLOCK = 1024;
const blockWords = new Uint32Array(4 * BLOCK);
const blockValid = new Uint8Array(BLOCK);

/** -1, 0, 1 comparing the 128-bit keys a[ai..ai+3] and b[bi..bi+3]. */
function cmpWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k]!;
    const y = b[bi + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Writes key+1 of src[si..] to dst[di..]; returns false if the key was the all-ones address (no successor). */
function succWords(src: Uint32Array, si: number, dst: Uint32Array, di: number): boolean {
  let carry = 1;
  for (let k = 3; k >= 0; k--) {
    const v = src[si + k]! + carry;
    dst[di + k] = v >>> 0;
    carry = v > 0xffffffff ? 1 : 0;
  }
  return carry === 0;
}

/**
 * Longest-prefix-match table for IPv6, the same design as {@link Ipv4PrefixTable}: sorted segment starts as four
 * big-endian uint32 words each (a Uint32Array, 16 bytes a segment), values in an Int32Array, and an index on the
 * top 20 bits. Lookups compare words, never bigints, so the hot path does not allocate.
 *
 * @example
 * const t = Ipv6PrefixTable.fromRanges([{ first: parseIpv6('2001:db8::'), last: parseIpv6('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'), value: 7 }]);
 * t.lookupString('2001:db8::1') // 7
 */
export class Ipv6PrefixTable {
  /** Segment starts, 4 words each, strictly increasing, the first all zero. */
  readonly starts: Uint32Array;
  /** Value of each segment, NO_MATCH for gaps. */
  readonly values: Int32Array;
  private readonly index: Uint32Array;

  private constructor(starts: Uint32Array, values: Int32Array) {
    this.starts = starts;
    this.values = values;
    this.index = buildIndex(starts, values.length);
  }

  /** Builds a table from ranges in any order, nested or overlapping (most specific wins). */
  static fromRanges(ranges: Iterable<Ipv6Range>): Ipv6PrefixTable {
    const list = Array.from(ranges);
    const firsts = new Uint32Array(4 * list.length);
    const lasts = new Uint32Array(4 * list.length);
    const values = new Int32Array(list.length);
    list.forEach((r, i) => {
      ipv6ToWords(r.first, firsts, 4 * i);
      ipv6ToWords(r.last, lasts, 4 * i);
      values[i] = r.value;
    });
    return Ipv6PrefixTable.fromWordArrays(firsts, lasts, values);
  }

  /**
   * Builds a table from ranges given as words (4 per address). Sorted, disjoint input takes a linear path without
   * bigints; anything else is flattened with bigint keys.
   *
   * @throws {RangeError} for a range with first > last or a negative value.
   */
  static fromWordArrays(firsts: Uint32Array, lasts: Uint32Array, values: Int32Array): Ipv6PrefixTable {
    const n = values.length;
    let sortedDisjoint = true;
    for (let i = 0; i < n; i++) {
      if (cmpWords(firsts, 4 * i, lasts, 4 * i) > 0) throw new RangeError(`range ${i} has first > last`);
      if (values[i]! < 0) throw new RangeError(`range ${i} has a negative value`);
      if (i > 0 && cmpWords(firsts, 4 * i, lasts, 4 * (i - 1)) <= 0) sortedDisjoint = false;
    }
    if (!sortedDisjoint) {
      const fs: bigint[] = [];
      const ls: bigint[] = [];
      for (let i = 0; i < n; i++) {
        fs.push(ipv6FromWords(firsts[4 * i]!, firsts[4 * i + 1]!, firsts[4 * i + 2]!, firsts[4 * i + 3]!));
        ls.push(ipv6FromWords(lasts[4 * i]!, lasts[4 * i + 1]!, lasts[4 * i + 2]!, lasts[4 * i + 3]!));
      }
      const flat = flattenRanges(fs, ls, values, bigintKeys);
      const starts = new Uint32Array(4 * flat.starts.length);
      flat.starts.forEach((s, i) => ipv6ToWords(s, starts, 4 * i));
      return new Ipv6PrefixTable(starts, Int32Array.from(flat.values));
    }
    const starts = new Uint32Array(4 * (2 * n + 1));
    const out = new Int32Array(2 * n + 1);
    const cursor = new Uint32Array(4); // first address not yet covered
    let covered = false; // cursor overflowed past the last address
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (cmpWords(firsts, 4 * i, cursor, 0) > 0) {
        starts.set(cursor, 4 * k);
        out[k++] = NO_MATCH;
      }
      if (k === 0 || out[k - 1] !== v) {
        starts.set(firsts.subarray(4 * i, 4 * i + 4), 4 * k);
        out[k++] = v;
      }
      covered = !succWords(lasts, 4 * i, cursor, 0);
    }
    if (!covered && (k === 0 || out[k - 1] !== NO_MATCH)) {
      starts.set(cursor, 4 * k);
      out[k++] = NO_MATCH;
    }
    return new Ipv6PrefixTable(starts.slice(0, 4 * k), out.slice(0, k));
  }

  /**
   * Wraps existing segment arrays (e.g. views into a snapshot file) after checking them.
   *
   * @throws {RangeError} if the segments are not a valid table.
   */
  static fromSegments(starts: Uint32Array, values: Int32Array): Ipv6PrefixTable {
    const n = values.length;
    if (n === 0 || starts.length !== 4 * n || starts[0] !== 0 || starts[1] !== 0 || starts[2] !== 0 || starts[3] !== 0) {
      throw new RangeError('segments must be non-empty, 4 words each, and start at ::');
    }
    for (let i = 1; i < n; i++) {
      if (cmpWords(starts, 4 * i, starts, 4 * (i - 1)) <= 0) throw new RangeError(`segment starts are not increasing at ${i}`);
    }
    for (let i = 0; i < n; i++) if (values[i]! < NO_MATCH) throw new RangeError(`segment ${i} has an invalid value`);
    return new Ipv6PrefixTable(starts, values);
  }

  /** Number of segments (gaps included). */
  get segmentCount(): number {
    return this.values.length;
  }

  /** First address of segment `i` as a bigint. */
  segmentFirst(i: number): bigint {
    const s = this.starts;
    return ipv6FromWords(s[4 * i]!, s[4 * i + 1]!, s[4 * i + 2]!, s[4 * i + 3]!);
  }

  /** Last address of segment `i` as a bigint. */
  segmentLast(i: number): bigint {
    return i + 1 < this.values.length ? this.segmentFirst(i + 1) - 1n : (1n << 128n) - 1n;
  }

  /** The segment containing the address given as four big-endian words. */
  segmentOfWords(a: number, b: number, c: number, d: number): number {
    const s = this.starts;
    const h = a >>> INDEX_SHIFT;
    let lo = this.index[h]!;
    let hi = this.index[h + 1]!;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const m = mid << 2;
      const x = s[m]!;
      let le: boolean;
      if (x !== a) le = x < a;
      else {
        const y = s[m + 1]!;
        if (y !== b) le = y < b;
        else {
          const z = s[m + 2]!;
          le = z !== c ? z < c : s[m + 3]! <= d;
        }
      }
      if (le) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The value for an address given as four big-endian words, or NO_MATCH. */
  lookupWords(a: number, b: number, c: number, d: number): number {
    return this.values[this.segmentOfWords(a, b, c, d)]!;
  }

  /** The value for a bigint address, or NO_MATCH. */
  lookup(ip: bigint): number {
    ipv6ToWords(ip, scratch, 0);
    return this.lookupWords(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
  }

  /**
   * The value for IPv6 text, or NO_MATCH.
   *
   * @throws {IpParseError} if the text is not a valid IPv6 address.
   */
  lookupString(s: string): number {
    const code = parseIpv6Into(s, scratch, 0);
    if (code !== 0) throw ipv6ParseError(s, code);
    return this.lookupWords(scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
  }

  /** Bulk {@link lookupString}; invalid text gives INVALID_ADDRESS instead of throwing. */
  lookupManyStrings(ips: readonly string[], out: Int32Array = new Int32Array(ips.length)): Int32Array {
    this.segmentsOfStrings(ips, out);
    const values = this.values;
    for (let i = 0; i < ips.length; i++) {
      const s = out[i]!;
      if (s !== INVALID_ADDRESS) out[i] = values[s]!;
    }
    return out;
  }

  /**
   * The segment of each address text, INVALID_ADDRESS for invalid text; parses a block, then searches it, for the
   * reason given at Ipv4PrefixTable.segmentsOfStrings.
   */
  segmentsOfStrings(ips: readonly string[], out: Int32Array = new Int32Array(ips.length)): Int32Array {
    const w = blockWords;
    for (let base = 0; base < ips.length; base += BLOCK) {
      const m = Math.min(BLOCK, ips.length - base);
      for (let i = 0; i < m; i++) blockValid[i] = parseIpv6Into(ips[base + i]!, w, 4 * i) === 0 ? 1 : 0;
      for (let i = 0; i < m; i++) {
        out[base + i] = blockValid[i] === 1 ? this.segmentOfWords(w[4 * i]!, w[4 * i + 1]!, w[4 * i + 2]!, w[4 * i + 3]!) : INVALID_ADDRESS;
      }
    }
    return out;
  }

  /** Serialises the table; {@link Ipv6PrefixTable.fromBuffer} reads it back. */
  toBuffer(): Uint8Array {
    return encodeSections(MAGIC, { family: 'ipv6' }, { starts: this.starts, values: this.values });
  }

  /**
   * Reads a table written by {@link toBuffer}; the arrays are views into `buf`.
   *
   * @throws {BinarySectionsError} or {RangeError} on a corrupt buffer.
   */
  static fromBuffer(buf: Uint8Array): Ipv6PrefixTable {
    const d = decodeSections(buf, MAGIC);
    if (d.header.family !== 'ipv6') throw new BinarySectionsError('not an IPv6 table');
    return Ipv6PrefixTable.fromSegments(d.get('starts', 'u32'), d.get('values', 'i32'));
  }
}

/** Index entries: for each /INDEX_BITS block, the segment containing its first address. */
const INDEX_BITS = 20;
const INDEX_SHIFT = 32 - INDEX_BITS;
const INDEX_SIZE = 2 ** INDEX_BITS;

function buildIndex(starts: Uint32Array, n: number): Uint32Array {
  const index = new Uint32Array(INDEX_SIZE + 1);
  // Segment i owns the index entries whose block start (h:0:0:0 with h in the top INDEX_BITS) lies in it.
  let from = 0;
  for (let i = 0; i < n; i++) {
    let to = INDEX_SIZE;
    if (i + 1 < n) {
      const m = 4 * (i + 1);
      const w = starts[m]!;
      const exact = w % 2 ** INDEX_SHIFT === 0 && starts[m + 1] === 0 && starts[m + 2] === 0 && starts[m + 3] === 0;
      to = Math.floor(w / 2 ** INDEX_SHIFT) + (exact ? 0 : 1);
    }
    if (to > from) index.fill(i, from, to);
    from = Math.max(from, to);
  }
  index[INDEX_SIZE] = n - 1;
  return index;
}

/** {@link overlayIpv4Tables} for IPv6. */
export function overlayIpv6Tables(a: Ipv6PrefixTable, b: Ipv6PrefixTable): { table: Ipv6PrefixTable; left: Int32Array; right: Int32Array } {
  const max = a.segmentCount + b.segmentCount;
  const starts = new Uint32Array(4 * max);
  const left = new Int32Array(max);
  const right = new Int32Array(max);
  let i = 0;
  let j = 0;
  let k = 0;
  let cur: Uint32Array = new Uint32Array(4);
  let curOffset = 0;
  for (;;) {
    const va = a.values[i]!;
    const vb = b.values[j]!;
    if (k === 0 || left[k - 1] !== va || right[k - 1] !== vb) {
      starts.set(cur.subarray(curOffset, curOffset + 4), 4 * k);
      left[k] = va;
      right[k++] = vb;
    }
    const hasA = i + 1 < a.segmentCount;
    const hasB = j + 1 < b.segmentCount;
    if (!hasA && !hasB) break;
    const c = hasA && hasB ? cmpWords(a.starts, 4 * (i + 1), b.starts, 4 * (j + 1)) : hasA ? -1 : 1;
    if (c <= 0) {
      i++;
      cur = a.starts;
      curOffset = 4 * i;
    }
    if (c >= 0) {
      j++;
      cur = b.starts;
      curOffset = 4 * j;
    }
  }
  const ids = new Int32Array(k);
  for (let x = 0; x < k; x++) ids[x] = x;
  return { table: Ipv6PrefixTable.fromSegments(starts.slice(0, 4 * k), ids), left: left.slice(0, k), right: right.slice(0, k) };
}

/** True when the words are an IPv4-mapped address (`::ffff:a.b.c.d`), which lookups send to the IPv4 table. */
export function isMappedWords(a: number, b: number, c: number): boolean {
  return a === 0 && b === 0 && c === 0xffff;
}

