/**
 * Threat analyses: a title, a Markdown body (rendered with renderMarkdown: no raw
 * HTML, no script links), a TLP, a severity and linked indicators, kept as
 * numbered versions. The latest version is a draft until it is published;
 * publishing freezes it, and editing a published analysis starts a new draft
 * version, so what members read never changes under them.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Caller, Context } from '../../platform/context.js';
import { audit } from '../../platform/audit.js';
import type { AnalysisVersionTable, Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError } from '../../platform/errors.js';
import { renderMarkdown } from '../../platform/markdown.js';
import { parseTlp, SEVERITIES, type Severity, type Tlp } from '../indicators/indicator-types.js';
import { appendIndicatorEvents, checkIndicatorIds, toIndicator, type Indicator } from '../indicators/indicators.js';

export interface AnalysisInput {
  title: string;
  /** Markdown. */
  body: string;
  tlp: Tlp | string;
  severity: Severity | string;
  indicatorIds?: readonly number[];
}

export type AnalysisPatch = Partial<AnalysisInput>;

export interface AnalysisVersion {
  analysisId: number;
  version: number;
  status: 'draft' | 'published';
  title: string;
  body: string;
  /** The body rendered: safe HTML. */
  bodyHtml: string;
  tlp: Tlp;
  severity: Severity;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
}

export interface Analysis extends AnalysisVersion {
  latestVersion: number;
  publishedVersion: number | null;
  indicators: Indicator[];
}

export interface AnalysisSummary {
  id: number;
  title: string;
  tlp: Tlp;
  severity: Severity;
  latestVersion: number;
  publishedVersion: number | null;
  status: 'draft' | 'published';
  updatedAt: string;
}

function checkInput(input: AnalysisPatch, complete: boolean): void {
  const problems: Array<{ field: string; message: string }> = [];
  if (complete || input.title !== undefined) {
    const t = input.title?.trim() ?? '';
    if (t === '' || t.length > 300) problems.push({ field: 'title', message: 'from 1 to 300 characters' });
  }
  if ((complete || input.body !== undefined) && (input.body ?? '').length > 200_000) problems.push({ field: 'body', message: 'at most 200,000 characters' });
  if ((complete || input.tlp !== undefined) && !parseTlp(String(input.tlp ?? ''))) problems.push({ field: 'tlp', message: 'one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED' });
  if ((complete || input.severity !== undefined) && !(SEVERITIES as readonly string[]).includes(String(input.severity))) problems.push({ field: 'severity', message: `one of ${SEVERITIES.join(', ')}` });
  if (problems.length > 0) throw new BakenError('VALIDATION', { detail: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems });
}

const actorOf = (by: Caller) => (by.actor.kind === 'anonymous' ? null : by.actor.label);

/**
 * @example
 * const a = await createAnalysis(ctx, by, { title: 'Campaign X', body: '## What\n...', tlp: 'AMBER', severity: 'high', indicatorIds: [1, 2] });
 * a.status // 'draft'
 */
