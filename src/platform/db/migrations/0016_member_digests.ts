/**
 * The daily digest: alert emails held back for members whose preference is `digest` (one row per alert event or
 * re-broadcast sighting, in the transaction that would otherwise have queued the email), and one row per member per
 * UTC day when a digest went out. The unique (organisation, day) is what makes two nodes, or a restart, send one.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('member_digests'), dialect)
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // The UTC day (YYYY-MM-DD) the digest belongs to.
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('emails', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('member_digests_org_day_key', ['organisation_id', 'day'])
    .execute();

  await withId(db.schema.createTable('member_digest_items'), dialect)
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('alert.published', 'alert.updated', 'alert.retracted', 'sighting')`))
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // The analyst's note of an update.
    .addColumn('note', 'text')
    .addColumn('sighting_id', ref, (c) => c.references('sightings.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Null until a digest took it.
    .addColumn('digest_id', ref, (c) => c.references('member_digests.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('member_digest_items_pending_idx').on('member_digest_items').columns(['organisation_id', 'digest_id']).execute();
}
