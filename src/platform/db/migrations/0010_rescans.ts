/**
 * A re-scan uploaded to a case lists hosts the case holds already. They are not
 * stored twice; instead each such host remembers the latest upload that saw it
 * again, which is what a follow-up round notifies ("still affected").
 */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema.alterTable('case_hosts').addColumn('seen_again_upload_id', refType(dialect)).execute();
  await db.schema.createIndex('case_hosts_seen_again_idx').on('case_hosts').columns(['case_id', 'seen_again_upload_id']).execute();
}
