/**
 * Publication and credit: a handler may publish a case page (summary,
 * recommendations, timeline, CVEs, the researchers who agreed to be credited,
 * the number of hosts notified), listed in a public index and an Atom feed;
 * researchers who agreed to be credited appear in the hall of fame with their
 * validated reports. Public pages never show addresses: the texts are checked
 * for them, and the timeline shows what happened, not the handlers' notes.
 */
import type { Kysely } from 'kysely';
import { isGloballyReachable } from '../../net/classify-ip.js';
import { parseIp } from '../../net/ip-address.js';
import type { Caller, Context } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import type { Database } from '../../platform/db/schema.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { renderMarkdown } from '../../platform/markdown.js';
import { listCaseEvents, recordCaseEvent } from '../cases/case-events.js';
import { caseRow } from '../cases/cases.js';
import type { Classification } from '../taxonomy.js';

/** States whose cases may be shown to the public. */
const PUBLISHABLE = ['validated', 'notifying', 'closed'] as const;

export interface PublicationInput {
  /** Markdown; default: the case description. */
  summary?: string;
  /** Markdown. */
  recommendations?: string;
}

/** Refuses text that names a public address: a published page must never point at a vulnerable host. */
export function assertNoAddresses(field: string, text: string): void {
  for (const word of text.split(/[\s,;()[\]<>"'`]+/)) {
    const candidate = word.replace(/[.:]+$/, '').replace(/\/\d{1,3}$/, '');
    if (!/^[0-9a-f:.]{3,45}$/i.test(candidate) || !/[.:]/.test(candidate)) continue;
    try {
      if (isGloballyReachable(parseIp(candidate))) throw invalid(field, `mentions the address ${candidate}; public pages never show addresses`);
    } catch (err) {
      if (err instanceof BakenError) throw err;
      // Not an address (a version number, a time): fine.
    }
  }
}

export async function publishCase(ctx: Context, by: Caller, ref: string, input: PublicationInput = {}): Promise<void> {
  await transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    if (!(PUBLISHABLE as readonly string[]).includes(row.state)) throw new BakenError('CASE_TRANSITION', { detail: `${row.case_id} is ${row.state}; only validated, notifying or closed cases can be published` });
    const summary = (input.summary ?? row.description).trim();
    const recommendations = (input.recommendations ?? '').trim();
    if (summary === '') throw invalid('summary', 'must not be empty');
    if (summary.length > 50_000 || recommendations.length > 50_000) throw invalid('summary', 'must be at most 50,000 characters');
    assertNoAddresses('summary', summary);
    assertNoAddresses('recommendations', recommendations);
    const now = ctx.clock.now().toISOString();
    const existing = await trx.selectFrom('case_publications').select('case_id').where('case_id', '=', row.id).executeTakeFirst();
    if (existing) {
      await trx.updateTable('case_publications').set({ summary, recommendations, updated_at: now }).where('case_id', '=', row.id).execute();
    } else {
      await trx
        .insertInto('case_publications')
        .values({ case_id: row.id, summary, recommendations, published_by: by.actor.kind === 'anonymous' ? null : by.actor.label, published_at: now, updated_at: now })
        .execute();
    }
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: row.id, caseId: row.case_id, kind: 'published', details: { update: Boolean(existing) }, public: true, action: 'case.publish' });
  });
}

export async function unpublishCase(ctx: Context, by: Caller, ref: string): Promise<void> {
  await transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const r = await trx.deleteFrom('case_publications').where('case_id', '=', row.id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new BakenError('NOT_FOUND', { detail: `${row.case_id} is not published` });
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: row.id, caseId: row.case_id, kind: 'unpublished', details: {}, public: false, action: 'case.unpublish' });
  });
}

export interface PublishedSummary {
  caseId: string;
  title: string;
  classification: Classification;
  cves: string[];
  hostsNotified: number;
  publishedAt: string;
  updatedAt: string;
}

/** Hosts told about in first rounds: each host counted once, however many follow-ups there were. */
async function hostsNotified(db: Kysely<Database>, caseRowIds: number[]): Promise<Map<number, number>> {
  if (caseRowIds.length === 0) return new Map();
  const rows = await db.selectFrom('notification_rounds').select(['case_id', 'hosts']).where('case_id', 'in', caseRowIds).where('kind', '=', 'first').execute();
  return new Map(rows.map((r) => [r.case_id, r.hosts]));
}

/** The public index, newest first. */
export async function listPublished(ctx: Context, limit = 500): Promise<PublishedSummary[]> {
  const db = ctx.db.kysely;
  const rows = await db
    .selectFrom('case_publications')
    .innerJoin('cases', 'cases.id', 'case_publications.case_id')
    .select(['cases.id', 'cases.case_id', 'cases.title', 'cases.classification', 'cases.cves', 'case_publications.published_at', 'case_publications.updated_at'])
    .orderBy('case_publications.published_at', 'desc')
    .limit(limit)
    .execute();
  const hosts = await hostsNotified(db, rows.map((r) => r.id));
  return rows.map((r) => ({
    caseId: r.case_id,
    title: r.title,
    classification: r.classification as Classification,
    cves: JSON.parse(r.cves) as string[],
    hostsNotified: hosts.get(r.id) ?? 0,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
  }));
}

