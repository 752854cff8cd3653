/**
 * Imports STIX 2.1: a bundle, a list of objects or one object.
 *
 * - `indicator` objects whose pattern is one comparison of a supported kind (`[ipv4-addr:value = '…']`,
 *   ipv6-addr, domain-name, url, email-addr, `file:hashes.MD5`, `'SHA-1'`, `'SHA-256'`) become hub indicators
 *   through the hub's own import (normalisation, deduplication, registry enrichment, history), for callers who
 *   manage indicators. TLP comes from the marking refs (the standard TLP 2.0 and TLP 1.0 ids, or TLP marking
 *   definitions in the bundle; the strictest wins); without one a new indicator gets DEFAULT_TLP.
 * - `sighting` objects whose `sighting_of_ref` is a hub indicator (by its stable id) or an indicator of the same
 *   bundle become sightings of the caller's member organisation, through the hub's sightings, so they are
 *   re-broadcast. Coordinator staff report no sightings; theirs are skipped with a note.
 * - identities, reports, marking definitions and other types are accepted and skipped with a note.
 *
 * Every object is checked first (validate-stix.ts, then what Baken needs); a bad one is reported with its
 * index, id, property path and message. With `strict` (the default) one bad object refuses the whole import;
 * without it the good objects land and the bad ones are reported, as with `strict: false` in the indicator
 * import. What lands, lands in one transaction: indicators for staff, sightings for members.
 */
import { can } from '../../accounts/policies.js';
import { importIndicatorEntries } from '../../hub/indicators/indicators.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import { IndicatorError, normalizeIndicator } from '../../hub/indicators/normalize-indicator.js';
import { IndicatorFieldError, parseLabels, type IndicatorEntry } from '../../hub/indicators/parse-indicator-lines.js';
import { reportSightings, type SightingInput } from '../../hub/sightings/sightings.js';
import { parseTlp, tlpRank, viewerOf, type Tlp } from '../../hub/tlp.js';
import type { Caller, Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import type { Resolver } from '../../registry/resolver.js';
import { TLP_EXTENSION_ID, tlpOfMarkingId } from './stix-ids.js';
import { indicatorOfStixId } from './stix-indicator-index.js';
import { formatObjectPath, parseStixPattern, StixPatternError, type ObservationExpression } from './stix-pattern.js';
import { SOURCE_DESCRIPTION } from './to-stix.js';
import { validateStixObject } from './validate-stix.js';

export interface StixImportOptions {
  /** Refuse the whole import when any object is bad (default true); false: the good ones land. */
  strict?: boolean;
  /** Mask host bits of CIDRs instead of refusing them. */
  lenient?: boolean;
  /** The source of indicators that do not name theirs. */
  source?: string | null;
  /** Whether other members may see the reporting organisation's name on imported sightings (default false). */
  shareName?: boolean;
  resolver?: Resolver;
}

export interface StixObjectProblem {
  /** The object's position in the bundle's `objects`, from 0. */
  index: number;
  id: string | null;
  /** The property: `objects[3].pattern`. */
  path: string;
  message: string;
}

export interface StixSkipped {
  index: number;
  id: string | null;
  type: string;
  note: string;
}

export interface StixImportResult {
  objects: number;
  indicators: { received: number; created: number; updated: number; duplicates: number };
  sightings: { received: number; reported: number };
  skippedCount: number;
  /** The first 1,000 objects skipped, with why. */
  skipped: StixSkipped[];
  rejectedCount: number;
  /** The first 1,000 problems, in order. */
  rejected: StixObjectProblem[];
  durationMs: number;
}

const KEPT = 1000;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The objects of a STIX document: a bundle's `objects`, a list, or one object.
 * @throws {BakenError} BAD_INPUT when it is none of these.
 */
export function stixObjectsOf(document: unknown): unknown[] {
  if (Array.isArray(document)) return document;
  if (isObj(document)) {
    if (document.type === 'bundle') {
      if (document.objects === undefined) return [];
      if (!Array.isArray(document.objects)) throw new BakenError('BAD_INPUT', { detail: 'objects: a bundle’s objects must be a list', problems: [{ field: 'objects', message: 'must be a list' }] });
      return document.objects;
    }
    if (typeof document.type === 'string') return [document];
  }
  throw new BakenError('BAD_INPUT', { detail: 'Not STIX: expected a bundle, a list of STIX objects or one STIX object.', problems: [{ field: 'type', message: 'must be "bundle" or a STIX type' }] });
}

/**
 * Parses STIX JSON text.
 * @throws {BakenError} BAD_INPUT saying where the JSON breaks.
 */
export function parseStixJson(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new BakenError('BAD_INPUT', { detail: `Not JSON: ${(err as Error).message}`, problems: [{ field: 'body', message: 'must be STIX JSON' }] });
  }
}

