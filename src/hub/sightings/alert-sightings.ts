/**
 * What the alert page shows about sightings of an alert's indicators: per indicator how many organisations reported it
 * (and how many reports) and in which sectors, all sectors together, and the latest reports. Counts are per indicator,
 * as in the stream's events, so the page's script can keep them exact (an anonymous report does not say whether its
 * organisation is new to the alert as a whole). The same facts, named by the same rule ({@link mayNameReporter}), as
 * the live stream's `sighting.rebroadcast` events that update the page afterwards (src/api/v1/stream.ts).
 */
import type { Viewer } from '../tlp.js';
import type { Context } from '../../platform/context.js';
import { mayNameReporter } from './may-name-reporter.js';

export interface AlertSightings {
  indicators: Array<{ id: number; organisations: number; sightings: number; sectors: string[] }>;
  /** The sectors they are in (codes), sorted. */
  sectors: string[];
  /** The latest reports, newest first. */
  recent: Array<{ id: number; indicatorId: number; sector: string | null; count: number; reportedAt: string; reporter: string | null }>;
}

/**
 * Sightings of the given indicators (those of the alert the viewer may see: pass `readAlert(...).indicators`). A
 * reporter is named only to staff, to its own organisation, and to everyone when it chose to share its name.
 */
export async function alertSightings(ctx: Context, viewer: Viewer, indicatorIds: readonly number[], recentLimit = 20): Promise<AlertSightings> {
  const empty: AlertSightings = { indicators: [], sectors: [], recent: [] };
  if (indicatorIds.length === 0) return empty;
  const ids = [...indicatorIds].slice(0, 5000);
  const base = () => ctx.db.kysely.selectFrom('sightings').innerJoin('organisations', 'organisations.id', 'sightings.organisation_id').where('sightings.indicator_id', 'in', ids);
  const groups = await base()
    .select(['sightings.indicator_id', 'sightings.organisation_id', 'organisations.sector'])
    .select((eb) => eb.fn.count<string | number>('sightings.id').as('n'))
    .groupBy(['sightings.indicator_id', 'sightings.organisation_id', 'organisations.sector'])
    .execute();
  const per = new Map<number, { organisations: number; sightings: number; sectors: Set<string> }>();
  const sectors = new Set<string>();
  for (const g of groups) {
    const id = Number(g.indicator_id);
    const p = per.get(id) ?? { organisations: 0, sightings: 0, sectors: new Set<string>() };
    p.organisations++;
    p.sightings += Number(g.n);
    if (g.sector) p.sectors.add(g.sector);
    per.set(id, p);
    if (g.sector) sectors.add(g.sector);
  }
  const recent = await base()
    .select(['sightings.id', 'sightings.indicator_id', 'sightings.organisation_id', 'sightings.count', 'sightings.reported_at', 'sightings.share_name', 'organisations.sector', 'organisations.name'])
    .orderBy('sightings.id', 'desc')
    .limit(recentLimit)
    .execute();
  return {
    indicators: ids.filter((id) => per.has(id)).map((id) => {
      const p = per.get(id)!;
      return { id, organisations: p.organisations, sightings: p.sightings, sectors: [...p.sectors].sort() };
    }),
    sectors: [...sectors].sort(),
    recent: recent.map((r) => ({
      id: Number(r.id),
      indicatorId: Number(r.indicator_id),
      sector: r.sector,
      count: r.count,
      reportedAt: r.reported_at,
      reporter: mayNameReporter(viewer, Number(r.organisation_id), r.share_name === 1) ? r.name : null,
    })),
  };
}
