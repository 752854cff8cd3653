/**
 * The current RPSL snapshot in memory, answering "who is the abuse desk for this address" the way the RIPE database
 * defines it:
 *
 * 1. take the most specific inetnum/inet6num that contains the address;
 * 2. its `abuse-c` role's `abuse-mailbox`; else the `abuse-c` of its `org`;
 * 3. if neither gives an address, the same on the next less specific network, and so on upwards;
 * 4. but never past RIPE NCC space: an administrative block (`ALLOCATED UNSPECIFIED`, the IANA and registry blocks
 *    maintained only by the RIPE NCC) answers nothing, and a network maintained by a RIPE NCC registration-services
 *    maintainer (an allocation, a PI assignment) that has no contact of its own ends the search, as in RIPE whois.
 *
 * The walk is done once per network when the snapshot is loaded, so a lookup is one prefix-table search and an
 * array read. An aut-num's contacts come from its own `abuse-c`, else its org's.
 */
import type { Kysely } from 'kysely';
import { formatIpRange, type IpRange } from '../../net/ip-range.js';
import { parseIp, unmapIpv4, type IpAddress } from '../../net/ip-address.js';
import { Ipv4PrefixTable } from '../../net/ipv4-prefix-table.js';
import { Ipv6PrefixTable } from '../../net/ipv6-prefix-table.js';
import { ipv6FromWords, ipv6ToWords } from '../../net/ipv6.js';
import type { Database } from '../../platform/db/schema.js';
import { isRipeNccAdministrative } from './ripe-ncc.js';
import { currentRpslSnapshot, currentRpslSnapshotId, type RpslSnapshotInfo } from './rpsl-snapshots.js';

/** What the RIPE database says about the network of an address. */
export interface RpslLookup {
  /** The most specific network containing the address (CIDR, or `first-last` when it is not one prefix). */
  network: string;
  netname: string | null;
  /** The organisation handle of that network, or of the nearest less specific one that has one. */
  org: string | null;
  orgName: string | null;
  /** Clean abuse addresses; empty when the RIPE database names none for this address. */
  abuseContacts: string[];
  /** The network whose abuse-c or org gave the contacts: the network itself or a less specific one. */
  contactNetwork: string | null;
  source: 'rpsl';
  /** The date of the snapshot's data. */
  registryDate: string | null;
}

export interface RpslAsnLookup {
  asn: number;
  asName: string | null;
  org: string | null;
  orgName: string | null;
  abuseContacts: string[];
  source: 'rpsl';
  registryDate: string | null;
}

export interface RpslRegistryStats {
  inetnums: number;
  inet6nums: number;
  roles: number;
  organisations: number;
  autNums: number;
  /** Networks that overlap a sibling without nesting (not allowed in the RIPE database): clipped to their parent. */
  overlapping: number;
  loadMs: number;
}

/** Strings packed as UTF-8 in one buffer: millions of netnames without a JS string each. */
class PackedStrings {
  private buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private offsets: number[] = [0];
  private nulls = new Set<number>();

  push(s: string | null): void {
    if (s === null) this.nulls.add(this.offsets.length - 1);
    else {
      const need = Buffer.byteLength(s);
      if (this.used + need > this.buf.length) {
        const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
        this.buf.copy(next, 0, 0, this.used);
        this.buf = next;
      }
      this.used += this.buf.write(s, this.used);
    }
    this.offsets.push(this.used);
  }

  freeze(): { get(i: number): string | null } {
    const buf = Buffer.from(this.buf.subarray(0, this.used));
    const offsets = Uint32Array.from(this.offsets);
    const nulls = this.nulls;
    return { get: (i) => (nulls.has(i) ? null : buf.toString('utf8', offsets[i]!, offsets[i + 1]!)) };
  }
}

/** One family's networks, in address order (less specific before more specific at the same start). */
interface NetworkSet {
  readonly count: number;
  range(i: number): IpRange;
  netname(i: number): string | null;
  /** Index into the registry's contact lists, or -1. */
  readonly contact: Int32Array;
  /** The network that gave the contact, or -1. */
  readonly contactVia: Int32Array;
  /** Index into the registry's organisations, or -1. */
  readonly org: Int32Array;
  lookup(ip: IpAddress): number;
}

interface RawNetworks {
  firsts: Array<number | bigint>;
  lasts: Array<number | bigint>;
  netnames: PackedStrings;
  status: Array<string | null>;
  org: Int32Array | number[];
  abuseC: number[];
  mntBy: string[];
  ripeMaintained: number[];
}

export interface RpslRegistryLoadOptions {
  /** Rows per query while loading; default 20,000. */
  pageSize?: number;
}

