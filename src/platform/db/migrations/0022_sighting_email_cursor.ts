/**
 * The re-broadcast email's cursor: the last sighting a member's email (immediate or summary) told it of. The summary
 * counts the sightings after it, so a sighting no longer adds one to every audience member's row; that per-sighting
 * write made concurrent sightings of one alert wait for each other's row locks on PostgreSQL. `pending_count` is
 * no longer written.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sighting_email_state').addColumn('last_email_sighting_id', 'bigint').execute();
}
