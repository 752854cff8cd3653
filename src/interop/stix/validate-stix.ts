/**
 * Checks STIX 2.1 objects against the specification's rules for the types Baken emits and imports: indicator,
 * report, identity, sighting, marking-definition, and bundles of them. Other types get the common checks.
 * Each problem names the property path (`objects[3].valid_until`) and what is wrong. Pure.
 *
 * Rules, by section of STIX 2.1: type names, identifiers (`type--` and an RFC 4122 UUID, 2.9), timestamps
 * (RFC 3339 in UTC with `Z`, 2.14; `created`/`modified` to the millisecond, 3.2), `modified` not before
 * `created`, `spec_version` 2.1, no empty lists or strings (3.1), custom property names (11.1), references
 * of the right type, external references (2.5), the required properties of each type, `valid_until` after
 * `valid_from` (4.7), the pattern grammar (part 9), sighting `count` 0 to 999,999,999 and `last_seen` not
 * before `first_seen` (5.2), and TLP markings (7.2).
 */
import { TLP_EXTENSION_ID, TLP_MARKINGS, tlpOfMarkingId } from './stix-ids.js';
import { parseStixPattern, StixPatternError } from './stix-pattern.js';
import { STIX_MAX_COUNT } from './to-stix.js';

export interface StixProblem {
  /** Where: `objects[3].valid_until`, `pattern`, `` (the object itself). */
  path: string;
  message: string;
}

export interface ValidateOptions {
  /**
   * Accept `created`/`modified` with other than millisecond precision (the specification says MUST, but many
   * producers write seconds): imports are lenient, what Baken emits is checked strictly.
   */
  lenientPrecision?: boolean;
  /** Leave the pattern grammar to the caller, who parses the pattern anyway (the importer): saves parsing twice. */
  skipPatterns?: boolean;
}

const TYPE_NAME = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;
const CUSTOM_PROPERTY = /^[a-z0-9_]{3,250}$/;
const SCO_TYPES = new Set(['artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file', 'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url', 'user-account', 'windows-registry-key', 'x509-certificate']);

const COMMON = new Set(['type', 'spec_version', 'id', 'created', 'modified', 'created_by_ref', 'revoked', 'labels', 'confidence', 'lang', 'external_references', 'object_marking_refs', 'granular_markings', 'extensions']);
const KNOWN_LISTS: Record<string, readonly string[]> = {
  indicator: ['name', 'description', 'indicator_types', 'pattern', 'pattern_type', 'pattern_version', 'valid_from', 'valid_until', 'kill_chain_phases'],
  report: ['name', 'description', 'report_types', 'published', 'object_refs'],
  identity: ['name', 'description', 'roles', 'identity_class', 'sectors', 'contact_information'],
  sighting: ['description', 'first_seen', 'last_seen', 'count', 'sighting_of_ref', 'observed_data_refs', 'where_sighted_refs', 'summary'],
  'marking-definition': ['name', 'definition_type', 'definition'],
};
const KNOWN: Record<string, ReadonlySet<string>> = Object.fromEntries(Object.entries(KNOWN_LISTS).map(([k, v]) => [k, new Set(v)]));

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (base: string, key: string | number) => (typeof key === 'number' ? `${base}[${key}]` : base === '' ? key : `${base}.${key}`);

// Bundles repeat the same few timestamps many times: remember the answers (bounded).
const timestampMemo = new Map<string, boolean>();

/** Whether a string is an RFC 3339 timestamp in UTC (`Z`) of a real moment; leap seconds allowed. */
export function isStixTimestamp(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const known = timestampMemo.get(s);
  if (known !== undefined) return known;
  const ok = checkTimestamp(s);
  if (timestampMemo.size > 10_000) timestampMemo.clear();
  timestampMemo.set(s, ok);
  return ok;
}

function checkTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 60) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d >= 1 && d <= days;
}

/** Whether `s` is `type--UUID`, with the given type (or any valid type name). */
export function isStixId(s: unknown, type?: string | readonly string[]): s is string {
  if (typeof s !== 'string') return false;
  const k = s.indexOf('--');
  if (k < 0) return false;
  const t = s.slice(0, k);
  if (!TYPE_NAME.test(t) || t.includes('--')) return false;
  if (type !== undefined && !(typeof type === 'string' ? [type] : type).includes(t)) return false;
  return UUID.test(s.slice(k + 2));
}

