/**
 * Sightings: a member organisation reports that it observed an indicator (or a value the hub does not know yet,
 * kept as an observation for analysts to triage), and per (alert, member) when the last re-broadcast email went
 * out, so that a burst of sightings becomes one email per interval.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('sighting_observations'), dialect)
    // Normalised when the value is a recognisable indicator the hub does not have; as given (trimmed) otherwise.
    .addColumn('type', 'text')
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'dismissed', 'promoted')`))
    .addColumn('indicator_id', ref, (c) => c.references('indicators.id').onDelete('set null'))
    .addColumn('first_reported_at', 'text', (c) => c.notNull())
    .addColumn('last_reported_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sighting_observations_value_key', ['value'])
    .execute();

  await withId(db.schema.createTable('sightings'), dialect)
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('indicator_id', ref, (c) => c.references('indicators.id').onDelete('cascade'))
    .addColumn('observation_id', ref, (c) => c.references('sighting_observations.id').onDelete('cascade'))
    .addColumn('alert_id', ref, (c) => c.references('alerts.id').onDelete('set null'))
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 1`))
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    // 1: the organisation allows other members to see its name; 0 (default): they learn only its sector.
    .addColumn('share_name', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reported_by', 'text')
    .addColumn('reported_by_user', ref)
    .addColumn('reported_by_key', ref)
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .addCheckConstraint('sightings_target', sql`(indicator_id is not null) <> (observation_id is not null)`)
    .execute();
  await db.schema.createIndex('sightings_indicator_idx').on('sightings').columns(['indicator_id', 'organisation_id']).execute();
  await db.schema.createIndex('sightings_org_idx').on('sightings').columns(['organisation_id', 'id']).execute();

  await db.schema
    .createTable('sighting_email_state')
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // When the last re-broadcast email about this alert went to this member; null: none yet.
    .addColumn('last_email_at', 'text')
    // The first sighting since then that has not been emailed yet (a summary is due); null: nothing pending.
    .addColumn('pending_since', 'text')
    // Re-broadcast sightings since then that were not emailed: what the summary counts.
    .addColumn('pending_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('sighting_email_state_pk', ['alert_id', 'organisation_id'])
    .execute();
}
