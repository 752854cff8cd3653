/**
 * Telling the rest of an alert's audience of its sightings, by webhook, email and digest, coalesced: a sighting queues
 * one row per published alert it concerns ({@link queueSightingRebroadcast}, in the sighting's transaction; the live
 * stream is told after that commit, see sightings.ts), and {@link flushSightingRebroadcasts}, run about every second
 * wherever the delivery worker runs (src/hub/hub-schedule.ts), tells each member of every sighting of that second:
 *
 * - one signed `sightings.reported` webhook call per member and alert carrying all of them (at most
 *   {@link SIGHTINGS_PER_WEBHOOK} a call): at 100 sightings a second to an audience of 50 that is 50 calls a second,
 *   not 5,000, which neither the worker nor a member's receiver (or its per-destination rate limit) could keep up with;
 * - an email at most once per alert per member per BAKEN_SIGHTING_EMAIL_INTERVAL_MINUTES: the member's first sighting
 *   of the interval is emailed, later ones mark it pending and are counted in a summary when the interval is over
 *   (flushSightingEmails in sightings.ts);
 * - for members who take the daily digest, the sightings are held back for it instead of emailed.
 *
 * The request that reports a sighting does a fixed amount of work whatever the audience's size; the work per member is
 * done here once a second for all the sightings of that second. Who is told is decided here with the same TLP policy
 * as the stream: the rest of the alert's audience at the stricter of the alert's and the indicator's level, never the
 * reporter itself, nothing once the alert is retracted. What each sighting says (sector, counts, the reporter's name
 * only if it shared it) is fixed when it is reported.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Context } from '../../platform/context.js';
import type { AlertTable, Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { enqueueEmails, type EmailMessage, type EnqueueOptions } from '../../platform/delivery/outbox.js';
import { enqueueWebhooks, type EnqueueWebhookInput } from '../../platform/delivery/webhooks.js';
import { rowAudience } from '../alerts/alerts.js';
import { holdAllForDigest, type DigestItemInput } from '../digest/digest-items.js';
import { memberRecipients, type MemberRecipient } from '../members/member-profile.js';
import { mayPushToOrganisation, type Tlp } from '../tlp.js';
import { renderSightingEmail, sightingsWebhookBodyJson, sightingWebhookItem, type SightingNotice } from './sighting-messages.js';

/** Sightings one webhook call carries at most; a larger second is split over several calls. */
export const SIGHTINGS_PER_WEBHOOK = 500;
/** Queue rows one flush takes; what is left is taken by the next flush, at once. */
const FLUSH_BATCH = 5000;

export interface QueuedSightingRebroadcast {
  notice: SightingNotice;
  reporterOrganisationId: number;
  /** The stricter of the alert's and the indicator's level. */
  tlp: Tlp;
}

/** Queues a re-broadcast sighting for the next flush, in the sighting's transaction. */
export async function queueSightingRebroadcast(trx: Kysely<Database>, q: QueuedSightingRebroadcast): Promise<void> {
  await trx
    .insertInto('sighting_rebroadcast_queue')
    .values({
      sighting_id: q.notice.sightingId,
      alert_id: q.notice.alert.id,
      reporter_organisation_id: q.reporterOrganisationId,
      tlp: q.tlp,
      notice: JSON.stringify(q.notice),
      queued_at: q.notice.reportedAt,
    })
    .execute();
}

export interface SightingRebroadcastFlush {
  /** Queued sightings taken. */
  sightings: number;
  /** Webhook calls queued in the outbox. */
  calls: number;
  /** Emails queued (first sightings of an interval). */
  emails: number;
  /** The flush took a whole batch: more may be waiting, and the next flush should not wait for the interval. */
  more: boolean;
}

interface Taken {
  id: number;
  alertId: number;
  reporter: number;
  tlp: Tlp;
  notice: SightingNotice;
  /** The webhook item, serialised once for every member it goes to. */
  itemJson: string;
}

/**
 * Takes the queued sightings (oldest first, at most a few thousand) and tells the audience of their alerts, in one
 * transaction: the taken rows are gone exactly when their webhook calls, emails and digest items are queued. On
 * PostgreSQL rows another node is taking are skipped, so several workers may flush at once; SQLite has one writer.
 * @example
 * const { sightings, calls, emails } = await flushSightingRebroadcasts(ctx); // then the delivery worker sends them
 */
