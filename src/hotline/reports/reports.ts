/**
 * Reports in: a researcher (no account) submits a report through the public
 * form or the API. It becomes a case in state `received`, with the hosts when
 * they came along, in one transaction: a report whose hosts cannot be used is
 * refused whole. The reporter gets a status link with a 256-bit token, stored
 * as its SHA-256 only, and an emailed receipt.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Caller, Context } from '../../platform/context.js';
import type { Database, ReportTable } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { audit } from '../../platform/audit.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { randomToken, tokenDigest } from '../../platform/tokens.js';
import { normaliseEmail } from '../../accounts/users.js';
import type { Resolver } from '../../registry/resolver.js';
import { caseRow, checkCaseInput, createCase, LIMITS, type Case, type CaseInput } from '../cases/cases.js';
import { listCaseEvents, recordCaseEvent, type CaseEvent } from '../cases/case-events.js';
import type { CaseState } from '../cases/case-states.js';
import { prepareHosts, writeHosts, type HostEvent, type UploadResult } from '../cases/case-hosts.js';
import { notifyReporter } from './notify-reporter.js';

export interface ReportInput extends CaseInput {
  howFound?: string | null;
  reporterName?: string | null;
  reporterEmail: string;
  mayCredit?: boolean;
  language?: 'en' | 'nl';
}

export interface SubmittedReport {
  reportId: number;
  case: Case;
  /** The status token, shown once (in the receipt page and email); only its digest is stored. */
  statusToken: string;
  statusUrl: string;
  upload: UploadResult | null;
}

export function statusUrlOf(ctx: Context, token: string): string {
  return `${ctx.config.publicUrl}/reports/status/${token}`;
}

export interface SubmitOptions {
  channel: 'form' | 'api';
  /** The affected hosts as intake events, when they came with the report. */
  hosts?: AsyncIterable<HostEvent> | Iterable<HostEvent> | null;
  hostsSource?: string | null;
  resolver?: Resolver;
}

/**
 * @example
 * const r = await submitReport(ctx, caller, { title: 'Open Redis', reporterEmail: 'me@example.org' }, { channel: 'api' });
 * r.case.caseId; r.statusUrl
 */
export async function submitReport(ctx: Context, by: Caller, input: ReportInput, options: SubmitOptions): Promise<SubmittedReport> {
  const checked = checkCaseInput(input);
  const email = normaliseEmail(input.reporterEmail ?? '', 'reporter_email');
  const name = typeof input.reporterName === 'string' && input.reporterName.trim() !== '' ? input.reporterName.trim().slice(0, 200) : null;
  const howFound = typeof input.howFound === 'string' && input.howFound.trim() !== '' ? input.howFound.trim() : null;
  if (howFound && howFound.length > LIMITS.description) throw invalid('how_found', `must be at most ${LIMITS.description} characters`);
  const language = input.language === 'nl' ? 'nl' : 'en';
  // Hosts are read and resolved before the transaction: the registry reads the database too.
  const prepared = options.hosts ? await prepareHosts(ctx, options.hosts, options.resolver ? { resolver: options.resolver } : {}) : null;
  const token = randomToken(32);
  return transact(ctx.db.kysely, async (trx) => {
    const inTrx = { ...ctx, db: { ...ctx.db, kysely: trx } };
    const created = await createCase(inTrx, by, checked);
    const now = ctx.clock.now().toISOString();
    const report = await trx
      .insertInto('reports')
      .values({
        case_id: created.id,
        title: checked.title,
        description: checked.description,
        classification: checked.classification,
        cves: JSON.stringify(checked.cves),
        product: checked.product,
        versions: checked.versions,
        how_found: howFound,
        reporter_name: name,
        reporter_email: email,
        may_credit: input.mayCredit ? 1 : 0,
        language,
        channel: options.channel,
        status_token_hash: tokenDigest(token),
        submitted_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const reportId = Number(report.id);
    // The reporter's address is personal data: the timeline and the audit log name the report, not the person.
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: created.id, caseId: created.caseId, kind: 'report', details: { report_id: reportId, channel: options.channel }, public: false, action: 'report.submit' });
    let upload: UploadResult | null = null;
    if (prepared) upload = await writeHosts(ctx, trx, by, await caseRow(trx, created.caseId), prepared, { source: options.hostsSource ?? options.channel, publicEvent: true });
    const statusUrl = statusUrlOf(ctx, token);
    await notifyReporter(ctx, trx, { reportId, caseId: created.caseId, title: checked.title, email, name, language }, { kind: 'receipt', statusUrl, hosts: upload ? upload.stored : null });
    const fresh = await caseRow(trx, created.caseId);
    return {
      reportId,
      case: { ...created, hosts: { total: fresh.hosts_total, inScope: fresh.hosts_in_scope, outOfScope: fresh.hosts_total - fresh.hosts_in_scope, noContact: fresh.hosts_no_contact }, rejectedLines: fresh.rejected_total },
      statusToken: token,
      statusUrl,
      upload,
    };
  });
}

