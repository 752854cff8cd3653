/**
 * The operator directory: network operators (organisations of kind `operator`)
 * with the ASNs and prefixes they run and the abuse contacts a handler entered.
 * An ASN or a prefix belongs to one operator at a time.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await db.schema
    .createTable('operator_asns')
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('asn', 'bigint', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('operator_asns_org_idx').on('operator_asns').column('organisation_id').execute();

  await db.schema
    .createTable('operator_prefixes')
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('operator_prefixes_org_idx').on('operator_prefixes').column('organisation_id').execute();

  await db.schema
    .createTable('operator_contacts')
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('operator_contacts_pk', ['organisation_id', 'email'])
    .execute();
}
