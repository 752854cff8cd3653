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

export interface OperatorAsnTable {
  organisation_id: number;
  asn: number;
}

export interface OperatorPrefixTable {
  organisation_id: number;
  /** Canonical CIDR text. */
  prefix: string;
}

export interface OperatorContactTable {
  organisation_id: number;
  email: string;
  /** Order in which the handler listed them; the first is the primary contact. */
  position: number;
}

/** What an RDAP registry said about one network, or that it had nothing for one address (`found` 0). */
export interface RdapCacheTable {
  id: Generated<number>;
  family: 'ipv4' | 'ipv6';
  /** First and last address as fixed-width lower-case hex (8 digits for IPv4, 32 for IPv6). */
  first_key: string;
  last_key: string;
  /** The range as shown to people: a CIDR prefix or `first-last`. */
  network: string;
  found: number;
  handle: string | null;
  name: string | null;
  country: string | null;
  /** JSON array of clean email addresses, most specific first. */
  abuse_contacts: string;
  /** The URL that answered, after redirects. */
  source_url: string | null;
  fetched_at: string;
  expires_at: string;
}

/** One import of the RIPE database; only one is `current` once its import has committed. */
export interface RpslSnapshotTable {
  id: Generated<number>;
  status: 'loading' | 'current';
  created_at: string;
  finished_at: string | null;
  /** The newest last-modified in the dump (else the newest file date), ISO-8601. */
  data_date: string | null;
  inetnums: number;
  inet6nums: number;
  roles: number;
  organisations: number;
  aut_nums: number;
  skipped: number;
  invalid_emails: number;
  /** JSON array of {name, size, compressed, modified}. */
  files: string;
}

/** An inetnum or inet6num of an RPSL snapshot. */
export interface RpslNetworkTable {
  id: Generated<number>;
  snapshot_id: number;
  family: 'ipv4' | 'ipv6';
  /** First and last address as fixed-width lower-case hex (8 digits for IPv4, 32 for IPv6). */
  first_key: string;
  last_key: string;
  netname: string | null;
  country: string | null;
  status: string | null;
  /** Organisation handle, upper case. */
  org: string | null;
  /** Role handle, upper case. */
  abuse_c: string | null;
  /** JSON array of maintainer names, upper case. */
  mnt_by: string;
  /** 1 when a RIPE NCC registration-services maintainer is among mnt-by. */
  ripe_maintained: number;
  last_modified: string | null;
}

/** A role with at least one abuse-mailbox. */
export interface RpslRoleTable {
  id: Generated<number>;
  snapshot_id: number;
  handle: string;
  name: string | null;
  /** JSON array of clean addresses. */
  abuse_mailboxes: string;
}

export interface RpslOrganisationTable {
  id: Generated<number>;
  snapshot_id: number;
  handle: string;
  name: string | null;
  abuse_c: string | null;
}

export interface RpslAutNumTable {
  id: Generated<number>;
  snapshot_id: number;
  asn: number;
  as_name: string | null;
  org: string | null;
  abuse_c: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  channel: 'email' | 'webhook';
  topic: string;
  idempotency_key: string;
  /** Where it goes, for rate limits and status pages: an email address or a webhook URL's origin. */
  destination: string;
  /** The stable Message-ID (email) or delivery id (webhook) the message carries on every attempt. */
  message_id: string;
  /** The rendered message as JSON: what is sent is fixed when it is queued. */
  payload: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  leased_until: string | null;
  last_error: string | null;
  /** What it belongs to (a notification round's recipient, an alert's member), for delivery status. */
  ref_type: string | null;
  ref_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface Database {
  organisations: OrganisationTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  settings: SettingTable;
  rpsl_snapshots: RpslSnapshotTable;
  rpsl_networks: RpslNetworkTable;
  rpsl_roles: RpslRoleTable;
  rpsl_organisations: RpslOrganisationTable;
  rpsl_aut_nums: RpslAutNumTable;
  rdap_cache: RdapCacheTable;
  operator_asns: OperatorAsnTable;
  operator_prefixes: OperatorPrefixTable;
  operator_contacts: OperatorContactTable;
  outbox: OutboxTable;
}