async function reportByToken(db: Kysely<Database>, token: string): Promise<Selectable<ReportTable>> {
  // Tokens are 43 base64url characters; anything else cannot match and is not worth a query.
  const row = /^[A-Za-z0-9_-]{43}$/.test(token) ? await db.selectFrom('reports').selectAll().where('status_token_hash', '=', tokenDigest(token)).executeTakeFirst() : undefined;
  if (!row) throw new BakenError('NOT_FOUND', { detail: 'This status link is not known. Check that it was copied whole.' });
  return row;
}

/** What the reporter may see: their own report and the public events of its case, nothing of anyone else. */
export interface ReportStatus {
  caseId: string;
  state: CaseState;
  title: string;
  classification: string;
  submittedAt: string;
  /** Hosts that came with this case, and lines that could not be used (counts only). */
  hosts: number;
  rejectedLines: number;
  events: CaseEvent[];
}

export async function reportStatus(ctx: Context, token: string): Promise<ReportStatus> {
  const k = ctx.db.kysely;
  const report = await reportByToken(k, token);
  const c = await k.selectFrom('cases').selectAll().where('id', '=', report.case_id).executeTakeFirstOrThrow();
  const events = (await listCaseEvents(k, Number(c.id), { publicOnly: true })).map((e) => ({
    ...e,
    actor: null,
    // Only the facts the reporter is owed: the new state, and for hosts the counts.
    details: e.kind === 'state' ? { from: e.details.from, to: e.details.to } : e.kind === 'hosts' ? { hosts: e.details.hosts, rejected: e.details.rejected } : {},
  }));
  return {
    caseId: c.case_id,
    state: c.state,
    title: report.title,
    classification: report.classification,
    submittedAt: report.submitted_at,
    hosts: c.hosts_total,
    rejectedLines: c.rejected_total,
    events,
  };
}

/**
 * Adds hosts to a report's case later (the API's separate upload), authorised by the status token; only while
 * the case is still being looked at (received or triage).
 */
export async function addReportHosts(ctx: Context, by: Caller, caseRef: string, token: string, events: AsyncIterable<HostEvent> | Iterable<HostEvent>, options: { source?: string | null; strict?: boolean; resolver?: Resolver } = {}): Promise<UploadResult> {
  await reportByToken(ctx.db.kysely, token);
  const prepared = await prepareHosts(ctx, events, { ...(options.resolver ? { resolver: options.resolver } : {}), ...(options.strict ? { strict: true } : {}) });
  return transact(ctx.db.kysely, async (trx) => {
    const report = await reportByToken(trx, token);
    const row = await caseRow(trx, caseRef);
    if (Number(row.id) !== Number(report.case_id)) throw new BakenError('NOT_FOUND', { detail: 'This status token does not belong to that case.' });
    if (row.state !== 'received' && row.state !== 'triage') {
      throw new BakenError('CASE_TRANSITION', { detail: `${row.case_id} is ${row.state}; hosts can be added only while it is received or in triage.` });
    }
    const result = await writeHosts(ctx, trx, by, row, prepared, { source: options.source ?? 'api', publicEvent: true });
    await audit(trx, ctx.clock, by, { action: 'report.submit', target: { type: 'case', id: row.case_id }, details: { report_id: Number(report.id), hosts: result.stored } });
    return result;
  });
}
