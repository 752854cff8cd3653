/**
 * Alerts of the detection network: what the coordinator sends its members (title, severity, summary, TLP,
 * audience), its published versions, its indicators, and per recipient organisation whether it acknowledged.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

const TLP = sql`tlp in ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')`;
const SEVERITY = sql`severity in ('low', 'medium', 'high', 'critical')`;

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);
  await withId(db.schema.createTable('alerts'), dialect)
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('draft', 'published', 'retracted')`))
    // 0 while a draft; 1 when published, one more with every update.
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(SEVERITY))
    /** Markdown. */
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('analysis_id', ref, (c) => c.references('analyses.id').onDelete('set null'))
    .addColumn('tlp', 'text', (c) => c.notNull().check(TLP))
    .addColumn('audience_kind', 'text', (c) => c.notNull().check(sql`audience_kind in ('all', 'sectors', 'organisations')`))
    // JSON arrays: sector codes; named organisations; named people (RED).
    .addColumn('audience_sectors', 'text', (c) => c.notNull())
    .addColumn('audience_organisations', 'text', (c) => c.notNull())
    .addColumn('named_users', 'text', (c) => c.notNull())
    // JSON array: the organisations the audience resolved to when it was published (fail closed: never "everyone").
    .addColumn('resolved_organisations', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_by_user', ref)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'text')
    .addColumn('retracted_by', 'text')
    .addColumn('retracted_at', 'text')
    .addColumn('retract_reason', 'text')
    .execute();
  await db.schema.createIndex('alerts_state_idx').on('alerts').columns(['state', 'id']).execute();

  await withId(db.schema.createTable('alert_versions'), dialect)
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(SEVERITY))
    .addColumn('summary', 'text', (c) => c.notNull())
    /** JSON array of indicator ids. */
    .addColumn('indicator_ids', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('alert_versions_key', ['alert_id', 'version'])
    .execute();

  await db.schema
    .createTable('alert_indicators')
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('indicator_id', ref, (c) => c.notNull().references('indicators.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('alert_indicators_pk', ['alert_id', 'indicator_id'])
    .execute();

  await db.schema
    .createTable('alert_recipients')
    .addColumn('alert_id', ref, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledged_by', 'text')
    .addPrimaryKeyConstraint('alert_recipients_pk', ['alert_id', 'organisation_id'])
    .execute();
  await db.schema.createIndex('alert_recipients_org_idx').on('alert_recipients').columns(['organisation_id', 'alert_id']).execute();
}
