/**
 * Lookup benchmark (issue 3 budget): lookups per second for IPv4 from integers, IPv4 from strings and IPv6 from
 * strings, on a random and a Dutch address set, for Baken's prefix table, a plain binary search over the same
 * segments, and the maxmind npm reader on the @ip-location-db country .mmdb files. Then snapshot load time and the
 * memory of the bundled tables. Run with `npm run bench:lookup`.
 *
 * Every variant resolves an address to the same answer a caller needs (for ours and the binary search: the ASN row
 * and the country row; for maxmind: the country record), so the ratios compare like with like. Ours uses its bulk
 * API (for strings: parse a block, then search it); the binary search is the plain per-address loop over the same
 * segment starts with the same string parsers, so its column shows what the index and the bulk passes add. IPv6
 * from strings is dominated by parsing, so there the two are close.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Reader } from 'maxmind';
import type { Response } from 'maxmind';
import { formatIpv4, parseIpv4Fast } from '../src/net/ipv4.js';
import { formatIpv6Words, parseIpv6Into } from '../src/net/ipv6.js';
import { NetworkData } from '../src/registry/network-data.js';
import { loadBundledNetworkData } from '../src/registry/load-bundled-network-data.js';
import { readNetworkSnapshot } from '../src/registry/network-snapshot.js';
import { mulberry32 } from './support.js';

const N = 1_000_000;
const MAXMIND_N = 200_000;
const ROUNDS = 7;
const WARM_MS = 200;

// Deterministic, so runs compare.
const rand = mulberry32(0x5eed);

/** One timed pass of `fn` (one run over its address set); returns lookups per second. */
function once(count: number, fn: () => number): number {
  const start = performance.now();
  const sink = fn();
  const ms = performance.now() - start;
  if (sink === 0.5) console.log(''); // keep the work observable
  return (count / ms) * 1000;
}

/**
 * Measures the variants of one workload in interleaved rounds and keeps each variant's best round: the machine is
 * shared (2 cores), and best-of-rounds measures the code rather than whatever else ran at that moment. Each
 * variant is warmed up first so the JIT has settled.
 */
function measure(variants: Record<string, { count: number; fn: () => number }>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [name, v] of Object.entries(variants)) {
    const warm = performance.now();
    do v.fn();
    while (performance.now() - warm < WARM_MS);
    best[name] = 0;
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, v] of Object.entries(variants)) best[name] = Math.max(best[name]!, once(v.count, v.fn));
  }
  return best;
}

