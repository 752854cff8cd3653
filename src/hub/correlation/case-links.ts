/**
 * Where the hub meets the hotline: the hotline cases whose affected hosts include an address (or lie in a
 * network), and the other way round, the hub's address and network indicators among a case's hosts.
 *
 * Hosts are stored as canonical address text. An address is one indexed lookup. A network is read as ranges of
 * text: the addresses of `198.51.96.0/20` all start with `198.51.`, so the hosts between `198.51.` and `198.51/`
 * are read (the index, on PostgreSQL in the "C" collation where text sorts by bytes) and checked exactly. IPv6
 * addresses have no such fixed text, so an IPv6 network reads the IPv6 hosts (rare in hotline cases) and checks each.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { cidrContains, cidrOf, parseCidr, type Cidr } from '../../net/cidr.js';
import { parseIp, type IpAddress } from '../../net/ip-address.js';
import type { Context } from '../../platform/context.js';
import type { DialectName } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import { toIndicator, type Indicator } from '../indicators/indicators.js';

export interface CaseLink {
  caseId: string;
  title: string;
  state: string;
  createdAt: string;
  closedAt: string | null;
  /** The case's hosts at this address or in this network. */
  hosts: number;
  /** Their ports (the first 20 distinct), ascending; hosts without a port are left out. */
  ports: number[];
  /** The earliest time a scanner saw one of them, when the upload said. */
  firstSeenAt: string | null;
}

/** At most this many host rows are read for one network; more is marked `truncated`. */
const MAX_ROWS = 200_000;

function ipColumn(dialect: DialectName): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`case_hosts.ip collate "C"` : sql<string>`case_hosts.ip`;
}

/** Text ranges [from, to) that hold every IPv4 address of the network as text, and maybe others. */
function ipv4TextRanges(cidr: Extract<Cidr, { kind: 'ipv4' }>): Array<[string, string]> {
  const octets = Math.floor(cidr.prefixLength / 8);
  const a = cidr.address;
  const bytes = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
  if (octets === 0) {
    const last = (a + 2 ** (32 - cidr.prefixLength) - 1) >>> 24;
    const out: Array<[string, string]> = [];
    for (let b = bytes[0]!; b <= last; b++) out.push([`${b}.`, `${b}/`]);
    return out;
  }
  const prefix = bytes.slice(0, octets).join('.');
  // A /32 is one address; any other prefix ends in a dot ('/' is the byte after '.').
  return octets === 4 ? [[prefix, `${prefix}\u0000`]] : [[`${prefix}.`, `${prefix}/`]];
}

interface HostRow {
  case_id: number;
  ip: string;
  port: number | null;
  seen_at: string | null;
}

async function hostRows(ctx: Context, target: { kind: 'ip'; ip: string } | { kind: 'cidr'; cidr: Cidr }): Promise<{ rows: HostRow[]; truncated: boolean }> {
  const db = ctx.db.kysely;
  const col = ipColumn(ctx.db.dialect);
  const base = db.selectFrom('case_hosts').select(['case_hosts.case_id', 'case_hosts.ip', 'case_hosts.port', 'case_hosts.seen_at']);
  if (target.kind === 'ip') return { rows: (await base.where(col, '=', target.ip).limit(MAX_ROWS).execute()) as HostRow[], truncated: false };
  const cidr = target.cidr;
  let q = base;
  if (cidr.kind === 'ipv4') {
    const ranges = ipv4TextRanges(cidr);
    q = q.where((eb) => eb.or(ranges.map(([from, to]) => eb.and([eb(col, '>=', from), eb(col, '<', to)]))));
  } else {
    q = q.where('case_hosts.ip', 'like', '%:%');
  }
  const rows = (await q.limit(MAX_ROWS + 1).execute()) as HostRow[];
  const truncated = rows.length > MAX_ROWS;
  const inside = rows.slice(0, MAX_ROWS).filter((r) => {
    try {
      return cidrContains(cidr, parseIp(r.ip));
    } catch {
      return false;
    }
  });
  return { rows: inside, truncated };
}

/**
 * The hotline cases with hosts at this address or in this network (`198.51.100.7`, `198.51.96.0/20`; canonical
 * forms, as indicators store them), newest case first.
 * @example const { cases } = await casesWithAddress(ctx, '185.220.101.7');
 */