class Checker {
  readonly problems: StixProblem[] = [];
  constructor(readonly options: ValidateOptions) {}

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  string(o: Obj, key: string, base: string, required: boolean): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(at(base, key), 'is required');
      return undefined;
    }
    if (typeof v !== 'string') this.add(at(base, key), 'must be a string');
    else if (v === '') this.add(at(base, key), 'must not be empty');
    else return v;
    return undefined;
  }

  timestamp(o: Obj, key: string, base: string, required: boolean, millis = false): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(at(base, key), 'is required');
      return undefined;
    }
    if (!isStixTimestamp(v)) {
      this.add(at(base, key), 'must be an RFC 3339 timestamp in UTC ending in Z, such as 2024-05-01T12:00:00.000Z');
      return undefined;
    }
    if (millis && !this.options.lenientPrecision && !/\.\d{3}Z$/.test(v)) this.add(at(base, key), 'must be precise to the millisecond (three digits after the decimal point)');
    return v;
  }

  list(o: Obj, key: string, base: string, required: boolean): unknown[] | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(at(base, key), 'is required');
      return undefined;
    }
    if (!Array.isArray(v)) this.add(at(base, key), 'must be a list');
    else if (v.length === 0) this.add(at(base, key), 'must not be an empty list');
    else return v;
    return undefined;
  }

  strings(o: Obj, key: string, base: string, required = false): void {
    const l = this.list(o, key, base, required);
    l?.forEach((s, i) => {
      if (typeof s !== 'string' || s === '') this.add(at(at(base, key), i), 'must be a non-empty string');
    });
  }

  ref(o: Obj, key: string, base: string, types: readonly string[] | undefined, required: boolean, what: string): void {
    const v = o[key];
    if (v === undefined) {
      if (required) this.add(at(base, key), 'is required');
      return;
    }
    if (!isStixId(v, types)) this.add(at(base, key), `must be the id of ${what}`);
  }

  refs(o: Obj, key: string, base: string, types: readonly string[] | undefined, required: boolean, what: string): void {
    const l = this.list(o, key, base, required);
    l?.forEach((v, i) => {
      if (!isStixId(v, types)) this.add(at(at(base, key), i), `must be the id of ${what}`);
    });
  }

  boolean(o: Obj, key: string, base: string): void {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') this.add(at(base, key), 'must be true or false');
  }

  integer(o: Obj, key: string, base: string, min: number, max: number): void {
    const v = o[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.add(at(base, key), `must be a whole number from ${min} to ${max.toLocaleString('en')}`);
  }
}

function checkCommon(c: Checker, o: Obj, base: string, type: string): void {
  c.string(o, 'spec_version', base, true);
  if (typeof o.spec_version === 'string' && o.spec_version !== '2.1') c.add(at(base, 'spec_version'), `must be "2.1", not "${o.spec_version}"`);
  if (o.id === undefined) c.add(at(base, 'id'), 'is required');
  else if (!isStixId(o.id, type)) c.add(at(base, 'id'), `must be "${type}--" followed by an RFC 4122 UUID`);
  const created = c.timestamp(o, 'created', base, true, true);
  if (type !== 'marking-definition') {
    const modified = c.timestamp(o, 'modified', base, true, true);
    if (created && modified && Date.parse(modified) < Date.parse(created)) c.add(at(base, 'modified'), 'must not be before created');
  }
  c.ref(o, 'created_by_ref', base, ['identity'], false, 'an identity');
  c.boolean(o, 'revoked', base);
  c.strings(o, 'labels', base);
  c.integer(o, 'confidence', base, 0, 100);
  c.string(o, 'lang', base, false);
  c.refs(o, 'object_marking_refs', base, ['marking-definition'], false, 'a marking definition');
  const ext = c.list(o, 'external_references', base, false);
  ext?.forEach((r, i) => {
    const p = at(at(base, 'external_references'), i);
    if (!isObj(r)) return c.add(p, 'must be an object');
    c.string(r, 'source_name', p, true);
    for (const k of ['description', 'url', 'external_id']) c.string(r, k, p, false);
    if (r.description === undefined && r.url === undefined && r.external_id === undefined) c.add(p, 'needs a description, url or external_id besides source_name');
  });
  const gm = c.list(o, 'granular_markings', base, false);
  gm?.forEach((g, i) => {
    const p = at(at(base, 'granular_markings'), i);
    if (!isObj(g)) return c.add(p, 'must be an object');
    c.strings(g, 'selectors', p, true);
    if (g.marking_ref === undefined && g.lang === undefined) c.add(p, 'needs a marking_ref or a lang');
    c.ref(g, 'marking_ref', p, ['marking-definition'], false, 'a marking definition');
  });
  if (o.extensions !== undefined && !isObj(o.extensions)) c.add(at(base, 'extensions'), 'must be an object');
  const known = KNOWN[type];
  if (known) {
    for (const k of Object.keys(o)) {
      if (COMMON.has(k) || known.has(k)) continue;
      if (!CUSTOM_PROPERTY.test(k)) c.add(at(base, k), 'is not a property of this type, and a custom property name has 3 to 250 of a-z, 0-9 and _');
    }
  }
}

