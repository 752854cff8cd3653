/**
 * Notification rounds of hotline cases: who was told about which hosts, through
 * which outbox message, with a portal link each, and what they answered.
 * Templates a handler edited for a case are kept per language.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('notification_rounds'), dialect)
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('first', 'followup')`))
    .addColumn('tlp', 'text', (c) => c.notNull())
    // A follow-up notifies the hosts of one re-scan upload that were notified before.
    .addColumn('upload_id', ref)
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .addColumn('hosts', 'integer', (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('notification_rounds_number_key', ['case_id', 'number'])
    .execute();

  await withId(db.schema.createTable('round_recipients'), dialect)
    .addColumn('round_id', ref, (c) => c.notNull().references('notification_rounds.id').onDelete('cascade'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('operator_id', ref)
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('hosts', 'integer', (c) => c.notNull())
    // The portal link's token: 256 random bits, only its SHA-256 kept.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('outbox_id', ref)
    .execute();
  await db.schema.createIndex('round_recipients_round_idx').on('round_recipients').column('round_id').execute();

  await withId(db.schema.createTable('round_feedback'), dialect)
    .addColumn('round_recipient_id', ref, (c) => c.notNull().references('round_recipients.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('fixed', 'not_ours', 'false_positive')`))
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('case_templates')
    .addColumn('case_id', ref, (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_templates_pk', ['case_id', 'language'])
    .execute();
}
