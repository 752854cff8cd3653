/**
 * The operator directory in memory, for matching many addresses fast: the
 * operators' prefixes in prefix tables (the most specific prefix wins), then
 * their ASNs. Reloaded when the directory's version changes.
 */
import { parseCidr } from '../net/cidr.js';
import { parseIp, type IpAddress } from '../net/ip-address.js';
import { rangeOfCidr } from '../net/ip-range.js';
import { Ipv4PrefixTable, NO_MATCH, type Ipv4Range } from '../net/ipv4-prefix-table.js';
import { Ipv6PrefixTable, type Ipv6Range } from '../net/ipv6-prefix-table.js';
import type { Context } from '../platform/context.js';

export interface OperatorMatch {
  operatorId: number;
  name: string;
  language: 'en' | 'nl';
  /** Manual abuse contacts, primary first; may be empty. */
  contacts: string[];
  /** How the operator was found: by one of its prefixes (the most specific) or by its ASN. */
  via: { kind: 'prefix'; prefix: string } | { kind: 'asn'; asn: number };
}

interface Entry {
  operatorId: number;
  name: string;
  language: 'en' | 'nl';
  contacts: string[];
}

export class OperatorIndex {
  private constructor(
    private readonly entries: Entry[],
    private readonly prefixes: string[],
    private readonly prefixOwner: Int32Array,
    private readonly v4: Ipv4PrefixTable,
    private readonly v6: Ipv6PrefixTable,
    private readonly byAsn: Map<number, number>,
    readonly version: string | null,
  ) {}

  static async load(ctx: Context): Promise<OperatorIndex> {
    const k = ctx.db.kysely;
    const [orgs, contacts, prefixes, asns, version] = await Promise.all([
      k.selectFrom('organisations').select(['id', 'name', 'language']).where('kind', '=', 'operator').execute(),
      k.selectFrom('operator_contacts').selectAll().orderBy('position').execute(),
      k.selectFrom('operator_prefixes').selectAll().execute(),
      k.selectFrom('operator_asns').selectAll().execute(),
      directoryVersion(ctx),
    ]);
    const entries: Entry[] = [];
    const at = new Map<number, number>();
    for (const o of orgs) {
      at.set(o.id, entries.length);
      entries.push({ operatorId: o.id, name: o.name, language: o.language, contacts: [] });
    }
    for (const c of contacts) entries[at.get(c.organisation_id)!]?.contacts.push(c.email);
    const v4: Ipv4Range[] = [];
    const v6: Ipv6Range[] = [];
    const prefixOwner = new Int32Array(prefixes.length);
    prefixes.forEach((p, i) => {
      prefixOwner[i] = at.get(p.organisation_id) ?? -1;
      const range = rangeOfCidr(parseCidr(p.prefix));
      if (range.kind === 'ipv4') v4.push({ first: range.first, last: range.last, value: i });
      else v6.push({ first: range.first, last: range.last, value: i });
    });
    const byAsn = new Map<number, number>();
    for (const a of asns) byAsn.set(a.asn, at.get(a.organisation_id)!);
    return new OperatorIndex(entries, prefixes.map((p) => p.prefix), prefixOwner, Ipv4PrefixTable.fromRanges(v4), Ipv6PrefixTable.fromRanges(v6), byAsn, version);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The operator of an address: by the most specific of the operators' prefixes, else by the address's ASN. */
  match(ip: IpAddress, asn: number | null): OperatorMatch | null {
    const p = ip.kind === 'ipv4' ? this.v4.lookup(ip.value) : this.v6.lookup(ip.value);
    if (p !== NO_MATCH) {
      const e = this.entries[this.prefixOwner[p]!];
      if (e) return { ...e, contacts: [...e.contacts], via: { kind: 'prefix', prefix: this.prefixes[p]! } };
    }
    if (asn !== null) {
      const i = this.byAsn.get(asn);
      const e = i === undefined ? undefined : this.entries[i];
      if (e) return { ...e, contacts: [...e.contacts], via: { kind: 'asn', asn } };
    }
    return null;
  }

  /** Like match, for text that may not be an address (then null). */
  matchText(text: string): OperatorMatch | null {
    try {
      return this.match(parseIp(text.trim()), null);
    } catch {
      return null;
    }
  }
}

/** The setting whose value changes with every change of the directory (written by operators.ts). */
export const DIRECTORY_VERSION_KEY = 'operators.version';

async function directoryVersion(ctx: Context): Promise<string | null> {
  const row = await ctx.db.kysely.selectFrom('settings').select('value').where('key', '=', DIRECTORY_VERSION_KEY).executeTakeFirst();
  return row?.value ?? null;
}

/** Changes made by this process, so its caches reload at once instead of at the next version check. */
let localChanges = 0;

/** Called by the directory's commands after they commit. */
export function noteDirectoryChanged(): void {
  localChanges++;
}

/**
 * Keeps one index per process and reloads it when the directory changed: at
 * once for changes made in this process, and for changes by other nodes when
 * the stored version differs (checked at most once per `checkEveryMs`).
 */
export class OperatorIndexCache {
  private index: Promise<OperatorIndex> | null = null;
  private checkedAt = 0;
  private seenLocal = -1;

  constructor(
    private readonly ctx: Context,
    private readonly checkEveryMs = 2000,
  ) {}

  async current(): Promise<OperatorIndex> {
    const now = Date.now();
    if (this.seenLocal !== localChanges) {
      this.seenLocal = localChanges;
      this.index = null;
    }
    if (this.index && now - this.checkedAt < this.checkEveryMs) return this.index;
    this.checkedAt = now;
    if (this.index) {
      const loaded = await this.index;
      if (loaded.version === (await directoryVersion(this.ctx))) return loaded;
    }
    this.index = OperatorIndex.load(this.ctx);
    this.index.catch(() => (this.index = null));
    return this.index;
  }
}