function checkIndicator(c: Checker, o: Obj, base: string): void {
  for (const k of ['name', 'description', 'pattern_version']) c.string(o, k, base, false);
  c.strings(o, 'indicator_types', base);
  const pattern = c.string(o, 'pattern', base, true);
  const patternType = c.string(o, 'pattern_type', base, true);
  if (pattern !== undefined && patternType === 'stix' && !c.options.skipPatterns) {
    try {
      parseStixPattern(pattern);
    } catch (err) {
      if (!(err instanceof StixPatternError)) throw err;
      c.add(at(base, 'pattern'), err.message);
    }
  }
  const from = c.timestamp(o, 'valid_from', base, true);
  const until = c.timestamp(o, 'valid_until', base, false);
  if (from && until && Date.parse(until) <= Date.parse(from)) c.add(at(base, 'valid_until'), 'must be later than valid_from');
  const kc = c.list(o, 'kill_chain_phases', base, false);
  kc?.forEach((k, i) => {
    const p = at(at(base, 'kill_chain_phases'), i);
    if (!isObj(k)) return c.add(p, 'must be an object');
    c.string(k, 'kill_chain_name', p, true);
    c.string(k, 'phase_name', p, true);
  });
}

function checkReport(c: Checker, o: Obj, base: string): void {
  c.string(o, 'name', base, true);
  c.string(o, 'description', base, false);
  c.strings(o, 'report_types', base);
  c.timestamp(o, 'published', base, true);
  c.refs(o, 'object_refs', base, undefined, true, 'a STIX object');
}

function checkIdentity(c: Checker, o: Obj, base: string): void {
  for (const k of ['name']) c.string(o, k, base, true);
  for (const k of ['description', 'identity_class', 'contact_information']) c.string(o, k, base, false);
  c.strings(o, 'roles', base);
  c.strings(o, 'sectors', base);
}

function checkSighting(c: Checker, o: Obj, base: string): void {
  c.string(o, 'description', base, false);
  const first = c.timestamp(o, 'first_seen', base, false);
  const last = c.timestamp(o, 'last_seen', base, false);
  if (first && last && Date.parse(last) < Date.parse(first)) c.add(at(base, 'last_seen'), 'must not be before first_seen');
  c.integer(o, 'count', base, 0, STIX_MAX_COUNT);
  c.ref(o, 'sighting_of_ref', base, undefined, true, 'a STIX domain object');
  if (isStixId(o.sighting_of_ref)) {
    const t = o.sighting_of_ref.slice(0, o.sighting_of_ref.indexOf('--'));
    if (SCO_TYPES.has(t) || t === 'relationship' || t === 'sighting' || t === 'marking-definition' || t === 'language-content') c.add(at(base, 'sighting_of_ref'), `must be the id of a STIX domain object, not of a ${t}`);
  }
  c.refs(o, 'observed_data_refs', base, ['observed-data'], false, 'an observed-data object');
  c.refs(o, 'where_sighted_refs', base, ['identity', 'location'], false, 'an identity or a location');
  c.boolean(o, 'summary', base);
}

const TLP2_WORDS = new Map(Object.entries(TLP_MARKINGS).map(([tlp, m]) => [m.id as string, tlp.toLowerCase()]));

