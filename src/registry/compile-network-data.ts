import { Ipv4PrefixTable, overlayIpv4Tables } from '../net/ipv4-prefix-table.js';
import { Ipv6PrefixTable, overlayIpv6Tables } from '../net/ipv6-prefix-table.js';
import { parseIpv4Fast } from '../net/ipv4.js';
import { parseIpv6Into } from '../net/ipv6.js';
import { ipv6ToWords } from '../net/ipv6.js';
import { readCsvFile } from './csv-reader.js';
import type { NetworkDataSources } from './network-data-sources.js';
import { fingerprintOfSources, versionOfSources } from './network-data-sources.js';
import type { FamilyTables, NetworkDataTables } from './network-data-tables.js';

/** A source file has a row that is not in the expected format; the message names the file and line. */
export class NetworkDataError extends Error {
  override readonly name = 'NetworkDataError';
}

const DECIMAL = /^[0-9]{1,39}$/;
const COUNTRY = /^[A-Za-z]{2}$/;

/** Growable uint32 buffer; registry files have hundreds of thousands of rows and number[] would cost 2-4x. */
class U32Builder {
  private data = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

const words = new Uint32Array(4);

/** Parses an address field (text or decimal) of the given family into `out` (1 or 4 words). */
function addressField(field: string, family: 4 | 6, out: U32Builder, where: () => string): void {
  if (family === 4) {
    let v = field.includes('.') ? parseIpv4Fast(field) : DECIMAL.test(field) ? Number(field) : -1;
    if (v > 0xffffffff) v = -1;
    if (v < 0) throw new NetworkDataError(`${where()}: "${field}" is not an IPv4 address`);
    out.push(v);
    return;
  }
  if (field.includes(':')) {
    if (parseIpv6Into(field, words, 0) !== 0) throw new NetworkDataError(`${where()}: "${field}" is not an IPv6 address`);
  } else {
    const v = DECIMAL.test(field) ? BigInt(field) : -1n;
    if (v < 0n || v >> 128n !== 0n) throw new NetworkDataError(`${where()}: "${field}" is not an IPv6 address`);
    ipv6ToWords(v, words, 0);
  }
  for (let k = 0; k < 4; k++) out.push(words[k]!);
}

interface NameTable {
  ids: Map<string, number>;
  list: string[];
}

function nameId(names: NameTable, name: string): number {
  let id = names.ids.get(name);
  if (id === undefined) {
    id = names.list.push(name) - 1;
    names.ids.set(name, id);
  }
  return id;
}

async function readAsnFile(file: string, family: 4 | 6, names: NameTable) {
  const first = new U32Builder();
  const last = new U32Builder();
  const asn = new U32Builder();
  const name = new U32Builder();
  await readCsvFile(file, (f, line) => {
    const where = () => `${file}:${line}`;
    if (f.length < 3) throw new NetworkDataError(`${where()}: expected first,last,asn[,name], got ${f.length} fields`);
    addressField(f[0]!, family, first, where);
    addressField(f[1]!, family, last, where);
    const n = f[2]!;
    if (!DECIMAL.test(n) || Number(n) > 0xffffffff) throw new NetworkDataError(`${where()}: "${n}" is not an AS number`);
    asn.push(Number(n));
    name.push(nameId(names, f[3] ?? ''));
  });
  return { first: first.finish(), last: last.finish(), asn: asn.finish(), name: name.finish() };
}

async function readCountryFile(file: string, family: 4 | 6) {
  const first = new U32Builder();
  const last = new U32Builder();
  const codes: number[] = [];
  await readCsvFile(file, (f, line) => {
    const where = () => `${file}:${line}`;
    if (f.length < 3) throw new NetworkDataError(`${where()}: expected first,last,country, got ${f.length} fields`);
    addressField(f[0]!, family, first, where);
    addressField(f[1]!, family, last, where);
    const cc = f[2]!;
    if (!COUNTRY.test(cc)) throw new NetworkDataError(`${where()}: "${cc}" is not a two-letter country code`);
    const up = cc.toUpperCase();
    codes.push((up.charCodeAt(0) << 8) | up.charCodeAt(1));
  });
  return { first: first.finish(), last: last.finish(), code: Uint16Array.from(codes) };
}

const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

function rangeTable(family: 4 | 6, first: Uint32Array, last: Uint32Array) {
  const rows = first.length / (family === 4 ? 1 : 4);
  return family === 4 ? Ipv4PrefixTable.fromArrays(first, last, identity(rows)) : Ipv6PrefixTable.fromWordArrays(first, last, identity(rows));
}

async function compileFamily(family: 4 | 6, asnFile: string, countryFile: string, names: NameTable): Promise<FamilyTables> {
  const [asn, country] = await Promise.all([readAsnFile(asnFile, family, names), readCountryFile(countryFile, family)]);
  const overlay =
    family === 4
      ? overlayIpv4Tables(rangeTable(4, asn.first, asn.last) as Ipv4PrefixTable, rangeTable(4, country.first, country.last) as Ipv4PrefixTable)
      : overlayIpv6Tables(rangeTable(6, asn.first, asn.last) as Ipv6PrefixTable, rangeTable(6, country.first, country.last) as Ipv6PrefixTable);
  return {
    segStarts: overlay.table.starts,
    segAsn: overlay.left,
    segCountry: overlay.right,
    asnFirst: asn.first,
    asnLast: asn.last,
    asnNumber: asn.asn,
    asnName: asn.name,
    countryFirst: country.first,
    countryLast: country.last,
    countryCode: country.code,
  };
}

/**
 * Reads the four CSV files and compiles them into lookup tables: per family, the ASN ranges and the country ranges
 * overlaid into one segment table, so that one lookup finds both. Ranges may nest or overlap (the most specific
 * wins). Takes a few seconds for the full bundled data; the result is meant to be written as a snapshot.
 *
 * @throws {NetworkDataError} or {CsvFormatError} naming the file and line of the first bad row.
 * @example
 * const tables = await compileNetworkData(bundledNetworkDataSources());
 */
export async function compileNetworkData(sources: NetworkDataSources): Promise<NetworkDataTables> {
  const names: NameTable = { ids: new Map([['', 0]]), list: [''] };
  const version = versionOfSources(sources);
  const fingerprint = fingerprintOfSources(sources);
  const ipv4 = await compileFamily(4, sources.asnIpv4, sources.countryIpv4, names);
  const ipv6 = await compileFamily(6, sources.asnIpv6, sources.countryIpv6, names);
  const encoder = new TextEncoder();
  const encoded = names.list.map((s) => encoder.encode(s));
  const nameOffsets = new Uint32Array(encoded.length + 1);
  let total = 0;
  encoded.forEach((b, i) => {
    nameOffsets[i] = total;
    total += b.length;
  });
  nameOffsets[encoded.length] = total;
  const nameBytes = new Uint8Array(total);
  encoded.forEach((b, i) => nameBytes.set(b, nameOffsets[i]!));
  return { meta: { ...version, builtAt: new Date().toISOString(), fingerprint }, ipv4, ipv6, nameBytes, nameOffsets };
}
