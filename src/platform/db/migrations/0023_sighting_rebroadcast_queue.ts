/**
 * Re-broadcast sightings waiting for the rest of the alert's audience to be told by webhook, email and digest: one
 * row per sighting and published alert, written in the sighting's transaction, taken (deleted) by the flusher that
 * tells each member once a second of every sighting of that second (src/hub/sightings/sighting-rebroadcasts.ts).
 * Before, every sighting queued one webhook call per audience member and took each member's email-interval row in
 * its own transaction: at 100 sightings a second, 5,000 calls a second to an audience of 50, and a request whose cost
 * grew with the audience.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('sighting_rebroadcast_queue'), dialect)
    .addColumn('sighting_id', ref, (c) => c.notNull().references('sightings.id').onDelete('cascade'))
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    // Not told of its own sighting.
    .addColumn('reporter_organisation_id', ref, (c) => c.notNull())
    // The stricter of the alert's and the indicator's TLP: who may be told.
    .addColumn('tlp', 'text', (c) => c.notNull())
    // The sighting as the rest of the audience learns of it (JSON of a SightingNotice), made when it was reported.
    .addColumn('notice', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .execute();
}
