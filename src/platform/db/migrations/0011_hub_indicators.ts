/**
 * The hub's threat information: indicators (one row per type and value), what
 * happened to each (history), and threat analyses with their versions and
 * linked indicators.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

const TYPES = sql`type in ('ipv4', 'ipv6', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email')`;
const tlpCheck = (column: string) => sql`${sql.ref(column)} in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')`;

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('indicators'), dialect)
    .addColumn('type', 'text', (c) => c.notNull().check(TYPES))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull().check(tlpCheck('tlp')))
    .addColumn('confidence', 'integer', (c) => c.notNull().check(sql`confidence between 0 and 100`))
    /** JSON array of strings. */
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('valid_from', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    // Enrichment of ipv4, ipv6 and cidr indicators, from the registry when written.
    .addColumn('asn', ref)
    .addColumn('as_name', 'text')
    .addColumn('country', 'text')
    .addColumn('operator_id', ref)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('indicators_type_value_key', ['type', 'value'])
    .execute();
  // No more indexes on indicators: the unique key serves lookups by value, lists page by id, and every index costs
  // on a bulk import of 100,000 (text search is a scan, which is fine at the hub's sizes).

  await withId(db.schema.createTable('indicator_events'), dialect)
    .addColumn('indicator_id', ref, (c) => c.notNull().references('indicators.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('created', 'updated', 'analysis', 'alert', 'sighting')`))
    .addColumn('actor', 'text')
    // What the event points at: an analysis, an alert, a sighting.
    .addColumn('ref_type', 'text')
    .addColumn('ref_id', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('indicator_events_indicator_idx').on('indicator_events').columns(['indicator_id', 'id']).execute();
  await db.schema.createIndex('indicator_events_ref_idx').on('indicator_events').columns(['ref_type', 'ref_id']).execute();

  await withId(db.schema.createTable('analyses'), dialect)
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('published_version', 'integer')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('analysis_versions'), dialect)
    .addColumn('analysis_id', ref, (c) => c.notNull().references('analyses.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'published')`))
    .addColumn('title', 'text', (c) => c.notNull())
    /** Markdown; rendered with renderMarkdown when shown. */
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull().check(tlpCheck('tlp')))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('low', 'medium', 'high', 'critical')`))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'text')
    .addUniqueConstraint('analysis_versions_key', ['analysis_id', 'version'])
    .execute();

  await db.schema
    .createTable('analysis_indicators')
    .addColumn('version_id', ref, (c) => c.notNull().references('analysis_versions.id').onDelete('cascade'))
    .addColumn('indicator_id', ref, (c) => c.notNull().references('indicators.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('analysis_indicators_pkey', ['version_id', 'indicator_id'])
    .execute();
  await db.schema.createIndex('analysis_indicators_indicator_idx').on('analysis_indicators').column('indicator_id').execute();
}
