/**
 * The operator portal: the link in each notification. Whoever holds it sees the
 * case's description and only the hosts of that one recipient in that round,
 * can download them, and can answer (fixed, not ours, false positive). There is
 * no account: the 256-bit token is the key, stored hashed, and it expires.
 * Every view and download is in the audit log, because host lists are personal data.
 */
import { audit } from '../../platform/audit.js';
import type { Caller, Context, RequestMeta } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { tokenDigest } from '../../platform/tokens.js';
import { recordCaseEvent } from '../cases/case-events.js';
import type { Classification } from '../taxonomy.js';
import { roundHosts } from './rounds.js';

export const FEEDBACK_KINDS = ['fixed', 'not_ours', 'false_positive'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export interface PortalView {
  recipientId: number;
  recipient: string;
  language: 'en' | 'nl';
  expiresAt: string;
  round: { number: number; kind: 'first' | 'followup'; tlp: string; startedAt: string };
  case: { caseId: string; title: string; description: string; classification: Classification; cves: string[]; product: string | null; versions: string | null };
  hostCount: number;
  feedback: Array<{ kind: FeedbackKind; comment: string | null; at: string }>;
}

export interface PortalHost {
  ip: string;
  port: number | null;
  timestamp: string | null;
  asn: number | null;
  extra: Record<string, string> | null;
}

const visitor = (meta: RequestMeta): Caller => ({ actor: { kind: 'anonymous' }, meta });

async function recipientByToken(ctx: Context, token: string) {
  // Tokens are 43 URL-safe characters; anything else is not worth a query.
  if (!/^[A-Za-z0-9_-]{40,60}$/.test(token)) throw new BakenError('PORTAL_LINK');
  const db = ctx.db.kysely;
  const r = await db
    .selectFrom('round_recipients')
    .innerJoin('notification_rounds', 'notification_rounds.id', 'round_recipients.round_id')
    .innerJoin('cases', 'cases.id', 'notification_rounds.case_id')
    .select([
      'round_recipients.id as recipient_id',
      'round_recipients.recipient',
      'round_recipients.language',
      'round_recipients.hosts',
      'round_recipients.expires_at',
      'notification_rounds.number',
      'notification_rounds.kind',
      'notification_rounds.tlp',
      'notification_rounds.started_at',
      'notification_rounds.upload_id',
      'cases.id as case_row_id',
      'cases.case_id',
      'cases.title',
      'cases.description',
      'cases.classification',
      'cases.cves',
      'cases.product',
      'cases.versions',
    ])
    .where('round_recipients.token_hash', '=', tokenDigest(token))
    .executeTakeFirst();
  if (!r || r.expires_at <= ctx.clock.now().toISOString()) throw new BakenError('PORTAL_LINK');
  return r;
}

type PortalRecipient = Awaited<ReturnType<typeof recipientByToken>>;

/** The recipient's hosts in its round (a follow-up: those the re-scan saw again), at most `limit`. */
async function hostsOf(ctx: Context, r: PortalRecipient, limit = Infinity): Promise<PortalHost[]> {
  const out: PortalHost[] = [];
  for await (const h of roundHosts(ctx.db.kysely, r.case_row_id, { kind: r.kind, uploadId: r.upload_id }, r.recipient)) {
    if (out.length >= limit) break;
    out.push({ ip: h.ip, port: h.port, timestamp: h.seen_at, asn: h.asn, extra: h.extra ? (JSON.parse(h.extra) as Record<string, string>) : null });
  }
  return out;
}

/** What the portal page shows, with the first `shown` hosts; recorded in the audit log. */
export async function openPortal(ctx: Context, token: string, meta: RequestMeta, shown = 500): Promise<PortalView & { hosts: PortalHost[] }> {
  const r = await recipientByToken(ctx, token);
  const db = ctx.db.kysely;
  const feedback = await db.selectFrom('round_feedback').selectAll().where('round_recipient_id', '=', r.recipient_id).orderBy('id').execute();
  await audit(db, ctx.clock, visitor(meta), { action: 'portal.view', target: { type: 'round_recipient', id: r.recipient_id }, details: { case: r.case_id, recipient: r.recipient } });
  return {
    recipientId: r.recipient_id,
    recipient: r.recipient,
    language: r.language,
    expiresAt: r.expires_at,
    round: { number: r.number, kind: r.kind, tlp: r.tlp, startedAt: r.started_at },
    case: {
      caseId: r.case_id,
      title: r.title,
      description: r.description,
      classification: r.classification as Classification,
      cves: JSON.parse(r.cves) as string[],
      product: r.product,
      versions: r.versions,
    },
    hostCount: r.hosts,
    feedback: feedback.map((f) => ({ kind: f.kind, comment: f.comment, at: f.created_at })),
    hosts: await hostsOf(ctx, r, shown),
  };
}

/** All of the recipient's hosts, for a CSV or JSON download; recorded in the audit log. */
export async function portalDownload(ctx: Context, token: string, meta: RequestMeta, format: 'csv' | 'json'): Promise<{ caseId: string; recipient: string; round: number; hosts: PortalHost[] }> {
  const r = await recipientByToken(ctx, token);
  await audit(ctx.db.kysely, ctx.clock, visitor(meta), { action: 'portal.download', target: { type: 'round_recipient', id: r.recipient_id }, details: { case: r.case_id, recipient: r.recipient, format } });
  return { caseId: r.case_id, recipient: r.recipient, round: r.number, hosts: await hostsOf(ctx, r) };
}

/** The operator's answer; it reaches the handlers on the case's timeline. */
export async function portalFeedback(ctx: Context, token: string, kind: string, comment: string | null, meta: RequestMeta): Promise<void> {
  if (!(FEEDBACK_KINDS as readonly string[]).includes(kind)) throw invalid('kind', `must be one of ${FEEDBACK_KINDS.join(', ')}`);
  const text = comment?.trim() ? comment.trim().slice(0, 5000) : null;
  const r = await recipientByToken(ctx, token);
  await transact(ctx.db.kysely, async (trx) => {
    await trx.insertInto('round_feedback').values({ round_recipient_id: r.recipient_id, kind: kind as FeedbackKind, comment: text, created_at: ctx.clock.now().toISOString() }).execute();
    await recordCaseEvent(trx, ctx.clock, { actor: { kind: 'system', label: `operator ${r.recipient}` }, meta }, {
      caseRowId: r.case_row_id,
      caseId: r.case_id,
      kind: 'feedback',
      details: { round: r.number, recipient: r.recipient, answer: kind, comment: text },
      public: false,
      action: 'portal.feedback',
    });
  });
}
