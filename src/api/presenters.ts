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
import type { Case, CaseComment, EvidenceInfo } from '../hotline/cases/cases.js';
import type { CaseEvent } from '../hotline/cases/case-events.js';
import type { CaseHost, UploadInfo, UploadResult } from '../hotline/cases/case-hosts.js';
import type { RecipientGroup, UnassignedGroup } from '../hotline/cases/recipients.js';
import type { ReportStatus } from '../hotline/reports/reports.js';
import type { HostPreview } from '../hotline/intake/preview-hosts.js';

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

// ---- hotline

export function presentCase(c: Case) {
  return {
    case_id: c.caseId,
    state: c.state,
    title: c.title,
    description: c.description,
    classification: c.classification,
    cves: c.cves,
    product: c.product,
    versions: c.versions,
    primary_case_id: c.primaryCaseId,
    hosts: { total: c.hosts.total, in_scope: c.hosts.inScope, out_of_scope: c.hosts.outOfScope, no_contact: c.hosts.noContact },
    rejected_lines: c.rejectedLines,
    handlers: c.handlers.map((h) => ({ user_id: h.userId, email: h.email, name: h.name, assigned_at: h.assignedAt })),
    created_by: c.createdBy,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    closed_at: c.closedAt,
  };
}

export function presentCaseEvent(e: CaseEvent) {
  return { id: e.id, at: e.at, actor: e.actor, kind: e.kind, details: e.details, public: e.public };
}

export function presentComment(c: CaseComment) {
  return { id: c.id, author: c.author, body: c.body, created_at: c.createdAt };
}

export function presentEvidence(e: EvidenceInfo) {
  return { id: e.id, name: e.name, content_type: e.contentType, size: e.size, sha256: e.sha256, added_by: e.addedBy, created_at: e.createdAt };
}

export function presentHost(h: CaseHost) {
  return {
    id: h.id,
    ip: h.ip,
    port: h.port,
    timestamp: h.timestamp,
    extra: h.extra,
    line: h.line,
    warnings: h.warnings,
    asn: h.asn,
    country: h.country,
    network: h.network,
    operator_id: h.operatorId,
    recipient: h.recipient,
    contact_source: h.contactSource,
    out_of_scope: h.outOfScope,
  };
}

export function presentUpload(u: UploadInfo) {
  return { id: u.id, format: u.format, source: u.source, lines: u.lines, hosts: u.hosts, duplicates: u.duplicates, rejected: u.rejected, flagged: u.flagged, extra_columns: u.extraColumns, added_by: u.addedBy, created_at: u.createdAt };
}

export function presentHostPreview(p: HostPreview) {
  return {
    format: p.format,
    columns: p.columns,
    mapping: p.mapping ? { ip: p.mapping.ip, port: p.mapping.port ?? null, timestamp: p.mapping.timestamp ?? null, extra: p.mapping.extra ?? [] } : null,
    hosts: p.hosts.map((h) => ({ line: h.line, ip: h.ip, port: h.port, timestamp: h.timestamp, extra: h.extra, warnings: h.warnings })),
    rejected: p.rejected.map((r) => ({ line: r.line, field: r.field, reason: r.reason, text: r.text })),
    lines_read: p.linesRead,
    rejected_count: p.rejectedCount,
    duplicates: p.duplicates,
    complete: p.complete,
    error: p.error ? { code: p.error.code, message: p.error.message, line: p.error.line } : null,
  };
}

export function presentUploadResult(r: UploadResult) {
  return {
    case_id: r.caseId,
    upload_id: r.uploadId,
    format: r.summary.format,
    lines: r.summary.lines,
    hosts: r.stored,
    duplicates: r.summary.duplicates,
    already_in_case: r.alreadyInCase,
    flagged: r.summary.flagged,
    in_scope: r.inScope,
    out_of_scope: r.outOfScope,
    no_contact: r.noContact,
    recipients: r.recipients,
    rejected: r.summary.rejected,
    rejected_lines: r.rejected.map((l) => ({ line: l.line, field: l.field, reason: l.reason, text: l.text })),
  };
}

export function presentRecipient(g: RecipientGroup) {
  return { recipient: g.recipient, operator: g.operator, contact_source: g.contactSource, hosts: g.hosts };
}

export function presentUnassigned(g: UnassignedGroup) {
  return { asn: g.asn, operator: g.operator, network: g.network, country: g.country, hosts: g.hosts };
}

/** What a reporter sees of their report: never other people's data, never who handled it. */
export function presentReportStatus(s: ReportStatus) {
  return {
    case_id: s.caseId,
    state: s.state,
    title: s.title,
    classification: s.classification,
    submitted_at: s.submittedAt,
    hosts: s.hosts,
    rejected_lines: s.rejectedLines,
    events: s.events.map((e) => ({ at: e.at, kind: e.kind, details: e.details })),
  };
}

// ---- hub: indicators and analyses

export function presentIndicator(i: import('../hub/indicators/indicators.js').Indicator) {
  const enriched = i.type === 'ipv4' || i.type === 'ipv6' || i.type === 'cidr';
  return {
    id: i.id,
    type: i.type,
    value: i.value,
    tlp: i.tlp,
    confidence: i.confidence,
    labels: i.labels,
    source: i.source,
    valid_from: i.validFrom,
    valid_until: i.validUntil,
    first_seen: i.firstSeen,
    last_seen: i.lastSeen,
    enrichment: enriched ? { asn: i.asn, as_name: i.asName, country: i.country, operator_id: i.operatorId } : null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

export function presentIndicatorEvent(e: import('../hub/indicators/indicators.js').IndicatorEvent) {
  return { at: e.at, kind: e.kind, actor: e.actor, ref: e.refType && e.refId ? { type: e.refType, id: e.refId } : null, details: e.details };
}

export function presentAnalysisVersion(a: import('../hub/analyses/analyses.js').AnalysisVersion) {
  return {
    id: a.analysisId,
    version: a.version,
    status: a.status,
    title: a.title,
    body: a.body,
    body_html: a.bodyHtml,
    tlp: a.tlp,
    severity: a.severity,
    created_by: a.createdBy,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    published_by: a.publishedBy,
    published_at: a.publishedAt,
  };
}

export function presentAnalysis(a: import('../hub/analyses/analyses.js').Analysis) {
  return { ...presentAnalysisVersion(a), latest_version: a.latestVersion, published_version: a.publishedVersion, indicators: a.indicators.map(presentIndicator) };
}
