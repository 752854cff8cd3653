/**
 * Everything the hub knows about one value, in any spelling (defanged too, through the one normaliser): the
 * indicator itself, the network indicators that contain an address, the address or domain of a URL or email
 * address; the alerts and analyses they are in; the sightings of them (named: this is for coordinator staff);
 * the observations of the value (sightings before the hub knew it); the hotline cases whose hosts include the
 * address or lie in the network; and the registry's facts about an address.
 *
 * Coordinator staff only. For members the answer would be an oracle: "does the hub know this value, and where
 * did it come from" reveals indicators above their TLP rights, other members' sightings and hotline cases (whose
 * addresses are personal data). Members have the alerts they may read, and their own sightings. Inside the
 * staff, alerts still follow the TLP policy (a RED alert only for the people it names), as on the alert pages.
 */
import { parseCidr } from '../../net/cidr.js';
import type { Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { registryServices } from '../../registry/registry-services.js';
import type { Resolver } from '../../registry/resolver.js';
import { getOperator } from '../../registry/operators.js';
import { toIndicator, type Indicator } from '../indicators/indicators.js';
import { IndicatorError, normalizeIndicator, type NormalizedIndicator } from '../indicators/normalize-indicator.js';
import { observationsOfValue, type Observation } from '../sightings/observations.js';
import { listSightings, type Sighting } from '../sightings/sightings.js';
import type { Viewer } from '../tlp.js';
import { casesWithAddress, type CaseLink } from './case-links.js';
import { alertsOfIndicators, analysesOfIndicators, networksContaining, type AlertLink, type AnalysisLink } from './indicator-links.js';

/** How an indicator matches the value asked about. */
export type MatchKind = 'exact' | 'network' | 'host';

export interface MatchedIndicator {
  indicator: Indicator;
  /** exact: the value itself; network: a network indicator that contains it; host: the address or domain of a URL or email address. */
  match: MatchKind;
  sightings: number;
  organisations: number;
}

export interface Enrichment {
  network: string | null;
  asn: number | null;
  asName: string | null;
  country: string | null;
  operatorId: number | null;
  operatorName: string | null;
}

export interface Correlation {
  /** The value as asked, and as the hub spells it. */
  input: string;
  type: string;
  value: string;
  indicators: MatchedIndicator[];
  alerts: AlertLink[];
  analyses: AnalysisLink[];
  /** Sightings of the matched indicators, newest first (the latest 100). */
  sightings: Sighting[];
  observations: Observation[];
  cases: CaseLink[];
  /** More hosts were in the network than were read; the case list may be incomplete. */
  casesTruncated: boolean;
  /** Registry facts for an address or network; null for other types. */
  enrichment: Enrichment | null;
}

export interface CorrelateOptions {
  type?: string | null;
  /** The resolver to enrich with (tests); by default the process's registry. */
  resolver?: Resolver;
}

function normalise(input: string, type: string | null | undefined): NormalizedIndicator {
  try {
    return normalizeIndicator(input, { type: type ?? null, lenient: true });
  } catch (err) {
    if (err instanceof IndicatorError) throw new BakenError('INDICATOR_INVALID', { detail: err.message, problems: [{ field: 'value', message: err.message }] });
    throw err;
  }
}

/** The address or domain inside a URL or email address, normalised; null when there is none the hub could hold. */
function hostOf(n: NormalizedIndicator): NormalizedIndicator | null {
  let host: string | null = null;
  if (n.type === 'url') host = new URL(n.value).hostname.replace(/^\[|\]$/g, '');
  else if (n.type === 'email') host = n.value.slice(n.value.lastIndexOf('@') + 1);
  if (!host) return null;
  try {
    return normalizeIndicator(host);
  } catch {
    return null;
  }
}

/**
 * Everything the hub knows about a value.
 * @throws {BakenError} FORBIDDEN for anyone but coordinator staff; INDICATOR_INVALID when the value is no indicator.
 * @example const c = await correlateValue(ctx, viewer, 'hxxp://185.220.101[.]7/gate');
 */
export async function correlateValue(ctx: Context, viewer: Viewer, input: string, options: CorrelateOptions = {}): Promise<Correlation> {
  if (viewer.kind !== 'staff') throw new BakenError('FORBIDDEN', { detail: 'Correlation is for coordinator staff.' });
  const n = normalise(input, options.type);
  const db = ctx.db.kysely;
  const matched: MatchedIndicator[] = [];
  const add = (i: Indicator, match: MatchKind) => {
    if (!matched.some((m) => m.indicator.id === i.id)) matched.push({ indicator: i, match, sightings: 0, organisations: 0 });
  };
  const exact = await db.selectFrom('indicators').selectAll().where('type', '=', n.type).where('value', '=', n.value).executeTakeFirst();
  if (exact) add(toIndicator(exact), 'exact');
  if (n.ip) {
    const prefix = n.type === 'cidr' ? parseCidr(n.value).prefixLength : undefined;
    for (const i of await networksContaining(db, n.ip, prefix)) add(i, 'network');
  }
  const host = hostOf(n);
  if (host) {
    const h = await db.selectFrom('indicators').selectAll().where('type', '=', host.type).where('value', '=', host.value).executeTakeFirst();
    if (h) add(toIndicator(h), 'host');
    if (host.ip) for (const i of await networksContaining(db, host.ip)) add(i, 'network');
  }

  const ids = matched.map((m) => m.indicator.id);
  if (ids.length > 0) {
    const counts = await db
      .selectFrom('sightings')
      .select((eb) => ['indicator_id', eb.fn.countAll<string | number>().as('n'), eb.fn.count<string | number>('organisation_id').distinct().as('orgs')])
      .where('indicator_id', 'in', ids)
      .groupBy('indicator_id')
      .execute();
    for (const c of counts) {
      const m = matched.find((x) => x.indicator.id === Number(c.indicator_id));
      if (m) Object.assign(m, { sightings: Number(c.n), organisations: Number(c.orgs) });
    }
  }
  const sightings: Sighting[] = [];
  for (const id of ids) sightings.push(...(await listSightings(ctx, viewer, { indicatorId: id, limit: 100 })));
  sightings.sort((a, b) => b.id - a.id);

  // Hotline cases: the address (or network) asked about, or the address of a URL.
  const address = n.ip ? n.value : host?.ip ? host.value : null;
  const cases = address ? await casesWithAddress(ctx, address) : { cases: [], truncated: false };

  return {
    input,
    type: n.type,
    value: n.value,
    indicators: matched,
    alerts: await alertsOfIndicators(db, viewer, matched.map((m) => m.indicator)),
    analyses: await analysesOfIndicators(db, ids),
    sightings: sightings.slice(0, 100),
    observations: [...(await observationsOfValue(ctx, n.value)), ...(host ? await observationsOfValue(ctx, host.value) : [])],
    cases: cases.cases,
    casesTruncated: cases.truncated,
    enrichment: await enrichmentOf(ctx, n, exact ? toIndicator(exact) : null, options.resolver),
  };
}

async function enrichmentOf(ctx: Context, n: NormalizedIndicator, known: Indicator | null, resolver?: Resolver): Promise<Enrichment | null> {
  if (!n.ip) return null;
  let facts: Omit<Enrichment, 'operatorName'>;
  if (known && (known.asn !== null || known.country !== null)) {
    facts = { network: null, asn: known.asn, asName: known.asName, country: known.country, operatorId: known.operatorId };
  } else {
    try {
      const r = resolver ?? (await registryServices(ctx)).resolver;
      const f = (await r.networkFactsMany([n.ip]))[0]!;
      facts = { network: f.network, asn: f.asn, asName: f.as_name, country: f.country, operatorId: f.operator_id };
    } catch (err) {
      // The registry is a help here, not a condition: the rest of the answer stands without it.
      ctx.log.warn({ err }, 'correlation: registry lookup failed');
      return null;
    }
  }
  const operatorName = facts.operatorId !== null ? await getOperator(ctx, facts.operatorId).then((o) => o.organisation.name, () => null) : null;
  return { ...facts, operatorName };
}
