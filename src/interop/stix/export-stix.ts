/**
 * What a caller may take out of the hub as STIX: the indicators it may see in bulk, as a bundle with the hub's
 * identity and the TLP markings used. The TLP policy decides (src/hub/tlp.ts): RED never goes into a bulk
 * export; coordinator staff get every other indicator; a member organisation gets CLEAR and GREEN ones and the
 * AMBER and AMBER+STRICT ones of published alerts addressed to it (at the stricter TLP of alert and indicator,
 * as its own feed: mayGoInBulkFeed with the organisation as owner); anyone else CLEAR only.
 */
import type { Kysely } from 'kysely';
import { getCoordinator } from '../../accounts/organisations.js';
import { audienceOf } from '../../hub/alerts/alerts.js';
import { toIndicator, type Indicator } from '../../hub/indicators/indicators.js';
import { canSee, mayGoInBulkFeed, stricterTlp, type Tlp, type Viewer } from '../../hub/tlp.js';
import type { Context } from '../../platform/context.js';
import type { Database } from '../../platform/db/schema.js';
import { BakenError } from '../../platform/errors.js';
import type { Sector } from '../../accounts/sectors.js';
import { indicatorOfStixId } from './stix-indicator-index.js';
import type { StixBundle, StixIdentity } from './stix-types.js';
import { bundle, hubIdentityToStix, indicatorToStix, type StixOptions } from './to-stix.js';

/** The hub's identity and the options every mapping of this hub takes. */
export async function stixOptionsOf(ctx: Context): Promise<{ hub: StixIdentity; options: StixOptions }> {
  const scope = ctx.config.publicUrl.replace(/\/+$/, '');
  const hub = hubIdentityToStix(await getCoordinator(ctx), { scope });
  return { hub, options: { createdByRef: hub.id, scope } };
}

const json = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));

/** The AMBER and AMBER+STRICT indicators a member organisation may take in bulk, through the alerts addressed to it. */
async function amberIndicatorsOf(db: Kysely<Database>, organisationId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('alert_indicators')
    .innerJoin('alerts', 'alerts.id', 'alert_indicators.alert_id')
    .innerJoin('indicators', 'indicators.id', 'alert_indicators.indicator_id')
    .select(['alerts.id as alert_id', 'alerts.tlp as alert_tlp', 'alerts.audience_kind', 'alerts.audience_sectors', 'alerts.audience_organisations', 'alerts.named_users', 'alerts.resolved_organisations', 'indicators.id as indicator_id', 'indicators.tlp as indicator_tlp'])
    .where('alerts.state', '=', 'published')
    .where('indicators.tlp', 'in', ['AMBER', 'AMBER+STRICT'])
    .execute();
  const out = new Set<number>();
  const viewer: Viewer = { kind: 'member', organisationId, userId: null };
  for (const r of rows) {
    const audience = audienceOf({
      tlp: stricterTlp(r.alert_tlp, r.indicator_tlp),
      audience: { kind: r.audience_kind, sectors: json<Sector[]>(r.audience_sectors), organisationIds: json<number[]>(r.audience_organisations) },
      namedUserIds: json<number[]>(r.named_users),
      resolvedOrganisationIds: json<number[] | null>(r.resolved_organisations),
    });
    if (canSee(viewer, audience) && mayGoInBulkFeed(audience, organisationId)) out.add(Number(r.indicator_id));
  }
  return out;
}

/** Decides, per indicator, whether the viewer may take it in bulk. */
async function bulkFilter(ctx: Context, viewer: Viewer): Promise<(i: { id: number; tlp: Tlp }) => boolean> {
  if (viewer.kind === 'staff') return (i) => i.tlp !== 'RED';
  if (viewer.kind === 'member') {
    const amber = await amberIndicatorsOf(ctx.db.kysely, viewer.organisationId);
    return (i) => i.tlp === 'CLEAR' || i.tlp === 'GREEN' || ((i.tlp === 'AMBER' || i.tlp === 'AMBER+STRICT') && amber.has(i.id));
  }
  return (i) => i.tlp === 'CLEAR';
}

export interface StixExportQuery {
  /** Indicators with row ids above this (the next page). */
  after?: number;
  /** At most this many indicators (default 10,000, at most 100,000). */
  limit?: number;
}

/**
 * A page of the indicators the viewer may take in bulk, oldest first, as a bundle; `next` is the cursor of the
 * next page, or null.
 * @example const { bundle, next } = await exportStixIndicators(ctx, viewerOf(by.actor), { limit: 1000 });
 */
export async function exportStixIndicators(ctx: Context, viewer: Viewer, query: StixExportQuery = {}): Promise<{ bundle: StixBundle; next: number | null; count: number }> {
  const limit = Math.min(Math.max(query.limit ?? 10_000, 1), 100_000);
  const allowed = await bulkFilter(ctx, viewer);
  const { hub, options } = await stixOptionsOf(ctx);
  const picked: Indicator[] = [];
  let after = query.after ?? 0;
  let more = true;
  while (picked.length < limit && more) {
    const rows = await ctx.db.kysely.selectFrom('indicators').selectAll().where('id', '>', after).where('tlp', '!=', 'RED').orderBy('id').limit(limit).execute();
    more = rows.length === limit;
    for (const r of rows) {
      after = Number(r.id);
      const i = toIndicator(r);
      if (allowed(i)) picked.push(i);
      if (picked.length === limit) break;
    }
  }
  const next = picked.length === limit ? picked[picked.length - 1]!.id : null;
  return { bundle: bundle([hub, ...picked.map((i) => indicatorToStix(i, options))]), next, count: picked.length };
}

/**
 * One indicator by its STIX id, as a bundle, if the viewer may take it.
 * @throws {BakenError} INDICATOR_NOT_FOUND for unknown ids and for ids the viewer may not see alike.
 */
export async function exportStixIndicator(ctx: Context, viewer: Viewer, stixId: string): Promise<StixBundle> {
  const key = await indicatorOfStixId(ctx.db.kysely, stixId);
  const r = key ? await ctx.db.kysely.selectFrom('indicators').selectAll().where('type', '=', key.type).where('value', '=', key.value).executeTakeFirst() : undefined;
  const i = r ? toIndicator(r) : null;
  if (!i || !(await bulkFilter(ctx, viewer))(i)) throw new BakenError('INDICATOR_NOT_FOUND', { detail: `There is no indicator ${stixId.slice(0, 60)} for you.` });
  const { hub, options } = await stixOptionsOf(ctx);
  return bundle([hub, indicatorToStix(i, options)]);
}
