import { Ipv4PrefixTable } from '../net/ipv4-prefix-table.js';
import { Ipv6PrefixTable, isMappedWords } from '../net/ipv6-prefix-table.js';
import { ipv4ParseError, parseIpv4Fast, formatIpv4 } from '../net/ipv4.js';
import { formatIpv6Words, ipv6FromWords, ipv6ParseError, parseIpv6Into } from '../net/ipv6.js';
import type { IpAddress } from '../net/ip-address.js';
import { IpParseError } from '../net/ip-parse-error.js';
import { cidrWithin, formatIpRange } from '../net/ip-range.js';
import type { IpRange } from '../net/ip-range.js';
import { formatCidr } from '../net/cidr.js';
import { ipv6ToWords } from '../net/ipv6.js';
import type { FamilyTables, NetworkDataTables } from './network-data-tables.js';

/** What the bundled data says about one address. */
export interface NetworkInfo {
  /** The address, canonical (IPv4-mapped IPv6 is given as the IPv4 address it stands for). */
  readonly ip: string;
  /** The largest CIDR prefix that contains the address and lies inside its registry range. */
  readonly network: string;
  /** The registry range the answer comes from (the ASN range, else the country range), as CIDR or `first-last`. */
  readonly range: string;
  readonly asn: number | null;
  readonly asName: string | null;
  /** ISO 3166 alpha-2 code, upper case. */
  readonly country: string | null;
}

const words = new Uint32Array(4);
const decoder = new TextDecoder();

/**
 * Lookups over compiled network data (ASN, AS name and country per range). Built from a snapshot by
 * loadBundledNetworkData; also constructible from tables directly (tests).
 *
 * @example
 * const data = await loadBundledNetworkData({ dataDir: './data' });
 * data.lookup('31.149.1.1')
 * // { ip: '31.149.1.1', network: '31.149.0.0/16', range: '31.149.0.0/16', asn: 1136, asName: 'KPN B.V.', country: 'NL' }
 */
export class NetworkData {
  /** Segment table for IPv4; `segmentOf(ip)` indexes the per-segment arrays of `tables.ipv4`. */
  readonly ipv4Table: Ipv4PrefixTable;
  /** Segment table for IPv6. */
  readonly ipv6Table: Ipv6PrefixTable;
  private readonly names: (string | undefined)[];

  /** @throws {RangeError} if the tables are inconsistent (a corrupt snapshot). */
  constructor(readonly tables: NetworkDataTables) {
    const v4 = tables.ipv4;
    const v6 = tables.ipv6;
    this.ipv4Table = Ipv4PrefixTable.fromSegments(v4.segStarts, identity(v4.segAsn.length));
    this.ipv6Table = Ipv6PrefixTable.fromSegments(v6.segStarts, identity(v6.segAsn.length));
    const nameCount = tables.nameOffsets.length - 1;
    checkFamily(v4, 1, nameCount);
    checkFamily(v6, 4, nameCount);
    if (nameCount < 0 || tables.nameOffsets[nameCount]! > tables.nameBytes.length) throw new RangeError('corrupt AS name table');
    this.names = new Array<string | undefined>(nameCount);
  }

  /** Versions and dates of the data. */
  get meta(): NetworkDataTables['meta'] {
    return this.tables.meta;
  }

  /**
   * Looks up one address (text or parsed). Null when no range contains it (private space, unallocated space).
   *
   * @throws {IpParseError} if the text is not a valid address, with the reason.
   */
  lookup(ip: string | IpAddress): NetworkInfo | null {
    if (typeof ip !== 'string') {
      if (ip.kind === 'ipv4') return this.infoV4(ip.value);
      ipv6ToWords(ip.value, words, 0);
      return this.infoWords();
    }
    const v4 = parseIpv4Fast(ip);
    if (v4 >= 0) return this.infoV4(v4);
    if (!ip.includes(':')) throw ipv4ParseError(ip, v4);
    const code = parseIpv6Into(ip, words, 0);
    if (code !== 0) throw ipv6ParseError(ip, code);
    return this.infoWords();
  }

  /**
   * Looks up many addresses. Never throws for bad input: an invalid address gives its IpParseError in its place,
   * so a caller can report it with its line number and carry on.
   */
  lookupMany(ips: readonly string[]): (NetworkInfo | null | IpParseError)[] {
    return ips.map((ip) => {
      try {
        return this.lookup(ip);
      } catch (e) {
        if (e instanceof IpParseError) return e;
        throw e;
      }
    });
  }

  /** AS number for a uint32 IPv4 address, or -1: the allocation-free form for bulk work over integers. */
  asnOfIpv4(ip: number): number {
    const row = this.tables.ipv4.segAsn[this.ipv4Table.segmentOf(ip)]!;
    return row < 0 ? -1 : this.tables.ipv4.asnNumber[row]!;
  }

