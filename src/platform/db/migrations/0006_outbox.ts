/**
 * The outbox: every outgoing message (email, webhook call) is a row written in
 * the same transaction as the change that caused it, then delivered by a worker.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await withId(db.schema.createTable('outbox'), dialect)
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook')`))
    .addColumn('topic', 'text', (c) => c.notNull())
    // Enqueueing the same message twice (a retried request, a resumed round) is a no-op.
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('leased_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('ref_type', 'text')
    .addColumn('ref_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_ref_idx').on('outbox').columns(['ref_type', 'ref_id']).execute();
}
