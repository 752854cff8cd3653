/**
 * Sightings in a member's own sector, for its dashboard: what other organisations of the sector observed. The same
 * rules as the re-broadcast: a member learns of a sighting only through an alert it may read, at the stricter of
 * the alert's and the indicator's TLP; it learns the sector and the count, the reporter's name only when the
 * reporter chose to share it, and never the reporter's note.
 */
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { rowAudience } from '../alerts/alerts.js';
import { canSee, stricterTlp, type Viewer } from '../tlp.js';
import { mayNameReporter } from './may-name-reporter.js';

export interface SectorSighting {
  id: number;
  indicator: { id: number; type: string; value: string };
  /** The first alert with this indicator the viewer may read, for the link. */
  alert: { id: number; title: string };
  sector: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  reportedAt: string;
  /** Null unless the reporter chose to share its name. */
  reporter: string | null;
}

/**
 * The latest sightings by other organisations of the viewer's sector that the viewer may know of, newest first.
 * @throws {BakenError} FORBIDDEN for anyone but a member.
 * @example const recent = await sectorSightings(ctx, { kind: 'member', organisationId: 7, userId: 12 }, { limit: 20 });
 */
export async function sectorSightings(ctx: Context, viewer: Viewer, query: { limit?: number } = {}): Promise<SectorSighting[]> {
  if (viewer.kind !== 'member') throw new BakenError('FORBIDDEN');
  const limit = Math.min(Math.max(query.limit ?? 20, 1), 200);
  const k = ctx.db.kysely;
  const own = await k.selectFrom('organisations').select('sector').where('id', '=', viewer.organisationId).executeTakeFirst();
  if (!own?.sector) return [];
  const sector = own.sector;
  // Read in pages and filter with the policy, as listAlerts does, so a sector with many unseen sightings still fills the list.
  const out: SectorSighting[] = [];
  let before: number | null = null;
  for (let pages = 0; pages < 20 && out.length < limit; pages++) {
    let q = k
      .selectFrom('sightings')
      .innerJoin('organisations', 'organisations.id', 'sightings.organisation_id')
      .innerJoin('indicators', 'indicators.id', 'sightings.indicator_id')
      .select(['sightings.id', 'sightings.count', 'sightings.first_seen', 'sightings.last_seen', 'sightings.reported_at', 'sightings.share_name', 'sightings.organisation_id', 'organisations.name', 'indicators.id as indicator_id', 'indicators.type', 'indicators.value', 'indicators.tlp'])
      .where('organisations.sector', '=', sector)
      .where('sightings.organisation_id', '!=', viewer.organisationId);
    if (before !== null) q = q.where('sightings.id', '<', before);
    const rows = await q.orderBy('sightings.id', 'desc').limit(200).execute();
    if (rows.length === 0) break;
    const indicatorIds = [...new Set(rows.map((r) => Number(r.indicator_id)))];
    const alerts = await k
      .selectFrom('alert_indicators')
      .innerJoin('alerts', 'alerts.id', 'alert_indicators.alert_id')
      .selectAll('alerts')
      .select('alert_indicators.indicator_id')
      .where('alert_indicators.indicator_id', 'in', indicatorIds)
      .where('alerts.state', '!=', 'draft')
      .orderBy('alerts.id')
      .execute();
    for (const r of rows) {
      if (out.length >= limit) break;
      const seen = alerts.find((a) => Number(a.indicator_id) === Number(r.indicator_id) && canSee(viewer, { ...rowAudience(a), tlp: stricterTlp(a.tlp, r.tlp) }));
      if (!seen) continue;
      out.push({
        id: Number(r.id),
        indicator: { id: Number(r.indicator_id), type: r.type, value: r.value },
        alert: { id: Number(seen.id), title: seen.title },
        sector,
        count: r.count,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        reportedAt: r.reported_at,
        reporter: mayNameReporter(viewer, Number(r.organisation_id), r.share_name === 1) ? r.name : null,
      });
    }
    if (rows.length < 200) break;
    before = Number(rows[rows.length - 1]!.id);
  }
  return out;
}
