/**
 * The webhook side of a sighting's re-broadcast, coalesced: a sighting queues one row per published alert it
 * concerns ({@link queueSightingWebhook}, in the sighting's transaction), and {@link flushSightingWebhooks}, run
 * about every second wherever the delivery worker runs, sends each member one signed `sightings.reported` call per
 * alert carrying every sighting of that second it may be told of. The webhook still carries every sighting; what changes is
 * that a burst of 100 sightings a second to an audience of 50 is 50 calls a second, not 5,000, which neither the
 * worker nor a member's receiver (or its per-destination rate limit) could keep up with.
 *
 * Who is told is decided when the call is made, with the same TLP policy as the stream: the rest of the alert's
 * audience at the stricter of the alert's and the indicator's level, never the reporter itself, nothing once the
 * alert is retracted. What each sighting says (sector, counts, the reporter's name only if it shared it) is fixed when
 * it is reported.
 */
import type { Kysely } from 'kysely';
import type { Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { enqueueWebhooks, type EnqueueWebhookInput } from '../../platform/delivery/webhooks.js';
import { rowAudience } from '../alerts/alerts.js';
import { memberRecipients } from '../members/member-profile.js';
import { isTlp, mayPushToOrganisation, type Tlp } from '../tlp.js';
import { sightingsWebhookBodyJson, sightingWebhookItem, type SightingNotice } from './sighting-messages.js';

/** Sightings one call carries at most; a larger second is split over several calls. */
export const SIGHTINGS_PER_WEBHOOK = 500;
/** Queue rows one flush takes; what is left is taken by the next flush, at once. */
const FLUSH_BATCH = 5000;

export interface QueuedSightingWebhook {
  notice: SightingNotice;
  reporterOrganisationId: number;
  /** The stricter of the alert's and the indicator's level. */
  tlp: Tlp;
}

/** Queues a re-broadcast sighting's webhook calls for the next flush, in the sighting's transaction. */
export async function queueSightingWebhook(trx: Kysely<Database>, q: QueuedSightingWebhook): Promise<void> {
  await trx
    .insertInto('sighting_webhook_queue')
    .values({
      sighting_id: q.notice.sightingId,
      alert_id: q.notice.alert.id,
      reporter_organisation_id: q.reporterOrganisationId,
      tlp: q.tlp,
      item: JSON.stringify(sightingWebhookItem(q.notice)),
      queued_at: q.notice.reportedAt,
    })
    .execute();
}

export interface SightingWebhookFlush {
  /** Queued sightings taken. */
  sightings: number;
  /** Webhook calls queued in the outbox. */
  calls: number;
  /** The flush took a whole batch: more may be waiting, and the next flush should not wait for the interval. */
  more: boolean;
}

/**
 * Takes the queued sightings (oldest first, at most a few thousand) and queues one webhook call per alert for each
 * member of its audience, in one transaction: the taken rows are gone exactly when their calls are in the outbox. On
 * PostgreSQL rows another node is taking are skipped, so several workers may flush at once; SQLite has one writer.
 * @example
 * const { sightings, calls } = await flushSightingWebhooks(ctx); // then the delivery worker sends the calls
 */
export async function flushSightingWebhooks(ctx: Context): Promise<SightingWebhookFlush> {
  return transact(ctx.db.kysely, async (trx) => {
    const taken = await trx
      .deleteFrom('sighting_webhook_queue')
      .where('id', 'in', (eb) => {
        const oldest = eb.selectFrom('sighting_webhook_queue').select('id').orderBy('id').limit(FLUSH_BATCH);
        return ctx.db.dialect === 'postgres' ? oldest.forUpdate().skipLocked() : oldest;
      })
      .returningAll()
      .execute();
    if (taken.length === 0) return { sightings: 0, calls: 0, more: false };
    // The DELETE's RETURNING order is not defined; receivers get each member's sightings oldest first.
    taken.sort((a, b) => Number(a.id) - Number(b.id));
    const alertIds = [...new Set(taken.map((r) => Number(r.alert_id)))];
    const alerts = new Map((await trx.selectFrom('alerts').selectAll().where('id', 'in', alertIds).where('state', '=', 'published').execute()).map((a) => [Number(a.id), a]));
    const recipients = await trx.selectFrom('alert_recipients').select(['alert_id', 'organisation_id']).where('alert_id', 'in', alertIds).execute();
    const audienceOfAlert = new Map<number, number[]>();
    for (const r of recipients) {
      const list = audienceOfAlert.get(Number(r.alert_id)) ?? [];
      list.push(Number(r.organisation_id));
      audienceOfAlert.set(Number(r.alert_id), list);
    }
    const members = new Map(
      (await memberRecipients(trx, [...new Set(recipients.map((r) => Number(r.organisation_id)))]))
        .filter((m) => m.webhook !== null)
        .map((m) => [m.organisationId, m]),
    );
    // Per member and alert, the sightings in queue order. One call per alert, not one for all, so that the member's
    // delivery history shows the call under its alert (ref ALERT:ORGANISATION, as the alert's own messages).
    // The items are JSON already, so the body is put together as text.
    const itemsFor = new Map<string, { organisationId: number; alertId: number; items: string[] }>();
    for (const row of taken) {
      const alert = alerts.get(Number(row.alert_id));
      if (!alert || !isTlp(row.tlp)) continue;
      const audience = { ...rowAudience(alert), tlp: row.tlp };
      for (const organisationId of audienceOfAlert.get(Number(row.alert_id)) ?? []) {
        if (organisationId === Number(row.reporter_organisation_id) || !members.has(organisationId)) continue;
        if (!mayPushToOrganisation(audience, organisationId)) continue;
        const key = `${row.alert_id}:${organisationId}`;
        const group = itemsFor.get(key) ?? { organisationId, alertId: Number(row.alert_id), items: [] };
        group.items.push(row.item);
        itemsFor.set(key, group);
      }
    }
    const first = Number(taken[0]!.id);
    const last = Number(taken.at(-1)!.id);
    const calls: Array<EnqueueWebhookInput & { bodyJson: string }> = [];
    for (const [ref, { organisationId, alertId, items }] of itemsFor) {
      const m = members.get(organisationId)!;
      for (let k = 0; k < items.length; k += SIGHTINGS_PER_WEBHOOK) {
        calls.push({
          url: m.webhook!.url,
          secret: m.webhook!.secret,
          event: 'sightings.reported',
          body: null,
          bodyJson: sightingsWebhookBodyJson(items.slice(k, k + SIGHTINGS_PER_WEBHOOK), organisationId),
          // The taken rows are gone once this commits, so the range names this flush and no other.
          idempotencyKey: `sightings:${first}-${last}:alert:${alertId}:org:${organisationId}:part:${k / SIGHTINGS_PER_WEBHOOK}`,
          refType: 'sighting',
          refId: ref,
          topic: 'hub.sighting.webhook',
        });
      }
    }
    await enqueueWebhooks(trx, ctx.clock, calls);
    return { sightings: taken.length, calls: calls.length, more: taken.length === FLUSH_BATCH };
  });
}
