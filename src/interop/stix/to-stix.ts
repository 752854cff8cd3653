/**
 * Baken's hub objects as STIX 2.1: indicators as `indicator`, alerts and analyses as `report`, organisations
 * as `identity`, sightings as `sighting`, TLP as the standard TLP 2.0 markings. Pure: callers load what the
 * viewer may see (the TLP policy decides, src/hub/tlp.ts) and these only translate.
 *
 * Ids are derived (stix-ids.ts): an indicator's from its type and value alone, so it is the same in every
 * export and every hub; the hub's own objects (alerts, analyses, organisations, sightings) from the hub's
 * `scope` (its public URL) and their number, so two hubs never share one. `created` is when Baken first had
 * the thing, `modified` when it last changed, both with millisecond precision.
 */
import type { Organisation } from '../../accounts/organisations.js';
import type { Sector } from '../../accounts/sectors.js';
import type { Alert } from '../../hub/alerts/alerts.js';
import type { Analysis } from '../../hub/analyses/analyses.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import type { Indicator } from '../../hub/indicators/indicators.js';
import type { Sighting } from '../../hub/sightings/sightings.js';
import type { Tlp } from '../../hub/tlp.js';
import { randomStixId, stixId, TLP_MARKINGS } from './stix-ids.js';
import type { StixBundle, StixId, StixIdentity, StixIndicator, StixObject, StixReport, StixSighting } from './stix-types.js';

/** What every mapping needs to know about the hub that emits. */
export interface StixOptions {
  /** The hub's identity: `created_by_ref` of everything emitted (see {@link hubIdentityToStix}). */
  createdByRef: StixId<'identity'>;
  /** What makes the ids of this hub's own objects unique among hubs: its public URL. */
  scope: string;
}

/** What the external reference carrying an indicator's source says about itself; the importer looks for it. */
export const SOURCE_DESCRIPTION = 'Source of the indicator';

/** The largest `count` STIX allows on a sighting (section 5.2). */
export const STIX_MAX_COUNT = 999_999_999;

/**
 * A timestamp as STIX writes it: RFC 3339, UTC, millisecond precision.
 * @example stixTimestamp('2024-05-01T14:00:00+02:00') // '2024-05-01T12:00:00.000Z'
 */
export function stixTimestamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not a timestamp: ${iso}`);
  return new Date(t).toISOString();
}

/**
 * A STIX pattern string literal: single quotes, with `\` and `'` escaped by a backslash (section 9.2).
 * @example stixString("it's") // "'it\\'s'"
 */
export function stixString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The object path each indicator type is compared on. */
export const PATTERN_PATHS: Readonly<Record<IndicatorType, string>> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  // A CIDR's path depends on its family; see stixPattern.
  cidr: 'ipv4-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
  email: 'email-addr:value',
};

/**
 * The STIX pattern of one indicator. A CIDR is compared on the address type of its family, which STIX
 * allows for `value` of ipv4-addr and ipv6-addr (section 6.4, 6.5).
 * @example
 * stixPattern('ipv4', '198.51.100.7')      // "[ipv4-addr:value = '198.51.100.7']"
 * stixPattern('cidr', '2001:db8::/32')     // "[ipv6-addr:value = '2001:db8::/32']"
 * stixPattern('sha256', 'ab…')             // "[file:hashes.'SHA-256' = 'ab…']"
 */
export function stixPattern(type: IndicatorType, value: string): string {
  const path = type === 'cidr' && value.includes(':') ? 'ipv6-addr:value' : PATTERN_PATHS[type];
  return `[${path} = ${stixString(value)}]`;
}

/** The key an indicator's id is derived from; the same (type, value) Baken deduplicates on. */
export function indicatorKey(type: IndicatorType | string, value: string): string {
  return `${type}:${value}`;
}

/**
 * The id of the indicator with this type and value, in every export and every hub.
 * @example indicatorStixId('domain', 'evil.example')
 */
export function indicatorStixId(type: IndicatorType | string, value: string): StixId<'indicator'> {
  return stixId('indicator', indicatorKey(type, value));
}

function markingRefs(tlp: Tlp): Array<StixId<'marking-definition'>> {
  return [TLP_MARKINGS[tlp].id];
}

function laterOrEqual(a: string, b: string): string {
  return a >= b ? a : b;
}

/**
 * One indicator. `valid_from` is required in STIX: when the analyst gave none it is when Baken first saw the
 * indicator. STIX wants `valid_until` strictly later than `valid_from`; Baken accepts an indicator valid for an
 * instant (equal times), which becomes one valid for a millisecond.
 */
