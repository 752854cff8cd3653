/**
 * Re-broadcast sightings waiting for their webhook calls: one row per sighting and published alert, written in the
 * sighting's transaction, taken (deleted) by the flusher that sends each member of the alert's audience one call a
 * second carrying every sighting of that second (src/hub/sightings/sighting-webhooks.ts). Before, every sighting
 * queued one webhook call per audience member: at 100 sightings a second to an audience of 50, 5,000 calls a second.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('sighting_webhook_queue'), dialect)
    .addColumn('sighting_id', ref, (c) => c.notNull().references('sightings.id').onDelete('cascade'))
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    // Not told of its own sighting.
    .addColumn('reporter_organisation_id', ref, (c) => c.notNull())
    // The stricter of the alert's and the indicator's TLP: who may be told.
    .addColumn('tlp', 'text', (c) => c.notNull())
    // The sighting as the rest of the audience sees it (JSON), made when it was reported.
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .execute();
}
