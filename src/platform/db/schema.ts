/**
 * The database as Kysely sees it. Both dialects share one schema: timestamps are
 * ISO-8601 UTC text (sortable, and identical on SQLite and PostgreSQL), booleans
 * are 0/1 integers, structured data is JSON text.
 */
import type { Generated } from 'kysely';

export interface OrganisationTable {
  id: Generated<number>;
  name: string;
  kind: 'coordinator' | 'member' | 'operator';
  sector: string | null;
  language: 'en' | 'nl';
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: Generated<number>;
  email: string;
  name: string | null;
  role: 'admin' | 'analyst' | 'handler' | 'member';
  organisation_id: number;
  password_hash: string | null;
  disabled: number;
  language: 'en' | 'nl' | null;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface ApiKeyTable {
  id: Generated<number>;
  organisation_id: number;
  label: string | null;
  role: 'admin' | 'analyst' | 'handler' | 'member' | 'metrics';
  /** The first characters of the key, kept so people can tell their keys apart. */
  prefix: string;
  /** SHA-256 of the whole key; keys are 192-bit random, so a fast hash is enough. */
  key_hash: string;
  created_by_user_id: number | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface SessionTable {
  /** SHA-256 of the cookie's token: a stolen database does not yield live sessions. */
  id: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_type: 'user' | 'api_key' | 'system' | 'anonymous';
  actor_user_id: number | null;
  actor_api_key_id: number | null;
  /** Who, as they were named at that moment (the user may be renamed or deleted later). */
  actor_label: string | null;
  organisation_id: number | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface Database {
  organisations: OrganisationTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  settings: SettingTable;
}
