/** Published case pages: the text a handler wrote for the public, never addresses. */
import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('case_publications')
    .addColumn('case_id', refType(dialect), (c) => c.primaryKey().references('cases.id').onDelete('cascade'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('recommendations', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_publications_published_idx').on('case_publications').column('published_at').execute();
}
