/**
 * The append-only audit log of security-relevant actions: who, what, when, from
 * where. Written in the same transaction as the change it records, so a change
 * and its record land together or not at all. The table refuses UPDATE and DELETE.
 */
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Caller } from './context.js';
import type { Database } from './db/schema.js';
import type { Db } from './db/database.js';

/** The actions Baken records. Later modules add theirs here. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.key_rejected',
  'organisation.create',
  'organisation.update',
  'user.create',
  'user.update',
  'user.role_change',
  'user.password_change',
  'user.disable',
  'user.enable',
  'apikey.create',
  'apikey.revoke',
  'system.bootstrap',
  'registry.import_rpsl',
  'operator.update',
  'operator.import',
  'report.submit',
  'case.create',
  'case.update',
  'case.state',
  'case.notify',
  'case.publish',
  'case.unpublish',
  'retention.purge',
  'portal.view',
  'portal.download',
  'portal.feedback',
  'case.assign',
  'case.comment',
  'case.evidence_add',
  'case.evidence_download',
  'case.merge',
  'case.hosts_upload',
  'case.hosts_view',
  'case.hosts_download',
  'case.contact_assign',
  'indicator.create',
  'indicator.update',
  'indicator.import',
  'analysis.create',
  'analysis.update',
  'analysis.publish',
  'member.contact_add',
  'member.contact_remove',
  'member.webhook_set',
  'member.webhook_rotate',
  'member.webhook_clear',
  'member.webhook_test',
  'member.contact_language',
  'member.preferences',
  'member.admin_grant',
  'member.admin_revoke',
  'alert.create',
  'alert.update',
  'alert.publish',
  'alert.retract',
  'alert.acknowledge',
  'sighting.report',
  'observation.promote',
  'observation.dismiss',
  'misp.import',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  action: AuditAction;
  target?: { type: string; id: string | number };
  details?: Record<string, unknown>;
}

export async function audit(db: Kysely<Database>, clock: Clock, by: Caller, entry: AuditEntry): Promise<void> {
  const a = by.actor;
  await db
    .insertInto('audit_log')
    .values({
      at: clock.now().toISOString(),
      actor_type: a.kind,
      actor_user_id: a.kind === 'user' ? a.userId : null,
      actor_api_key_id: a.kind === 'api_key' ? a.apiKeyId : null,
      actor_label: a.kind === 'anonymous' ? null : a.label,
      organisation_id: a.kind === 'user' || a.kind === 'api_key' ? a.organisationId : null,
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target ? String(entry.target.id) : null,
      details: entry.details ? JSON.stringify(entry.details) : null,
      ip: by.meta.ip,
      user_agent: by.meta.userAgent?.slice(0, 512) ?? null,
      request_id: by.meta.requestId,
    })
    .execute();
}

export interface AuditQuery {
  action?: string;
  actorUserId?: number;
  targetType?: string;
  targetId?: string;
  /** Only entries with an id below this one: the page after a previous page. */
  beforeId?: number;
  limit?: number;
}

export interface AuditRecord {
  id: number;
  at: string;
  actorType: string;
  actorUserId: number | null;
  actorApiKeyId: number | null;
  actorLabel: string | null;
  organisationId: number | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** Newest first, paged by id. */
export async function listAudit(db: Db, q: AuditQuery = {}): Promise<AuditRecord[]> {
  let query = db.kysely.selectFrom('audit_log').selectAll();
  if (q.action) query = q.action.endsWith('.') ? query.where('action', 'like', `${q.action}%`) : query.where('action', '=', q.action);
  if (q.actorUserId !== undefined) query = query.where('actor_user_id', '=', q.actorUserId);
  if (q.targetType) query = query.where('target_type', '=', q.targetType);
  if (q.targetId) query = query.where('target_id', '=', q.targetId);
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(Math.min(Math.max(q.limit ?? 100, 1), 1000)).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorType: r.actor_type,
    actorUserId: r.actor_user_id,
    actorApiKeyId: r.actor_api_key_id,
    actorLabel: r.actor_label,
    organisationId: r.organisation_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
  }));
}
