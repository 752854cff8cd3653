/**
 * The imported RIPE database (RPSL split dumps) as versioned snapshots: one row per import in `rpsl_snapshots`, and
 * the networks, abuse roles, organisations and aut-nums of that import beside it, tagged with its id. Only one
 * snapshot is `current`; an import writes a new one and drops the old in the same transaction.
 *
 * No foreign keys from the data tables to the snapshot: millions of rows are inserted and deleted per import, and
 * the import removes them explicitly in the same transaction that removes the snapshot.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  // Byte order on PostgreSQL too, whatever the database's collation (as in rdap_cache).
  const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;

  await withId(db.schema.createTable('rpsl_snapshots'), dialect)
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('loading', 'current')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    // The date of the data: the newest last-modified in the dump, else the newest file date.
    .addColumn('data_date', 'text')
    .addColumn('inetnums', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inet6nums', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('roles', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('organisations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('aut_nums', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invalid_emails', 'integer', (c) => c.notNull().defaultTo(0))
    // JSON: [{name, size, compressed, modified}]
    .addColumn('files', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema.createIndex('rpsl_snapshots_status_idx').on('rpsl_snapshots').columns(['status', 'id']).execute();

  await withId(db.schema.createTable('rpsl_networks'), dialect)
    .addColumn('snapshot_id', ref, (c) => c.notNull())
    .addColumn('family', 'text', (c) => c.notNull().check(sql`family in ('ipv4', 'ipv6')`))
    // Fixed-width lower-case hex (8 digits for IPv4, 32 for IPv6), as in rdap_cache: sorts like the numbers.
    .addColumn('first_key', keyType, (c) => c.notNull())
    .addColumn('last_key', keyType, (c) => c.notNull())
    .addColumn('netname', 'text')
    .addColumn('country', 'text')
    .addColumn('status', 'text')
    .addColumn('org', 'text')
    .addColumn('abuse_c', 'text')
    // JSON array of maintainer names, upper case.
    .addColumn('mnt_by', 'text', (c) => c.notNull().defaultTo('[]'))
    // 1 when a RIPE NCC registration-services maintainer (RIPE-NCC-HM-MNT, ...) is among mnt-by.
    .addColumn('ripe_maintained', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_modified', 'text')
    .execute();
  // Reading a snapshot in pages by id, and deleting it.
  await db.schema.createIndex('rpsl_networks_snapshot_idx').on('rpsl_networks').columns(['snapshot_id', 'id']).execute();

  await withId(db.schema.createTable('rpsl_roles'), dialect)
    .addColumn('snapshot_id', ref, (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    // JSON array of clean addresses.
    .addColumn('abuse_mailboxes', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rpsl_roles_snapshot_idx').on('rpsl_roles').columns(['snapshot_id', 'handle']).execute();

  await withId(db.schema.createTable('rpsl_organisations'), dialect)
    .addColumn('snapshot_id', ref, (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('abuse_c', 'text')
    .execute();
  await db.schema.createIndex('rpsl_organisations_snapshot_idx').on('rpsl_organisations').columns(['snapshot_id', 'handle']).execute();

  await withId(db.schema.createTable('rpsl_aut_nums'), dialect)
    .addColumn('snapshot_id', ref, (c) => c.notNull())
    // AS numbers go up to 2^32 - 1, past PostgreSQL's integer.
    .addColumn('asn', ref, (c) => c.notNull())
    .addColumn('as_name', 'text')
    .addColumn('org', 'text')
    .addColumn('abuse_c', 'text')
    .execute();
  await db.schema.createIndex('rpsl_aut_nums_snapshot_idx').on('rpsl_aut_nums').columns(['snapshot_id', 'asn']).execute();
}
