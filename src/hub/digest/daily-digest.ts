/**
 * The daily digest. A member whose email preference is `digest` gets no alert or sighting email at once: the
 * fan-out holds each one back ({@link holdForDigest}), and once a day, from `BAKEN_DIGEST_HOUR` (UTC), one email per
 * alert contact lists what was held back before that hour. Webhook calls and the live stream stay immediate.
 *
 * Sent once per member per day however many nodes run it and however often they restart: the digest's row
 * (unique per organisation and UTC day) is written in the same transaction as its emails and the claim of its items,
 * and each email has the idempotency key `digest:ORG:DAY:email:ADDRESS`.
 */
import { BakenError } from '../../platform/errors.js';
import type { Context } from '../../platform/context.js';
import { transact } from '../../platform/db/transact.js';
import { enqueueEmail } from '../../platform/delivery/outbox.js';
import { alertUrl, readAlert } from '../alerts/index.js';
import { memberRecipients } from '../members/member-profile.js';
import type { Viewer } from '../tlp.js';
import { digestTlp, renderDigestEmail, type DigestAlert } from './digest-messages.js';

export interface DigestSent {
  organisationId: number;
  name: string;
  /** Held-back items the digest took (alert events and sightings). */
  items: number;
  /** Alerts in the email (items about alerts the organisation may no longer read are dropped). */
  alerts: number;
  emails: number;
}

export interface DigestRun {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** When today's digests are due: `BAKEN_DIGEST_HOUR` on that day, UTC. */
  dueAt: string;
  /** False before the hour: nothing was done. */
  due: boolean;
  digests: DigestSent[];
}

/** The UTC day of `now` and the moment its digests are due. */
export function digestSlot(now: Date, hour: number): { day: string; dueAt: string } {
  const day = now.toISOString().slice(0, 10);
  return { day, dueAt: `${day}T${String(hour).padStart(2, '0')}:00:00.000Z` };
}

/**
 * Sends the digests that are due: for every organisation with items held back before today's hour and no digest
 * today yet, one email per alert contact. Safe to run often and on several nodes at once (serve and worker run it
 * every minute; `baken digest run` by hand). Nothing held back: no email.
 * @example const run = await runDigests(ctx); // { day: '2026-03-02', due: true, digests: [{ organisationId: 7, items: 3, emails: 2, ... }] }
 */
export async function runDigests(ctx: Context): Promise<DigestRun> {
  const now = ctx.clock.now();
  const { day, dueAt } = digestSlot(now, ctx.config.digestHour);
  if (now.toISOString() < dueAt) return { day, dueAt, due: false, digests: [] };
  const k = ctx.db.kysely;
  const pending = await k
    .selectFrom('member_digest_items')
    .select('organisation_id')
    .distinct()
    .where('digest_id', 'is', null)
    .where('created_at', '<', dueAt)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('member_digests').select('member_digests.id').whereRef('member_digests.organisation_id', '=', 'member_digest_items.organisation_id').where('member_digests.day', '=', day))))
    .execute();
  const digests: DigestSent[] = [];
  for (const p of pending) {
    const sent = await sendDigest(ctx, Number(p.organisation_id), day, dueAt);
    if (sent) digests.push(sent);
  }
  return { day, dueAt, due: true, digests };
}

async function sendDigest(ctx: Context, organisationId: number, day: string, dueAt: string): Promise<DigestSent | null> {
  const now = ctx.clock.now().toISOString();
  const domain = new URL(ctx.config.publicUrl).hostname;
  return transact(ctx.db.kysely, async (trx) => {
    // The claim: whoever writes today's row sends; a second node (or a second run) finds it and does nothing.
    const claimed = await trx
      .insertInto('member_digests')
      .values({ organisation_id: organisationId, day, items: 0, emails: 0, created_at: now })
      .onConflict((oc) => oc.columns(['organisation_id', 'day']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!claimed) return null;
    const digestId = Number(claimed.id);
    const items = await trx
      .selectFrom('member_digest_items')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('digest_id', 'is', null)
      .where('created_at', '<', dueAt)
      .orderBy('id')
      .execute();
    const ids = items.map((i) => Number(i.id));
    for (let i = 0; i < ids.length; i += 500) await trx.updateTable('member_digest_items').set({ digest_id: digestId }).where('id', 'in', ids.slice(i, i + 500)).execute();
    const member = (await memberRecipients(trx, [organisationId]))[0];
    if (!member) return null;

    // What each alert is now, as the organisation may read it: the TLP policy again, so nothing it may not see is listed.
    const viewer: Viewer = { kind: 'member', organisationId, userId: null };
    const inTrx: Context = { ...ctx, db: { ...ctx.db, kysely: trx } };
    const byAlert = new Map<number, DigestAlert>();
    const sightingIds = new Map<number, number[]>();
    for (const item of items) {
      const alertId = Number(item.alert_id);
      let d = byAlert.get(alertId);
      if (!d) {
        let alert;
        try {
          alert = await readAlert(inTrx, viewer, alertId);
        } catch (err) {
          if (err instanceof BakenError && err.code === 'BAKEN_E_ALERT_NOT_FOUND') continue;
          throw err;
        }
        d = { alert, url: alertUrl(ctx.config.publicUrl, alertId), published: false, updates: [], retracted: false, sightings: 0, sightingSectors: [] };
        byAlert.set(alertId, d);
      }
      if (item.kind === 'alert.published') d.published = true;
      else if (item.kind === 'alert.updated') d.updates.push({ version: item.version, note: item.note });
      else if (item.kind === 'alert.retracted') d.retracted = true;
      else if (item.sighting_id !== null) sightingIds.set(alertId, [...(sightingIds.get(alertId) ?? []), Number(item.sighting_id)]);
    }
    for (const [alertId, sids] of sightingIds) {
      const d = byAlert.get(alertId)!;
      const rows = await trx.selectFrom('sightings').innerJoin('organisations', 'organisations.id', 'sightings.organisation_id').select(['sightings.id', 'organisations.sector']).where('sightings.id', 'in', sids).execute();
      d.sightings = rows.length;
      d.sightingSectors = [...new Set(rows.map((r) => r.sector))].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
    }
    const alerts = [...byAlert.values()].sort((a, b) => a.alert.id - b.alert.id);
    let emails = 0;
    if (alerts.length > 0) {
      const from = items[0]!.created_at;
      for (const c of member.contacts) {
        const { subject, text } = renderDigestEmail({ alerts, language: c.language, organisationName: member.name, day, from, to: dueAt, hour: ctx.config.digestHour });
        const r = await enqueueEmail(trx, ctx.clock, {
          idempotencyKey: `digest:${organisationId}:${day}:email:${c.email}`,
          topic: 'hub.digest',
          refType: 'digest',
          refId: `${organisationId}:${day}`,
          messageIdDomain: domain,
          to: [c.email],
          subject,
          text,
          headers: { 'X-Baken-Digest': day, 'X-Baken-TLP': digestTlp(alerts) },
        });
        if (r.created) emails++;
      }
    }
    await trx.updateTable('member_digests').set({ items: items.length, emails }).where('id', '=', digestId).execute();
    return { organisationId, name: member.name, items: items.length, alerts: alerts.length, emails };
  });
}