/**
 * @example
 * const rpsl = await RpslRegistry.load(ctx.db.kysely);
 * rpsl.lookup('193.0.6.139')?.abuseContacts // ['abuse@ripe.net']
 * if (await rpsl.hasNewerSnapshot(ctx.db.kysely)) ... // load again
 */
export class RpslRegistry {
  /** @internal Use {@link RpslRegistry.load}. */
  constructor(
    /** The snapshot loaded, or null when there is none (every lookup answers null). */
    readonly snapshot: RpslSnapshotInfo | null,
    private readonly v4: NetworkSet | null,
    private readonly v6: NetworkSet | null,
    private readonly contactLists: string[][],
    private readonly orgHandles: string[],
    private readonly orgNames: Array<string | null>,
    private readonly orgContact: Int32Array,
    private readonly asns: Map<number, { asName: string | null; org: number; contact: number }>,
    readonly stats: RpslRegistryStats,
  ) {}

  /** An empty registry: no snapshot, no answers. */
  static empty(): RpslRegistry {
    return new RpslRegistry(null, null, null, [], [], [], new Int32Array(0), new Map(), { inetnums: 0, inet6nums: 0, roles: 0, organisations: 0, autNums: 0, overlapping: 0, loadMs: 0 });
  }

  /**
   * Loads the current snapshot into memory (an empty registry when there is none). Should an import replace the
   * snapshot while it is being read, the load starts again with the new one.
   */
  static async load(db: Kysely<Database>, options: RpslRegistryLoadOptions = {}): Promise<RpslRegistry> {
    for (let attempt = 0; ; attempt++) {
      const snapshot = await currentRpslSnapshot(db);
      if (!snapshot) return RpslRegistry.empty();
      const registry = await loadSnapshot(db, snapshot, options.pageSize ?? 20_000);
      const c = snapshot.counts;
      const s = registry.stats;
      const complete = s.inetnums === c.inetnums && s.inet6nums === c.inet6nums && s.roles === c.roles && s.organisations === c.organisations && s.autNums === c.autNums;
      if (complete || attempt >= 3) return registry;
    }
  }

  /** Whether the database holds a different current snapshot than the one loaded (one cheap query). */
  async hasNewerSnapshot(db: Kysely<Database>): Promise<boolean> {
    return (await currentRpslSnapshotId(db)) !== (this.snapshot?.id ?? null);
  }

  /**
   * The network of an address and its abuse contacts, or null when no inetnum/inet6num contains it.
   *
   * @throws {IpParseError} when a string is not an address.
   */
  lookup(ip: string | IpAddress): RpslLookup | null {
    const addr = unmapIpv4(typeof ip === 'string' ? parseIp(ip.trim()) : ip);
    const set = addr.kind === 'ipv4' ? this.v4 : this.v6;
    if (!set) return null;
    const i = set.lookup(addr);
    if (i < 0) return null;
    const contact = set.contact[i]!;
    const via = set.contactVia[i]!;
    const org = set.org[i]!;
    return {
      network: formatIpRange(set.range(i)),
      netname: set.netname(i),
      org: org >= 0 ? this.orgHandles[org]! : null,
      orgName: org >= 0 ? this.orgNames[org]! : null,
      abuseContacts: contact >= 0 ? [...this.contactLists[contact]!] : [],
      contactNetwork: via >= 0 ? formatIpRange(set.range(via)) : null,
      source: 'rpsl',
      registryDate: this.snapshot?.dataDate ?? null,
    };
  }

  /** What the aut-num of an AS number says, or null when there is none. */
  lookupAsn(asn: number): RpslAsnLookup | null {
    const a = this.asns.get(asn);
    if (!a) return null;
    return {
      asn,
      asName: a.asName,
      org: a.org >= 0 ? this.orgHandles[a.org]! : null,
      orgName: a.org >= 0 ? this.orgNames[a.org]! : null,
      abuseContacts: a.contact >= 0 ? [...this.contactLists[a.contact]!] : [],
      source: 'rpsl',
      registryDate: this.snapshot?.dataDate ?? null,
    };
  }

  /** The abuse addresses of an AS: its aut-num's abuse-c, else its org's; empty when none. */
  abuseContactsForAsn(asn: number): string[] {
    return this.lookupAsn(asn)?.abuseContacts ?? [];
  }
}

