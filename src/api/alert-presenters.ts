/** What leaves the system about alerts. Indicators are those the caller may see (the domain filtered them). */
import type { Alert, AlertDelivery, AlertForViewer, AlertListItem, AlertPreview } from '../hub/alerts/index.js';
import { presentIndicator } from './presenters.js';

export function presentAlert(a: Alert | AlertForViewer, options: { staff: boolean }) {
  return {
    id: a.id,
    state: a.state,
    version: a.version,
    title: a.title,
    severity: a.severity,
    tlp: a.tlp,
    summary: a.summary,
    summary_html: a.summaryHtml,
    analysis_id: a.analysisId,
    // Which organisations and people an alert went to is the coordinator's business, not other members'.
    audience: options.staff
      ? { kind: a.audience.kind, sectors: a.audience.sectors, organisation_ids: a.audience.organisationIds, named_user_ids: a.namedUserIds }
      : { kind: a.audience.kind, sectors: a.audience.sectors, organisation_ids: [], named_user_ids: [] },
    indicators: a.indicators.map(presentIndicator),
    published_at: a.publishedAt,
    updated_at: a.updatedAt,
    retracted_at: a.retractedAt,
    retract_reason: a.retractReason,
    created_by: options.staff ? a.createdBy : null,
    recipient: 'recipient' in a && a.recipient ? { acknowledged_at: a.recipient.acknowledgedAt, acknowledged_by: a.recipient.acknowledgedBy } : null,
  };
}

export function presentAlertListItem(i: AlertListItem) {
  return {
    id: i.id,
    state: i.state,
    version: i.version,
    title: i.title,
    severity: i.severity,
    tlp: i.tlp,
    audience_kind: i.audienceKind,
    published_at: i.publishedAt,
    updated_at: i.updatedAt,
    recipient: i.recipient ? { acknowledged_at: i.recipient.acknowledgedAt } : null,
  };
}

export function presentAlertPreview(p: AlertPreview) {
  return {
    tlp: p.tlp,
    recipients: p.recipients.map((r) => ({
      organisation_id: r.organisationId,
      name: r.name,
      sector: r.sector,
      addressed: r.addressed,
      contacts: r.contacts.map((c) => ({ email: c.email, language: c.language })),
      webhook_url: r.webhookUrl,
      delivery: r.delivery,
      indicators: r.indicators,
    })),
    excluded: p.excluded.map((e) => ({ organisation_id: e.organisationId, name: e.name, reason: e.reason })),
    people: p.people.map((x) => ({ user_id: x.userId, email: x.email, name: x.name, organisation_id: x.organisationId, language: x.language, indicators: x.indicators })),
    totals: p.totals,
    flagged: p.flagged.map((f) => ({ indicator_id: f.indicatorId, type: f.type, value: f.value, lists: f.lists })),
  };
}

export function presentAlertDelivery(d: AlertDelivery) {
  return {
    organisation_id: d.organisationId,
    name: d.name,
    acknowledged_at: d.acknowledgedAt,
    acknowledged_by: d.acknowledgedBy,
    messages: d.messages.map((m) => ({ channel: m.channel, destination: m.destination, status: m.status, attempts: m.attempts, last_error: m.lastError, sent_at: m.sentAt })),
  };
}