export async function flushSightingRebroadcasts(ctx: Context): Promise<SightingRebroadcastFlush> {
  return transact(ctx.db.kysely, async (trx) => {
    const rows = await trx
      .deleteFrom('sighting_rebroadcast_queue')
      .where('id', 'in', (eb) => {
        const oldest = eb.selectFrom('sighting_rebroadcast_queue').select('id').orderBy('id').limit(FLUSH_BATCH);
        return ctx.db.dialect === 'postgres' ? oldest.forUpdate().skipLocked() : oldest;
      })
      .returningAll()
      .execute();
    if (rows.length === 0) return { sightings: 0, calls: 0, emails: 0, more: false };
    // The DELETE's RETURNING order is not defined; members are told oldest first.
    const taken: Taken[] = rows
      .map((r) => {
        const notice = JSON.parse(r.notice) as SightingNotice;
        return { id: Number(r.id), alertId: Number(r.alert_id), reporter: Number(r.reporter_organisation_id), tlp: r.tlp as Tlp, notice, itemJson: JSON.stringify(sightingWebhookItem(notice)) };
      })
      .sort((a, b) => a.id - b.id);
    const alertIds = [...new Set(taken.map((r) => r.alertId))];
    const alerts = new Map((await trx.selectFrom('alerts').selectAll().where('id', 'in', alertIds).where('state', '=', 'published').execute()).map((a) => [Number(a.id), a]));
    const recipients = await trx.selectFrom('alert_recipients').select(['alert_id', 'organisation_id']).where('alert_id', 'in', alertIds).execute();
    const recipientsOf = new Map<number, number[]>();
    for (const r of recipients) {
      const list = recipientsOf.get(Number(r.alert_id)) ?? [];
      list.push(Number(r.organisation_id));
      recipientsOf.set(Number(r.alert_id), list);
    }
    const members = new Map((await memberRecipients(trx, [...new Set(recipients.map((r) => Number(r.organisation_id)))])).map((m) => [m.organisationId, m]));
    // Names this flush in idempotency keys: flushes on several nodes take disjoint rows, so their lowest ids differ.
    const range = `${taken[0]!.id}-${taken.at(-1)!.id}`;

    const calls: Array<EnqueueWebhookInput & { bodyJson: string }> = [];
    const held: DigestItemInput[] = [];
    let emails = 0;
    for (const alertId of alertIds) {
      const alert = alerts.get(alertId);
      if (!alert) continue;
      const ofAlert = taken.filter((r) => r.alertId === alertId);
      const audience = rowAudience(alert);
      // The policy is asked once per member and level (a flush holds a handful of levels), not per member and sighting.
      const levels = [...new Set(ofAlert.map((r) => r.tlp))];
      // Per member of the audience, the sightings of this alert it may be told of, in queue order.
      const told = new Map<number, Taken[]>();
      for (const organisationId of recipientsOf.get(alertId) ?? []) {
        if (!members.has(organisationId)) continue;
        const may = new Set(levels.filter((tlp) => mayPushToOrganisation({ ...audience, tlp }, organisationId)));
        const mine = ofAlert.filter((s) => s.reporter !== organisationId && may.has(s.tlp));
        if (mine.length > 0) told.set(organisationId, mine);
      }
      const emailTo: Array<{ member: MemberRecipient; sightings: Taken[] }> = [];
      for (const [organisationId, sightings] of told) {
        const m = members.get(organisationId)!;
        if (m.webhook) {
          // One call per alert, not one for all, so that the member's delivery history shows it under its alert
          // (ref ALERT:ORGANISATION, as the alert's own messages).
          for (let k = 0; k < sightings.length; k += SIGHTINGS_PER_WEBHOOK) {
            calls.push({
              url: m.webhook.url,
              secret: m.webhook.secret,
              event: 'sightings.reported',
              body: null,
              bodyJson: sightingsWebhookBodyJson(sightings.slice(k, k + SIGHTINGS_PER_WEBHOOK).map((s) => s.itemJson), organisationId),
              idempotencyKey: `sightings:${range}:alert:${alertId}:org:${organisationId}:part:${k / SIGHTINGS_PER_WEBHOOK}`,
              refType: 'sighting',
              refId: `${alertId}:${organisationId}`,
              topic: 'hub.sighting.webhook',
            });
          }
        }
        // A digest member learns of them in its daily digest (src/hub/digest); its webhook call went above.
        if (m.preferences.delivery === 'digest') {
          for (const s of sightings) held.push({ organisationId, kind: 'sighting', alertId, version: alert.version, sightingId: s.notice.sightingId, at: s.notice.reportedAt });
        } else if (m.contacts.length > 0) emailTo.push({ member: m, sightings });
      }
      emails += await emailFirstOfInterval(ctx, trx, alert, emailTo);
    }
    await enqueueWebhooks(trx, ctx.clock, calls);
    await holdAllForDigest(trx, held);
    return { sightings: rows.length, calls: calls.length, emails, more: rows.length === FLUSH_BATCH };
  });
}

