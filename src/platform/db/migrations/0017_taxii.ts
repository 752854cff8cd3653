/**
 * TAXII 2.1: the status resources of POSTed envelopes (what succeeded and what failed, per object), and the
 * indexes that let a collection be read page by page in the order of `date_added` without sorting the whole
 * collection for every page (keyset pagination on (date_added, id)).
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await db.schema
    .createTable('taxii_statuses')
    // A random UUID: the status id a client polls.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('collection_id', 'text', (c) => c.notNull())
    // Whose request it was: the status is shown to that organisation (and to coordinator staff) only.
    .addColumn('organisation_id', ref, (c) => c.references('organisations.id').onDelete('cascade'))
    .addColumn('requested_by', 'text')
    .addColumn('request_timestamp', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_count', 'integer', (c) => c.notNull())
    .addColumn('success_count', 'integer', (c) => c.notNull())
    .addColumn('failure_count', 'integer', (c) => c.notNull())
    .addColumn('pending_count', 'integer', (c) => c.notNull())
    // JSON arrays of TAXII status details ({ id, version, message }).
    .addColumn('successes', 'text', (c) => c.notNull())
    .addColumn('failures', 'text', (c) => c.notNull())
    .addColumn('pendings', 'text', (c) => c.notNull())
    .execute();

  // Indicators enter a collection through their history (created, updated, put in an alert): date_added is the
  // time of that event, so a poller with added_after also gets an old indicator that an alert has just made
  // visible to it.
  await db.schema.createIndex('indicator_events_at_idx').on('indicator_events').columns(['at', 'id']).execute();
  // Replaces 0015's index on reported_at alone: with the id it also serves the keyset pages.
  await db.schema.dropIndex('sightings_reported_idx').ifExists().execute();
  await db.schema.createIndex('sightings_reported_idx').on('sightings').columns(['reported_at', 'id']).execute();
  await db.schema.createIndex('sightings_org_reported_idx').on('sightings').columns(['organisation_id', 'reported_at', 'id']).execute();
}
