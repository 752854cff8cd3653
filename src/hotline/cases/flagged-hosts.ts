/**
 * Hosts of a case that a MISP warninglist calls a known false positive. They are kept and notified like the others
 * (the hotline passes notices on; a handler decides); the case page lists them with the lists that flag them so a
 * handler can look before notifying.
 */
import type { Caller, Context } from '../../platform/context.js';
import { audit } from '../../platform/audit.js';
import { toCaseHost, type CaseHost } from './case-hosts.js';
import { caseRow } from './cases.js';

export interface FlaggedHosts {
  /** Flagged hosts in the case. */
  total: number;
  /** Per warninglist name, how many hosts it flags (a host on two lists counts for both), most first. */
  lists: Array<{ name: string; hosts: number }>;
  /** The first `limit` flagged hosts, in upload order. */
  hosts: CaseHost[];
}

/**
 * The flagged hosts of a case: counts per list and the first `limit` (default 50) hosts. Showing the addresses is a
 * view of a host list, so it is audited (`case.hosts_view`, filter `flagged`) when there is anything to show.
 * @example
 * const f = await flaggedHosts(ctx, caller, 'BKN-2026-00001');
 * f.lists // [{ name: 'List of known public DNS resolvers', hosts: 2 }]
 */
export async function flaggedHosts(ctx: Context, by: Caller, ref: string, q: { limit?: number } = {}): Promise<FlaggedHosts> {
  const row = await caseRow(ctx.db.kysely, ref);
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 1000);
  // Hosts flagged by the same lists share one JSON text, so grouping on it stays small however many hosts there are.
  const groups = await ctx.db.kysely
    .selectFrom('case_hosts')
    .select(['warnings', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('case_id', '=', row.id)
    .where('warnings', 'is not', null)
    .groupBy('warnings')
    .execute();
  const perList = new Map<string, number>();
  let total = 0;
  for (const g of groups) {
    const n = Number(g.n);
    total += n;
    for (const name of JSON.parse(g.warnings ?? '[]') as string[]) perList.set(name, (perList.get(name) ?? 0) + n);
  }
  if (total === 0) return { total: 0, lists: [], hosts: [] };
  const rows = await ctx.db.kysely.selectFrom('case_hosts').selectAll().where('case_id', '=', row.id).where('warnings', 'is not', null).orderBy('id').limit(limit).execute();
  await audit(ctx.db.kysely, ctx.clock, by, { action: 'case.hosts_view', target: { type: 'case', id: row.case_id }, details: { filter: 'flagged', after: null, count: rows.length } });
  const lists = [...perList].map(([name, hosts]) => ({ name, hosts })).sort((a, b) => b.hosts - a.hosts || a.name.localeCompare(b.name));
  return { total, lists, hosts: rows.map(toCaseHost) };
}
