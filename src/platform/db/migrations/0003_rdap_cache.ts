/**
 * The RDAP cache: one row per network an RDAP registry told us about (or per address it had nothing for), so that
 * every address in one network is answered from one row until it expires.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  // Byte order on PostgreSQL too, whatever the database's collation.
  const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  await withId(db.schema.createTable('rdap_cache'), dialect)
    .addColumn('family', 'text', (c) => c.notNull().check(sql`family in ('ipv4', 'ipv6')`))
    // Fixed-width lower-case hex of the first and last address (8 digits for IPv4, 32 for IPv6): text compares
    // like the numbers do on both dialects, and IPv6 does not fit a bigint.
    .addColumn('first_key', keyType, (c) => c.notNull())
    .addColumn('last_key', keyType, (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('found', 'integer', (c) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('name', 'text')
    .addColumn('country', 'text')
    .addColumn('abuse_contacts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('source_url', 'text')
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rdap_cache_range_key').unique().on('rdap_cache').columns(['family', 'first_key', 'last_key']).execute();
  await db.schema.createIndex('rdap_cache_expires_idx').on('rdap_cache').column('expires_at').execute();
}
