import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCidr } from '../../net/cidr.js';
import { IpParseError } from '../../net/ip-parse-error.js';
import { rangeOfCidr } from '../../net/ip-range.js';
import { Ipv4PrefixTable, NO_MATCH } from '../../net/ipv4-prefix-table.js';
import { Ipv6PrefixTable } from '../../net/ipv6-prefix-table.js';

/** The MISP warninglist types (https://github.com/MISP/misp-warninglists). */
export type WarninglistType = 'cidr' | 'string' | 'hostname' | 'substring' | 'regex';

const TYPES: readonly string[] = ['cidr', 'string', 'hostname', 'substring', 'regex'];

// MISP attribute types that hold an IP address: a `string` list is about addresses only when it matches one of them
// (the empty-hashes list holds the ssdeep hash `3::`, which parses as an IPv6 address).
const IP_ATTRIBUTES = new Set(['ip-src', 'ip-dst', 'ip-src|port', 'ip-dst|port', 'domain|ip', 'ip']);

/**
 * A MISP warninglist of known false positives, reduced to what host intake needs: the address ranges it lists.
 * Hosts on a list are kept but flagged with its name, so a handler can look before notifying.
 */
export interface Warninglist {
  /** The list's `name`, shown as the host's warning. */
  readonly name: string;
  readonly description: string;
  readonly version: number | null;
  readonly type: WarninglistType;
  readonly matchingAttributes: readonly string[];
  /** Inclusive IPv4 ranges (uint32). */
  readonly ipv4: ReadonlyArray<{ readonly first: number; readonly last: number }>;
  /** Inclusive IPv6 ranges. */
  readonly ipv6: ReadonlyArray<{ readonly first: bigint; readonly last: bigint }>;
  /** Entries that are not addresses or prefixes (all of them for hostname, regex and hash lists). */
  readonly ignoredEntries: number;
  /**
   * Those entries themselves (trimmed, non-empty) for the list types that match values other than addresses
   * (string, hostname, substring, regex): what the hub checks domains, URLs, hashes and email addresses against.
   * Empty for `cidr` lists.
   */
  readonly entries: readonly string[];
  /** Where it was read from, when it came from a file. */
  readonly source: string | null;
}

/** A warninglist file is not valid JSON or not shaped like a MISP warninglist; the message names the file. */
export class WarninglistError extends Error {
  override readonly name = 'WarninglistError';
  constructor(
    readonly source: string | null,
    readonly reason: string,
  ) {
    super(source === null ? `warninglist: ${reason}` : `warninglist ${source}: ${reason}`);
  }
}

/**
 * Reads one MISP warninglist (`list.json`: `name`, `type`, `list`, `matching_attributes`, ...) from its JSON text or
 * parsed value. `cidr` lists give their prefixes and addresses (host bits set are masked, as MISP does); `string`
 * lists give the entries that are addresses or prefixes when the list matches IP attributes; other types hold no
 * addresses and give empty ranges (see {@link Warninglist.ignoredEntries}).
 *
 * @throws {WarninglistError} naming `source` when the JSON is invalid or a required field is missing or mistyped.
 * @example
 * const list = loadWarninglist('{"name":"Our scanners","type":"cidr","list":["192.0.2.0/24","2001:db8::1"]}');
 * list.ipv4.length // 1
 */
