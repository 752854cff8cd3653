/**
 * The analysts' overview of sightings across sectors over a period: how many sightings (and organisations) per
 * sector, the most-sighted indicators, the newest sightings (named: this is for coordinator staff only), and how
 * many observations wait for triage. A sighting belongs to the period in which it was reported to the hub
 * (`reported_at`), the time the hub can vouch for; members' own first/last seen times are shown beside it.
 */
import { sql } from 'kysely';
import type { Context } from '../../platform/context.js';
import { BakenError, invalid } from '../../platform/errors.js';
import type { Tlp, Viewer } from '../tlp.js';
import { countOpenObservations } from './observations.js';
import { listSightings, type Sighting } from './sightings.js';

export interface Period {
  /** Inclusive, ISO 8601. */
  since: string;
  /** Exclusive, ISO 8601. */
  until: string;
}

export interface SectorCount {
  /** Null for member organisations without a sector. */
  sector: string | null;
  sightings: number;
  /** The sum of the sightings' counts (times observed). */
  count: number;
  organisations: number;
}

export interface IndicatorCount {
  indicatorId: number;
  type: string;
  value: string;
  tlp: Tlp;
  sightings: number;
  count: number;
  organisations: number;
  sectors: number;
  lastReportedAt: string;
}

export interface SightingOverview {
  period: Period;
  totals: { sightings: number; count: number; organisations: number; indicators: number; observations: number };
  bySector: SectorCount[];
  topIndicators: IndicatorCount[];
  newest: Sighting[];
  openObservations: number;
}

const DAY = 86_400_000;
/** A year and a bit: longer periods are the monthly monitor's job, and a bound keeps the query cheap. */
const MAX_DAYS = 400;

function parseWhen(field: string, s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw invalid(field, `"${s}" is not a date or date and time (ISO 8601)`);
  return new Date(t).toISOString();
}

/**
 * The period asked for: `since`/`until` (dates or times), or the last `days` days up to now; by default 30 days.
 * @throws {BakenError} VALIDATION naming the field.
 */
export function periodOf(now: Date, q: { since?: string | null; until?: string | null; days?: number | string | null }): Period {
  let days = 30;
  if (q.days !== undefined && q.days !== null && q.days !== '') {
    days = Number(q.days);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw invalid('days', `a whole number from 1 to ${MAX_DAYS}`);
  }
  // Up to and including now: what was reported this very moment belongs to the period.
  const until = q.until ? parseWhen('until', q.until) : new Date(now.getTime() + 1).toISOString();
  const since = q.since ? parseWhen('since', q.since) : new Date(Date.parse(until) - days * DAY).toISOString();
  if (since >= until) throw invalid('since', 'must be before until');
  if (Date.parse(until) - Date.parse(since) > MAX_DAYS * DAY) throw invalid('since', `a period of at most ${MAX_DAYS} days`);
  return { since, until };
}

/**
 * The overview for a period. Coordinator staff only: it names organisations.
 * @throws {BakenError} FORBIDDEN for anyone else.
 * @example const o = await sightingOverview(ctx, viewer, periodOf(new Date(), { days: 7 }));
 */