/** The object path and literal of a pattern that is one equality, e.g. `file:hashes.'SHA-256'`. */
function singleEquality(ast: ObservationExpression): { path: string; value: string } | null {
  if (ast.kind !== 'observation' || ast.qualifiers.length > 0) return null;
  const c = ast.comparison;
  if (c.kind !== 'test' || c.negated || c.operator !== '=' || Array.isArray(c.value) || c.value.kind !== 'string') return null;
  return { path: formatObjectPath(c.path), value: c.value.value };
}

const HASH_TYPES: Record<string, IndicatorType> = { md5: 'md5', 'sha-1': 'sha1', sha1: 'sha1', 'sha-256': 'sha256', sha256: 'sha256' };

/** The indicator type a supported object path stands for, or null. */
function typeOfPath(path: string, value: string): IndicatorType | null {
  switch (path) {
    case 'ipv4-addr:value':
      return value.includes('/') ? 'cidr' : 'ipv4';
    case 'ipv6-addr:value':
      return value.includes('/') ? 'cidr' : 'ipv6';
    case 'domain-name:value':
      return 'domain';
    case 'url:value':
      return 'url';
    case 'email-addr:value':
      return 'email';
  }
  const hash = /^file:hashes\.'?([A-Za-z0-9-]+)'?$/.exec(path);
  return hash ? (HASH_TYPES[hash[1]!.toLowerCase()] ?? null) : null;
}

/** TLP marking definitions in the bundle that are not the standard ones, by id. */
function bundleMarkings(objects: readonly unknown[]): Map<string, Tlp> {
  const out = new Map<string, Tlp>();
  for (const o of objects) {
    if (!isObj(o) || o.type !== 'marking-definition' || typeof o.id !== 'string') continue;
    const ext = isObj(o.extensions) ? o.extensions[TLP_EXTENSION_ID] : undefined;
    let word: unknown = isObj(ext) ? ext.tlp_2_0 : undefined;
    if (word === undefined && o.definition_type === 'tlp' && isObj(o.definition)) word = o.definition.tlp;
    if (word === undefined && typeof o.name === 'string' && /^TLP:/i.test(o.name)) word = o.name;
    const tlp = typeof word === 'string' ? parseTlp(word) : null;
    if (tlp) out.set(o.id, tlp);
  }
  return out;
}

function tlpOfRefs(refs: unknown, markings: ReadonlyMap<string, Tlp>): Tlp | null {
  if (!Array.isArray(refs)) return null;
  let tlp: Tlp | null = null;
  for (const r of refs) {
    const t = typeof r === 'string' ? (tlpOfMarkingId(r) ?? markings.get(r) ?? null) : null;
    if (t && (tlp === null || tlpRank(t) > tlpRank(tlp))) tlp = t;
  }
  return tlp;
}

function sourceOf(o: Obj): string | null {
  if (!Array.isArray(o.external_references)) return null;
  const ref = o.external_references.find((r): r is Obj => isObj(r) && r.description === SOURCE_DESCRIPTION && typeof r.source_name === 'string');
  return ref ? String(ref.source_name) : null;
}

/** Thrown inside the per-object checks: becomes a problem of that object. */
class ObjectProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The pattern as one equality, as Baken and most tools write it (`[domain-name:value = 'evil.example']`, a literal
 * without quotes or backslashes): read by one regular expression instead of the grammar, which answers the same
 * for these and costs ten times more; anything else goes through the grammar.
 */
const PLAIN_EQUALITY = /^\[((?:ipv4-addr|ipv6-addr|domain-name|url|email-addr):value|file:hashes\.(?:[A-Za-z_][A-Za-z0-9_]*|'[A-Za-z0-9-]+')) = '([^'\\]*)'\]$/;

function equalityOf(pattern: string, base: string): { path: string; value: string } | null {
  const plain = PLAIN_EQUALITY.exec(pattern);
  if (plain) return { path: plain[1]!, value: plain[2]! };
  try {
    return singleEquality(parseStixPattern(pattern));
  } catch (err) {
    if (err instanceof StixPatternError) throw new ObjectProblem(`${base}.pattern`, err.message);
    throw err;
  }
}

/**
 * What objects of one bundle repeat, read once: bundles carry the same timestamps and label sets on thousands of
 * indicators. The parsed label lists are shared between entries, which only read them.
 */
