/** When a closed case's host addresses were purged; the case keeps its counts. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('hosts_purged_at', 'text').execute();
}
