/**
 * Versioned migrations, applied at start and by `baken migrate`. One list serves
 * both dialects; a migration receives the dialect for the few shapes that differ.
 * Kysely's migrator keeps the applied versions and takes a lock, so several nodes
 * starting at once apply each migration once.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationResult } from 'kysely';
import type { Db, DialectName } from './database.js';
import * as m0001 from './migrations/0001_foundation.js';
import * as m0002 from './migrations/0002_rpsl.js';
import * as m0003 from './migrations/0003_rdap_cache.js';
import * as m0004 from './migrations/0004_operators.js';
import * as m0005 from './migrations/0005_hotline.js';
import * as m0006 from './migrations/0006_outbox.js';
import * as m0007 from './migrations/0007_notifications.js';
import * as m0008 from './migrations/0008_publication.js';
import * as m0009 from './migrations/0009_retention.js';
import * as m0010 from './migrations/0010_rescans.js';
import * as m0011 from './migrations/0011_hub_indicators.js';
import * as m0012 from './migrations/0012_hub_members.js';
import * as m0013 from './migrations/0013_hub_alerts.js';
import * as m0014 from './migrations/0014_hub_sightings.js';
import * as m0015 from './migrations/0015_hub_correlation.js';
import * as m0016 from './migrations/0016_member_digests.js';
import * as m0017 from './migrations/0017_taxii.js';
import * as m0018 from './migrations/0018_misp.js';
import * as m0019 from './migrations/0019_alert_indicators_by_indicator.js';
import * as m0021 from './migrations/0021_feed_states.js';
import * as m0022 from './migrations/0022_sighting_email_cursor.js';
import * as m0023 from './migrations/0023_sighting_rebroadcast_queue.js';

type VersionedMigration = { up(db: Kysely<any>, dialect: DialectName): Promise<void> } | { up(db: Kysely<any>): Promise<void> };

/** In order; names are the version and never change once released. */
const MIGRATIONS: Array<[string, VersionedMigration]> = [
  ['0001_foundation', m0001],
  ['0002_rpsl', m0002],
  ['0003_rdap_cache', m0003],
  ['0004_operators', m0004],
  ['0005_hotline', m0005],
  ['0006_outbox', m0006],
  ['0007_notifications', m0007],
  ['0008_publication', m0008],
  ['0009_retention', m0009],
  ['0010_rescans', m0010],
  ['0011_hub_indicators', m0011],
  ['0012_hub_members', m0012],
  ['0013_hub_alerts', m0013],
  ['0014_hub_sightings', m0014],
  ['0015_hub_correlation', m0015],
  ['0016_member_digests', m0016],
  ['0017_taxii', m0017],
  ['0018_misp', m0018],
  ['0019_alert_indicators_by_indicator', m0019],
  ['0021_feed_states', m0021],
  ['0022_sighting_email_cursor', m0022],
  ['0023_sighting_rebroadcast_queue', m0023],
];

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]![0];

async function migrator(db: Db): Promise<Migrator> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of MIGRATIONS) migrations[name] = { up: (k) => m.up(k, db.dialect) };
  // On PostgreSQL the migrator must be told the schema: without it, a migration table of the same name in any
  // other schema of the database counts as ours, and the tables are never created here.
  const schema = db.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely)).rows[0]?.s : undefined;
  return new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'baken_migrations',
    migrationLockTableName: 'baken_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/**
 * Brings the schema to the latest version; returns the versions applied now.
 * @example
 * const applied = await migrateToLatest(db); // ['0001_foundation'] on an empty database
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await (await migrator(db)).migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Every known migration and whether it has been applied. */
export async function migrationStatus(db: Db): Promise<Array<{ name: string; appliedAt: string | null }>> {
  const list = await (await migrator(db)).getMigrations();
  return list.map((m) => ({ name: m.name, appliedAt: m.executedAt ? m.executedAt.toISOString() : null }));
}
