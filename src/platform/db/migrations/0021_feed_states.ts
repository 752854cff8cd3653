/**
 * Detection exports: per feed and owner, the version last served and when it changed, so that Last-Modified and
 * an RPZ zone's SOA serial move exactly when the content does (without saying when invisible indicators changed),
 * and what the hub looked like then (`basis`, `valid_through`), so a poll finds "nothing changed" from three
 * indexed lookups instead of aggregates over every indicator; an index to ask "which alerts carry this indicator"
 * for every row of a feed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feed_states')
    // The feed's name, e.g. `zeek-intel`, `edl-ip`.
    .addColumn('feed', 'text', (c) => c.notNull())
    // The member organisation the feed is cut for; 0 for the all-members view (coordinator keys).
    .addColumn('owner', 'integer', (c) => c.notNull())
    // A digest of what the feed holds (not of its bytes): equal digests mean equal content.
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    // Increases with every change; the SOA serial of the RPZ zone.
    .addColumn('serial', 'bigint', (c) => c.notNull())
    // A digest of the newest indicator and alert changes when `version` was computed.
    .addColumn('basis', 'text', (c) => c.notNull())
    // The next moment an indicator becomes valid or expires; the version holds until then (null: no such moment).
    .addColumn('valid_through', 'text')
    .addPrimaryKeyConstraint('feed_states_pk', ['feed', 'owner'])
    .execute();
  await db.schema.createIndex('indicators_updated_idx').on('indicators').column('updated_at').execute();
  await db.schema.createIndex('indicators_valid_from_idx').on('indicators').column('valid_from').execute();
  await db.schema.createIndex('indicators_valid_until_idx').on('indicators').column('valid_until').execute();
  // alert_indicators (indicator_id, alert_id), which the feeds also read by, came with 0019.
}