function checkMarking(c: Checker, o: Obj, base: string): void {
  c.string(o, 'name', base, false);
  const dt = c.string(o, 'definition_type', base, false);
  if (dt !== undefined && !isObj(o.definition)) c.add(at(base, 'definition'), 'is required with definition_type, as an object');
  if (o.definition !== undefined && dt === undefined) c.add(at(base, 'definition_type'), 'is required with definition');
  if (dt === 'tlp' && isObj(o.definition)) {
    const level = o.definition.tlp;
    if (!['white', 'green', 'amber', 'red'].includes(String(level))) c.add(at(at(base, 'definition'), 'tlp'), 'must be white, green, amber or red');
    else if (typeof o.id === 'string' && tlpOfMarkingId(o.id) && tlpOfMarkingId(o.id) !== (level === 'white' ? 'CLEAR' : String(level).toUpperCase())) c.add(at(base, 'id'), `is the standard id of another TLP level than ${String(level)}`);
  }
  if (dt === undefined && !isObj(o.extensions)) c.add(base, 'a marking definition needs definition_type and definition, or an extension that defines it');
  const ext = isObj(o.extensions) ? o.extensions[TLP_EXTENSION_ID] : undefined;
  if (ext !== undefined) {
    const p = at(at(base, 'extensions'), TLP_EXTENSION_ID);
    if (!isObj(ext)) return c.add(p, 'must be an object');
    if (ext.extension_type !== 'property-extension') c.add(at(p, 'extension_type'), 'must be "property-extension"');
    const word = ext.tlp_2_0;
    if (!['clear', 'green', 'amber', 'amber+strict', 'red'].includes(String(word))) c.add(at(p, 'tlp_2_0'), 'must be clear, green, amber, amber+strict or red');
    else if (typeof o.id === 'string' && TLP2_WORDS.has(o.id) && TLP2_WORDS.get(o.id) !== word) c.add(at(base, 'id'), `is the standard id of another TLP level than ${String(word)}`);
  }
}

const CHECKS: Record<string, (c: Checker, o: Obj, base: string) => void> = {
  indicator: checkIndicator,
  report: checkReport,
  identity: checkIdentity,
  sighting: checkSighting,
  'marking-definition': checkMarking,
};

function checkObject(c: Checker, o: unknown, base: string): void {
  if (!isObj(o)) return c.add(base, 'must be a STIX object (a JSON object)');
  const type = o.type;
  if (typeof type !== 'string') return c.add(at(base, 'type'), 'is required, as a string');
  if (!TYPE_NAME.test(type) || type.includes('--')) return c.add(at(base, 'type'), `"${type.slice(0, 60)}" is not a type name (3 to 250 of a-z, 0-9 and -)`);
  if (type === 'bundle') return c.add(at(base, 'type'), 'a bundle cannot be inside a bundle');
  // Cyber-observable objects have no created/modified; Baken neither emits nor imports them, so only their id is checked.
  if (SCO_TYPES.has(type)) {
    if (!isStixId(o.id, type)) c.add(at(base, 'id'), `must be "${type}--" followed by an RFC 4122 UUID`);
    return;
  }
  checkCommon(c, o, base, type);
  CHECKS[type]?.(c, o, base);
}

/**
 * The problems of one STIX object; empty when it is valid.
 * @example
 * validateStixObject({ type: 'indicator', … , valid_until: '2020-01-01T00:00:00.000Z' })
 * // [{ path: 'valid_until', message: 'must be later than valid_from' }]
 */
export function validateStixObject(object: unknown, options: ValidateOptions = {}, base = ''): StixProblem[] {
  const c = new Checker(options);
  checkObject(c, object, base);
  return c.problems;
}

/**
 * The problems of a bundle and of every object in it, by path (`objects[3].pattern`). Ids repeat in a bundle
 * only as versions of one object (different `modified`).
 */
export function validateStixBundle(value: unknown, options: ValidateOptions = {}): StixProblem[] {
  const c = new Checker(options);
  if (!isObj(value)) {
    c.add('', 'must be a STIX bundle (a JSON object)');
    return c.problems;
  }
  if (value.type !== 'bundle') c.add('type', 'must be "bundle"');
  if (!isStixId(value.id, 'bundle')) c.add('id', 'must be "bundle--" followed by an RFC 4122 UUID');
  const objects = c.list(value, 'objects', '', false);
  const versions = new Set<string>();
  objects?.forEach((o, i) => {
    const base = at('objects', i);
    checkObject(c, o, base);
    if (isObj(o) && typeof o.id === 'string') {
      const v = `${o.id}|${String(o.modified ?? o.created ?? '')}`;
      if (versions.has(v)) c.add(at(base, 'id'), 'repeats an object of the same id and version earlier in the bundle');
      versions.add(v);
    }
  });
  return c.problems;
}
