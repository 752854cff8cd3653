/**
 * What the reporter hears by email: a receipt with the status link when the
 * report arrives, and a short note at each change of state. Queued in the
 * outbox in the transaction of the change, so a rolled-back change sends
 * nothing, and keyed so a retried change never sends twice. The status link
 * is only in the receipt: its token is stored hashed and cannot be rebuilt.
 */
import type { Kysely } from 'kysely';
import type { Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { enqueueEmail } from '../../platform/delivery/outbox.js';
import type { CaseState } from '../cases/case-states.js';

type Lang = 'en' | 'nl';

const STATE_TEXT: Record<Lang, Record<CaseState, string>> = {
  en: {
    received: 'has been received',
    triage: 'is being looked at by a handler',
    validated: 'has been validated: the hotline will notify the network operators concerned',
    rejected: 'has been rejected',
    duplicate: 'duplicates an earlier report; it is handled together with that one',
    notifying: 'is being passed on to the network operators concerned',
    closed: 'has been closed',
  },
  nl: {
    received: 'is ontvangen',
    triage: 'wordt bekeken door een behandelaar',
    validated: 'is gevalideerd: het meldpunt stelt de betrokken netwerkbeheerders op de hoogte',
    rejected: 'is afgewezen',
    duplicate: 'is gelijk aan een eerdere melding en wordt samen daarmee behandeld',
    notifying: 'wordt doorgegeven aan de betrokken netwerkbeheerders',
    closed: 'is afgesloten',
  },
};

export type ReporterNotice =
  | { kind: 'receipt'; statusUrl: string; hosts: number | null }
  | { kind: 'state'; state: CaseState; eventId: number };

export interface ReporterOfReport {
  reportId: number;
  caseId: string;
  title: string;
  email: string;
  name: string | null;
  language: Lang;
}

/** Queues one email to the reporter of one report. */
export async function notifyReporter(ctx: Context, trx: Kysely<Database>, report: ReporterOfReport, notice: ReporterNotice): Promise<void> {
  const nl = report.language === 'nl';
  const hello = report.name ? (nl ? `Beste ${report.name},` : `Dear ${report.name},`) : nl ? 'Beste melder,' : 'Dear reporter,';
  const sign = nl ? '-- \nHet meldpunt' : '-- \nThe hotline';
  let subject: string;
  let body: string;
  if (notice.kind === 'receipt') {
    subject = nl ? `[${report.caseId}] Uw melding is ontvangen` : `[${report.caseId}] Your report has been received`;
    body = nl
      ? `Dank u voor uw melding "${report.title}". Wij hebben die ontvangen als ${report.caseId}${notice.hosts !== null ? `, met ${notice.hosts} adressen` : ''}.\n\nDe stand van zaken kunt u volgen via deze link (bewaar hem goed, wij kunnen hem niet opnieuw sturen):\n${notice.statusUrl}`
      : `Thank you for your report "${report.title}". We have received it as ${report.caseId}${notice.hosts !== null ? `, with ${notice.hosts} addresses` : ''}.\n\nYou can follow its status at this link (keep it: we cannot send it again):\n${notice.statusUrl}`;
  } else {
    subject = nl ? `[${report.caseId}] Uw melding ${STATE_TEXT.nl[notice.state]}` : `[${report.caseId}] Your report ${STATE_TEXT.en[notice.state]}`;
    body = nl
      ? `Uw melding "${report.title}" (${report.caseId}) ${STATE_TEXT.nl[notice.state]}.\n\nDe link uit de ontvangstbevestiging toont de stand van zaken.`
      : `Your report "${report.title}" (${report.caseId}) ${STATE_TEXT.en[notice.state]}.\n\nThe link in the receipt shows its status.`;
  }
  await enqueueEmail(trx, ctx.clock, {
    idempotencyKey: notice.kind === 'receipt' ? `hotline.report:${report.reportId}:receipt` : `hotline.report:${report.reportId}:state:${notice.eventId}`,
    topic: notice.kind === 'receipt' ? 'hotline.receipt' : 'hotline.report_status',
    to: [report.email],
    subject,
    text: `${hello}\n\n${body}\n\n${sign}\n`,
    refType: 'report',
    refId: report.reportId,
    messageIdDomain: hostOf(ctx.config.publicUrl),
  });
}

/** Tells every reporter of a case about its new state. */
export async function notifyReporters(ctx: Context, trx: Kysely<Database>, change: { caseRowId: number; caseId: string; state: CaseState; eventId: number }): Promise<void> {
  const reports = await trx
    .selectFrom('reports')
    .select(['id', 'title', 'reporter_email', 'reporter_name', 'language'])
    .where('case_id', '=', change.caseRowId)
    .execute();
  for (const r of reports) {
    await notifyReporter(ctx, trx, { reportId: Number(r.id), caseId: change.caseId, title: r.title, email: r.reporter_email, name: r.reporter_name, language: r.language }, { kind: 'state', state: change.state, eventId: change.eventId });
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'baken.invalid';
  } catch {
    return 'baken.invalid';
  }
}
