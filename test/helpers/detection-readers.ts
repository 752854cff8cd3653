/**
 * Readers that take Baken's detection exports the way the consuming tools do, and refuse what those tools would
 * refuse or misread: Zeek's ASCII input reader (a `#fields` header, tab-separated columns, `-` for unset), Suricata's
 * dataset loader (base64 strings, hex hashes, IP addresses; one a line) and rules parser (sids, datasets, address
 * lists), a zone-file reader for RPZ (SOA with serial, NS, CNAME triggers), a firewall EDL reader and CSV through
 * Baken's own RFC 4180 reader.
 */
import { isIP } from 'node:net';
import { CsvParser } from '../../src/registry/csv-reader.js';

/** Zeek's Intel::Type values the framework knows. */
const ZEEK_TYPES = new Set(['Intel::ADDR', 'Intel::SUBNET', 'Intel::URL', 'Intel::SOFTWARE', 'Intel::EMAIL', 'Intel::DOMAIN', 'Intel::USER_NAME', 'Intel::CERT_HASH', 'Intel::PUBKEY_HASH', 'Intel::FILE_HASH', 'Intel::FILE_NAME']);

export interface ZeekIntelItem {
  indicator: string;
  type: string;
  fields: Record<string, string | null>;
}

/** Reads a Zeek intel file as Zeek's input framework does (default separators: tab, `-` unset, `(empty)` empty). */
export function readZeekIntel(text: string): ZeekIntelItem[] {
  if (!text.endsWith('\n')) throw new Error('zeek: the last line is not terminated');
  const lines = text.slice(0, -1).split('\n');
  const header = lines[0] ?? '';
  if (!header.startsWith('#fields\t')) throw new Error(`zeek: the first line is not a #fields header: ${JSON.stringify(header)}`);
  const names = header.split('\t').slice(1);
  for (const required of ['indicator', 'indicator_type']) if (!names.includes(required)) throw new Error(`zeek: #fields lacks ${required}`);
  const items: ZeekIntelItem[] = [];
  lines.slice(1).forEach((line, n) => {
    if (line.startsWith('#')) return;
    if (line.includes('\r')) throw new Error(`zeek: line ${n + 2} holds a carriage return`);
    const cols = line.split('\t');
    if (cols.length !== names.length) throw new Error(`zeek: line ${n + 2} has ${cols.length} columns, #fields names ${names.length}`);
    const fields: Record<string, string | null> = {};
    names.forEach((name, i) => {
      const v = cols[i]!;
      if (v === '') throw new Error(`zeek: line ${n + 2}, ${name} is empty (Zeek writes "(empty)" or "-")`);
      fields[name] = v === '-' ? null : v;
    });
    const type = fields.indicator_type!;
    if (!ZEEK_TYPES.has(type)) throw new Error(`zeek: line ${n + 2}: unknown indicator_type ${type}`);
    if (fields.indicator === null) throw new Error(`zeek: line ${n + 2}: no indicator`);
    if (type === 'Intel::ADDR' && isIP(fields.indicator!) === 0) throw new Error(`zeek: line ${n + 2}: ${fields.indicator} is no address`);
    if (type === 'Intel::SUBNET' && !/^[0-9a-f.:]+\/\d{1,3}$/i.test(fields.indicator!)) throw new Error(`zeek: line ${n + 2}: ${fields.indicator} is no subnet`);
    if (type === 'Intel::URL' && /^[a-z]+:\/\//i.test(fields.indicator!)) throw new Error(`zeek: line ${n + 2}: URL with a scheme never matches Zeek's seen URLs`);
    items.push({ indicator: fields.indicator!, type, fields });
  });
  return items;
}

/** Reads a Suricata dataset file of the given type, returning the decoded values. */
export function readSuricataDataset(text: string, type: 'string' | 'ip' | 'ipv4' | 'sha256' | 'md5'): string[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('dataset: the last line is not terminated');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, n) => {
      switch (type) {
        case 'string': {
          if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line) || line.length % 4 !== 0) throw new Error(`dataset: line ${n + 1} is not base64: ${line}`);
          const value = Buffer.from(line, 'base64').toString('utf8');
          if (Buffer.from(value, 'utf8').toString('base64') !== line) throw new Error(`dataset: line ${n + 1} does not round-trip`);
          return value;
        }
        case 'ip':
          if (isIP(line) === 0) throw new Error(`dataset: line ${n + 1} is no IPv4 or IPv6 address: ${line}`);
          return line;
        case 'ipv4':
          if (isIP(line) !== 4) throw new Error(`dataset: line ${n + 1} is no IPv4 address: ${line}`);
          return line;
        case 'sha256':
        case 'md5':
          if (!new RegExp(`^[0-9a-f]{${type === 'md5' ? 32 : 64}}$`, 'i').test(line)) throw new Error(`dataset: line ${n + 1} is no ${type}: ${line}`);
          return line.toLowerCase();
      }
    });
}

export interface SuricataRule {
  action: string;
  proto: string;
  source: string;
  destination: string;
  options: Array<[string, string | null]>;
  sid: number;
}

