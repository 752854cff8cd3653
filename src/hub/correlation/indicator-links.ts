/**
 * Links between the hub's records through shared indicators: the alerts and analyses an indicator is in, the
 * network indicators that contain an address, and the alerts that share indicators with an alert. Alerts are
 * filtered with the TLP policy for whoever is looking (the alert's audience, and each shared indicator's own TLP
 * over it), so a member sees only links between alerts it may read.
 */
import type { Kysely, Selectable } from 'kysely';
import { cidrOf, formatCidr } from '../../net/cidr.js';
import type { IpAddress } from '../../net/ip-address.js';
import type { AlertTable, Database } from '../../platform/db/schema.js';
import { rowAudience, visibleTo } from '../alerts/alerts.js';
import { toIndicator, type Indicator } from '../indicators/indicators.js';
import { canSee, type Tlp, type Viewer } from '../tlp.js';

export interface AlertLink {
  id: number;
  title: string;
  state: 'draft' | 'published' | 'retracted';
  severity: string;
  tlp: Tlp;
  publishedAt: string | null;
  /** The indicators (among those asked about) it shares, which the viewer may see in it. */
  indicatorIds: number[];
}

export interface AnalysisLink {
  id: number;
  version: number;
  title: string;
  status: 'draft' | 'published';
  tlp: Tlp;
  indicatorIds: number[];
}

const chunks = <T>(xs: readonly T[], n = 500): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/**
 * The alerts that carry any of these indicators and that the viewer may read, newest first; each with the ones it
 * carries that the viewer may see in it.
 */
export async function alertsOfIndicators(db: Kysely<Database>, viewer: Viewer, indicators: ReadonlyArray<Pick<Indicator, 'id' | 'tlp'>>): Promise<AlertLink[]> {
  if (indicators.length === 0) return [];
  const tlpOf = new Map(indicators.map((i) => [i.id, i.tlp]));
  const byAlert = new Map<number, { row: Selectable<AlertTable>; ids: number[] }>();
  for (const part of chunks([...tlpOf.keys()])) {
    const rows = await db.selectFrom('alert_indicators').innerJoin('alerts', 'alerts.id', 'alert_indicators.alert_id').selectAll('alerts').select('alert_indicators.indicator_id').where('alert_indicators.indicator_id', 'in', part).execute();
    for (const r of rows) {
      const id = Number(r.id);
      const entry = byAlert.get(id) ?? { row: r, ids: [] };
      byAlert.set(id, entry);
      entry.ids.push(Number(r.indicator_id));
    }
  }
  const out: AlertLink[] = [];
  for (const [id, { row, ids }] of byAlert) {
    if (!visibleTo(viewer, row)) continue;
    const audience = rowAudience(row);
    const visible = ids.filter((i) => canSee(viewer, { ...audience, tlp: tlpOf.get(i)! })).sort((a, b) => a - b);
    if (visible.length === 0) continue;
    out.push({ id, title: row.title, state: row.state, severity: row.severity, tlp: row.tlp, publishedAt: row.published_at, indicatorIds: visible });
  }
  return out.sort((a, b) => b.id - a.id);
}

/** The analyses (at their latest version) linked to any of these indicators, newest first. For staff. */
export async function analysesOfIndicators(db: Kysely<Database>, indicatorIds: readonly number[]): Promise<AnalysisLink[]> {
  const byAnalysis = new Map<number, AnalysisLink>();
  for (const part of chunks([...new Set(indicatorIds)])) {
    const rows = await db
      .selectFrom('analysis_indicators')
      .innerJoin('analysis_versions', 'analysis_versions.id', 'analysis_indicators.version_id')
      .innerJoin('analyses', 'analyses.id', 'analysis_versions.analysis_id')
      .select(['analyses.id', 'analysis_versions.version', 'analysis_versions.title', 'analysis_versions.status', 'analysis_versions.tlp', 'analysis_indicators.indicator_id'])
      .where('analysis_indicators.indicator_id', 'in', part)
      .whereRef('analysis_versions.version', '=', 'analyses.latest_version')
      .execute();
    for (const r of rows) {
      const id = Number(r.id);
      const a = byAnalysis.get(id) ?? { id, version: r.version, title: r.title, status: r.status, tlp: r.tlp, indicatorIds: [] };
      byAnalysis.set(id, a);
      a.indicatorIds.push(Number(r.indicator_id));
    }
  }
  return [...byAnalysis.values()].map((a) => ({ ...a, indicatorIds: a.indicatorIds.sort((x, y) => x - y) })).sort((a, b) => b.id - a.id);
}

/**
 * The network indicators that contain an address or a smaller network: each of its (at most 32 or 128) enclosing
 * prefixes is looked up by value, which the (type, value) index answers.
 */
export async function networksContaining(db: Kysely<Database>, ip: IpAddress, prefixLength?: number): Promise<Indicator[]> {
  const max = (ip.kind === 'ipv4' ? 32 : 128) - 1;
  const below = Math.min(prefixLength ?? max + 1, max + 1);
  const values: string[] = [];
  for (let len = 1; len < below; len++) values.push(formatCidr(cidrOf(ip, len)));
  if (values.length === 0) return [];
  const rows = [];
  for (const part of chunks(values, 200)) rows.push(...(await db.selectFrom('indicators').selectAll().where('type', '=', 'cidr').where('value', 'in', part).execute()));
  // Narrowest network first: the most specific match.
  return rows.map(toIndicator).sort((a, b) => Number(b.value.split('/')[1]) - Number(a.value.split('/')[1]));
}

/**
 * Other alerts that share indicators with this one, as the viewer may see them: `indicators` are the alert's
 * indicators the viewer may see (readAlert's), so nothing the viewer may not see links two alerts.
 */
export async function relatedAlerts(db: Kysely<Database>, viewer: Viewer, alertId: number, indicators: ReadonlyArray<Pick<Indicator, 'id' | 'tlp'>>): Promise<AlertLink[]> {
  return (await alertsOfIndicators(db, viewer, indicators)).filter((a) => a.id !== alertId);
}
