/** What leaves the system about correlation, observations and the sightings overview (all for coordinator staff). */
import type { CaseLink } from '../hub/correlation/case-links.js';
import type { Correlation } from '../hub/correlation/correlate-value.js';
import type { AlertLink, AnalysisLink } from '../hub/correlation/indicator-links.js';
import type { DayCount, Observation, SightingOverview } from '../hub/sightings/index.js';
import { presentIndicator } from './presenters.js';
import { presentSighting } from './sighting-presenters.js';

export function presentObservation(o: Observation) {
  return {
    id: o.id,
    type: o.type,
    value: o.value,
    state: o.state,
    indicator_id: o.indicatorId,
    sightings: o.sightings,
    organisations: o.organisations,
    count: o.count,
    first_reported_at: o.firstReportedAt,
    last_reported_at: o.lastReportedAt,
    resolved_by: o.resolvedBy,
    resolved_at: o.resolvedAt,
    reason: o.reason,
  };
}

export function presentAlertLink(a: AlertLink) {
  return { id: a.id, title: a.title, state: a.state, severity: a.severity, tlp: a.tlp, published_at: a.publishedAt, indicator_ids: a.indicatorIds };
}

export function presentAnalysisLink(a: AnalysisLink) {
  return { id: a.id, version: a.version, title: a.title, status: a.status, tlp: a.tlp, indicator_ids: a.indicatorIds };
}

export function presentCaseLink(c: CaseLink) {
  return { case_id: c.caseId, title: c.title, state: c.state, created_at: c.createdAt, closed_at: c.closedAt, hosts: c.hosts, ports: c.ports, first_seen_at: c.firstSeenAt };
}

export function presentCorrelation(c: Correlation) {
  return {
    input: c.input,
    type: c.type,
    value: c.value,
    indicators: c.indicators.map((m) => ({ ...presentIndicator(m.indicator), match: m.match, sightings: m.sightings, organisations: m.organisations })),
    alerts: c.alerts.map(presentAlertLink),
    analyses: c.analyses.map(presentAnalysisLink),
    sightings: c.sightings.map(presentSighting),
    observations: c.observations.map(presentObservation),
    cases: c.cases.map(presentCaseLink),
    cases_truncated: c.casesTruncated,
    enrichment: c.enrichment
      ? { network: c.enrichment.network, asn: c.enrichment.asn, as_name: c.enrichment.asName, country: c.enrichment.country, operator_id: c.enrichment.operatorId, operator_name: c.enrichment.operatorName }
      : null,
  };
}

export function presentOverview(o: SightingOverview) {
  return {
    since: o.period.since,
    until: o.period.until,
    totals: o.totals,
    by_sector: o.bySector,
    top_indicators: o.topIndicators.map((i) => ({ indicator_id: i.indicatorId, type: i.type, value: i.value, tlp: i.tlp, sightings: i.sightings, count: i.count, organisations: i.organisations, sectors: i.sectors, last_reported_at: i.lastReportedAt })),
    newest: o.newest.map(presentSighting),
    open_observations: o.openObservations,
  };
}

export function presentDayCount(d: DayCount) {
  return { day: d.day, sightings: d.sightings, count: d.count, organisations: d.organisations };
}