/** Parses a rules file: each rule `action proto src sport -> dst dport (opt; opt:value; ...)` with a unique sid. */
export function readSuricataRules(text: string): SuricataRule[] {
  const rules: SuricataRule[] = [];
  const sids = new Set<number>();
  text.split('\n').forEach((line, n) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^(alert|drop|pass|reject) (\S+) (\S+) (\S+) -> (\S+) (\S+) \((.*)\)$/.exec(line);
    if (!m) throw new Error(`rules: line ${n + 1} is not a rule: ${line.slice(0, 80)}`);
    const options: Array<[string, string | null]> = [];
    for (const part of m[7]!.split(/;\s*/)) {
      if (part.trim() === '') continue;
      const colon = part.indexOf(':');
      options.push(colon < 0 ? [part.trim(), null] : [part.slice(0, colon).trim(), part.slice(colon + 1).trim()]);
    }
    if (!m[7]!.trim().endsWith(';')) throw new Error(`rules: line ${n + 1}: options do not end with ;`);
    const sid = Number(options.find(([k]) => k === 'sid')?.[1]);
    if (!Number.isInteger(sid) || sid <= 0) throw new Error(`rules: line ${n + 1} has no sid`);
    if (sids.has(sid)) throw new Error(`rules: sid ${sid} twice`);
    sids.add(sid);
    if (!options.some(([k]) => k === 'rev')) throw new Error(`rules: line ${n + 1} has no rev`);
    if (!options.some(([k]) => k === 'msg')) throw new Error(`rules: line ${n + 1} has no msg`);
    for (const [k, v] of options) {
      if (k !== 'dataset') continue;
      const parts = (v ?? '').split(',').map((s) => s.trim());
      if (parts[0] !== 'isset' || !parts[1] || !parts.some((p) => p.startsWith('type ')) || !parts.some((p) => p.startsWith('load '))) throw new Error(`rules: line ${n + 1}: dataset needs isset, a name, a type and a load file: ${v}`);
    }
    rules.push({ action: m[1]!, proto: m[2]!, source: m[3]!, destination: m[5]!, options, sid });
  });
  return rules;
}

export interface RpzZone {
  ttl: number;
  serial: number;
  ns: string[];
  /** Owner name (relative) to its CNAME target. */
  cname: Map<string, string>;
}

/** Reads a zone file as a resolver loads an RPZ: $TTL, one SOA at the apex, NS, then the policy records. */
export function readRpzZone(text: string): RpzZone {
  let ttl: number | null = null;
  let soa: number[] | null = null;
  const ns: string[] = [];
  const cname = new Map<string, string>();
  text.split('\n').forEach((raw, n) => {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') return;
    if (line.startsWith('$TTL')) {
      ttl = Number(line.split(/\s+/)[1]);
      return;
    }
    if (line.startsWith('$')) throw new Error(`rpz: line ${n + 1}: unexpected directive ${line}`);
    const t = line.split(/\s+/);
    const owner = t[0]!;
    let i = 1;
    if (/^\d+$/.test(t[i]!)) i++;
    if (t[i] === 'IN') i++;
    const type = t[i]!;
    const rdata = t.slice(i + 1);
    if (type === 'SOA') {
      if (owner !== '@' || soa) throw new Error(`rpz: line ${n + 1}: SOA must be one, at the apex`);
      if (rdata.length !== 7 || !rdata[0]!.endsWith('.') || !rdata[1]!.endsWith('.')) throw new Error(`rpz: line ${n + 1}: SOA needs mname, rname and five numbers`);
      soa = rdata.slice(2).map(Number);
      if (soa.some((x) => !Number.isInteger(x) || x < 0 || x > 4294967295)) throw new Error(`rpz: line ${n + 1}: bad SOA numbers`);
    } else if (type === 'NS') {
      ns.push(rdata[0]!);
    } else if (type === 'CNAME') {
      if (owner.endsWith('.')) throw new Error(`rpz: line ${n + 1}: absolute owner ${owner} lies outside the policy zone`);
      if (!/^(\*\.)?([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9-]{1,63}$/.test(owner)) throw new Error(`rpz: line ${n + 1}: bad owner ${owner}`);
      if (cname.has(owner)) throw new Error(`rpz: line ${n + 1}: ${owner} twice`);
      cname.set(owner, rdata[0]!);
    } else throw new Error(`rpz: line ${n + 1}: unexpected record type ${type}`);
  });
  if (ttl === null) throw new Error('rpz: no $TTL');
  const s = soa as number[] | null;
  if (!s) throw new Error('rpz: no SOA');
  if (ns.length === 0) throw new Error('rpz: no NS');
  return { ttl, serial: s[0]!, ns, cname };
}

/** Reads an external dynamic list: one entry a line, no blanks, no comments, no schemes. */
export function readEdl(text: string, kind: 'ip' | 'domain' | 'url'): string[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('edl: the last line is not terminated');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, n) => {
      if (line.trim() !== line || line === '' || line.startsWith('#')) throw new Error(`edl: line ${n + 1} is blank, padded or a comment`);
      if (kind === 'ip' && isIP(line) === 0 && !/^[0-9a-f.:]+\/\d{1,3}$/i.test(line)) throw new Error(`edl: line ${n + 1}: ${line} is no address or network`);
      if (kind === 'domain' && !/^[a-z0-9.-]+$/.test(line)) throw new Error(`edl: line ${n + 1}: ${line} is no domain`);
      if (kind === 'url' && /^[a-z]+:\/\//i.test(line)) throw new Error(`edl: line ${n + 1}: ${line} carries a scheme`);
      return line;
    });
}

/** Reads CSV with a header row into records, checking every row has the header's width. */
export function readCsvRecords(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const all: string[][] = [];
  const p = new CsvParser((f) => all.push(f));
  p.push(text);
  p.end();
  const header = all[0] ?? [];
  const rows = all.slice(1).map((f, n) => {
    if (f.length !== header.length) throw new Error(`csv: row ${n + 2} has ${f.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, f[i]!]));
  });
  return { header, rows };
}
