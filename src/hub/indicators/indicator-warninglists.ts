/**
 * MISP warninglists (known false positives: public resolvers, RFC 1918, the top sites, empty-file hashes...) over
 * the hub's indicators. The lists are the ones the hotline reads (`BAKEN_WARNINGLISTS_DIR`, read once per process
 * by the one reader in hotline/intake/warninglist.ts); here each list matches the way its `type` says:
 *
 * | list type | an indicator is on it when |
 * | --- | --- |
 * | cidr (and string lists of addresses) | its address is in a listed network; a network indicator when both its first and last address are |
 * | string | its value equals an entry (case-insensitive) |
 * | hostname | its domain, or the host of its URL, is an entry or below one |
 * | substring | its value contains an entry |
 * | regex | an entry (`/pattern/flags`) matches its value |
 *
 * and only when the list's `matching_attributes` (MISP attribute types) include one the indicator's type stands
 * for. Flags are computed, not stored: a newer checkout of the lists applies at once to every indicator.
 */
import { parseCidr } from '../../net/cidr.js';
import { rangeOfCidr } from '../../net/ip-range.js';
import { ipv6ToWords } from '../../net/ipv6.js';
import { warninglistsIn } from '../../hotline/cases/upload-warninglists.js';
import { WarninglistIndex, type LoadedWarninglists, type Warninglist } from '../../hotline/intake/warninglist.js';
import type { Context } from '../../platform/context.js';
import type { IndicatorType } from './indicator-types.js';

/** The MISP attribute types an indicator of each hub type stands for (what `matching_attributes` name). */
export const MISP_TYPES_OF: Readonly<Record<IndicatorType, readonly string[]>> = {
  ipv4: ['ip-src', 'ip-dst', 'ip-src|port', 'ip-dst|port', 'domain|ip', 'ip'],
  ipv6: ['ip-src', 'ip-dst', 'ip-src|port', 'ip-dst|port', 'domain|ip', 'ip'],
  cidr: ['ip-src', 'ip-dst', 'ip-src|port', 'ip-dst|port', 'domain|ip', 'ip'],
  domain: ['domain', 'hostname', 'domain|ip', 'hostname|port'],
  url: ['url', 'uri', 'link'],
  md5: ['md5', 'filename|md5', 'malware-sample'],
  sha1: ['sha1', 'filename|sha1'],
  sha256: ['sha256', 'filename|sha256'],
  email: ['email', 'email-src', 'email-dst', 'whois-registrant-email'],
};

const IP_TYPES = new Set<IndicatorType>(['ipv4', 'ipv6', 'cidr']);

interface ValueList {
  name: string;
  kind: 'string' | 'hostname' | 'substring' | 'regex';
  types: ReadonlySet<IndicatorType>;
  exact: ReadonlySet<string>;
  parts: readonly string[];
  patterns: readonly RegExp[];
}

function typesOf(list: Warninglist): Set<IndicatorType> {
  const out = new Set<IndicatorType>();
  for (const [type, misp] of Object.entries(MISP_TYPES_OF) as Array<[IndicatorType, readonly string[]]>) {
    if (list.matchingAttributes.length === 0 || misp.some((m) => list.matchingAttributes.includes(m))) out.add(type);
  }
  return out;
}

/** `/^evil\.example$/i` → a RegExp; a bare pattern too. Null when it does not compile. */
function regexOf(entry: string): RegExp | null {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(entry);
  try {
    return m ? new RegExp(m[1]!, m[2]!.replace(/[^imsu]/g, '')) : new RegExp(entry);
  } catch {
    return null;
  }
}

/** The host a URL names, lower case; null when it is not a URL. */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/**
 * The warninglists compiled for the hub's indicator types.
 * @example
 * const index = IndicatorWarninglistIndex.build(await warninglistsIn('/srv/misp-warninglists'));
 * index.match('ipv4', '8.8.8.8') // ['List of known IPv4 public DNS resolvers']
 */
export class IndicatorWarninglistIndex {
  private static cache = new WeakMap<object, IndicatorWarninglistIndex>();

  private constructor(
    private readonly addresses: WarninglistIndex | null,
    private readonly values: readonly ValueList[],
  ) {}