interface ReadCache {
  times: Map<string, string>;
  labels: Map<string, string[]>;
}

function isoOf(cache: ReadCache, s: string): string {
  let iso = cache.times.get(s);
  if (iso === undefined) {
    iso = new Date(s).toISOString();
    cache.times.set(s, iso);
  }
  return iso;
}

function labelsOf(cache: ReadCache, given: readonly unknown[]): string[] {
  const texts = given.map(String);
  const key = texts.join('\u0000');
  let labels = cache.labels.get(key);
  if (!labels) {
    labels = parseLabels(texts);
    cache.labels.set(key, labels);
  }
  return labels;
}

function indicatorEntry(o: Obj, base: string, markings: ReadonlyMap<string, Tlp>, options: StixImportOptions, line: number, cache: ReadCache): IndicatorEntry {
  if (o.pattern_type !== 'stix') throw new ObjectProblem(`${base}.pattern_type`, `only STIX patterns are imported, not "${String(o.pattern_type).slice(0, 40)}"`);
  const eq = equalityOf(String(o.pattern), base);
  const type = eq ? typeOfPath(eq.path, eq.value) : null;
  if (!eq || !type) {
    throw new ObjectProblem(
      `${base}.pattern`,
      "Baken imports patterns of one equality on ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value, email-addr:value or file:hashes (MD5, 'SHA-1', 'SHA-256')",
    );
  }
  let v;
  try {
    v = normalizeIndicator(eq.value, { type, lenient: options.lenient ?? false });
  } catch (err) {
    if (err instanceof IndicatorError) throw new ObjectProblem(`${base}.pattern`, err.message);
    throw err;
  }
  let labels: string[] = [];
  try {
    labels = Array.isArray(o.labels) ? labelsOf(cache, o.labels) : [];
  } catch (err) {
    if (err instanceof IndicatorFieldError) throw new ObjectProblem(`${base}.labels`, err.message);
    throw err;
  }
  return {
    line,
    type: v.type,
    value: v.value,
    ...(v.ip ? { ip: v.ip } : {}),
    tlp: tlpOfRefs(o.object_marking_refs, markings),
    confidence: typeof o.confidence === 'number' ? o.confidence : null,
    labels,
    source: sourceOf(o)?.slice(0, 200) ?? null,
    validFrom: typeof o.valid_from === 'string' ? isoOf(cache, o.valid_from) : null,
    validUntil: typeof o.valid_until === 'string' ? isoOf(cache, o.valid_until) : null,
  };
}

/**
 * Imports the objects of a STIX document (see the module comment for what becomes what).
 * @throws {BakenError} STIX_REJECTED_STRICT (strict, any bad object), STIX_NOTHING_IMPORTED (every object bad),
 * BAD_INPUT (not STIX at all). Nothing is saved then.
 * @example
 * const r = await importStix(ctx, by, parseStixJson(text), { strict: false });
 * r.indicators.created // 2
 */
