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
  /** 0/1: a member user who administers its own organisation's member profile (0012_hub_members). */
  org_admin: Generated<number>;
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

/** The counter behind case ids: the last number given out per prefix and year. */
export interface CaseSequenceTable {
  prefix: string;
  year: number;
  last: number;
}

export interface CaseTable {
  id: Generated<number>;
  /** `<PREFIX>-YYYY-NNNNN`, what people and the API call the case. */
  case_id: string;
  state: 'received' | 'triage' | 'validated' | 'rejected' | 'duplicate' | 'notifying' | 'closed';
  title: string;
  description: string;
  /** ENISA/RSIT taxonomy, `class/type`. */
  classification: string;
  /** JSON array of CVE ids. */
  cves: string;
  product: string | null;
  versions: string | null;
  /** The case a duplicate was merged into. */
  primary_case_id: number | null;
  /** Counts, kept when host addresses are purged. */
  hosts_total: number;
  hosts_in_scope: number;
  hosts_no_contact: number;
  rejected_total: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** When the host addresses were purged after closing (the counts stay). */
  hosts_purged_at: string | null;
}

/** A report as the researcher submitted it; a case may have several once duplicates are merged. */
export interface ReportTable {
  id: Generated<number>;
  case_id: number;
  title: string;
  description: string;
  classification: string;
  cves: string;
  product: string | null;
  versions: string | null;
  how_found: string | null;
  reporter_name: string | null;
  reporter_email: string;
  may_credit: number;
  language: 'en' | 'nl';
  channel: 'form' | 'api';
  /** SHA-256 of the 256-bit status token in the reporter's link. */
  status_token_hash: string;
  submitted_at: string;
}

export interface CaseHandlerTable {
  case_id: number;
  user_id: number;
  assigned_at: string;
}

/** The case timeline; `public` entries are shown to the reporter on the status page. */
export interface CaseEventTable {
  id: Generated<number>;
  case_id: number;
  at: string;
  actor: string | null;
  kind: string;
  /** JSON object. */
  details: string | null;
  public: number;
}

export interface CaseCommentTable {
  id: Generated<number>;
  case_id: number;
  author: string | null;
  author_user_id: number | null;
  body: string;
  created_at: string;
}

export interface CaseEvidenceTable {
  id: Generated<number>;
  case_id: number;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  added_by: string | null;
  created_at: string;
}

export interface CaseUploadTable {
  id: Generated<number>;
  case_id: number;
  format: string;
  /** The file name or channel it came from. */
  source: string | null;
  lines: number;
  hosts: number;
  duplicates: number;
  rejected: number;
  flagged: number;
  /** JSON array of extra column names. */
  extra_columns: string;
  added_by: string | null;
  created_at: string;
}

/** One affected host of a case and how the registry resolved it. */
export interface CaseHostTable {
  id: Generated<number>;
  case_id: number;
  upload_id: number;
  ip: string;
  port: number | null;
  seen_at: string | null;
  /** JSON object of extra columns, or null. */
  extra: string | null;
  line: number;
  /** JSON array of warninglist names, or null. */
  warnings: string | null;
  asn: number | null;
  country: string | null;
  network: string | null;
  operator_id: number | null;
  /** The abuse contact that gets this host, or null when none is known (a handler assigns one). */
  recipient: string | null;
  contact_source: string | null;
  /** Null when the host is in scope; else why not (e.g. `country DE`). */
  out_of_scope: string | null;
  /** The latest later upload (a re-scan) that listed this host again; null when none did. */
  seen_again_upload_id: number | null;
}

export interface CaseRejectedLineTable {
  id: Generated<number>;
  case_id: number;
  upload_id: number;
  line: number;
  field: string | null;
  reason: string;
  text: string;
}

export interface NotificationRoundTable {
  id: Generated<number>;
  case_id: number;
  number: number;
  kind: 'first' | 'followup';
  tlp: string;
  upload_id: number | null;
  recipients: number;
  hosts: number;
  started_by: string | null;
  started_at: string;
}

export interface RoundRecipientTable {
  id: Generated<number>;
  round_id: number;
  recipient: string;
  operator_id: number | null;
  language: 'en' | 'nl';
  hosts: number;
  token_hash: string;
  expires_at: string;
  outbox_id: number | null;
}