export function loadWarninglist(json: string | unknown, source: string | null = null): Warninglist {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new WarninglistError(source, `not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WarninglistError(source, 'not a JSON object');
  const o = value as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name.trim() === '') throw new WarninglistError(source, '"name" must be a non-empty string');
  if (typeof o.type !== 'string' || !TYPES.includes(o.type)) {
    throw new WarninglistError(source, `"type" must be one of ${TYPES.join(', ')}, got ${JSON.stringify(o.type)}`);
  }
  if (!Array.isArray(o.list) || !o.list.every((x) => typeof x === 'string')) {
    throw new WarninglistError(source, '"list" must be an array of strings');
  }
  const matching = o.matching_attributes ?? [];
  if (!Array.isArray(matching) || !matching.every((x) => typeof x === 'string')) {
    throw new WarninglistError(source, '"matching_attributes" must be an array of strings');
  }
  if (o.version !== undefined && (typeof o.version !== 'number' || !Number.isInteger(o.version))) {
    throw new WarninglistError(source, '"version" must be an integer');
  }
  const type = o.type as WarninglistType;
  const entries = o.list as string[];
  const ipv4: { first: number; last: number }[] = [];
  const ipv6: { first: bigint; last: bigint }[] = [];
  let ignored = 0;
  const others: string[] = [];
  const holdsAddresses = type === 'cidr' || (type === 'string' && (matching as string[]).some((a) => IP_ATTRIBUTES.has(a)));
  for (const raw of entries) {
    const entry = raw.trim();
    if (!holdsAddresses || entry === '') {
      ignored++;
      if (entry !== '' && type !== 'cidr') others.push(entry);
      continue;
    }
    try {
      const range = rangeOfCidr(parseCidr(entry, { lenient: true, allowBareAddress: true }));
      if (range.kind === 'ipv4') ipv4.push({ first: range.first, last: range.last });
      else ipv6.push({ first: range.first, last: range.last });
    } catch (e) {
      if (!(e instanceof IpParseError)) throw e;
      ignored++;
      if (type !== 'cidr') others.push(entry);
    }
  }
  return {
    name: o.name.trim(),
    description: typeof o.description === 'string' ? o.description : '',
    version: typeof o.version === 'number' ? o.version : null,
    type,
    matchingAttributes: matching as string[],
    ipv4,
    ipv6,
    ignoredEntries: ignored,
    entries: others,
    source,
  };
}

/** What {@link loadWarninglistsFromDir} found. */
export interface LoadedWarninglists {
  /** Lists that hold at least one address or prefix, sorted by file name. */
  readonly lists: Warninglist[];
  /** Valid lists that hold no addresses (hash, domain and regex lists), with why they were left out. */
  readonly skipped: { readonly source: string; readonly name: string; readonly reason: string }[];
  /**
   * Every list with entries other than addresses (string, hostname, substring and regex lists, also those in
   * `skipped`): the hub checks its domains, URLs, hashes and email addresses against them.
   */
  readonly others: Warninglist[];
}

/**
 * Reads every MISP warninglist under `dir`: the layout of the misp-warninglists repository (`lists/<id>/list.json`,
 * with `dir` the repository or its `lists` folder) or a flat folder of `*.json` files. Lists without addresses are
 * skipped and reported.
 *
 * @throws {WarninglistError} naming the file when one is not a valid warninglist; an unreadable `dir` throws the
 *   file-system error.
 * @example
 * const { lists, skipped } = await loadWarninglistsFromDir('/srv/misp-warninglists');
 * for await (const e of readHosts(upload, { warninglists: lists })) ...
 */
export async function loadWarninglistsFromDir(dir: string): Promise<LoadedWarninglists> {
  let base = dir;
  if (await isDirectory(join(dir, 'lists'))) base = join(dir, 'lists');
  const names = (await readdir(base)).sort();
  const files: string[] = [];
  for (const name of names) {
    const path = join(base, name);
    if (name.endsWith('.json') && !(await isDirectory(path))) {
      if (name !== 'schema.json') files.push(path);
    } else if (await isDirectory(path)) {
      const inner = join(path, 'list.json');
      if (await exists(inner)) files.push(inner);
    }
  }
  const lists: Warninglist[] = [];
  const skipped: { source: string; name: string; reason: string }[] = [];
  const others: Warninglist[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new WarninglistError(file, `cannot be read: ${(e as Error).message}`);
    }
    const list = loadWarninglist(text, file);
    if (list.entries.length > 0) others.push(list);
    if (list.ipv4.length + list.ipv6.length > 0) lists.push(list);
    else {
      skipped.push({
        source: file,
        name: list.name,
        reason:
          list.type === 'cidr' || list.type === 'string'
            ? `a ${list.type} list with no IP addresses (matching ${list.matchingAttributes.join(', ') || 'no attributes'})`
            : `a ${list.type} list, which holds no IP addresses`,
      });
    }
  }
  return { lists, skipped, others };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The warninglists of an upload compiled into two prefix tables: each segment maps to the set of lists that contain
 * it, so a lookup answers for every list at once (one table read per host, whatever the number of lists).
 *
 * @example
 * const index = WarninglistIndex.build([loadWarninglist(json)]);
 * index.match4(parseIpv4('192.0.2.7')) // ['Our scanners']
 */
export class WarninglistIndex {
  private constructor(
    private readonly v4: Ipv4PrefixTable | null,
    private readonly v6: Ipv6PrefixTable | null,
    private readonly sets: readonly (readonly string[])[],
  ) {}

  private static cache = new WeakMap<readonly Warninglist[], WarninglistIndex>();

  /** Compiles the lists (cached per array, so passing the same array to many uploads compiles once). */
  static build(lists: readonly Warninglist[]): WarninglistIndex {
    const hit = WarninglistIndex.cache.get(lists);
    if (hit) return hit;
    const sets: string[][] = [];
    const setIds = new Map<string, number>();
    const intern = (active: Int32Array): number => {
      const members: number[] = [];
      for (let i = 0; i < active.length; i++) if (active[i]! > 0) members.push(i);
      if (members.length === 0) return NO_MATCH;
      const key = members.join(',');
      let id = setIds.get(key);
      if (id === undefined) {
        id = sets.length;
        // The names, deduplicated: two files may carry the same list name.
        sets.push([...new Set(members.map((m) => lists[m]!.name))]);
        setIds.set(key, id);
      }
      return id;
    };
    const v4 = sweep(
      lists.flatMap((l, i) => l.ipv4.map((r) => ({ first: r.first, end: r.last + 1, list: i }))),
      lists.length,
      intern,
      (a, b) => a - b,
    );
    const v6 = sweep(
      lists.flatMap((l, i) => l.ipv6.map((r) => ({ first: r.first, end: r.last + 1n, list: i }))),
      lists.length,
      intern,
      (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    );
    const table4 =
      v4.length === 0
        ? null
        : Ipv4PrefixTable.fromArrays(
            Uint32Array.from(v4, (s) => s.first),
            Uint32Array.from(v4, (s) => s.last),
            Int32Array.from(v4, (s) => s.value),
          );
    const table6 = v6.length === 0 ? null : Ipv6PrefixTable.fromRanges(v6);
    const index = new WarninglistIndex(table4, table6, sets);
    WarninglistIndex.cache.set(lists, index);
    return index;
  }

  /** The names of the lists holding this IPv4 address (uint32), or null. */
  match4(address: number): readonly string[] | null {
    if (this.v4 === null) return null;
    const v = this.v4.lookup(address);
    return v === NO_MATCH ? null : this.sets[v]!;
  }

  /** The names of the lists holding this IPv6 address (four big-endian words), or null. */
  match6(words: Uint32Array): readonly string[] | null {
    if (this.v6 === null) return null;
    const v = this.v6.lookupWords(words[0]!, words[1]!, words[2]!, words[3]!);
    return v === NO_MATCH ? null : this.sets[v]!;
  }
}

/**
 * Turns possibly overlapping ranges of several lists into sorted, disjoint ranges whose value is the id of the set of
 * lists covering them: a sweep over start and end points counting, per list, how many of its ranges are open.
 */
function sweep<K extends number | bigint>(
  ranges: { first: K; end: K; list: number }[],
  listCount: number,
  intern: (active: Int32Array) => number,
  cmp: (a: K, b: K) => number,
): { first: K; last: K; value: number }[] {
  const points: { at: K; list: number; delta: number }[] = [];
  for (const r of ranges) {
    points.push({ at: r.first, list: r.list, delta: 1 });
    points.push({ at: r.end, list: r.list, delta: -1 });
  }
  points.sort((a, b) => cmp(a.at, b.at));
  const active = new Int32Array(listCount);
  const out: { first: K; last: K; value: number }[] = [];
  let i = 0;
  while (i < points.length) {
    const at = points[i]!.at;
    while (i < points.length && cmp(points[i]!.at, at) === 0) {
      const p = points[i]!;
      active[p.list] = active[p.list]! + p.delta;
      i++;
    }
    const value = intern(active);
    if (value === NO_MATCH || i >= points.length) continue;
    const next = points[i]!.at;
    const last = (typeof next === 'bigint' ? next - 1n : (next as number) - 1) as K;
    const prev = out[out.length - 1];
    // Merge with the previous segment when it ends right before and belongs to the same lists.
    if (prev !== undefined && prev.value === value && cmp(((typeof prev.last === 'bigint' ? prev.last + 1n : (prev.last as number) + 1) as K), at) === 0) {
      prev.last = last;
    } else out.push({ first: at, last, value });
  }
  return out;
}
