/**
 * The hotline: reports as submitted, the cases they become, their timeline,
 * comments, evidence and handlers, and the affected hosts with how each was
 * resolved, plus the lines an upload could not use.
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';

  // One counter per prefix and year: `insert ... on conflict do update ... returning` takes the next number
  // atomically on both dialects (a row lock on PostgreSQL, the one writer on SQLite).
  await db.schema
    .createTable('case_sequences')
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_sequences_pk', ['prefix', 'year'])
    .execute();

  await withId(db.schema.createTable('cases'), dialect)
    .addColumn('case_id', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('product', 'text')
    .addColumn('versions', 'text')
    .addColumn('primary_case_id', ref, (c) => c.references('cases.id'))
    .addColumn('hosts_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hosts_in_scope', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hosts_no_contact', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('cases_state_idx').on('cases').columns(['state', 'id']).execute();

  await withId(db.schema.createTable('reports'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('cves', 'text', (c) => c.notNull())
    .addColumn('product', 'text')
    .addColumn('versions', 'text')
    .addColumn('how_found', 'text')
    .addColumn('reporter_name', 'text')
    .addColumn('reporter_email', 'text', (c) => c.notNull())
    .addColumn('may_credit', 'integer', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reports_case_idx').on('reports').column('case_id').execute();

  await db.schema
    .createTable('case_handlers')
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('user_id', ref, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_handlers_pk', ['case_id', 'user_id'])
    .execute();

  await withId(db.schema.createTable('case_events'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('public', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_events_case_idx').on('case_events').columns(['case_id', 'id']).execute();

  await withId(db.schema.createTable('case_comments'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('author', 'text')
    .addColumn('author_user_id', ref, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_comments_case_idx').on('case_comments').column('case_id').execute();

  await withId(db.schema.createTable('case_evidence'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('added_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_evidence_case_idx').on('case_evidence').column('case_id').execute();

  await withId(db.schema.createTable('case_uploads'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addColumn('hosts', 'integer', (c) => c.notNull())
    .addColumn('duplicates', 'integer', (c) => c.notNull())
    .addColumn('rejected', 'integer', (c) => c.notNull())
    .addColumn('flagged', 'integer', (c) => c.notNull())
    .addColumn('extra_columns', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // No foreign keys on the two bulk tables: a million checks per upload cost more than they protect, and rows
  // go with their case by explicit deletes.
  await withId(db.schema.createTable('case_hosts'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull())
    .addColumn('upload_id', ref, (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('port', 'integer')
    .addColumn('seen_at', 'text')
    .addColumn('extra', 'text')
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('warnings', 'text')
    .addColumn('asn', 'bigint')
    .addColumn('country', 'text')
    .addColumn('network', 'text')
    .addColumn('operator_id', ref)
    .addColumn('recipient', 'text')
    .addColumn('contact_source', 'text')
    .addColumn('out_of_scope', 'text')
    .execute();
  await db.schema.createIndex('case_hosts_recipient_idx').on('case_hosts').columns(['case_id', 'recipient']).execute();

  await withId(db.schema.createTable('case_rejected_lines'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull())
    .addColumn('upload_id', ref, (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('field', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_rejected_upload_idx').on('case_rejected_lines').columns(['case_id', 'upload_id']).execute();

}
