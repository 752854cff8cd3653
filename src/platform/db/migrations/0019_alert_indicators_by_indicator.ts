/**
 * Alerts by indicator: every sighting asks which published alerts carry its indicator (re-broadcast, what the member
 * may see), and the primary key (alert_id, indicator_id) cannot answer that without reading the whole table.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('alert_indicators_indicator_idx').ifNotExists().on('alert_indicators').columns(['indicator_id', 'alert_id']).execute();
}