export function indicatorToStix(indicator: Indicator, options: StixOptions): StixIndicator {
  const created = stixTimestamp(indicator.createdAt);
  const validFrom = stixTimestamp(indicator.validFrom ?? indicator.firstSeen);
  const out: StixIndicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: indicatorStixId(indicator.type, indicator.value),
    created,
    modified: laterOrEqual(stixTimestamp(indicator.updatedAt), created),
    created_by_ref: options.createdByRef,
    name: indicator.value,
    indicator_types: ['malicious-activity'],
    pattern: stixPattern(indicator.type, indicator.value),
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: validFrom,
    confidence: indicator.confidence,
    object_marking_refs: markingRefs(indicator.tlp),
  };
  if (indicator.validUntil) {
    const until = stixTimestamp(indicator.validUntil);
    out.valid_until = until > validFrom ? until : new Date(Date.parse(validFrom) + 1).toISOString();
  }
  if (indicator.labels.length > 0) out.labels = [...indicator.labels];
  // An external reference needs more than a name (section 2.5): the description says what the name is.
  if (indicator.source) out.external_references = [{ source_name: indicator.source, description: SOURCE_DESCRIPTION }];
  return out;
}

/** What a report refers to must not be empty (section 4.14); a report about nothing refers to its author. */
function objectRefs(indicators: readonly Indicator[], extra: readonly StixId[], options: StixOptions): StixId[] {
  const refs: StixId[] = [...extra, ...indicators.map((i) => indicatorStixId(i.type, i.value))];
  return refs.length > 0 ? refs : [options.createdByRef];
}

/** The id of an alert's report. */
export function alertStixId(alertId: number, options: Pick<StixOptions, 'scope'>): StixId<'report'> {
  return stixId('report', `${options.scope}/alerts/${alertId}`);
}

/** The id of an analysis's report (one id for all its versions: `modified` tells them apart). */
export function analysisStixId(analysisId: number, options: Pick<StixOptions, 'scope'>): StixId<'report'> {
  return stixId('report', `${options.scope}/analyses/${analysisId}`);
}

/**
 * An alert as a report of its indicators (and its analysis). Pass the alert as the viewer may read it: its
 * `indicators` are those the viewer may see. A retracted alert is a revoked report; a draft has no
 * publication time yet and takes its last change.
 */
export function alertToStix(alert: Alert, options: StixOptions): StixReport {
  const created = stixTimestamp(alert.createdAt);
  const extra: StixId[] = alert.analysisId != null ? [analysisStixId(alert.analysisId, options)] : [];
  const out: StixReport = {
    type: 'report',
    spec_version: '2.1',
    id: alertStixId(alert.id, options),
    created,
    modified: laterOrEqual(stixTimestamp(alert.retractedAt ?? alert.updatedAt), created),
    created_by_ref: options.createdByRef,
    name: alert.title,
    report_types: ['threat-report'],
    published: stixTimestamp(alert.publishedAt ?? alert.updatedAt),
    object_refs: objectRefs(alert.indicators, extra, options),
    object_marking_refs: markingRefs(alert.tlp),
    labels: ['alert'],
    x_baken_severity: alert.severity,
  };
  if (alert.summary.trim() !== '') out.description = alert.summary;
  if (alert.state === 'retracted') out.revoked = true;
  return out;
}

/** A threat analysis (the version given) as a report of its indicators. */
export function analysisToStix(analysis: Analysis, options: StixOptions): StixReport {
  const created = stixTimestamp(analysis.createdAt);
  const out: StixReport = {
    type: 'report',
    spec_version: '2.1',
    id: analysisStixId(analysis.analysisId, options),
    created,
    modified: laterOrEqual(stixTimestamp(analysis.updatedAt), created),
    created_by_ref: options.createdByRef,
    name: analysis.title,
    report_types: ['threat-report'],
    published: stixTimestamp(analysis.publishedAt ?? analysis.updatedAt),
    object_refs: objectRefs(analysis.indicators, [], options),
    object_marking_refs: markingRefs(analysis.tlp),
    labels: ['analysis'],
    x_baken_severity: analysis.severity,
  };
  if (analysis.body.trim() !== '') out.description = analysis.body;
  return out;
}

/**
 * Baken's sectors in the STIX industry-sector-ov vocabulary (section 10.7). The vocabulary is open but
 * coarser, so the exact code travels in `x_baken_sector` as well.
 */
export const STIX_SECTORS: Readonly<Record<Sector, string>> = {
  'central-government': 'government-national',
  energy: 'energy',
  transport: 'transportation',
  banking: 'financial-services',
  'financial-market-infrastructure': 'financial-services',
  health: 'healthcare',
  'drinking-water': 'infrastructure-water',
  'waste-water': 'infrastructure-water',
  'digital-infrastructure': 'telecommunications',
  'ict-service-management': 'technology',
  'public-administration': 'government',
  space: 'aerospace',
  'postal-courier': 'transportation',
  'waste-management': 'utilities',
  chemicals: 'chemical',
  food: 'agriculture',
  manufacturing: 'manufacturing',
  'digital-providers': 'technology',
  research: 'education',
};

/** The id of an organisation's identity. */
export function organisationStixId(organisationId: number, options: Pick<StixOptions, 'scope'>): StixId<'identity'> {
  return stixId('identity', `${options.scope}/organisations/${organisationId}`);
}