async function loadSnapshot(db: Kysely<Database>, snapshot: RpslSnapshotInfo, pageSize: number): Promise<RpslRegistry> {
  const started = Date.now();
  const id = snapshot.id;

  // Roles: handle -> contact list.
  const contactLists: string[][] = [];
  const roleIndex = new Map<string, number>();
  for await (const rows of pages(pageSize, (after, limit) =>
    db.selectFrom('rpsl_roles').select(['id', 'handle', 'abuse_mailboxes']).where('snapshot_id', '=', id).where('id', '>', after).orderBy('id').limit(limit).execute(),
  )) {
    for (const r of rows) {
      roleIndex.set(r.handle, contactLists.length);
      contactLists.push(JSON.parse(r.abuse_mailboxes) as string[]);
    }
  }

  // Organisations: handle -> index, with the contact of their abuse-c.
  const orgHandles: string[] = [];
  const orgNames: Array<string | null> = [];
  const orgContactList: number[] = [];
  const orgIndex = new Map<string, number>();
  for await (const rows of pages(pageSize, (after, limit) =>
    db.selectFrom('rpsl_organisations').select(['id', 'handle', 'name', 'abuse_c']).where('snapshot_id', '=', id).where('id', '>', after).orderBy('id').limit(limit).execute(),
  )) {
    for (const r of rows) {
      orgIndex.set(r.handle, orgHandles.length);
      orgHandles.push(r.handle);
      orgNames.push(r.name);
      orgContactList.push(r.abuse_c !== null ? (roleIndex.get(r.abuse_c) ?? -1) : -1);
    }
  }
  const orgContact = Int32Array.from(orgContactList);
  /** Organisations named by networks but missing from the dump still show their handle. */
  const orgOf = (handle: string | null): number => {
    if (handle === null) return -1;
    let i = orgIndex.get(handle);
    if (i === undefined) {
      i = orgHandles.length;
      orgIndex.set(handle, i);
      orgHandles.push(handle);
      orgNames.push(null);
      orgContactList.push(-1);
    }
    return i;
  };

  // Aut-nums.
  const asns = new Map<number, { asName: string | null; org: number; contact: number }>();
  for await (const rows of pages(pageSize, (after, limit) =>
    db.selectFrom('rpsl_aut_nums').select(['id', 'asn', 'as_name', 'org', 'abuse_c']).where('snapshot_id', '=', id).where('id', '>', after).orderBy('id').limit(limit).execute(),
  )) {
    for (const r of rows) {
      const org = orgOf(r.org);
      const own = r.abuse_c !== null ? (roleIndex.get(r.abuse_c) ?? -1) : -1;
      asns.set(Number(r.asn), { asName: r.as_name, org, contact: own >= 0 ? own : org >= 0 ? (orgContactList[org] ?? -1) : -1 });
    }
  }

  // Networks, both families.
  const raw = { ipv4: emptyRaw(), ipv6: emptyRaw() };
  for await (const rows of pages(pageSize, (after, limit) =>
    db
      .selectFrom('rpsl_networks')
      .select(['id', 'family', 'first_key', 'last_key', 'netname', 'status', 'org', 'abuse_c', 'mnt_by', 'ripe_maintained'])
      .where('snapshot_id', '=', id)
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute(),
  )) {
    for (const r of rows) {
      const t = raw[r.family];
      if (r.family === 'ipv4') {
        t.firsts.push(Number.parseInt(r.first_key, 16));
        t.lasts.push(Number.parseInt(r.last_key, 16));
      } else {
        t.firsts.push(BigInt(`0x${r.first_key}`));
        t.lasts.push(BigInt(`0x${r.last_key}`));
      }
      t.netnames.push(r.netname);
      t.status.push(r.status);
      (t.org as number[]).push(orgOf(r.org));
      t.abuseC.push(r.abuse_c !== null ? (roleIndex.get(r.abuse_c) ?? -1) : -1);
      t.mntBy.push(r.mnt_by);
      t.ripeMaintained.push(Number(r.ripe_maintained));
    }
  }
  const finalOrgContact = orgContactList.length === orgContact.length ? orgContact : Int32Array.from(orgContactList);
  let overlapping = 0;
  const build = (family: 'ipv4' | 'ipv6'): NetworkSet | null => {
    const r = raw[family];
    if (r.firsts.length === 0) return null;
    const result = buildNetworkSet(family, r, finalOrgContact, orgHandles);
    overlapping += result.overlapping;
    return result.set;
  };
  const v4 = build('ipv4');
  const v6 = build('ipv6');
  return new RpslRegistry(snapshot, v4, v6, contactLists, orgHandles, orgNames, finalOrgContact, asns, {
    inetnums: raw.ipv4.firsts.length,
    inet6nums: raw.ipv6.firsts.length,
    roles: contactLists.length,
    organisations: orgContact.length,
    autNums: asns.size,
    overlapping,
    loadMs: Date.now() - started,
  });
}