export async function createAnalysis(ctx: Context, by: Caller, input: AnalysisInput): Promise<Analysis> {
  checkInput(input, true);
  const now = ctx.clock.now().toISOString();
  const id = await transact(ctx.db.kysely, async (trx) => {
    const ids = await checkIndicatorIds(trx, input.indicatorIds ?? []);
    const a = await trx.insertInto('analyses').values({ latest_version: 1, published_version: null, created_by: actorOf(by), created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    const analysisId = Number(a.id);
    await insertVersion(trx, analysisId, 1, input, actorOf(by), now, ids);
    await audit(trx, ctx.clock, by, { action: 'analysis.create', target: { type: 'analysis', id: analysisId }, details: { title: input.title.trim() } });
    return analysisId;
  });
  return getAnalysis(ctx, id);
}

async function insertVersion(trx: Kysely<Database>, analysisId: number, version: number, input: AnalysisInput, actor: string | null, now: string, ids: readonly number[]): Promise<void> {
  const v = await trx
    .insertInto('analysis_versions')
    .values({
      analysis_id: analysisId,
      version,
      status: 'draft',
      title: input.title.trim(),
      body: input.body,
      tlp: parseTlp(String(input.tlp))!,
      severity: input.severity as Severity,
      created_by: actor,
      created_at: now,
      updated_at: now,
      published_by: null,
      published_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await linkIndicators(trx, Number(v.id), ids);
}

async function linkIndicators(trx: Kysely<Database>, versionId: number, ids: readonly number[]): Promise<void> {
  await trx.deleteFrom('analysis_indicators').where('version_id', '=', versionId).execute();
  for (let i = 0; i < ids.length; i += 500) {
    await trx.insertInto('analysis_indicators').values(ids.slice(i, i + 500).map((indicator_id) => ({ version_id: versionId, indicator_id }))).execute();
  }
}

async function versionRow(db: Kysely<Database>, analysisId: number, version?: number): Promise<{ head: Selectable<Database['analyses']>; row: Selectable<AnalysisVersionTable> }> {
  const head = await db.selectFrom('analyses').selectAll().where('id', '=', analysisId).executeTakeFirst();
  if (!head) throw new BakenError('ANALYSIS_NOT_FOUND', { detail: `There is no analysis ${analysisId}.` });
  const row = await db
    .selectFrom('analysis_versions')
    .selectAll()
    .where('analysis_id', '=', analysisId)
    .where('version', '=', version ?? head.latest_version)
    .executeTakeFirst();
  if (!row) throw new BakenError('ANALYSIS_NOT_FOUND', { detail: `Analysis ${analysisId} has no version ${version}.` });
  return { head, row };
}

/**
 * Changes an analysis. A draft is changed in place; a published analysis gets a new draft version (copied from the
 * published one, with the patch), which members do not see until it is published.
 */
export async function updateAnalysis(ctx: Context, by: Caller, analysisId: number, patch: AnalysisPatch): Promise<Analysis> {
  checkInput(patch, false);
  const now = ctx.clock.now().toISOString();
  await transact(ctx.db.kysely, async (trx) => {
    const { head, row } = await versionRow(trx, analysisId);
    const ids = patch.indicatorIds !== undefined ? await checkIndicatorIds(trx, patch.indicatorIds) : null;
    if (row.status === 'draft') {
      await trx
        .updateTable('analysis_versions')
        .set({
          ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
          ...(patch.body !== undefined ? { body: patch.body } : {}),
          ...(patch.tlp !== undefined ? { tlp: parseTlp(String(patch.tlp))! } : {}),
          ...(patch.severity !== undefined ? { severity: patch.severity as Severity } : {}),
          updated_at: now,
        })
        .where('id', '=', row.id)
        .execute();
      if (ids) await linkIndicators(trx, Number(row.id), ids);
    } else {
      const linked = ids ?? (await trx.selectFrom('analysis_indicators').select('indicator_id').where('version_id', '=', row.id).execute()).map((r) => Number(r.indicator_id));
      const version = head.latest_version + 1;
      await insertVersion(
        trx,
        analysisId,
        version,
        { title: patch.title ?? row.title, body: patch.body ?? row.body, tlp: patch.tlp ?? row.tlp, severity: patch.severity ?? row.severity },
        actorOf(by),
        now,
        linked,
      );
      await trx.updateTable('analyses').set({ latest_version: version }).where('id', '=', analysisId).execute();
    }
    await trx.updateTable('analyses').set({ updated_at: now }).where('id', '=', analysisId).execute();
    await audit(trx, ctx.clock, by, { action: 'analysis.update', target: { type: 'analysis', id: analysisId }, details: { changed: Object.keys(patch) } });
  });
  return getAnalysis(ctx, analysisId);
}

/**
 * Publishes the latest draft: it is frozen from now on, and its indicators' histories say they are in it.
 * @throws {BakenError} ANALYSIS_STATE when the latest version is published already.
 */
export async function publishAnalysis(ctx: Context, by: Caller, analysisId: number): Promise<Analysis> {
  const now = ctx.clock.now().toISOString();
  await transact(ctx.db.kysely, async (trx) => {
    const { row } = await versionRow(trx, analysisId);
    if (row.status !== 'draft') throw new BakenError('ANALYSIS_STATE', { detail: `Version ${row.version} is published already; edit the analysis to start a new version.` });
    await trx.updateTable('analysis_versions').set({ status: 'published', published_by: actorOf(by), published_at: now, updated_at: now }).where('id', '=', row.id).execute();
    await trx.updateTable('analyses').set({ published_version: row.version, updated_at: now }).where('id', '=', analysisId).execute();
    const linked = await trx.selectFrom('analysis_indicators').select('indicator_id').where('version_id', '=', row.id).execute();
    await appendIndicatorEvents(
      trx,
      linked.map((l) => ({ indicatorId: Number(l.indicator_id), kind: 'analysis' as const, at: now, actor: actorOf(by), ref: { type: 'analysis', id: analysisId }, details: { version: row.version, title: row.title } })),
    );
    await audit(trx, ctx.clock, by, { action: 'analysis.publish', target: { type: 'analysis', id: analysisId }, details: { version: row.version } });
  });
  return getAnalysis(ctx, analysisId);
}

function toVersion(r: Selectable<AnalysisVersionTable>): AnalysisVersion {
  return {
    analysisId: Number(r.analysis_id),
    version: r.version,
    status: r.status,
    title: r.title,
    body: r.body,
    bodyHtml: renderMarkdown(r.body),
    tlp: r.tlp,
    severity: r.severity,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedBy: r.published_by,
    publishedAt: r.published_at,
  };
}

/** An analysis at a version (by default the latest), with its linked indicators. */
export async function getAnalysis(ctx: Context, analysisId: number, version?: number): Promise<Analysis> {
  const { head, row } = await versionRow(ctx.db.kysely, analysisId, version);
  const indicators = await ctx.db.kysely
    .selectFrom('analysis_indicators')
    .innerJoin('indicators', 'indicators.id', 'analysis_indicators.indicator_id')
    .selectAll('indicators')
    .where('analysis_indicators.version_id', '=', row.id)
    .orderBy('indicators.id')
    .execute();
  return { ...toVersion(row), latestVersion: head.latest_version, publishedVersion: head.published_version, indicators: indicators.map(toIndicator) };
}

/** Every version of an analysis, newest first. */
export async function listAnalysisVersions(ctx: Context, analysisId: number): Promise<AnalysisVersion[]> {
  await versionRow(ctx.db.kysely, analysisId);
  const rows = await ctx.db.kysely.selectFrom('analysis_versions').selectAll().where('analysis_id', '=', analysisId).orderBy('version', 'desc').execute();
  return rows.map(toVersion);
}

/** Analyses with their latest version, most recently changed first. */
export async function listAnalyses(ctx: Context, query: { status?: 'draft' | 'published'; limit?: number } = {}): Promise<AnalysisSummary[]> {
  let q = ctx.db.kysely
    .selectFrom('analyses')
    .innerJoin('analysis_versions', (j) => j.onRef('analysis_versions.analysis_id', '=', 'analyses.id').onRef('analysis_versions.version', '=', 'analyses.latest_version'))
    .select(['analyses.id', 'analysis_versions.title', 'analysis_versions.tlp', 'analysis_versions.severity', 'analysis_versions.status', 'analyses.latest_version', 'analyses.published_version', 'analyses.updated_at']);
  if (query.status) q = q.where('analysis_versions.status', '=', query.status);
  const rows = await q.orderBy('analyses.updated_at', 'desc').orderBy('analyses.id', 'desc').limit(Math.min(Math.max(query.limit ?? 200, 1), 1000)).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    tlp: r.tlp,
    severity: r.severity,
    status: r.status,
    latestVersion: r.latest_version,
    publishedVersion: r.published_version,
    updatedAt: r.updated_at,
  }));
}

/** The analyses (their published or draft versions) an indicator is linked to, for the indicator page. */
export async function analysesOfIndicator(ctx: Context, indicatorId: number): Promise<Array<{ id: number; version: number; title: string; status: 'draft' | 'published' }>> {
  const rows = await ctx.db.kysely
    .selectFrom('analysis_indicators')
    .innerJoin('analysis_versions', 'analysis_versions.id', 'analysis_indicators.version_id')
    .innerJoin('analyses', 'analyses.id', 'analysis_versions.analysis_id')
    .select(['analyses.id', 'analysis_versions.version', 'analysis_versions.title', 'analysis_versions.status'])
    .where('analysis_indicators.indicator_id', '=', indicatorId)
    .whereRef('analysis_versions.version', '=', 'analyses.latest_version')
    .orderBy('analyses.id', 'desc')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), version: r.version, title: r.title, status: r.status }));
}