export async function casesWithAddress(ctx: Context, value: string): Promise<{ cases: CaseLink[]; truncated: boolean }> {
  const target = value.includes('/') ? { kind: 'cidr' as const, cidr: parseCidr(value, { lenient: true }) } : { kind: 'ip' as const, ip: value };
  const { rows, truncated } = await hostRows(ctx, target);
  if (rows.length === 0) return { cases: [], truncated };
  const byCase = new Map<number, { hosts: number; ports: Set<number>; firstSeen: string | null }>();
  for (const r of rows) {
    const id = Number(r.case_id);
    let c = byCase.get(id);
    if (!c) byCase.set(id, (c = { hosts: 0, ports: new Set(), firstSeen: null }));
    c.hosts++;
    if (r.port !== null && c.ports.size < 20) c.ports.add(r.port);
    if (r.seen_at && (c.firstSeen === null || r.seen_at < c.firstSeen)) c.firstSeen = r.seen_at;
  }
  const cases = await ctx.db.kysely.selectFrom('cases').select(['id', 'case_id', 'title', 'state', 'created_at', 'closed_at']).where('id', 'in', [...byCase.keys()]).orderBy('id', 'desc').execute();
  return {
    cases: cases.map((c) => {
      const agg = byCase.get(Number(c.id))!;
      return { caseId: c.case_id, title: c.title, state: c.state, createdAt: c.created_at, closedAt: c.closed_at, hosts: agg.hosts, ports: [...agg.ports].sort((x, y) => x - y), firstSeenAt: agg.firstSeen };
    }),
    truncated,
  };
}

export interface CaseIndicatorMatch {
  indicator: Indicator;
  /** How many of the case's hosts it matches (the address itself, or the hosts in the network). */
  hosts: number;
}

/** Networks grouped by prefix length, so a host is checked against each length once (not against each network). */
class NetworkSet {
  private v4 = new Map<number, Map<number, number[]>>();
  private v6 = new Map<number, Map<bigint, number[]>>();

  add(cidr: Cidr, ref: number): void {
    if (cidr.kind === 'ipv4') {
      const m = this.v4.get(cidr.prefixLength) ?? new Map<number, number[]>();
      this.v4.set(cidr.prefixLength, m);
      m.set(cidr.address, [...(m.get(cidr.address) ?? []), ref]);
    } else {
      const m = this.v6.get(cidr.prefixLength) ?? new Map<bigint, number[]>();
      this.v6.set(cidr.prefixLength, m);
      m.set(cidr.address, [...(m.get(cidr.address) ?? []), ref]);
    }
  }

  /** The refs of every network that contains the address. */
  match(ip: IpAddress, out: (ref: number) => void): void {
    if (ip.kind === 'ipv4') {
      for (const [len, m] of this.v4) {
        const refs = m.get(cidrOf(ip, len).address as number);
        if (refs) refs.forEach(out);
      }
    } else {
      for (const [len, m] of this.v6) {
        const refs = m.get(cidrOf(ip, len).address as bigint);
        if (refs) refs.forEach(out);
      }
    }
  }
}

/**
 * The hub's indicators among a case's hosts: address indicators equal to a host, and network indicators that
 * contain one, with how many hosts each matches; most hosts first.
 */
export async function hubIndicatorsOfCase(ctx: Context, caseRowId: number): Promise<CaseIndicatorMatch[]> {
  const db = ctx.db.kysely;
  const counts = new Map<number, number>();
  const exact = await db
    .selectFrom('case_hosts')
    .innerJoin('indicators', (j) => j.onRef('indicators.value', '=', 'case_hosts.ip').on('indicators.type', 'in', ['ipv4', 'ipv6']))
    .select((eb) => ['indicators.id', eb.fn.countAll<string | number>().as('n')])
    .where('case_hosts.case_id', '=', caseRowId)
    .groupBy('indicators.id')
    .execute();
  for (const r of exact) counts.set(Number(r.id), Number(r.n));
  const networks = await db.selectFrom('indicators').select(['id', 'value']).where('type', '=', 'cidr').execute();
  if (networks.length > 0) {
    const set = new NetworkSet();
    for (const n of networks) set.add(parseCidr(n.value, { lenient: true }), Number(n.id));
    await eachHost(db, caseRowId, (ip) => set.match(ip, (id) => counts.set(id, (counts.get(id) ?? 0) + 1)));
  }
  if (counts.size === 0) return [];
  const ids = [...counts.keys()];
  const rows = [];
  for (let i = 0; i < ids.length; i += 500) rows.push(...(await db.selectFrom('indicators').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()));
  return rows.map((r) => ({ indicator: toIndicator(r), hosts: counts.get(Number(r.id)) ?? 0 })).sort((a, b) => b.hosts - a.hosts || a.indicator.id - b.indicator.id);
}

/** Every host address of a case, read in pages by id so a case of a million hosts is never held at once. */
async function eachHost(db: Kysely<Database>, caseRowId: number, fn: (ip: IpAddress) => void): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = await db.selectFrom('case_hosts').select(['id', 'ip']).where('case_id', '=', caseRowId).where('id', '>', after).orderBy('id').limit(20_000).execute();
    for (const r of rows) {
      try {
        fn(parseIp(r.ip));
      } catch {
        // Hosts were checked on upload; a row that does not parse is no address the hub can match.
      }
    }
    if (rows.length < 20_000) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}