  static build(loaded: Pick<LoadedWarninglists, 'lists' | 'others'>): IndicatorWarninglistIndex {
    const hit = IndicatorWarninglistIndex.cache.get(loaded);
    if (hit) return hit;
    const values: ValueList[] = loaded.others.map((l) => {
      const kind = l.type === 'cidr' ? 'string' : l.type;
      const lower = l.entries.map((e) => e.toLowerCase());
      return {
        name: l.name,
        kind,
        types: typesOf(l),
        exact: new Set(kind === 'hostname' ? lower.map((e) => e.replace(/^\*?\./, '').replace(/\.$/, '')) : kind === 'string' ? lower : []),
        parts: kind === 'substring' ? lower : [],
        patterns: kind === 'regex' ? l.entries.map(regexOf).filter((r): r is RegExp => r !== null) : [],
      };
    });
    const index = new IndicatorWarninglistIndex(loaded.lists.length > 0 ? WarninglistIndex.build(loaded.lists) : null, values);
    IndicatorWarninglistIndex.cache.set(loaded, index);
    return index;
  }

  /** The names of the lists the indicator (normalised, as stored) is on; empty when none. */
  match(type: IndicatorType, value: string): string[] {
    const names = new Set<string>();
    if (IP_TYPES.has(type) && this.addresses) for (const n of this.matchAddress(value)) names.add(n);
    const v = value.toLowerCase();
    const host = type === 'domain' ? v : type === 'url' ? hostOf(value) : null;
    for (const l of this.values) {
      if (!l.types.has(type) || names.has(l.name)) continue;
      let hit = false;
      switch (l.kind) {
        case 'string':
          hit = l.exact.has(v);
          break;
        case 'hostname':
          if (host !== null) {
            for (let h: string = host; !hit; ) {
              if (l.exact.has(h)) hit = true;
              const dot = h.indexOf('.');
              if (dot < 0) break;
              h = h.slice(dot + 1);
            }
          } else hit = l.exact.has(v);
          break;
        case 'substring':
          hit = l.parts.some((p) => v.includes(p));
          break;
        case 'regex':
          hit = l.patterns.some((r) => r.test(value));
          break;
      }
      if (hit) names.add(l.name);
    }
    return [...names];
  }

  private matchAddress(value: string): readonly string[] {
    let range;
    try {
      range = rangeOfCidr(parseCidr(value, { lenient: true, allowBareAddress: true }));
    } catch {
      return [];
    }
    const idx = this.addresses!;
    if (range.kind === 'ipv4') {
      const a = idx.match4(range.first);
      if (!a || range.first === range.last) return a ?? [];
      const b = idx.match4(range.last) ?? [];
      return a.filter((n) => b.includes(n));
    }
    const words = new Uint32Array(4);
    ipv6ToWords(range.first, words, 0);
    const a = idx.match6(words);
    if (!a || range.first === range.last) return a ?? [];
    ipv6ToWords(range.last, words, 0);
    const b = idx.match6(words) ?? [];
    return a.filter((n) => b.includes(n));
  }
}

/** The configured lists compiled for indicators (`BAKEN_WARNINGLISTS_DIR`); null when none are configured. */
export async function indicatorWarninglists(ctx: Context): Promise<IndicatorWarninglistIndex | null> {
  const dir = ctx.config.warninglistsDir;
  if (!dir) return null;
  return IndicatorWarninglistIndex.build(await warninglistsIn(dir));
}

/** A flagged indicator: the lists it is on. */
export interface WarninglistFlag {
  type: IndicatorType;
  value: string;
  lists: string[];
}

/**
 * The indicators among `items` that are on a configured warninglist.
 * @example
 * await warninglistFlags(ctx, [{ type: 'ipv4', value: '8.8.8.8' }]) // [{ type: 'ipv4', value: '8.8.8.8', lists: [...] }]
 */
export async function warninglistFlags<T extends { type: IndicatorType; value: string }>(ctx: Context, items: readonly T[]): Promise<Array<T & { lists: string[] }>> {
  const index = await indicatorWarninglists(ctx);
  if (!index) return [];
  const out: Array<T & { lists: string[] }> = [];
  for (const i of items) {
    const lists = index.match(i.type, i.value);
    if (lists.length > 0) out.push({ ...i, lists });
  }
  return out;
}