export async function sightingOverview(ctx: Context, viewer: Viewer, period: Period, options: { top?: number; newest?: number } = {}): Promise<SightingOverview> {
  if (viewer.kind !== 'staff') throw new BakenError('FORBIDDEN', { detail: 'The overview of sightings is for coordinator staff.' });
  const db = ctx.db.kysely;
  const inPeriod = db.selectFrom('sightings').where('sightings.reported_at', '>=', period.since).where('sightings.reported_at', '<', period.until);
  const totals = await inPeriod
    .select((eb) => [
      eb.fn.countAll<string | number>().as('sightings'),
      eb.fn.coalesce(eb.fn.sum<string | number>('sightings.count'), eb.val(0)).as('count'),
      eb.fn.count<string | number>('sightings.organisation_id').distinct().as('organisations'),
      eb.fn.count<string | number>('sightings.indicator_id').distinct().as('indicators'),
      eb.fn.count<string | number>('sightings.observation_id').distinct().as('observations'),
    ])
    .executeTakeFirstOrThrow();
  const bySector = await inPeriod
    .innerJoin('organisations', 'organisations.id', 'sightings.organisation_id')
    .select((eb) => [
      'organisations.sector',
      eb.fn.countAll<string | number>().as('sightings'),
      eb.fn.sum<string | number>('sightings.count').as('count'),
      eb.fn.count<string | number>('sightings.organisation_id').distinct().as('organisations'),
    ])
    .groupBy('organisations.sector')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('organisations.sector')
    .execute();
  const top = await inPeriod
    .innerJoin('indicators', 'indicators.id', 'sightings.indicator_id')
    .innerJoin('organisations', 'organisations.id', 'sightings.organisation_id')
    .select((eb) => [
      'indicators.id',
      'indicators.type',
      'indicators.value',
      'indicators.tlp',
      eb.fn.countAll<string | number>().as('sightings'),
      eb.fn.sum<string | number>('sightings.count').as('count'),
      eb.fn.count<string | number>('sightings.organisation_id').distinct().as('organisations'),
      eb.fn.count<string | number>('organisations.sector').distinct().as('sectors'),
      eb.fn.max('sightings.reported_at').as('last'),
    ])
    .groupBy(['indicators.id', 'indicators.type', 'indicators.value', 'indicators.tlp'])
    // Most organisations first: ten members seeing it once says more than one member seeing it ten times.
    .orderBy(sql`count(distinct sightings.organisation_id)`, 'desc')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('indicators.id', 'desc')
    .limit(Math.min(Math.max(options.top ?? 20, 1), 200))
    .execute();
  const newest = await listSightings(ctx, viewer, { limit: Math.min(Math.max(options.newest ?? 20, 1), 200) });
  return {
    period,
    totals: {
      sightings: Number(totals.sightings),
      count: Number(totals.count),
      organisations: Number(totals.organisations),
      indicators: Number(totals.indicators),
      observations: Number(totals.observations),
    },
    bySector: bySector.map((r) => ({ sector: r.sector, sightings: Number(r.sightings), count: Number(r.count ?? 0), organisations: Number(r.organisations) })),
    topIndicators: top.map((r) => ({
      indicatorId: Number(r.id),
      type: r.type,
      value: r.value,
      tlp: r.tlp,
      sightings: Number(r.sightings),
      count: Number(r.count ?? 0),
      organisations: Number(r.organisations),
      sectors: Number(r.sectors),
      lastReportedAt: String(r.last),
    })),
    newest,
    openObservations: await countOpenObservations(db),
  };
}

export interface DayCount {
  /** YYYY-MM-DD (UTC). */
  day: string;
  sightings: number;
  count: number;
  organisations: number;
}

/**
 * An indicator's sightings per day (UTC, by when they were reported), every day of the period, empty days as 0,
 * for the chart on the indicator page.
 */
export async function sightingsPerDay(ctx: Context, indicatorId: number, period: Period): Promise<DayCount[]> {
  const day = sql<string>`substr(sightings.reported_at, 1, 10)`;
  const rows = await ctx.db.kysely
    .selectFrom('sightings')
    .select((eb) => [day.as('day'), eb.fn.countAll<string | number>().as('sightings'), eb.fn.sum<string | number>('sightings.count').as('count'), eb.fn.count<string | number>('sightings.organisation_id').distinct().as('organisations')])
    .where('sightings.indicator_id', '=', indicatorId)
    .where('sightings.reported_at', '>=', period.since)
    .where('sightings.reported_at', '<', period.until)
    .groupBy(day)
    .execute();
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: DayCount[] = [];
  for (let t = Date.parse(period.since.slice(0, 10)); t < Date.parse(period.until); t += DAY) {
    const d = new Date(t).toISOString().slice(0, 10);
    const r = byDay.get(d);
    out.push({ day: d, sightings: r ? Number(r.sightings) : 0, count: r ? Number(r.count ?? 0) : 0, organisations: r ? Number(r.organisations) : 0 });
  }
  return out;
}