export interface PublicCase extends PublishedSummary {
  product: string | null;
  versions: string | null;
  summaryHtml: string;
  recommendationsHtml: string;
  credited: string[];
  timeline: Array<{ at: string; what: 'opened' | 'state' | 'notified' | 'published'; state?: string; messages?: number; hosts?: number; round?: number }>;
}

/** One published case as the public sees it; NOT_FOUND when it is not published. */
export async function publicCase(ctx: Context, caseId: string): Promise<PublicCase> {
  const db = ctx.db.kysely;
  const row = await db
    .selectFrom('case_publications')
    .innerJoin('cases', 'cases.id', 'case_publications.case_id')
    .selectAll('cases')
    .select(['case_publications.summary', 'case_publications.recommendations', 'case_publications.published_at', 'case_publications.updated_at as published_updated_at'])
    .where('cases.case_id', '=', caseId.toUpperCase())
    .executeTakeFirst();
  if (!row) throw new BakenError('NOT_FOUND', { detail: `no published case ${caseId}` });
  const credited = await db
    .selectFrom('reports')
    .select('reporter_name')
    .distinct()
    .where('case_id', '=', row.id)
    .where('may_credit', '=', 1)
    .where('reporter_name', 'is not', null)
    .orderBy('reporter_name')
    .execute();
  const events = await listCaseEvents(db, row.id, { publicOnly: true });
  const timeline: PublicCase['timeline'] = [];
  for (const e of events) {
    const d = (e.details ?? {}) as Record<string, unknown>;
    if (e.kind === 'created') timeline.push({ at: e.at, what: 'opened' });
    else if (e.kind === 'state' && typeof d.to === 'string') timeline.push({ at: e.at, what: 'state', state: d.to });
    else if (e.kind === 'round') timeline.push({ at: e.at, what: 'notified', round: Number(d.round), messages: Number(d.messages), hosts: Number(d.hosts) });
    else if (e.kind === 'published' && !d.update) timeline.push({ at: e.at, what: 'published' });
  }
  const hosts = await hostsNotified(db, [row.id]);
  return {
    caseId: row.case_id,
    title: row.title,
    classification: row.classification as Classification,
    cves: JSON.parse(row.cves) as string[],
    product: row.product,
    versions: row.versions,
    hostsNotified: hosts.get(row.id) ?? 0,
    publishedAt: row.published_at,
    updatedAt: row.published_updated_at,
    summaryHtml: renderMarkdown(row.summary),
    recommendationsHtml: row.recommendations ? renderMarkdown(row.recommendations) : '',
    credited: credited.map((c) => c.reporter_name!),
    timeline,
  };
}

export interface HallOfFameEntry {
  name: string;
  validatedReports: number;
  published: Array<{ caseId: string; title: string }>;
}

/** Researchers who agreed to be credited, with their validated reports; most reports first. */
export async function hallOfFame(ctx: Context): Promise<HallOfFameEntry[]> {
  const db = ctx.db.kysely;
  const rows = await db
    .selectFrom('reports')
    .innerJoin('cases', 'cases.id', 'reports.case_id')
    .leftJoin('case_publications', 'case_publications.case_id', 'cases.id')
    .select(['reports.reporter_name', 'cases.case_id', 'cases.title', 'case_publications.published_at'])
    .where('reports.may_credit', '=', 1)
    .where('reports.reporter_name', 'is not', null)
    .where('cases.state', 'in', [...PUBLISHABLE])
    .execute();
  const byName = new Map<string, HallOfFameEntry & { cases: Set<string> }>();
  for (const r of rows) {
    const name = r.reporter_name!.trim();
    const e = byName.get(name.toLowerCase()) ?? { name, validatedReports: 0, published: [], cases: new Set<string>() };
    if (!e.cases.has(r.case_id)) {
      e.cases.add(r.case_id);
      e.validatedReports++;
      // Titles of unpublished cases stay private: they may name a product before its owners could react.
      if (r.published_at) e.published.push({ caseId: r.case_id, title: r.title });
    }
    byName.set(name.toLowerCase(), e);
  }
  return [...byName.values()]
    .map(({ cases: _c, ...e }) => e)
    .sort((a, b) => b.validatedReports - a.validatedReports || a.name.localeCompare(b.name));
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The public index as an Atom feed (RFC 4287). */
export async function publishedAtom(ctx: Context, title: string): Promise<string> {
  const base = ctx.config.publicUrl;
  const items = await listPublished(ctx, 50);
  const updated = items.reduce((max, i) => (i.updatedAt > max ? i.updatedAt : max), '1970-01-01T00:00:00.000Z');
  const entries = items.map(
    (i) => `  <entry>
    <id>${xml(`${base}/published/${i.caseId}`)}</id>
    <title>${xml(`${i.caseId}: ${i.title}`)}</title>
    <link rel="alternate" type="text/html" href="${xml(`${base}/published/${i.caseId}`)}"/>
    <published>${i.publishedAt}</published>
    <updated>${i.updatedAt}</updated>
    <summary>${xml(`${i.classification}${i.cves.length ? ` · ${i.cves.join(', ')}` : ''} · ${i.hostsNotified} hosts notified`)}</summary>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${xml(`${base}/published`)}</id>
  <title>${xml(title)}</title>
  <link rel="self" type="application/atom+xml" href="${xml(`${base}/published/feed.atom`)}"/>
  <link rel="alternate" type="text/html" href="${xml(`${base}/published`)}"/>
  <updated>${updated}</updated>
${entries.join('\n')}
</feed>
`;
}
