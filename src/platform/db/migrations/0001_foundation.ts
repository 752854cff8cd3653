/** Organisations, people, API keys, sessions, the audit log and settings. */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { refType, withId } from './columns.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const ref = refType(dialect);

  await withId(db.schema.createTable('organisations'), dialect)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('coordinator', 'member', 'operator')`))
    .addColumn('sector', 'text')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Names are compared case-insensitively: "KPN" and "kpn" are one organisation.
  await sql`create unique index organisations_name_key on organisations (lower(name))`.execute(db);

  await withId(db.schema.createTable('users'), dialect)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'analyst', 'handler', 'member')`))
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id'))
    .addColumn('password_hash', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('language', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .execute();
  await db.schema.createIndex('users_organisation_idx').on('users').column('organisation_id').execute();

  await withId(db.schema.createTable('api_keys'), dialect)
    .addColumn('organisation_id', ref, (c) => c.notNull().references('organisations.id'))
    .addColumn('label', 'text')
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'analyst', 'handler', 'member', 'metrics')`))
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by_user_id', ref, (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_organisation_idx').on('api_keys').column('organisation_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', ref, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  // No foreign keys here on purpose: the log outlives the users and keys it names.
  await withId(db.schema.createTable('audit_log'), dialect)
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', ref)
    .addColumn('actor_api_key_id', ref)
    .addColumn('actor_label', 'text')
    .addColumn('organisation_id', ref)
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('details', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  // Serves the login rate limit: failed logins per address (and per account, in target_id) in a window.
  await db.schema.createIndex('audit_log_action_ip_idx').on('audit_log').columns(['action', 'ip', 'at']).execute();
  await db.schema.createIndex('audit_log_action_target_idx').on('audit_log').columns(['action', 'target_id', 'at']).execute();

  // Append-only, enforced by the database itself rather than by good intentions.
  if (dialect === 'postgres') {
    await sql`create function baken_audit_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_append_only before update or delete on audit_log
      for each row execute function baken_audit_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
