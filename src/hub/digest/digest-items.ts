/**
 * Holding an email back for the daily digest. Alerts and sightings call this, in their own transaction, instead
 * of queueing an email for a member whose preference is `digest`; {@link runDigests} sends what was held once a
 * day. Webhook calls and the live stream are never held back.
 */
import type { Kysely } from 'kysely';
import type { Database, MemberDigestItemTable } from '../../platform/db/schema.js';

export type DigestItemKind = MemberDigestItemTable['kind'];

export interface DigestItemInput {
  organisationId: number;
  kind: DigestItemKind;
  alertId: number;
  version: number;
  note?: string | null;
  sightingId?: number | null;
  at: string;
}

/** @example await holdForDigest(trx, { organisationId: 7, kind: 'alert.published', alertId: 3, version: 1, at: now }); */
export async function holdForDigest(db: Kysely<Database>, item: DigestItemInput): Promise<void> {
  await holdAllForDigest(db, [item]);
}

/** Holds many items back at once (a fan-out to many digest members), in multi-row inserts. */
export async function holdAllForDigest(db: Kysely<Database>, items: readonly DigestItemInput[]): Promise<void> {
  for (let i = 0; i < items.length; i += 500) {
    await db
      .insertInto('member_digest_items')
      .values(
        items.slice(i, i + 500).map((item) => ({
          organisation_id: item.organisationId,
          kind: item.kind,
          alert_id: item.alertId,
          version: item.version,
          note: item.note ?? null,
          sighting_id: item.sightingId ?? null,
          created_at: item.at,
          digest_id: null,
        })),
      )
      .execute();
  }
}
