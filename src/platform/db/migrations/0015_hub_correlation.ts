/**
 * Correlation and triage. Observations (sightings of values the hub did not know) get who resolved them, when,
 * and the reason of a dismissal. Indexes: hotline case hosts by address, so that "which cases hold this address"
 * is a lookup, not a scan (on PostgreSQL in the "C" collation, so that a CIDR can be read as a range of text);
 * sightings by the time they were reported, for the overview of a period; observations by state, for triage.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema.alterTable('sighting_observations').addColumn('resolved_by', 'text').execute();
  await db.schema.alterTable('sighting_observations').addColumn('resolved_at', 'text').execute();
  // Why an analyst dismissed it (required then); null otherwise.
  await db.schema.alterTable('sighting_observations').addColumn('reason', 'text').execute();
  await db.schema.createIndex('sighting_observations_state_idx').on('sighting_observations').columns(['state', 'last_reported_at']).execute();
  await db.schema.createIndex('sightings_reported_idx').on('sightings').columns(['reported_at']).execute();
  await db.schema.createIndex('sightings_observation_idx').on('sightings').columns(['observation_id']).execute();
  if (dialect === 'postgres') await sql`create index case_hosts_ip_idx on case_hosts (ip collate "C")`.execute(db);
  else await db.schema.createIndex('case_hosts_ip_idx').on('case_hosts').column('ip').execute();
}
