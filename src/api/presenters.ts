/**
 * What leaves the system through the API, field by field. Never a raw row:
 * password hashes and key digests have no field here, so they cannot leak.
 */
import type { ApiKey } from '../accounts/api-keys.js';
import { apiKeyState } from '../accounts/api-keys.js';
import type { Organisation } from '../accounts/organisations.js';
import type { User } from '../accounts/users.js';
import type { Operator } from '../registry/operators.js';
import type { AuditRecord } from '../platform/audit.js';

export function presentOrganisation(o: Organisation) {
  return { id: o.id, name: o.name, kind: o.kind, sector: o.sector, language: o.language, notes: o.notes, created_at: o.createdAt, updated_at: o.updatedAt };
}

export function presentUser(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    organisation_id: u.organisationId,
    disabled: u.disabled,
    language: u.language,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    last_login_at: u.lastLoginAt,
  };
}

export function presentApiKey(k: ApiKey, now: Date) {
  return {
    id: k.id,
    organisation_id: k.organisationId,
    label: k.label,
    role: k.role,
    prefix: k.prefix,
    state: apiKeyState(k, now),
    created_at: k.createdAt,
    expires_at: k.expiresAt,
    revoked_at: k.revokedAt,
    last_used_at: k.lastUsedAt,
  };
}

export function presentAudit(a: AuditRecord) {
  return {
    id: a.id,
    at: a.at,
    actor: { type: a.actorType, user_id: a.actorUserId, api_key_id: a.actorApiKeyId, label: a.actorLabel, organisation_id: a.organisationId },
    action: a.action,
    target: a.targetType ? { type: a.targetType, id: a.targetId } : null,
    details: a.details,
    ip: a.ip,
    user_agent: a.userAgent,
    request_id: a.requestId,
  };
}

export function presentOperator(o: Operator) {
  return {
    id: o.organisation.id,
    name: o.organisation.name,
    language: o.organisation.language,
    notes: o.organisation.notes,
    asns: o.asns,
    prefixes: o.prefixes,
    abuse_contacts: o.contacts,
    created_at: o.organisation.createdAt,
    updated_at: o.organisation.updatedAt,
  };
}
