/**
 * Member organisations of the detection network: their alert contacts, webhook and preferences, and which
 * of their users administer them (`users.org_admin`, set by the coordinator's admin).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  // A flag rather than a role: a member admin is a member user in every other respect (what it may read, TLP),
  // and only gains the management of its own organisation's profile.
  await db.schema.alterTable('users').addColumn('org_admin', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('member_profiles')
    .addColumn('organisation_id', refType(dialect), (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('webhook_url', 'text')
    // Kept as is: Baken must sign with it. Shown once when generated; only its first characters afterwards.
    .addColumn('webhook_secret', 'text')
    .addColumn('webhook_set_at', 'text')
    .addColumn('webhook_rotated_at', 'text')
    // JSON array of TLP levels wanted; JSON array of sector codes, or null for every sector.
    .addColumn('tlp_levels', 'text', (c) => c.notNull())
    .addColumn('sectors', 'text')
    .addColumn('delivery', 'text', (c) => c.notNull().check(sql`delivery in ('immediate', 'digest')`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('member_contacts'), dialect)
    .addColumn('organisation_id', refType(dialect), (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('en', 'nl')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('member_contacts_org_email', ['organisation_id', 'email'])
    .execute();
}