const require = createRequire(import.meta.url);
const mmdbDir = dirname(require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json'));
const dataDir = process.env.BAKEN_BENCH_DATA_DIR ?? join(tmpdir(), 'baken-bench-data');

const first = await loadBundledNetworkData({ dataDir, onProgress: (m) => console.error(m) });
const file = first.file;

// Load time and memory of a fresh load from the snapshot file, as at a later start.
const gcAvailable = typeof globalThis.gc === 'function';
globalThis.gc?.();
const before = process.memoryUsage();
const t0 = performance.now();
const data = new NetworkData(readNetworkSnapshot(file));
const loadMs = performance.now() - t0;
globalThis.gc?.();
const after = process.memoryUsage();
const processDeltaMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
let tableBytes = 0;
for (const family of [data.tables.ipv4, data.tables.ipv6]) for (const a of Object.values(family)) tableBytes += (a as Uint32Array).byteLength;
tableBytes += data.tables.nameBytes.byteLength + data.tables.nameOffsets.byteLength;
tableBytes += 2 * (2 ** 20 + 1) * 4 + 4 * (data.ipv4Table.segmentCount + data.ipv6Table.segmentCount); // indexes and segment ids

const v4 = data.tables.ipv4;
const v6 = data.tables.ipv6;
const NL = ('N'.charCodeAt(0) << 8) | 'L'.charCodeAt(0);

// Address sets.
function randomV4(): Uint32Array {
  const a = new Uint32Array(N);
  for (let i = 0; i < N; i++) a[i] = rand();
  return a;
}
function dutchV4(): Uint32Array {
  const rows: number[] = [];
  for (let i = 0; i < v4.countryCode.length; i++) if (v4.countryCode[i] === NL) rows.push(i);
  const a = new Uint32Array(N);
  for (let i = 0; i < N; i++) {
    const r = rows[rand() % rows.length]!;
    const f = v4.countryFirst[r]!;
    a[i] = f + (rand() % (v4.countryLast[r]! - f + 1));
  }
  return a;
}
/** IPv6 words: random in 2000::/3, or inside random NL ranges (low 64 bits random, within the range's /64s). */
function randomV6(): Uint32Array {
  const a = new Uint32Array(4 * N);
  for (let i = 0; i < N; i++) {
    a[4 * i] = ((rand() & 0x1fffffff) | 0x20000000) >>> 0;
    a[4 * i + 1] = rand();
    a[4 * i + 2] = rand();
    a[4 * i + 3] = rand();
  }
  return a;
}
function dutchV6(): Uint32Array {
  const rows: number[] = [];
  for (let i = 0; i < v6.countryCode.length; i++) if (v6.countryCode[i] === NL) rows.push(i);
  const a = new Uint32Array(4 * N);
  for (let i = 0; i < N; i++) {
    const r = rows[rand() % rows.length]!;
    // Start of the range plus a random offset in its last 64 bits keeps the address inside for ranges of a /64 or more.
    a[4 * i] = v6.countryFirst[4 * r]!;
    a[4 * i + 1] = v6.countryFirst[4 * r + 1]!;
    a[4 * i + 2] = rand();
    a[4 * i + 3] = rand();
  }
  return a;
}

const sets = [
  { name: 'random', v4: randomV4(), v6: randomV6() },
  { name: 'Dutch', v4: dutchV4(), v6: dutchV6() },
];

// Our table: segment, then ASN row and country row.
const t4 = data.ipv4Table;
const t6 = data.ipv6Table;
const segScratch = new Int32Array(N);
const ours = {
  ints(ips: Uint32Array): number {
    let acc = 0;
    for (let i = 0; i < ips.length; i++) {
      const s = t4.segmentOf(ips[i]!);
      acc += v4.segAsn[s]! + v4.segCountry[s]!;
    }
    return acc;
  },
  // The bulk API: parse a block, then search it (see Ipv4PrefixTable.segmentsOfStrings).
  v4Strings(ips: string[]): number {
    const segs = t4.segmentsOfStrings(ips, segScratch);
    let acc = 0;
    for (let i = 0; i < ips.length; i++) {
      const s = segs[i]!;
      if (s >= 0) acc += v4.segAsn[s]! + v4.segCountry[s]!;
    }
    return acc;
  },
  v6Strings(ips: string[]): number {
    const segs = t6.segmentsOfStrings(ips, segScratch);
    let acc = 0;
    for (let i = 0; i < ips.length; i++) {
      const s = segs[i]!;
      if (s >= 0) acc += v6.segAsn[s]! + v6.segCountry[s]!;
    }
    return acc;
  },
};

// Plain binary search over the same segment starts, no index.
function bsearch4(starts: Uint32Array, ip: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= ip) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
function bsearch6(s: Uint32Array, a: number, b: number, c: number, d: number): number {
  let lo = 0;
  let hi = s.length / 4 - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const m = mid * 4;
    const le = s[m] !== a ? s[m]! < a : s[m + 1] !== b ? s[m + 1]! < b : s[m + 2] !== c ? s[m + 2]! < c : s[m + 3]! <= d;
    if (le) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
const binary = {
  ints(ips: Uint32Array): number {
    let acc = 0;
    for (let i = 0; i < ips.length; i++) {
      const s = bsearch4(v4.segStarts, ips[i]!);
      acc += v4.segAsn[s]! + v4.segCountry[s]!;
    }
    return acc;
  },
  v4Strings(ips: string[]): number {
    let acc = 0;
    for (let i = 0; i < ips.length; i++) {
      const ip = parseIpv4Fast(ips[i]!);
      if (ip < 0) continue;
      const s = bsearch4(v4.segStarts, ip);
      acc += v4.segAsn[s]! + v4.segCountry[s]!;
    }
    return acc;
  },
  v6Strings(ips: string[]): number {
    const w = new Uint32Array(4);
    let acc = 0;
    for (let i = 0; i < ips.length; i++) {
      if (parseIpv6Into(ips[i]!, w, 0) !== 0) continue;
      const s = bsearch6(v6.segStarts, w[0]!, w[1]!, w[2]!, w[3]!);
      acc += v6.segAsn[s]! + v6.segCountry[s]!;
    }
    return acc;
  },
};

const mm4 = new Reader<Response>(readFileSync(join(mmdbDir, 'geo-whois-asn-country-ipv4.mmdb')));
const mm6 = new Reader<Response>(readFileSync(join(mmdbDir, 'geo-whois-asn-country-ipv6.mmdb')));
// The @ip-location-db files hold { country_code } records, which mmdb-lib's response types do not describe.
type CountryRecord = { country_code?: string } | null;
function maxmind(reader: Reader<Response>, ips: string[]): number {
  let acc = 0;
  for (let i = 0; i < ips.length; i++) acc += (reader.get(ips[i]!) as CountryRecord)?.country_code?.length ?? 0;
  return acc;
}

interface Row {
  workload: string;
  set: string;
  ours: number;
  binary: number;
  maxmind: number | null;
}
const rows: Row[] = [];
for (const set of sets) {
  // Strings as they arrive in practice: lines split from an uploaded text. (Formatting alone leaves V8 rope strings
  // that the first pass over them flattens, which would bill that work to whichever variant runs first.)
  const v4Strings = Array.from(set.v4, formatIpv4).join('\n').split('\n');
  const v6Text: string[] = [];
  for (let i = 0; i < N; i++) v6Text.push(formatIpv6Words(set.v6[4 * i]!, set.v6[4 * i + 1]!, set.v6[4 * i + 2]!, set.v6[4 * i + 3]!));
  const v6Strings = v6Text.join('\n').split('\n');
  globalThis.gc?.(); // collect before measuring, not during
  const mm4Strings = v4Strings.slice(0, MAXMIND_N);
  const mm6Strings = v6Strings.slice(0, MAXMIND_N);
  const ints = measure({ ours: { count: N, fn: () => ours.ints(set.v4) }, binary: { count: N, fn: () => binary.ints(set.v4) } });
  rows.push({ workload: 'IPv4 from integers', set: set.name, ours: ints.ours!, binary: ints.binary!, maxmind: null });
  const s4 = measure({
    ours: { count: N, fn: () => ours.v4Strings(v4Strings) },
    binary: { count: N, fn: () => binary.v4Strings(v4Strings) },
    maxmind: { count: MAXMIND_N, fn: () => maxmind(mm4, mm4Strings) },
  });
  rows.push({ workload: 'IPv4 from strings', set: set.name, ours: s4.ours!, binary: s4.binary!, maxmind: s4.maxmind! });
  const s6 = measure({
    ours: { count: N, fn: () => ours.v6Strings(v6Strings) },
    binary: { count: N, fn: () => binary.v6Strings(v6Strings) },
    maxmind: { count: MAXMIND_N, fn: () => maxmind(mm6, mm6Strings) },
  });
  rows.push({ workload: 'IPv6 from strings', set: set.name, ours: s6.ours!, binary: s6.binary!, maxmind: s6.maxmind! });
}

const m = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const ratio = (a: number, b: number | null) => (b === null ? 'n/a' : `${(a / b).toFixed(1)}x`);
console.log(`\nBaken lookup benchmark (node ${process.version}, one core; ${N.toLocaleString('en')} addresses a set, ` +
  `maxmind on ${MAXMIND_N.toLocaleString('en')}; best of ${ROUNDS} interleaved rounds)`);
console.log(`data: asn ${data.meta.asnVersion}, country ${data.meta.countryVersion}, dated ${data.meta.dataDate}; ` +
  `${t4.segmentCount.toLocaleString('en')} IPv4 and ${t6.segmentCount.toLocaleString('en')} IPv6 segments\n`);
console.log('| workload | set | Baken table | binary search | maxmind (country) | Baken / binary | Baken / maxmind |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.workload} | ${r.set} | ${m(r.ours)} | ${m(r.binary)} | ${r.maxmind === null ? 'n/a' : m(r.maxmind)} | ` +
    `${ratio(r.ours, r.binary)} | ${ratio(r.ours, r.maxmind)} |`);
}
console.log(`\nsnapshot load (read file, check, index): ${loadMs.toFixed(0)} ms  (${file})`);
console.log(`memory of the bundled tables: ${(tableBytes / 1e6).toFixed(1)} MB in typed arrays; ` +
  `process heap + array buffers grew by ${processDeltaMb.toFixed(1)} MB${gcAvailable ? '' : ' (no --expose-gc, so approximate)'}`);

const worst = (w: string) => Math.min(...rows.filter((r) => r.workload === w).map((r) => r.ours));
const checks: [string, boolean][] = [
  ['IPv4 from integers >= 10 M/s', worst('IPv4 from integers') >= 10e6],
  ['IPv4 from strings >= 3 M/s', worst('IPv4 from strings') >= 3e6],
  ['IPv6 from strings >= 1 M/s', worst('IPv6 from strings') >= 1e6],
  ['snapshot load <= 1 s', loadMs <= 1000],
  ['table memory <= 150 MB', tableBytes <= 150e6 && processDeltaMb <= 150],
];
console.log('\nbudget:');
for (const [name, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}`);
if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