export interface RoundFeedbackTable {
  id: Generated<number>;
  round_recipient_id: number;
  kind: 'fixed' | 'not_ours' | 'false_positive';
  comment: string | null;
  created_at: string;
}

export interface CaseTemplateTable {
  case_id: number;
  language: 'en' | 'nl';
  subject: string;
  body: string;
  updated_at: string;
}

export interface CasePublicationTable {
  case_id: number;
  /** Markdown. */
  summary: string;
  /** Markdown. */
  recommendations: string;
  published_by: string | null;
  published_at: string;
  updated_at: string;
}

export interface IndicatorTable {
  id: Generated<number>;
  type: 'ipv4' | 'ipv6' | 'cidr' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256' | 'email';
  value: string;
  tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
  confidence: number;
  /** JSON array of strings. */
  labels: string;
  source: string | null;
  valid_from: string | null;
  valid_until: string | null;
  first_seen: string;
  last_seen: string;
  asn: number | null;
  as_name: string | null;
  country: string | null;
  operator_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface IndicatorEventTable {
  id: Generated<number>;
  indicator_id: number;
  at: string;
  kind: 'created' | 'updated' | 'analysis' | 'alert' | 'sighting';
  actor: string | null;
  ref_type: string | null;
  ref_id: string | null;
  /** JSON object. */
  details: string | null;
}

export interface AnalysisTable {
  id: Generated<number>;
  latest_version: number;
  published_version: number | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface AnalysisVersionTable {
  id: Generated<number>;
  analysis_id: number;
  version: number;
  status: 'draft' | 'published';
  title: string;
  /** Markdown. */
  body: string;
  tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
  severity: 'low' | 'medium' | 'high' | 'critical';
  created_by: string | null;
  created_at: string;
  updated_at: string;
  published_by: string | null;
  published_at: string | null;
}

export interface AnalysisIndicatorTable {
  version_id: number;
  indicator_id: number;
}

export interface MemberProfileTable {
  organisation_id: number;
  webhook_url: string | null;
  webhook_secret: string | null;
  webhook_set_at: string | null;
  webhook_rotated_at: string | null;
  /** JSON array of TLP levels. */
  tlp_levels: string;
  /** JSON array of sector codes, or null for all sectors. */
  sectors: string | null;
  delivery: 'immediate' | 'digest';
  updated_at: string;
}

export interface MemberContactTable {
  id: Generated<number>;
  organisation_id: number;
  email: string;
  language: 'en' | 'nl';
  created_at: string;
}

export interface AlertTable {
  id: Generated<number>;
  state: 'draft' | 'published' | 'retracted';
  version: number;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** Markdown. */
  summary: string;
  analysis_id: number | null;
  tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';
  audience_kind: 'all' | 'sectors' | 'organisations';
  /** JSON arrays. */
  audience_sectors: string;
  audience_organisations: string;
  named_users: string;
  /** JSON array of organisation ids, set when published. */
  resolved_organisations: string | null;
  created_by: string | null;
  created_by_user: number | null;
  created_at: string;
  updated_at: string;
  published_by: string | null;
  published_at: string | null;
  retracted_by: string | null;
  retracted_at: string | null;
  retract_reason: string | null;
}

export interface AlertVersionTable {
  id: Generated<number>;
  alert_id: number;
  version: number;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  summary: string;
  /** JSON array of indicator ids. */
  indicator_ids: string;
  note: string | null;
  published_by: string | null;
  published_at: string;
}

export interface AlertIndicatorTable {
  alert_id: number;
  indicator_id: number;
}

export interface AlertRecipientTable {
  alert_id: number;
  organisation_id: number;
  added_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

export interface SightingObservationTable {
  id: Generated<number>;
  type: string | null;
  value: string;
  state: 'open' | 'dismissed' | 'promoted';
  indicator_id: number | null;
  first_reported_at: string;
  last_reported_at: string;
  /** Who promoted or dismissed it, and when; null while open. */
  resolved_by: string | null;
  resolved_at: string | null;
  /** Why it was dismissed. */
  reason: string | null;
}

export interface SightingTable {
  id: Generated<number>;
  organisation_id: number;
  indicator_id: number | null;
  observation_id: number | null;
  alert_id: number | null;
  count: number;
  first_seen: string;
  last_seen: string;
  note: string | null;
  /** 1: other members may see the organisation's name. */
  share_name: number;
  reported_by: string | null;
  reported_by_user: number | null;
  reported_by_key: number | null;
  reported_at: string;
}

export interface SightingEmailStateTable {
  alert_id: number;
  organisation_id: number;
  last_email_at: string | null;
  /** Set by the first sighting that waits for the interval; cleared by the email that tells of it. */
  pending_since: string | null;
  /** No longer written (0022): the summary counts the sightings after last_email_sighting_id. */
  pending_count: number;
  /** The newest sighting the last email told of (0022). */
  last_email_sighting_id: number | null;
}

/** A re-broadcast sighting waiting for the rest of its alert's audience to be told (0023); deleted by the flusher. */
export interface SightingRebroadcastQueueTable {
  id: Generated<number>;
  sighting_id: number;
  alert_id: number;
  reporter_organisation_id: number;
  tlp: string;
  /** JSON: the SightingNotice, as the rest of the audience learns of it. */
  notice: string;
  queued_at: string;
}

export interface MemberDigestTable {
  id: Generated<number>;
  organisation_id: number;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  items: number;
  emails: number;
  created_at: string;
}

export interface MemberDigestItemTable {
  id: Generated<number>;
  organisation_id: number;
  kind: 'alert.published' | 'alert.updated' | 'alert.retracted' | 'sighting';
  alert_id: number;
  version: number;
  note: string | null;
  sighting_id: number | null;
  created_at: string;
  /** Null until a digest took it. */
  digest_id: number | null;
}

export interface FeedStateTable {
  feed: string;
  /** A member organisation's id; 0 for the all-members view. */
  owner: number;
  version: string;
  changed_at: string;
  serial: number;
  basis: string;
  valid_through: string | null;
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
  case_sequences: CaseSequenceTable;
  cases: CaseTable;
  reports: ReportTable;
  case_handlers: CaseHandlerTable;
  case_events: CaseEventTable;
  case_comments: CaseCommentTable;
  case_evidence: CaseEvidenceTable;
  case_uploads: CaseUploadTable;
  case_hosts: CaseHostTable;
  case_rejected_lines: CaseRejectedLineTable;
  outbox: OutboxTable;
  notification_rounds: NotificationRoundTable;
  round_recipients: RoundRecipientTable;
  round_feedback: RoundFeedbackTable;
  case_templates: CaseTemplateTable;
  case_publications: CasePublicationTable;
  indicators: IndicatorTable;
  indicator_events: IndicatorEventTable;
  analyses: AnalysisTable;
  analysis_versions: AnalysisVersionTable;
  analysis_indicators: AnalysisIndicatorTable;
  member_profiles: MemberProfileTable;
  member_contacts: MemberContactTable;
  alerts: AlertTable;
  alert_versions: AlertVersionTable;
  alert_indicators: AlertIndicatorTable;
  alert_recipients: AlertRecipientTable;
  sighting_observations: SightingObservationTable;
  sightings: SightingTable;
  sighting_email_state: SightingEmailStateTable;
  sighting_rebroadcast_queue: SightingRebroadcastQueueTable;
  member_digests: MemberDigestTable;
  member_digest_items: MemberDigestItemTable;
  feed_states: FeedStateTable;
  misp_feed_events: MispFeedEventTable;
  misp_sighting_imports: MispSightingImportTable;
  taxii_statuses: TaxiiStatusTable;
}

/** A MISP feed's event as last imported (0018_misp). */
export interface MispFeedEventTable {
  feed: string;
  event_uuid: string;
  event_timestamp: number;
  imported_at: string;
}

/** A MISP sighting imported once (0018_misp). */
export interface MispSightingImportTable {
  key: string;
  sighting_id: number | null;
  imported_at: string;
}

/** A TAXII status resource (0017_taxii). */
export interface TaxiiStatusTable {
  id: string;
  collection_id: string;
  organisation_id: number | null;
  requested_by: string | null;
  request_timestamp: string;
  status: 'complete' | 'pending';
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  /** JSON arrays of { id, version?, message? }. */
  successes: string;
  failures: string;
  pendings: string;
}