/** An organisation (the coordinator, a member) as an identity with its sector. */
export function organisationToStix(org: Organisation, options: StixOptions): StixIdentity {
  const created = stixTimestamp(org.createdAt);
  const id = organisationStixId(org.id, options);
  const out: StixIdentity = {
    type: 'identity',
    spec_version: '2.1',
    id,
    created,
    modified: laterOrEqual(stixTimestamp(org.updatedAt), created),
    name: org.name,
    identity_class: 'organization',
  };
  // The hub's own identity has no author but itself; everyone else's is the hub's.
  if (id !== options.createdByRef) out.created_by_ref = options.createdByRef;
  if (org.sector) {
    out.sectors = [STIX_SECTORS[org.sector]];
    out.x_baken_sector = org.sector;
  }
  return out;
}

/**
 * The hub's identity: the coordinator organisation, or (before one is set up) an identity named after the
 * hub's address. Its id is what {@link StixOptions.createdByRef} should be.
 * @example
 * const hub = hubIdentityToStix(await getCoordinator(ctx), { scope: ctx.config.publicUrl });
 * const options = { createdByRef: hub.id, scope: ctx.config.publicUrl };
 */
export function hubIdentityToStix(coordinator: Organisation | null, options: Pick<StixOptions, 'scope'> & { at?: string }): StixIdentity {
  if (coordinator) {
    const id = organisationStixId(coordinator.id, options);
    return organisationToStix(coordinator, { ...options, createdByRef: id });
  }
  const at = stixTimestamp(options.at ?? '2020-01-01T00:00:00.000Z');
  return { type: 'identity', spec_version: '2.1', id: stixId('identity', `${options.scope}/hub`), created: at, modified: at, name: hostOf(options.scope), identity_class: 'organization' };
}

function hostOf(scope: string): string {
  try {
    return new URL(scope).host || scope;
  } catch {
    return scope;
  }
}

/**
 * "A member organisation in sector X": where an anonymous sighting was seen, for members who may not learn
 * the reporter's name. One identity per sector and hub.
 */
export function sectorIdentityToStix(sector: Sector, options: StixOptions & { at?: string }): StixIdentity {
  const at = stixTimestamp(options.at ?? '2020-01-01T00:00:00.000Z');
  return {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity', `${options.scope}/sectors/${sector}`),
    created: at,
    modified: at,
    created_by_ref: options.createdByRef,
    name: `Member organisation, sector ${sector}`,
    identity_class: 'class',
    sectors: [STIX_SECTORS[sector]],
    x_baken_sector: sector,
  };
}

/** The id of a sighting. */
export function sightingStixId(sightingId: number, options: Pick<StixOptions, 'scope'>): StixId<'sighting'> {
  return stixId('sighting', `${options.scope}/sightings/${sightingId}`);
}

export interface SightingStixOptions extends StixOptions {
  /**
   * Where it was seen, as the viewer may know it: the organisation's identity (staff, the organisation
   * itself, or when it shared its name) or its sector's ({@link sectorIdentityToStix}); null to say nothing.
   */
  whereSighted: StixIdentity | StixId<'identity'> | null;
  /** The sighting's TLP: that of what was seen (the stricter of the indicator and the alert). */
  tlp?: Tlp;
}

/**
 * A sighting of an indicator. A sighting of a value the hub does not know (an observation) has nothing to
 * point at in STIX and gives null. The reporter's note stays inside Baken. A count above STIX's limit is
 * written as the limit.
 */
export function sightingToStix(sighting: Sighting, options: SightingStixOptions): StixSighting | null {
  if (!sighting.indicator) return null;
  const at = stixTimestamp(sighting.reportedAt);
  const out: StixSighting = {
    type: 'sighting',
    spec_version: '2.1',
    id: sightingStixId(sighting.id, options),
    created: at,
    modified: at,
    created_by_ref: options.createdByRef,
    sighting_of_ref: indicatorStixId(sighting.indicator.type, sighting.indicator.value),
    first_seen: stixTimestamp(sighting.firstSeen),
    last_seen: stixTimestamp(sighting.lastSeen),
    count: Math.min(Math.max(sighting.count, 0), STIX_MAX_COUNT),
  };
  const where = options.whereSighted;
  if (where) out.where_sighted_refs = [typeof where === 'string' ? where : where.id];
  if (options.tlp) out.object_marking_refs = markingRefs(options.tlp);
  return out;
}

/**
 * A bundle of objects, with the TLP marking definitions they refer to added once and objects that repeat
 * (same id and `modified`) kept once.
 * @example bundle([indicatorToStix(i, options)]).objects.map((o) => o.type) // ['marking-definition', 'indicator']
 */
export function bundle(objects: readonly StixObject[]): StixBundle {
  const seen = new Set<string>();
  const markings = new Map<string, StixObject>();
  const out: StixObject[] = [];
  const tlpById = new Map(Object.values(TLP_MARKINGS).map((m) => [m.id as string, m.object]));
  for (const o of objects) {
    const key = `${o.id}|${'modified' in o ? o.modified : o.created}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (o.type === 'marking-definition') {
      markings.set(o.id, o);
      continue;
    }
    for (const ref of o.object_marking_refs ?? []) {
      const m = tlpById.get(ref);
      if (m && !markings.has(ref)) markings.set(ref, m);
    }
    out.push(o);
  }
  return { type: 'bundle', id: randomStixId('bundle'), objects: [...markings.values(), ...out] };
}
