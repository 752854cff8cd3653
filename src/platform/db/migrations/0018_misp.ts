/**
 * MISP interop: what each MISP feed has given already (event uuid and its timestamp), so a feed import fetches
 * only the events that are new or changed; and the MISP sightings already imported, so a changed event's
 * sightings are not counted twice.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('misp_feed_events')
    // The feed: its URL without a trailing slash, or the absolute path of its directory.
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('event_uuid', 'text', (c) => c.notNull())
    // The event's `timestamp` (seconds since 1970) as the manifest gave it when it was imported.
    .addColumn('event_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('misp_feed_events_pk', ['feed', 'event_uuid'])
    .execute();

  await db.schema
    .createTable('misp_sighting_imports')
    // The MISP sighting's uuid, or what identifies one without (attribute, type, date, organisation, source).
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('sighting_id', refType(dialect), (c) => c.references('sightings.id').onDelete('cascade'))
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();
}