/**
 * One email per alert per member per interval: whoever moves last_email_at forward sends. The update's row locks make
 * a concurrent flush wait and then see the new time, so two never both send. The email tells of the member's first
 * sighting in this flush; the rest of the flush, and what comes later in the interval, only mark the member pending
 * (the first to wait writes its row), and the summary at the end of the interval counts the other organisations'
 * sightings after the one emailed (flushSightingEmails). A handful of statements per alert and flush, whatever the
 * number of sightings.
 * @returns how many emails were queued.
 */
async function emailFirstOfInterval(ctx: Context, trx: Kysely<Database>, alert: Selectable<AlertTable>, emailTo: ReadonlyArray<{ member: MemberRecipient; sightings: Taken[] }>): Promise<number> {
  if (emailTo.length === 0) return 0;
  const alertId = Number(alert.id);
  const now = ctx.clock.now().toISOString();
  const cutoff = new Date(Date.parse(now) - ctx.config.sightingEmailIntervalMinutes * 60_000).toISOString();
  const domain = new URL(ctx.config.publicUrl).hostname;
  const emails: Array<EmailMessage & EnqueueOptions> = [];
  for (let k = 0; k < emailTo.length; k += 500) {
    const chunk = emailTo.slice(k, k + 500);
    const ids = chunk.map((e) => e.member.organisationId);
    // Only the rows that do not exist yet: on PostgreSQL an insert that meets a row another transaction has just
    // updated waits for that transaction, even with DO NOTHING; a plain read does not wait.
    const known = new Set((await trx.selectFrom('sighting_email_state').select('organisation_id').where('alert_id', '=', alertId).where('organisation_id', 'in', ids).execute()).map((r) => Number(r.organisation_id)));
    const missing = ids.filter((o) => !known.has(o));
    if (missing.length > 0) {
      await trx
        .insertInto('sighting_email_state')
        .values(missing.map((organisation_id) => ({ alert_id: alertId, organisation_id, last_email_at: null, pending_since: null, pending_count: 0 })))
        .onConflict((oc) => oc.columns(['alert_id', 'organisation_id']).doNothing())
        .execute();
    }
    // Members whose first sighting here is the same (all but those who reported that one) move on in one statement.
    const byFirst = new Map<number, number[]>();
    for (const e of chunk) {
      const first = e.sightings[0]!.notice.sightingId;
      const group = byFirst.get(first) ?? [];
      group.push(e.member.organisationId);
      byFirst.set(first, group);
    }
    const winners = new Set<number>();
    for (const [sightingId, group] of byFirst) {
      const won = await trx
        .updateTable('sighting_email_state')
        .set({ last_email_at: now, pending_since: null, pending_count: 0, last_email_sighting_id: sightingId })
        .where('alert_id', '=', alertId)
        .where('organisation_id', 'in', group)
        .where((eb) => eb.or([eb('last_email_at', 'is', null), eb('last_email_at', '<=', cutoff)]))
        .returning('organisation_id')
        .execute();
      for (const r of won) winners.add(Number(r.organisation_id));
    }
    // Waiting: everyone who did not send now, and those who did but have more sightings here than the one emailed.
    const waiting = chunk.filter((e) => !winners.has(e.member.organisationId) || e.sightings.length > 1).map((e) => e.member.organisationId);
    if (waiting.length > 0) {
      await trx
        .updateTable('sighting_email_state')
        .set({ pending_since: now })
        .where('alert_id', '=', alertId)
        .where('organisation_id', 'in', waiting)
        .where('pending_since', 'is', null)
        .execute();
    }
    for (const { member: m, sightings } of chunk) {
      if (!winners.has(m.organisationId)) continue;
      const n = sightings[0]!.notice;
      for (const c of m.contacts) {
        const { subject, text } = renderSightingEmail({ notice: n, language: c.language, organisationName: m.name, intervalMinutes: ctx.config.sightingEmailIntervalMinutes });
        emails.push({
          idempotencyKey: `sighting:${n.sightingId}:alert:${alertId}:org:${m.organisationId}:email:${c.email}`,
          topic: 'hub.sighting',
          refType: 'sighting',
          refId: `${alertId}:${m.organisationId}`,
          messageIdDomain: domain,
          to: [c.email],
          subject,
          text,
          headers: { 'X-Baken-Alert': String(alertId), 'X-Baken-Sighting': String(n.sightingId), 'X-Baken-TLP': n.alert.tlp },
        });
      }
    }
  }
  await enqueueEmails(trx, ctx.clock, emails);
  return emails.length;
}