  /** Bulk {@link asnOfIpv4} over a Uint32Array of addresses. */
  asnsOfIpv4(ips: Uint32Array, out: Int32Array = new Int32Array(ips.length)): Int32Array {
    const segAsn = this.tables.ipv4.segAsn;
    const asnNumber = this.tables.ipv4.asnNumber;
    const table = this.ipv4Table;
    for (let i = 0; i < ips.length; i++) {
      const row = segAsn[table.segmentOf(ips[i]!)]!;
      out[i] = row < 0 ? -1 : asnNumber[row]!;
    }
    return out;
  }

  private infoV4(ip: number): NetworkInfo | null {
    const t = this.tables.ipv4;
    const seg = this.ipv4Table.segmentOf(ip);
    const a = t.segAsn[seg]!;
    const c = t.segCountry[seg]!;
    if (a < 0 && c < 0) return null;
    const range: IpRange = a >= 0 ? { kind: 'ipv4', first: t.asnFirst[a]!, last: t.asnLast[a]! } : { kind: 'ipv4', first: t.countryFirst[c]!, last: t.countryLast[c]! };
    return this.info(formatIpv4(ip), { kind: 'ipv4', value: ip }, range, t, a, c);
  }

  /** Looks up the IPv6 address in `words`, sending IPv4-mapped addresses to the IPv4 table. */
  private infoWords(): NetworkInfo | null {
    const w0 = words[0]!;
    const w1 = words[1]!;
    const w2 = words[2]!;
    const w3 = words[3]!;
    if (isMappedWords(w0, w1, w2)) return this.infoV4(w3);
    const t = this.tables.ipv6;
    const seg = this.ipv6Table.segmentOfWords(w0, w1, w2, w3);
    const a = t.segAsn[seg]!;
    const c = t.segCountry[seg]!;
    if (a < 0 && c < 0) return null;
    const [first, last, row] = a >= 0 ? [t.asnFirst, t.asnLast, a] : [t.countryFirst, t.countryLast, c];
    const at = (arr: Uint32Array) => ipv6FromWords(arr[4 * row]!, arr[4 * row + 1]!, arr[4 * row + 2]!, arr[4 * row + 3]!);
    const range: IpRange = { kind: 'ipv6', first: at(first), last: at(last) };
    return this.info(formatIpv6Words(w0, w1, w2, w3), { kind: 'ipv6', value: ipv6FromWords(w0, w1, w2, w3) }, range, t, a, c);
  }

  private info(text: string, ip: IpAddress, range: IpRange, t: FamilyTables, a: number, c: number): NetworkInfo {
    const cidr = cidrWithin(range, ip);
    const code = c >= 0 ? t.countryCode[c]! : 0;
    return {
      ip: text,
      network: cidr ? formatCidr(cidr) : formatIpRange(range),
      range: formatIpRange(range),
      asn: a >= 0 ? t.asnNumber[a]! : null,
      asName: a >= 0 ? this.name(t.asnName[a]!) : null,
      country: c >= 0 ? String.fromCharCode(code >>> 8, code & 0xff) : null,
    };
  }

  private name(id: number): string | null {
    let s = this.names[id];
    if (s === undefined) {
      const o = this.tables.nameOffsets;
      s = decoder.decode(this.tables.nameBytes.subarray(o[id]!, o[id + 1]!));
      this.names[id] = s;
    }
    return s === '' ? null : s;
  }
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Every row reference in range, so a corrupt snapshot fails at load instead of answering nonsense. */
function checkFamily(t: FamilyTables, width: number, nameCount: number): void {
  const asnRows = t.asnNumber.length;
  const countryRows = t.countryCode.length;
  if (t.segAsn.length !== t.segCountry.length) throw new RangeError('segment arrays differ in length');
  if (t.asnFirst.length !== asnRows * width || t.asnLast.length !== asnRows * width || t.asnName.length !== asnRows) {
    throw new RangeError('ASN arrays differ in length');
  }
  if (t.countryFirst.length !== countryRows * width || t.countryLast.length !== countryRows * width) {
    throw new RangeError('country arrays differ in length');
  }
  for (let i = 0; i < t.segAsn.length; i++) {
    if (t.segAsn[i]! < -1 || t.segAsn[i]! >= asnRows || t.segCountry[i]! < -1 || t.segCountry[i]! >= countryRows) {
      throw new RangeError(`segment ${i} refers to a missing row`);
    }
  }
  for (let i = 0; i < asnRows; i++) if (t.asnName[i]! >= nameCount) throw new RangeError(`ASN row ${i} refers to a missing name`);
}
