/**
 * Hotline cases: what a report becomes once it is in. A case has an id people
 * use (`BKN-2026-00001`), a state (see case-states.ts), handlers, comments,
 * evidence, and its hosts (case-hosts.ts). Every change lands with its
 * timeline event and audit entry in one transaction.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { can } from '../../accounts/policies.js';
import type { Caller, Context } from '../../platform/context.js';
import type { CaseTable, Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { audit } from '../../platform/audit.js';
import { notifyReporters } from '../reports/notify-reporter.js';
import { CVE_PATTERN, isClassification, type Classification } from '../taxonomy.js';
import { nextCaseId, normaliseCaseId } from './case-ids.js';
import { listCaseEvents, recordCaseEvent, type CaseEvent } from './case-events.js';
import { assertTransition, isCaseState, type CaseState } from './case-states.js';

export interface CaseHandler {
  userId: number;
  email: string;
  name: string | null;
  assignedAt: string;
}

export interface Case {
  /** Internal row id (foreign keys); people and the API use {@link Case.caseId}. */
  id: number;
  caseId: string;
  state: CaseState;
  title: string;
  description: string;
  classification: Classification;
  cves: string[];
  product: string | null;
  versions: string | null;
  /** For a duplicate: the case it was merged into. */
  primaryCaseId: string | null;
  hosts: { total: number; inScope: number; outOfScope: number; noContact: number };
  rejectedLines: number;
  handlers: CaseHandler[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CaseInput {
  title: string;
  description?: string;
  classification?: string;
  cves?: readonly string[];
  product?: string | null;
  versions?: string | null;
}

export type CasePatch = Partial<CaseInput>;

export const LIMITS = { title: 200, description: 20_000, product: 200, versions: 500, comment: 10_000, cves: 50 } as const;

/** Evidence files: at most this many bytes each, and this many per case. */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;
export const EVIDENCE_MAX_FILES = 50;

// ---- input checks

function text(value: unknown, field: string, max: number, required: boolean): string | null {
  const s = typeof value === 'string' ? value.trim() : value === null || value === undefined ? '' : null;
  if (s === null) throw invalid(field, 'must be text');
  if (s === '') {
    if (required) throw invalid(field, 'must not be empty');
    return null;
  }
  if (s.length > max) throw invalid(field, `must be at most ${max} characters`);
  return s;
}

export function parseCves(raw: readonly string[] | string | undefined | null): string[] {
  const items = typeof raw === 'string' ? raw.split(/[\s,;]+/) : (raw ?? []);
  const out = new Set<string>();
  for (const item of items) {
    const c = item.trim().toUpperCase();
    if (c === '') continue;
    if (!CVE_PATTERN.test(c)) throw invalid('cves', `"${item.trim()}" is not a CVE id (CVE-YYYY-NNNN)`);
    out.add(c);
  }
  if (out.size > LIMITS.cves) throw invalid('cves', `at most ${LIMITS.cves} CVE ids`);
  return [...out];
}

export function parseClassification(raw: unknown): Classification {
  const s = typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toLowerCase() : 'other/other';
  if (!isClassification(s)) throw invalid('classification', `"${String(raw)}" is not a known classification (e.g. vulnerable/vulnerable-system, malicious-code/infected-system, other/other)`);
  return s;
}

export interface CheckedCase {
  title: string;
  description: string;
  classification: Classification;
  cves: string[];
  product: string | null;
  versions: string | null;
}

export function checkCaseInput(input: CaseInput): CheckedCase {
  return {
    title: text(input.title, 'title', LIMITS.title, true)!,
    description: text(input.description, 'description', LIMITS.description, false) ?? '',
    classification: parseClassification(input.classification),
    cves: parseCves(input.cves),
    product: text(input.product, 'product', LIMITS.product, false),
    versions: text(input.versions, 'versions', LIMITS.versions, false),
  };
}

// ---- reading

function toCase(r: Selectable<CaseTable>, primary: string | null, handlers: CaseHandler[]): Case {
  return {
    id: Number(r.id),
    caseId: r.case_id,
    state: r.state,
    title: r.title,
    description: r.description,
    classification: r.classification as Classification,
    cves: JSON.parse(r.cves) as string[],
    product: r.product,
    versions: r.versions,
    primaryCaseId: primary,
    hosts: { total: r.hosts_total, inScope: r.hosts_in_scope, outOfScope: r.hosts_total - r.hosts_in_scope, noContact: r.hosts_no_contact },
    rejectedLines: r.rejected_total,
    handlers,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
  };
}

/** The row of a case by its id (`BKN-2026-00001`, any case); CASE_NOT_FOUND otherwise. */
export async function caseRow(db: Kysely<Database>, ref: string): Promise<Selectable<CaseTable>> {
  const caseId = normaliseCaseId(String(ref));
  const row = caseId ? await db.selectFrom('cases').selectAll().where('case_id', '=', caseId).executeTakeFirst() : undefined;
  if (!row) throw new BakenError('CASE_NOT_FOUND', { detail: `"${String(ref).slice(0, 40)}" is not a case id here.` });
  return row;
}

async function hydrate(db: Kysely<Database>, r: Selectable<CaseTable>): Promise<Case> {
  const [primary, handlers] = await Promise.all([
    r.primary_case_id === null ? null : db.selectFrom('cases').select('case_id').where('id', '=', r.primary_case_id).executeTakeFirst(),
    db
      .selectFrom('case_handlers')
      .innerJoin('users', 'users.id', 'case_handlers.user_id')
      .select(['users.id as userId', 'users.email', 'users.name', 'case_handlers.assigned_at as assignedAt'])
      .where('case_handlers.case_id', '=', r.id)
      .orderBy('case_handlers.assigned_at')
      .execute(),
  ]);
  return toCase(r, primary?.case_id ?? null, handlers.map((h) => ({ ...h, userId: Number(h.userId) })));
}

export async function getCase(ctx: Context, ref: string): Promise<Case> {
  return hydrate(ctx.db.kysely, await caseRow(ctx.db.kysely, ref));
}

export interface CaseFilter {
  state?: CaseState;
  /** Only cases this user handles. */
  handlerId?: number;
  /** Words in the title or the case id. */
  q?: string;
  /** Cases created before this one (the next page), by row id. */
  beforeId?: number;
  limit?: number;
}

/** Newest first. */
export async function listCases(ctx: Context, filter: CaseFilter = {}): Promise<Case[]> {
  const k = ctx.db.kysely;
  let q = k.selectFrom('cases').selectAll('cases');
  if (filter.state) q = q.where('cases.state', '=', filter.state);
  if (filter.handlerId !== undefined) {
    const handlerId = filter.handlerId;
    q = q.where((eb) => eb.exists(eb.selectFrom('case_handlers').select('case_handlers.case_id').whereRef('case_handlers.case_id', '=', 'cases.id').where('case_handlers.user_id', '=', handlerId)));
  }
  if (filter.q && filter.q.trim() !== '') {
    const like = `%${filter.q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['cases.title']), 'like', like), eb(eb.fn('lower', ['cases.case_id']), 'like', like)]));
  }
  if (filter.beforeId !== undefined) q = q.where('cases.id', '<', filter.beforeId);
  const rows = await q.orderBy('cases.id', 'desc').limit(Math.min(Math.max(filter.limit ?? 50, 1), 500)).execute();
  return Promise.all(rows.map((r) => hydrate(k, r)));
}

export async function caseTimeline(ctx: Context, ref: string): Promise<CaseEvent[]> {
  const row = await caseRow(ctx.db.kysely, ref);
  return listCaseEvents(ctx.db.kysely, Number(row.id));
}

// ---- changes

/**
 * Opens a case. Reports open theirs through submitReport; handlers and the CLI call this directly.
 * @example
 * const c = await createCase(ctx, by, { title: 'Exposed Citrix ADC', classification: 'vulnerable/vulnerable-system' });
 * c.caseId // 'BKN-2026-00001'
 */
export async function createCase(ctx: Context, by: Caller, input: CaseInput, state: 'received' | 'triage' = 'received'): Promise<Case> {
  const c = checkCaseInput(input);
  const now = ctx.clock.now();
  return transact(ctx.db.kysely, async (trx) => {
    const caseId = await nextCaseId(trx, ctx.config.casePrefix, now.getUTCFullYear());
    const row = await trx
      .insertInto('cases')
      .values({
        case_id: caseId,
        state,
        title: c.title,
        description: c.description,
        classification: c.classification,
        cves: JSON.stringify(c.cves),
        product: c.product,
        versions: c.versions,
        primary_case_id: null,
        hosts_total: 0,
        hosts_in_scope: 0,
        hosts_no_contact: 0,
        rejected_total: 0,
        created_by: by.actor.kind === 'anonymous' ? 'reporter' : by.actor.label,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        closed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId, kind: 'created', details: { state, title: c.title }, public: true, action: 'case.create' });
    return toCase(row, null, []);
  });
}

export async function updateCase(ctx: Context, by: Caller, ref: string, patch: CasePatch): Promise<Case> {
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const current = toCase(row, null, []);
    const next = checkCaseInput({ ...current, ...patch, title: patch.title ?? current.title });
    const changed = (Object.keys(next) as Array<keyof CheckedCase>).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
    if (changed.length === 0) return hydrate(trx, row);
    const updated = await trx
      .updateTable('cases')
      .set({ title: next.title, description: next.description, classification: next.classification, cves: JSON.stringify(next.cves), product: next.product, versions: next.versions, updated_at: ctx.clock.now().toISOString() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'updated', details: { fields: changed }, action: 'case.update' });
    return hydrate(trx, updated);
  });
}

/**
 * Moves a case to another state, if the state machine allows it from the state it is in now (checked again in
 * the update, so two handlers clicking at once cannot both move it). The reporter is told by email.
 */
export async function changeState(ctx: Context, by: Caller, ref: string, to: CaseState, reason?: string | null): Promise<Case> {
  if (!isCaseState(to)) throw invalid('state', `"${String(to)}" is not a state (received, triage, validated, rejected, duplicate, notifying, closed)`);
  if (to === 'duplicate') throw invalid('state', 'a case becomes a duplicate by merging it into its primary case');
  const note = text(reason, 'reason', LIMITS.comment, false);
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    return moveState(ctx, trx, by, row, to, note ? { reason: note } : {});
  });
}

async function moveState(ctx: Context, trx: Kysely<Database>, by: Caller, row: Selectable<CaseTable>, to: CaseState, details: Record<string, unknown>): Promise<Case> {
  assertTransition(row.case_id, row.state, to);
  const now = ctx.clock.now().toISOString();
  const updated = await trx
    .updateTable('cases')
    .set({ state: to, updated_at: now, ...(to === 'closed' ? { closed_at: now } : to === 'notifying' ? { closed_at: null } : {}) })
    .where('id', '=', row.id)
    .where('state', '=', row.state)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new BakenError('CASE_TRANSITION', { detail: `${row.case_id} was changed by someone else meanwhile; reload and try again.` });
  const eventId = await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'state', details: { from: row.state, to, ...details }, public: true, action: 'case.state' });
  await notifyReporters(ctx, trx, { caseRowId: Number(row.id), caseId: row.case_id, state: to, eventId });
  return hydrate(trx, updated);
}

/** received/triage to validated. */
export function validateCase(ctx: Context, by: Caller, ref: string, reason?: string | null): Promise<Case> {
  return changeState(ctx, by, ref, 'validated', reason);
}

export function closeCase(ctx: Context, by: Caller, ref: string, reason?: string | null): Promise<Case> {
  return changeState(ctx, by, ref, 'closed', reason);
}

/** Makes `userId` a handler of the case; only staff who may manage cases can be. */
export async function assignHandler(ctx: Context, by: Caller, ref: string, userId: number): Promise<Case> {
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const user = await trx.selectFrom('users').select(['id', 'email', 'role', 'disabled']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new BakenError('USER_NOT_FOUND');
    if (user.disabled || !can({ kind: 'user', userId: Number(user.id), label: user.email, organisationId: 0, role: user.role }, 'cases:manage')) {
      throw invalid('user_id', `${user.email} cannot handle cases (needs the handler or admin role)`);
    }
    const existing = await trx.selectFrom('case_handlers').select('user_id').where('case_id', '=', row.id).where('user_id', '=', user.id).executeTakeFirst();
    if (!existing) {
      await trx.insertInto('case_handlers').values({ case_id: row.id, user_id: user.id, assigned_at: ctx.clock.now().toISOString() }).execute();
      await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'assigned', details: { user: user.email }, action: 'case.assign' });
    }
    return hydrate(trx, row);
  });
}

export async function unassignHandler(ctx: Context, by: Caller, ref: string, userId: number): Promise<Case> {
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const user = await trx.selectFrom('users').select(['email']).where('id', '=', userId).executeTakeFirst();
    const removed = await trx.deleteFrom('case_handlers').where('case_id', '=', row.id).where('user_id', '=', userId).executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0) {
      await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'unassigned', details: { user: user?.email ?? userId }, action: 'case.assign' });
    }
    return hydrate(trx, row);
  });
}

// ---- comments

export interface CaseComment {
  id: number;
  author: string | null;
  body: string;
  createdAt: string;
}

export async function addComment(ctx: Context, by: Caller, ref: string, body: string): Promise<CaseComment> {
  const checked = text(body, 'body', LIMITS.comment, true)!;
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const now = ctx.clock.now().toISOString();
    const author = by.actor.kind === 'anonymous' ? 'reporter' : by.actor.label;
    const c = await trx
      .insertInto('case_comments')
      .values({ case_id: row.id, author, author_user_id: by.actor.kind === 'user' ? by.actor.userId : null, body: checked, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The comment's text stays in the case; the timeline and the audit log note that there is one.
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'comment', details: { comment_id: Number(c.id) }, action: 'case.comment' });
    return { id: Number(c.id), author, body: checked, createdAt: now };
  });
}

export async function listComments(ctx: Context, ref: string): Promise<CaseComment[]> {
  const row = await caseRow(ctx.db.kysely, ref);
  const rows = await ctx.db.kysely.selectFrom('case_comments').select(['id', 'author', 'body', 'created_at']).where('case_id', '=', row.id).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), author: r.author, body: r.body, createdAt: r.created_at }));
}

// ---- evidence

export interface EvidenceInfo {
  id: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  addedBy: string | null;
  createdAt: string;
}

export interface EvidenceFile extends EvidenceInfo {
  data: Buffer;
}

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** A safe file name: no directories, no control characters, at most 200 characters. */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').trim().slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'evidence' : clean;
}

export async function addEvidence(ctx: Context, by: Caller, ref: string, file: { name: string; contentType?: string | null; data: Buffer }): Promise<EvidenceInfo> {
  if (file.data.length === 0) throw invalid('file', 'is empty');
  if (file.data.length > EVIDENCE_MAX_BYTES) throw new BakenError('EVIDENCE_TOO_LARGE', { detail: `At most ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB per file.` });
  const contentType = (file.contentType ?? '').split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';
  if (!CONTENT_TYPE.test(contentType)) throw invalid('content_type', `"${contentType.slice(0, 80)}" is not a media type`);
  const name = cleanFileName(file.name);
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const count = await trx.selectFrom('case_evidence').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', row.id).executeTakeFirstOrThrow();
    if (Number(count.n) >= EVIDENCE_MAX_FILES) throw invalid('file', `a case holds at most ${EVIDENCE_MAX_FILES} evidence files`);
    const now = ctx.clock.now().toISOString();
    const sha256 = createHash('sha256').update(file.data).digest('hex');
    const addedBy = by.actor.kind === 'anonymous' ? 'reporter' : by.actor.label;
    const e = await trx
      .insertInto('case_evidence')
      .values({ case_id: row.id, name, content_type: contentType, size: file.data.length, sha256, data: file.data, added_by: addedBy, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'evidence', details: { evidence_id: Number(e.id), name, size: file.data.length, sha256 }, action: 'case.evidence_add' });
    return { id: Number(e.id), name, contentType, size: file.data.length, sha256, addedBy, createdAt: now };
  });
}

export async function listEvidence(ctx: Context, ref: string): Promise<EvidenceInfo[]> {
  const row = await caseRow(ctx.db.kysely, ref);
  const rows = await ctx.db.kysely
    .selectFrom('case_evidence')
    .select(['id', 'name', 'content_type', 'size', 'sha256', 'added_by', 'created_at'])
    .where('case_id', '=', row.id)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name, contentType: r.content_type, size: r.size, sha256: r.sha256, addedBy: r.added_by, createdAt: r.created_at }));
}

/** One evidence file with its bytes; the download is audited. */
export async function getEvidence(ctx: Context, by: Caller, ref: string, evidenceId: number): Promise<EvidenceFile> {
  const row = await caseRow(ctx.db.kysely, ref);
  const e = await ctx.db.kysely.selectFrom('case_evidence').selectAll().where('case_id', '=', row.id).where('id', '=', evidenceId).executeTakeFirst();
  if (!e) throw new BakenError('NOT_FOUND', { detail: 'No such evidence file in this case.' });
  await audit(ctx.db.kysely, ctx.clock, by, { action: 'case.evidence_download', target: { type: 'case', id: row.case_id }, details: { evidence_id: Number(e.id), name: e.name } });
  return { id: Number(e.id), name: e.name, contentType: e.content_type, size: e.size, sha256: e.sha256, addedBy: e.added_by, createdAt: e.created_at, data: Buffer.from(e.data) };
}

// ---- duplicates

/**
 * Marks a case as a duplicate of `primaryRef` and merges it in: its reports follow the primary case from now on
 * (their reporters see its state), both timelines say so. Its hosts stay with it and are not notified.
 */
export async function mergeDuplicate(ctx: Context, by: Caller, ref: string, primaryRef: string): Promise<Case> {
  return transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    const primary = await caseRow(trx, primaryRef);
    if (primary.id === row.id) throw new BakenError('CASE_MERGE', { detail: 'A case cannot be a duplicate of itself.' });
    if (primary.state === 'duplicate') throw new BakenError('CASE_MERGE', { detail: `${primary.case_id} is itself a duplicate; merge into its primary case instead.` });
    if (primary.state === 'rejected') throw new BakenError('CASE_MERGE', { detail: `${primary.case_id} was rejected; reopen it first.` });
    await trx.updateTable('cases').set({ primary_case_id: primary.id }).where('id', '=', row.id).execute();
    // First the state change (its reporters hear that it is a duplicate), then the reports move over.
    await moveState(ctx, trx, by, row, 'duplicate', { primary: primary.case_id });
    const reports = await trx.updateTable('reports').set({ case_id: primary.id }).where('case_id', '=', row.id).executeTakeFirst();
    const moved = Number(reports.numUpdatedRows);
    await trx.updateTable('cases').set({ updated_at: ctx.clock.now().toISOString() }).where('id', '=', primary.id).execute();
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(primary.id), caseId: primary.case_id, kind: 'merged', details: { duplicate: row.case_id, reports: moved, hosts: row.hosts_total }, action: 'case.merge' });
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: Number(row.id), caseId: row.case_id, kind: 'merged_into', details: { primary: primary.case_id }, action: 'case.merge' });
    return hydrate(trx, await caseRow(trx, row.case_id));
  });
}
