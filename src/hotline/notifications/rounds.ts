/**
 * Notification rounds: one email per recipient (the abuse contact of an
 * operator) with only that recipient's hosts, in the operator's language.
 *
 * A round is written in one transaction: the round, a recipient row with a
 * portal token each, and every message in the outbox. So a round exists whole
 * or not at all, and from then on the outbox's worker delivers it: a crash or
 * restart resumes delivery without doubling or losing a message.
 *
 * A follow-up round, after a re-scan uploaded to the case, notifies only the
 * hosts of that upload that were notified before ("still affected"), and says so.
 */
import type { Kysely } from 'kysely';
import { transact } from '../../platform/db/transact.js';
import type { Caller, Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { enqueueEmail } from '../../platform/delivery/outbox.js';
import { deliveryStates, type DeliveryState } from '../../platform/delivery/outbox.js';
import { BakenError, invalid } from '../../platform/errors.js';
import { randomToken, tokenDigest } from '../../platform/tokens.js';
import { recordCaseEvent } from '../cases/case-events.js';
import { caseRow, changeState, getCase, type Case } from '../cases/cases.js';
import { DEFAULT_TEMPLATES, TLP_MEANING, whyItMatters, type NotificationTemplate, type Tlp } from './default-templates.js';
import { hostsCsv, type CsvHost } from './hosts-csv.js';
import { renderTemplate } from './render-template.js';

export const TLPS: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'];

export interface RoundOptions {
  kind?: 'first' | 'followup';
  /** For a follow-up: the re-scan upload whose hosts are still affected. Default: the latest upload. */
  uploadId?: number;
  tlp?: Tlp;
}

export interface RecipientGroup {
  recipient: string;
  operatorId: number | null;
  operatorName: string | null;
  language: 'en' | 'nl';
  hosts: number;
}

export interface RoundPlan {
  caseId: string;
  kind: 'first' | 'followup';
  number: number;
  tlp: Tlp;
  uploadId: number | null;
  recipients: RecipientGroup[];
  messages: number;
  hosts: number;
  /** Hosts in scope without a contact: not notified until a handler assigns one. */
  hostsWithoutContact: number;
  /** The first recipient's message as it will be sent (the portal link is made when the round starts). */
  sample: RenderedNotification | null;
}

export interface RenderedNotification {
  to: string;
  language: 'en' | 'nl';
  subject: string;
  text: string;
  attachment: { filename: string; content: string };
}

/** The templates of a case: the ones a handler edited, else the defaults. */
export async function caseTemplates(db: Kysely<Database>, caseRowId: number): Promise<Record<'en' | 'nl', NotificationTemplate>> {
  const rows = await db.selectFrom('case_templates').selectAll().where('case_id', '=', caseRowId).execute();
  const out = { ...DEFAULT_TEMPLATES };
  for (const r of rows) out[r.language] = { subject: r.subject, body: r.body };
  return out;
}

/** Saves a case's template for one language; an empty subject or body restores the default. */
export async function saveCaseTemplate(ctx: Context, by: Caller, ref: string, language: 'en' | 'nl', template: NotificationTemplate): Promise<void> {
  await transact(ctx.db.kysely, async (trx) => {
    const row = await caseRow(trx, ref);
    await trx.deleteFrom('case_templates').where('case_id', '=', row.id).where('language', '=', language).execute();
    if (template.subject.trim() && template.body.trim()) {
      if (template.subject.length > 500) throw invalid('subject', 'must be at most 500 characters');
      if (template.body.length > 50_000) throw invalid('body', 'must be at most 50,000 characters');
      await trx.insertInto('case_templates').values({ case_id: row.id, language, subject: template.subject, body: template.body, updated_at: ctx.clock.now().toISOString() }).execute();
    }
    await recordCaseEvent(trx, ctx.clock, by, { caseRowId: row.id, caseId: row.case_id, kind: 'template', details: { language, reset: !template.subject.trim() }, public: false, action: 'case.update' });
  });
}

export interface HostRow {
  id: number;
  ip: string;
  port: number | null;
  seen_at: string | null;
  asn: number | null;
  extra: string | null;
  recipient: string | null;
  operator_id: number | null;
  country: string | null;
}

/** The hosts a round notifies, read in recipient order in pages so a million hosts never sit in memory twice. */
export async function* roundHosts(
  db: Kysely<Database>,
  caseRowId: number,
  plan: { kind: 'first' | 'followup'; uploadId: number | null },
  recipient?: string,
): AsyncGenerator<HostRow> {
  let lastRecipient = '';
  let lastId = 0;
  for (;;) {
    let q = db
      .selectFrom('case_hosts')
      .select(['id', 'ip', 'port', 'seen_at', 'asn', 'extra', 'recipient', 'operator_id', 'country'])
      .where('case_id', '=', caseRowId)
      .where('out_of_scope', 'is', null)
      .where('recipient', 'is not', null)
      // A row-value comparison, so both databases seek in the (case_id, recipient) index instead of rescanning.
      .where((eb) => eb(eb.refTuple('recipient', 'id'), '>', eb.tuple(lastRecipient, lastId)));
    // A follow-up: the hosts of earlier uploads that the re-scan listed again.
    if (plan.kind === 'followup') q = q.where('seen_again_upload_id', '=', plan.uploadId!);
    if (recipient !== undefined) q = q.where('recipient', '=', recipient);
    const page = await q.orderBy('recipient').orderBy('id').limit(20_000).execute();
    if (page.length === 0) return;
    yield* page;
    const last = page[page.length - 1]!;
    lastRecipient = last.recipient!;
    lastId = last.id;
  }
}

interface Group extends RecipientGroup {
  rows: CsvHost[];
  countries: Map<string, number>;
}

/** Groups the round's hosts per recipient, calling `onGroup` as each group is complete. */
async function forEachGroup(ctx: Context, c: Case, plan: { kind: 'first' | 'followup'; uploadId: number | null }, onGroup: (g: Group) => Promise<void>): Promise<void> {
  const db = ctx.db.kysely;
  const operators = new Map((await db.selectFrom('organisations').select(['id', 'name', 'language']).where('kind', '=', 'operator').execute()).map((o) => [o.id, o]));
  let current: Group | null = null;
  const finish = async () => {
    if (!current) return;
    // Operators in the directory have a language; for others, Dutch for hosts mostly in the Netherlands.
    if (current.operatorId === null) current.language = (current.countries.get('NL') ?? 0) * 2 > current.hosts ? 'nl' : 'en';
    await onGroup(current);
    current = null;
  };
  for await (const h of roundHosts(db, c.id, plan)) {
    if (!current || current.recipient !== h.recipient) {
      await finish();
      const op = h.operator_id !== null ? operators.get(h.operator_id) : undefined;
      current = { recipient: h.recipient!, operatorId: op?.id ?? null, operatorName: op?.name ?? null, language: op?.language ?? 'en', hosts: 0, rows: [], countries: new Map() };
    }
    current.hosts++;
    if (h.country) current.countries.set(h.country, (current.countries.get(h.country) ?? 0) + 1);
    current.rows.push({ ip: h.ip, port: h.port, seenAt: h.seen_at, asn: h.asn, extra: h.extra ? (JSON.parse(h.extra) as Record<string, string>) : null });
  }
  await finish();
}

async function extraColumnsOf(db: Kysely<Database>, caseRowId: number, uploadId: number | null): Promise<string[]> {
  let q = db.selectFrom('case_uploads').select('extra_columns').where('case_id', '=', caseRowId);
  if (uploadId !== null) q = q.where('id', '=', uploadId);
  const cols: string[] = [];
  for (const r of await q.orderBy('id').execute()) for (const c of JSON.parse(r.extra_columns) as string[]) if (!cols.includes(c)) cols.push(c);
  return cols;
}

interface RenderInput {
  c: Case;
  group: RecipientGroup & { rows: CsvHost[] };
  kind: 'first' | 'followup';
  tlp: Tlp;
  templates: Record<'en' | 'nl', NotificationTemplate>;
  extraColumns: string[];
  portalUrl: string;
  portalExpires: string;
  caseUrl: string | null;
  coordinator: string;
}

export function renderNotification(r: RenderInput): RenderedNotification {
  const lang = r.group.language;
  const values = {
    case_id: r.c.caseId,
    title: r.c.title,
    description: r.c.description,
    classification: r.c.classification,
    why: whyItMatters(r.c.classification, lang),
    cves: r.c.cves.join(', '),
    product: r.c.product,
    versions: r.c.versions,
    operator: r.group.operatorName,
    host_count: r.group.hosts,
    followup: r.kind === 'followup',
    portal_url: r.portalUrl,
    portal_expires: r.portalExpires.slice(0, 10),
    case_url: r.caseUrl,
    tlp: r.tlp,
    tlp_meaning: TLP_MEANING[r.tlp][lang],
    coordinator: r.coordinator,
  };
  const t = r.templates[lang];
  return {
    to: r.group.recipient,
    language: lang,
    // A subject is one line, whatever an edited template says.
    subject: renderTemplate(t.subject, values).replace(/\s+/g, ' ').trim(),
    text: renderTemplate(t.body, values),
    attachment: { filename: `${r.c.caseId}-hosts.csv`, content: hostsCsv(r.group.rows, r.extraColumns) },
  };
}

async function planBasics(ctx: Context, ref: string, options: RoundOptions) {
  const c = await getCase(ctx, ref);
  const kind = options.kind ?? 'first';
  const tlp = options.tlp ?? 'AMBER';
  if (!TLPS.includes(tlp)) throw invalid('tlp', `must be one of ${TLPS.join(', ')}`);
  if (c.state !== 'validated' && c.state !== 'notifying') {
    throw new BakenError('CASE_TRANSITION', { detail: `${c.caseId} is ${c.state}; notify validated cases only` });
  }
  const db = ctx.db.kysely;
  const rounds = await db.selectFrom('notification_rounds').select(['number', 'kind']).where('case_id', '=', c.id).orderBy('number').execute();
  let uploadId: number | null = null;
  if (kind === 'first') {
    if (rounds.length > 0) throw invalid('kind', `${c.caseId} was notified already (round ${rounds.length}); a later round is a follow-up after a re-scan`);
  } else {
    if (rounds.length === 0) throw invalid('kind', `${c.caseId} has had no first round yet`);
    const latest = await db.selectFrom('case_uploads').select('id').where('case_id', '=', c.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    uploadId = options.uploadId ?? latest?.id ?? null;
    const upload = uploadId === null ? undefined : await db.selectFrom('case_uploads').select('id').where('case_id', '=', c.id).where('id', '=', uploadId).executeTakeFirst();
    if (!upload) throw invalid('upload', `no upload ${uploadId ?? ''} in ${c.caseId}: upload the re-scan first`);
    const first = await db.selectFrom('case_uploads').select('id').where('case_id', '=', c.id).orderBy('id').limit(1).executeTakeFirst();
    if (first?.id === uploadId) throw invalid('upload', 'a follow-up needs a re-scan uploaded after the first round');
  }
  const noContact = await db
    .selectFrom('case_hosts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('case_id', '=', c.id)
    .where('out_of_scope', 'is', null)
    .where('recipient', 'is', null)
    .executeTakeFirstOrThrow();
  return { c, kind, tlp, uploadId, number: rounds.length + 1, hostsWithoutContact: Number(noContact.n) };
}

function links(ctx: Context, token: string) {
  return { portalUrl: `${ctx.config.publicUrl}/portal/${token}`, portalExpires: new Date(ctx.clock.now().getTime() + ctx.config.portalDays * 86400_000).toISOString() };
}

async function coordinatorName(db: Kysely<Database>, fallback: string): Promise<string> {
  const row = await db.selectFrom('organisations').select('name').where('kind', '=', 'coordinator').executeTakeFirst();
  return row?.name ?? fallback;
}

/** What a round would send, without sending anything: the number of messages, the recipients and a sample. */
export async function previewRound(ctx: Context, ref: string, options: RoundOptions = {}): Promise<RoundPlan> {
  const b = await planBasics(ctx, ref, options);
  const [templates, extraColumns, coordinator] = await Promise.all([caseTemplates(ctx.db.kysely, b.c.id), extraColumnsOf(ctx.db.kysely, b.c.id, b.uploadId), coordinatorName(ctx.db.kysely, ctx.config.coordinatorName)]);
  const recipients: RecipientGroup[] = [];
  let sample: RenderedNotification | null = null;
  await forEachGroup(ctx, b.c, b, async (g) => {
    const { rows: _rows, countries: _countries, ...group } = g;
    recipients.push(group);
    if (!sample) {
      sample = renderNotification({ c: b.c, group: g, kind: b.kind, tlp: b.tlp, templates, extraColumns, ...links(ctx, '(a link of its own for each recipient)'), caseUrl: null, coordinator });
    }
  });
  return {
    caseId: b.c.caseId,
    kind: b.kind,
    number: b.number,
    tlp: b.tlp,
    uploadId: b.uploadId,
    recipients,
    messages: recipients.length,
    hosts: recipients.reduce((n, r) => n + r.hosts, 0),
    hostsWithoutContact: b.hostsWithoutContact,
    sample,
  };
}

export interface StartedRound {
  roundId: number;
  number: number;
  messages: number;
  hosts: number;
}

/**
 * Starts a round: renders and queues one message per recipient, all in one
 * transaction, and moves the case to `notifying`.
 */
export async function startRound(ctx: Context, by: Caller, ref: string, options: RoundOptions = {}): Promise<StartedRound> {
  const b = await planBasics(ctx, ref, options);
  const db = ctx.db.kysely;
  const [templates, extraColumns, coordinator] = await Promise.all([caseTemplates(db, b.c.id), extraColumnsOf(db, b.c.id, b.uploadId), coordinatorName(db, ctx.config.coordinatorName)]);
  const domain = new URL(ctx.config.publicUrl).hostname;
  return transact(db, async (trx) => {
    const tctx: Context = { ...ctx, db: { ...ctx.db, kysely: trx } };
    const now = ctx.clock.now().toISOString();
    const round = await trx
      .insertInto('notification_rounds')
      .values({ case_id: b.c.id, number: b.number, kind: b.kind, tlp: b.tlp, upload_id: b.uploadId, recipients: 0, hosts: 0, started_by: by.actor.kind === 'anonymous' ? null : by.actor.label, started_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    let messages = 0;
    let hosts = 0;
    await forEachGroup(tctx, b.c, b, async (g) => {
      const token = randomToken(32);
      const link = links(ctx, token);
      const recipient = await trx
        .insertInto('round_recipients')
        .values({ round_id: round.id, recipient: g.recipient, operator_id: g.operatorId, language: g.language, hosts: g.hosts, token_hash: tokenDigest(token), expires_at: link.portalExpires, outbox_id: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const n = renderNotification({ c: b.c, group: g, kind: b.kind, tlp: b.tlp, templates, extraColumns, ...link, caseUrl: null, coordinator });
      const queued = await enqueueEmail(trx, ctx.clock, {
        to: [n.to],
        subject: n.subject,
        text: n.text,
        attachments: [{ filename: n.attachment.filename, contentType: 'text/csv; charset=utf-8', content: n.attachment.content }],
        headers: { 'X-Baken-Case': b.c.caseId, 'X-Baken-Round': String(b.number) },
        idempotencyKey: `round:${round.id}:recipient:${recipient.id}`,
        topic: 'hotline.notification',
        refType: 'round_recipient',
        refId: recipient.id,
        messageIdDomain: domain,
      });
      await trx.updateTable('round_recipients').set({ outbox_id: queued.id }).where('id', '=', recipient.id).execute();
      messages++;
      hosts += g.hosts;
    });
    if (messages === 0) throw invalid('hosts', `${b.c.caseId} has no host in scope with a known contact to notify`);
    await trx.updateTable('notification_rounds').set({ recipients: messages, hosts }).where('id', '=', round.id).execute();
    if (b.c.state !== 'notifying') await changeState(tctx, by, b.c.caseId, 'notifying');
    await recordCaseEvent(trx, ctx.clock, by, {
      caseRowId: b.c.id,
      caseId: b.c.caseId,
      kind: 'round',
      details: { round: b.number, kind: b.kind, messages, hosts, tlp: b.tlp },
      public: true,
      action: 'case.notify',
    });
    return { roundId: round.id, number: b.number, messages, hosts };
  });
}

export interface RoundStatus {
  number: number;
  kind: 'first' | 'followup';
  tlp: string;
  startedAt: string;
  startedBy: string | null;
  hosts: number;
  recipients: Array<{
    id: number;
    recipient: string;
    operatorId: number | null;
    language: 'en' | 'nl';
    hosts: number;
    delivery: Pick<DeliveryState, 'status' | 'attempts' | 'lastError' | 'sentAt'> | null;
    feedback: Array<{ kind: string; comment: string | null; at: string }>;
  }>;
}

/** Every round of a case with the delivery status and the answers of each recipient. */
export async function caseRounds(ctx: Context, ref: string): Promise<RoundStatus[]> {
  const db = ctx.db.kysely;
  const row = await caseRow(db, ref);
  const rounds = await db.selectFrom('notification_rounds').selectAll().where('case_id', '=', row.id).orderBy('number').execute();
  const out: RoundStatus[] = [];
  for (const r of rounds) {
    const recipients = await db.selectFrom('round_recipients').selectAll().where('round_id', '=', r.id).orderBy('recipient').execute();
    const ids = recipients.map((x) => String(x.id));
    const states = new Map((await deliveryStates(db, 'round_recipient', ids)).map((s) => [s.refId, s]));
    const feedback = recipients.length
      ? await db.selectFrom('round_feedback').selectAll().where('round_recipient_id', 'in', recipients.map((x) => x.id)).orderBy('id').execute()
      : [];
    out.push({
      number: r.number,
      kind: r.kind,
      tlp: r.tlp,
      startedAt: r.started_at,
      startedBy: r.started_by,
      hosts: r.hosts,
      recipients: recipients.map((x) => {
        const s = states.get(String(x.id));
        return {
          id: x.id,
          recipient: x.recipient,
          operatorId: x.operator_id,
          language: x.language,
          hosts: x.hosts,
          delivery: s ? { status: s.status, attempts: s.attempts, lastError: s.lastError, sentAt: s.sentAt } : null,
          feedback: feedback.filter((f) => f.round_recipient_id === x.id).map((f) => ({ kind: f.kind, comment: f.comment, at: f.created_at })),
        };
      }),
    });
  }
  return out;
}