function emptyRaw(): RawNetworks {
  return { firsts: [], lasts: [], netnames: new PackedStrings(), status: [], org: [], abuseC: [], mntBy: [], ripeMaintained: [] };
}

async function* pages<R extends { id: number }>(pageSize: number, query: (after: number, limit: number) => Promise<R[]>): AsyncGenerator<R[]> {
  let after = 0;
  for (;;) {
    const rows = await query(after, pageSize);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/**
 * Sorts one family's networks by (first ascending, last descending), so every network comes after the networks that
 * contain it; finds each one's parent with a stack; cuts the address space into disjoint segments owned by the most
 * specific network; and resolves every network's abuse contact top-down, parents first.
 */
function buildNetworkSet(
  family: 'ipv4' | 'ipv6',
  raw: RawNetworks,
  orgContact: Int32Array,
  orgHandles: string[],
): { set: NetworkSet; overlapping: number } {
  const n = raw.firsts.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const F = raw.firsts;
  const L = raw.lasts;
  if (family === 'ipv4') {
    const f = Float64Array.from(F as number[]);
    const l = Float64Array.from(L as number[]);
    order.sort((a, b) => f[a]! - f[b]! || l[b]! - l[a]!);
  } else {
    const f = F as bigint[];
    const l = L as bigint[];
    order.sort((a, b) => (f[a]! < f[b]! ? -1 : f[a]! > f[b]! ? 1 : l[a]! > l[b]! ? -1 : l[a]! < l[b]! ? 1 : 0));
  }

  // Sorted copies (the network index from here on is the position in `order`).
  const firsts: Array<number | bigint> = new Array(n);
  const lasts: Array<number | bigint> = new Array(n);
  for (let k = 0; k < n; k++) {
    firsts[k] = F[order[k]!]!;
    lasts[k] = L[order[k]!]!;
  }

  // Parents and disjoint segments, in one sweep.
  const parent = new Int32Array(n);
  const effLast: Array<number | bigint> = new Array(n);
  const segFirst: Array<number | bigint> = [];
  const segLast: Array<number | bigint> = [];
  const segValue: number[] = [];
  const one = family === 'ipv4' ? 1 : 1n;
  const add = (a: number | bigint, b: number | bigint) => (family === 'ipv4' ? (a as number) + (b as number) : (a as bigint) + (b as bigint));
  const sub = (a: number | bigint, b: number | bigint) => (family === 'ipv4' ? (a as number) - (b as number) : (a as bigint) - (b as bigint));
  const emit = (a: number | bigint, b: number | bigint, v: number) => {
    segFirst.push(a);
    segLast.push(b);
    segValue.push(v);
  };
  const stack: number[] = [];
  let cursor: number | bigint = family === 'ipv4' ? 0 : 0n;
  let overlapping = 0;
  const popUntil = (f: number | bigint | null) => {
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const tl = effLast[top]!;
      if (f !== null && tl >= f) break;
      if (cursor <= tl) emit(cursor, tl, top);
      cursor = add(tl, one);
      stack.pop();
    }
  };
  for (let k = 0; k < n; k++) {
    const f = firsts[k]!;
    let l = lasts[k]!;
    popUntil(f);
    if (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (cursor < f) emit(cursor, sub(f, one), top);
      if (l > effLast[top]!) {
        overlapping++;
        l = effLast[top]!;
      }
      parent[k] = top;
    } else parent[k] = -1;
    effLast[k] = l;
    stack.push(k);
    cursor = f;
  }
  popUntil(null);

  // Contacts, parents first.
  const contact = new Int32Array(n);
  const contactVia = new Int32Array(n);
  const org = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const src = order[k]!;
    const p = parent[k]!;
    const ownOrg = (raw.org as number[])[src]!;
    const mntBy = JSON.parse(raw.mntBy[src]!) as string[];
    const administrative = isRipeNccAdministrative({ status: raw.status[src]!, org: ownOrg >= 0 ? orgHandles[ownOrg]! : null, mntBy });
    org[k] = ownOrg >= 0 ? ownOrg : p >= 0 ? org[p]! : -1;
    contact[k] = -1;
    contactVia[k] = -1;
    if (administrative) {
      org[k] = ownOrg;
      continue;
    }
    const own = raw.abuseC[src]! >= 0 ? raw.abuseC[src]! : ownOrg >= 0 ? orgContact[ownOrg]! : -1;
    if (own >= 0) {
      contact[k] = own;
      contactVia[k] = k;
    } else if (raw.ripeMaintained[src] !== 1 && p >= 0) {
      contact[k] = contact[p]!;
      contactVia[k] = contactVia[p]!;
    }
  }

  const set = finishNetworkSet(family, { first: segFirst, last: segLast, value: segValue }, firsts, lasts, raw.netnames, order, { contact, contactVia, org });
  return { set, overlapping };
}