export async function importStix(ctx: Context, by: Caller, document: unknown, options: StixImportOptions = {}): Promise<StixImportResult> {
  const started = Date.now();
  const strict = options.strict ?? true;
  const objects = stixObjectsOf(document);
  const markings = bundleMarkings(objects);
  const cache: ReadCache = { times: new Map(), labels: new Map() };
  const viewer = viewerOf(by.actor);
  const managesIndicators = can(by.actor, 'indicators:manage');
  const reportsSightings = viewer.kind === 'member';

  const rejected: StixObjectProblem[] = [];
  let rejectedCount = 0;
  const skipped: StixSkipped[] = [];
  let skippedCount = 0;
  const reject = (index: number, id: string | null, path: string, message: string) => {
    rejectedCount++;
    if (rejected.length < KEPT) rejected.push({ index, id, path, message });
  };
  const skip = (index: number, id: string | null, type: string, note: string) => {
    skippedCount++;
    if (skipped.length < KEPT) skipped.push({ index, id, type, note });
  };

  const entries: IndicatorEntry[] = [];
  // Indicators of this bundle by STIX id (also those a member only uses to resolve its sightings); null: rejected.
  const inBundle = new Map<string, { type: string; value: string } | null>();
  const sightingObjects: Array<{ index: number; o: Obj }> = [];
  let indicatorsReceived = 0;

  for (let index = 0; index < objects.length; index++) {
    const o = objects[index];
    const base = `objects[${index}]`;
    const id = isObj(o) && typeof o.id === 'string' ? o.id : null;
    const problems = validateStixObject(o, { lenientPrecision: true, skipPatterns: true }, base);
    if (problems.length > 0) {
      for (const p of problems) reject(index, id, p.path, p.message);
      if (id && isObj(o) && o.type === 'indicator') inBundle.set(id, null);
      continue;
    }
    const obj = o as Obj;
    const type = String(obj.type);
    if (type === 'indicator') {
      indicatorsReceived++;
      if (obj.revoked === true) {
        skip(index, id, type, 'revoked: not imported');
        continue;
      }
      try {
        const e = indicatorEntry(obj, base, markings, options, index, cache);
        inBundle.set(id!, e);
        if (managesIndicators) entries.push(e);
        else skip(index, id, type, 'used to resolve sightings; indicators are added by the coordinator');
      } catch (err) {
        if (!(err instanceof ObjectProblem)) throw err;
        inBundle.set(id!, null);
        reject(index, id, err.path, err.message);
      }
    } else if (type === 'sighting') {
      if (!reportsSightings) skip(index, id, type, 'sightings are reported by member organisations, each for itself');
      else sightingObjects.push({ index, o: obj });
    } else if (type === 'marking-definition') {
      skip(index, id, type, markings.has(id!) || tlpOfMarkingId(id!) ? 'TLP marking: applied to the objects that refer to it' : 'marking definition: not a TLP marking, not applied');
    } else {
      skip(index, id, type, `${type}: accepted, not stored`);
    }
  }

  // Sightings are resolved after every indicator of the bundle is known, wherever it stands in the bundle.
  const items: SightingInput[] = [];
  const itemIndex: number[] = [];
  for (const { index, o } of sightingObjects) {
    const base = `objects[${index}]`;
    const ref = String(o.sighting_of_ref);
    const local = inBundle.get(ref);
    if (local === null) {
      reject(index, String(o.id), `${base}.sighting_of_ref`, 'points at an indicator of this bundle that was rejected');
      continue;
    }
    const target = local ?? (ref.startsWith('indicator--') ? await indicatorOfStixId(ctx.db.kysely, ref) : null);
    if (!target) {
      reject(index, String(o.id), `${base}.sighting_of_ref`, 'is not an indicator the hub knows or one in this bundle');
      continue;
    }
    if (o.count === 0) {
      reject(index, String(o.id), `${base}.count`, 'Baken records sightings of at least one observation');
      continue;
    }
    items.push({
      type: target.type,
      value: target.value,
      count: typeof o.count === 'number' ? o.count : 1,
      ...(typeof o.first_seen === 'string' ? { firstSeen: o.first_seen } : {}),
      ...(typeof o.last_seen === 'string' ? { lastSeen: o.last_seen } : typeof o.first_seen === 'string' ? { lastSeen: o.first_seen } : {}),
      ...(typeof o.description === 'string' ? { note: o.description.slice(0, 2000) } : {}),
    });
    itemIndex.push(index);
  }

  if (rejectedCount > 0 && strict) {
    const first = rejected[0]!;
    throw new BakenError('STIX_REJECTED_STRICT', {
      detail: `${rejectedCount} problem(s); the first: ${first.path}: ${first.message}`,
      problems: rejected.slice(0, 20).map((r) => ({ field: r.path, message: r.message })),
    });
  }
  if (rejectedCount > 0 && entries.length === 0 && items.length === 0) {
    const first = rejected[0]!;
    throw new BakenError('STIX_NOTHING_IMPORTED', { detail: `Every importable object was rejected; the first: ${first.path}: ${first.message}`, problems: rejected.slice(0, 20).map((r) => ({ field: r.path, message: r.message })) });
  }

  const written = await importIndicatorEntries(ctx, by, entries, {
    format: 'stix',
    source: options.source ?? null,
    details: { objects: objects.length, rejected: rejectedCount },
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  let reported = 0;
  if (items.length > 0) {
    const r = await reportSightings(ctx, by, viewer, items, { shareName: options.shareName === true });
    reported = r.sightings.length;
    for (const x of r.rejected) {
      const index = itemIndex[x.index]!;
      const obj = objects[index] as Obj;
      reject(index, String(obj.id), `objects[${index}]`, x.reason);
    }
  }
  return {
    objects: objects.length,
    indicators: { received: indicatorsReceived, created: written.created, updated: written.updated, duplicates: written.duplicates },
    sightings: { received: sightingObjects.length, reported },
    skippedCount,
    skipped,
    rejectedCount,
    rejected,
    durationMs: Date.now() - started,
  };
}
