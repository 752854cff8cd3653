/**
 * How a member organisation is doing, for the coordinator: whether its webhook is delivering, when it last
 * acknowledged an alert, and the delivery history of the alerts it received (and of its daily digests). Read from
 * the recipients of alerts and the outbox; nothing here changes anything.
 */
import type { Kysely } from 'kysely';
import type { Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { assertMember } from './member-profile.js';

/**
 * `none`: no webhook; `unused`: no call has finished yet; `ok`: the last finished call was delivered; `retrying`:
 * a call is failing and will be tried again; `failing`: the last finished call failed for good.
 */
export type WebhookState = 'none' | 'unused' | 'ok' | 'retrying' | 'failing';

export interface MemberActivity {
  webhook: { state: WebhookState; lastAt: string | null; lastError: string | null };
  alerts: number;
  unacknowledged: number;
  lastAcknowledgedAt: string | null;
}

/** The activity of each member organisation by id (all members when `organisationIds` is left out). */
export async function memberActivity(db: Kysely<Database>, organisationIds?: readonly number[]): Promise<Map<number, MemberActivity>> {
  let orgs = db.selectFrom('organisations').leftJoin('member_profiles', 'member_profiles.organisation_id', 'organisations.id').select(['organisations.id', 'member_profiles.webhook_url']).where('organisations.kind', '=', 'member');
  if (organisationIds) orgs = orgs.where('organisations.id', 'in', organisationIds.length > 0 ? [...organisationIds] : [-1]);
  const rows = await orgs.execute();
  const out = new Map<number, MemberActivity>();
  if (rows.length === 0) return out;
  const ids = rows.map((r) => Number(r.id));
  const acks = new Map(
    (
      await db
        .selectFrom('alert_recipients')
        .select((eb) => ['organisation_id', eb.fn.countAll<string | number>().as('n'), eb.fn.count<string | number>('acknowledged_at').as('acked'), eb.fn.max('acknowledged_at').as('last')])
        .where('organisation_id', 'in', ids)
        .groupBy('organisation_id')
        .execute()
    ).map((r) => [Number(r.organisation_id), r]),
  );
  const urls = [...new Set(rows.map((r) => r.webhook_url).filter((u): u is string => u !== null))];
  // Per URL: the last call that finished, and whether one is failing now (pending after a failed attempt).
  const lastDone = new Map<string, { status: string; at: string | null; error: string | null }>();
  const retrying = new Map<string, string | null>();
  if (urls.length > 0) {
    const done = await db
      .selectFrom('outbox')
      .select(['destination', 'status', 'sent_at', 'created_at', 'last_error', 'id'])
      .where('channel', '=', 'webhook')
      .where('destination', 'in', urls)
      .where('status', 'in', ['sent', 'failed'])
      .where('id', 'in', (eb) => eb.selectFrom('outbox').select((e) => e.fn.max('id').as('id')).where('channel', '=', 'webhook').where('destination', 'in', urls).where('status', 'in', ['sent', 'failed']).groupBy('destination'))
      .execute();
    for (const d of done) lastDone.set(d.destination, { status: d.status, at: d.sent_at ?? d.created_at, error: d.last_error });
    const failingNow = await db.selectFrom('outbox').select(['destination', 'last_error']).where('channel', '=', 'webhook').where('destination', 'in', urls).where('status', '=', 'pending').where('attempts', '>', 0).execute();
    for (const f of failingNow) retrying.set(f.destination, f.last_error);
  }
  for (const r of rows) {
    const id = Number(r.id);
    const a = acks.get(id);
    let webhook: MemberActivity['webhook'] = { state: 'none', lastAt: null, lastError: null };
    if (r.webhook_url) {
      const last = lastDone.get(r.webhook_url);
      if (retrying.has(r.webhook_url)) webhook = { state: 'retrying', lastAt: last?.at ?? null, lastError: retrying.get(r.webhook_url) ?? null };
      else if (!last) webhook = { state: 'unused', lastAt: null, lastError: null };
      else webhook = { state: last.status === 'sent' ? 'ok' : 'failing', lastAt: last.at, lastError: last.status === 'sent' ? null : last.error };
    }
    out.set(id, {
      webhook,
      alerts: a ? Number(a.n) : 0,
      unacknowledged: a ? Number(a.n) - Number(a.acked) : 0,
      lastAcknowledgedAt: (a?.last as string | null | undefined) ?? null,
    });
  }
  return out;
}

export interface DeliveryMessage {
  channel: 'email' | 'webhook';
  topic: string;
  destination: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface MemberAlertDelivery {
  alertId: number;
  title: string;
  tlp: string;
  state: string;
  addedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** Emails and webhook calls about this alert for this organisation, its sightings' too. */
  messages: DeliveryMessage[];
}

export interface MemberDeliveryHistory {
  alerts: MemberAlertDelivery[];
  /** Daily digests, newest first, with their emails. */
  digests: Array<{ day: string; items: number; createdAt: string; messages: DeliveryMessage[] }>;
}

/** The latest alerts the organisation received, newest first, with acknowledgement and every message's status. */
export async function memberDeliveryHistory(ctx: Context, organisationId: number, limit = 50): Promise<MemberDeliveryHistory> {
  const k = ctx.db.kysely;
  await assertMember(k, organisationId);
  const recipients = await k
    .selectFrom('alert_recipients')
    .innerJoin('alerts', 'alerts.id', 'alert_recipients.alert_id')
    .select(['alerts.id', 'alerts.title', 'alerts.tlp', 'alerts.state', 'alert_recipients.added_at', 'alert_recipients.acknowledged_at', 'alert_recipients.acknowledged_by'])
    .where('alert_recipients.organisation_id', '=', organisationId)
    .orderBy('alerts.id', 'desc')
    .limit(Math.min(Math.max(limit, 1), 500))
    .execute();
  const refIds = recipients.map((r) => `${Number(r.id)}:${organisationId}`);
  const columns = ['channel', 'topic', 'destination', 'status', 'attempts', 'last_error', 'created_at', 'sent_at', 'ref_id'] as const;
  const toMessage = (m: { channel: 'email' | 'webhook'; topic: string; destination: string; status: string; attempts: number; last_error: string | null; created_at: string; sent_at: string | null }): DeliveryMessage => ({
    channel: m.channel,
    topic: m.topic,
    destination: m.destination,
    status: m.status,
    attempts: m.attempts,
    lastError: m.last_error,
    createdAt: m.created_at,
    sentAt: m.sent_at,
  });
  const byRef = new Map<string, DeliveryMessage[]>();
  if (refIds.length > 0) {
    // Alerts and the re-broadcast of their sightings use the same reference: ALERT:ORGANISATION.
    const rows = await k.selectFrom('outbox').select([...columns]).where('ref_type', 'in', ['alert', 'sighting']).where('ref_id', 'in', refIds).orderBy('id').execute();
    for (const r of rows) byRef.set(r.ref_id ?? '', [...(byRef.get(r.ref_id ?? '') ?? []), toMessage(r)]);
  }
  const digestRows = await k.selectFrom('member_digests').selectAll().where('organisation_id', '=', organisationId).orderBy('day', 'desc').limit(30).execute();
  const digestRefs = digestRows.map((d) => `${organisationId}:${d.day}`);
  const digestMessages = new Map<string, DeliveryMessage[]>();
  if (digestRefs.length > 0) {
    const rows = await k.selectFrom('outbox').select([...columns]).where('ref_type', '=', 'digest').where('ref_id', 'in', digestRefs).orderBy('id').execute();
    for (const r of rows) digestMessages.set(r.ref_id ?? '', [...(digestMessages.get(r.ref_id ?? '') ?? []), toMessage(r)]);
  }
  return {
    alerts: recipients.map((r) => ({
      alertId: Number(r.id),
      title: r.title,
      tlp: r.tlp,
      state: r.state,
      addedAt: r.added_at,
      acknowledgedAt: r.acknowledged_at,
      acknowledgedBy: r.acknowledged_by,
      messages: byRef.get(`${Number(r.id)}:${organisationId}`) ?? [],
    })),
    digests: digestRows.map((d) => ({ day: d.day, items: d.items, createdAt: d.created_at, messages: digestMessages.get(`${organisationId}:${d.day}`) ?? [] })),
  };
}