/**
 * The lookup structures kept in memory. A function of its own so the closures it returns hold only these, not the
 * build's scratch arrays.
 */
function finishNetworkSet(
  family: 'ipv4' | 'ipv6',
  seg: { first: Array<number | bigint>; last: Array<number | bigint>; value: number[] },
  firsts: Array<number | bigint>,
  lasts: Array<number | bigint>,
  packedNetnames: PackedStrings,
  order: Uint32Array,
  resolved: { contact: Int32Array; contactVia: Int32Array; org: Int32Array },
): NetworkSet {
  const n = firsts.length;
  const netnames = packedNetnames.freeze();
  let lookup: (ip: IpAddress) => number;
  let range: (i: number) => IpRange;
  if (family === 'ipv4') {
    const table = Ipv4PrefixTable.fromArrays(Uint32Array.from(seg.first as number[]), Uint32Array.from(seg.last as number[]), Int32Array.from(seg.value));
    const fa = Uint32Array.from(firsts as number[]);
    const la = Uint32Array.from(lasts as number[]);
    lookup = (ip) => table.lookup(ip.value as number);
    range = (i) => ({ kind: 'ipv4', first: fa[i]!, last: la[i]! });
  } else {
    const m = seg.value.length;
    const sf = new Uint32Array(4 * m);
    const sl = new Uint32Array(4 * m);
    for (let i = 0; i < m; i++) {
      ipv6ToWords(seg.first[i] as bigint, sf, 4 * i);
      ipv6ToWords(seg.last[i] as bigint, sl, 4 * i);
    }
    const table = Ipv6PrefixTable.fromWordArrays(sf, sl, Int32Array.from(seg.value));
    const fw = new Uint32Array(4 * n);
    const lw = new Uint32Array(4 * n);
    for (let i = 0; i < n; i++) {
      ipv6ToWords(firsts[i] as bigint, fw, 4 * i);
      ipv6ToWords(lasts[i] as bigint, lw, 4 * i);
    }
    lookup = (ip) => table.lookup(ip.value as bigint);
    range = (i) => ({
      kind: 'ipv6',
      first: ipv6FromWords(fw[4 * i]!, fw[4 * i + 1]!, fw[4 * i + 2]!, fw[4 * i + 3]!),
      last: ipv6FromWords(lw[4 * i]!, lw[4 * i + 1]!, lw[4 * i + 2]!, lw[4 * i + 3]!),
    });
  }
  return { count: n, range, netname: (i) => netnames.get(order[i]!), ...resolved, lookup };
}

export interface RpslRegistryCacheOptions {
  /** How often at most to ask the database whether a newer snapshot exists; default 30 s. */
  checkIntervalMs?: number;
  /** Milliseconds since the epoch; tests pass their own. */
  now?: () => number;
}

/**
 * The current snapshot for a long-running process: loaded on first use, and loaded again when a newer import has
 * become current (checked with one cheap query at most every `checkIntervalMs`). While a new snapshot loads, callers
 * keep getting the old one.
 *
 * @example
 * const rpsl = new RpslRegistryCache(ctx.db.kysely);
 * (await rpsl.current())?.lookup('193.0.6.139');
 */
export class RpslRegistryCache {
  private registry: RpslRegistry | null = null;
  private loading: Promise<RpslRegistry> | null = null;
  private checkedAt = -Infinity;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: RpslRegistryCacheOptions = {},
  ) {
    this.interval = options.checkIntervalMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** The loaded registry, or null when no RPSL snapshot was ever imported. */
  async current(): Promise<RpslRegistry | null> {
    if (this.registry === null) {
      await this.reload();
    } else if (this.now() - this.checkedAt >= this.interval && this.loading === null) {
      this.checkedAt = this.now();
      if (await this.registry.hasNewerSnapshot(this.db)) {
        // Serve the old snapshot while the new one loads.
        void this.reload().catch(() => {});
      }
    }
    const r = this.registry as RpslRegistry | null;
    return r && r.snapshot ? r : null;
  }

  /** Loads the current snapshot now (and waits for it). */
  async reload(): Promise<RpslRegistry> {
    if (!this.loading) {
      this.loading = RpslRegistry.load(this.db).finally(() => {
        this.loading = null;
      });
      this.checkedAt = this.now();
    }
    const r = await this.loading;
    this.registry = r;
    return r;
  }
}
