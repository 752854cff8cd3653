/**
 * Reads MISP event JSON (`{"Event": {...}}`, a list of those, a REST `{"response": [...]}` answer, or a bare event)
 * into hub indicator entries, sightings and a report of what was skipped and why. Pure: no database.
 *
 * - An attribute becomes an indicator when `to_ids` is true, it is not deleted, and its type is one the hub holds
 *   (see misp-attribute-types.ts); others are skipped with the reason. Object attributes count like event ones.
 * - Tags: `tlp:*` gives the TLP, confidence taxonomies the confidence, other tags labels; the attribute's own
 *   tags win over the event's (see misp-tags.ts).
 * - `valid_from` is the attribute's `first_seen`, else its `timestamp`, else the event's.
 * - Sightings of an attribute (its `Sighting` list, or the event's with an `attribute_uuid`) come along:
 *   type 0 is a sighting, 1 a false positive, 2 an expiration (see import-misp-events.ts for what each does).
 * - Every problem names the event (uuid, or its position), the attribute (uuid, or its path) and the field.
 */
import { IndicatorError, normalizeIndicator } from '../../hub/indicators/normalize-indicator.js';
import type { IndicatorType } from '../../hub/indicators/indicator-types.js';
import type { IndicatorEntry } from '../../hub/indicators/parse-indicator-lines.js';
import { MISP_IMPORT_TYPES } from './misp-attribute-types.js';
import { meaningOfTags, overlay, type TagMeaning } from './misp-tags.js';

/** A bad attribute or event: where it is and what is wrong. */
export interface MispProblem {
  /** The event's uuid, or `#3` (its position, from 0) when it has none. */
  event: string;
  /** The attribute's uuid, when it has one. */
  attribute: string | null;
  /** Where in the input: `Event[0].Object[1].Attribute[2]`. */
  path: string;
  field: string;
  message: string;
}

/** An attribute left out on purpose (not for detection, deleted, or a type the hub does not hold). */
export interface MispSkipped {
  event: string;
  attribute: string | null;
  path: string;
  type: string;
  reason: string;
}

/** An indicator read from an attribute, with where it came from. */
export interface MispEntry extends IndicatorEntry {
  event: string;
  attribute: string | null;
  path: string;
}

export type MispSightingKind = 'sighting' | 'false-positive' | 'expiration';

export interface MispSighting {
  event: string;
  attribute: string | null;
  path: string;
  kind: MispSightingKind;
  /** The sighted indicators (a `domain|ip` attribute has two). */
  targets: Array<{ type: IndicatorType; value: string }>;
  /** ISO 8601: when it was seen (or, for an expiration, when the attribute expires). */
  at: string;
  organisation: { name: string | null; uuid: string | null };
  source: string | null;
  /** Stable across re-imports: the sighting's uuid, or what identifies it when it has none. */
  key: string;
}

export interface MispEventRead {
  uuid: string | null;
  /** `uuid`, or `#n` for an event without one. */
  ref: string;
  info: string;
  orgc: { name: string | null; uuid: string | null };
  /** The event's `timestamp` (seconds since 1970), when it has one. */
  timestamp: number | null;
  /** The hub `source` of its indicators: `MISP event <uuid> "<info>" (<orgc>)`, at most 200 characters. */
  source: string;
  entries: MispEntry[];
  skipped: MispSkipped[];
  sightings: MispSighting[];
  /** Attributes read (event and object ones). */
  attributes: number;
}

export interface ReadMispResult {
  events: MispEventRead[];
  problems: MispProblem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The events of an input, with the path each was found at. */
function eventsOf(input: unknown): { events: Array<{ event: unknown; path: string }>; problem: string | null } {
  const wrap = (v: unknown, path: string) => (isObject(v) && 'Event' in v ? { event: v.Event, path: `${path}.Event` } : { event: v, path });
  if (Array.isArray(input)) return { events: input.map((v, i) => wrap(v, `[${i}]`)), problem: null };
  if (isObject(input)) {
    if (Array.isArray(input.response)) return { events: input.response.map((v, i) => wrap(v, `response[${i}]`)), problem: null };
    if ('Event' in input) return { events: [{ event: input.Event, path: 'Event' }], problem: null };
    if ('Attribute' in input || 'Object' in input || 'info' in input) return { events: [{ event: input, path: '(event)' }], problem: null };
  }
  return { events: [], problem: 'not MISP event JSON: expected {"Event": {...}}, a list of those, or {"response": [...]}' };
}

/** Seconds since 1970 as MISP writes them (a string or a number); null when absent or not a number. */
export function mispTimestamp(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,12}$/.test(v.trim())) return Number(v.trim());
  return null;
}

// Feeds stamp thousands of attributes with the same few seconds: format each once.
const isoCache = new Map<number, string>();
function isoOfSeconds(s: number): string {
  let iso = isoCache.get(s);
  if (iso === undefined) {
    if (isoCache.size > 10_000) isoCache.clear();
    iso = new Date(s * 1000).toISOString();
    isoCache.set(s, iso);
  }
  return iso;
}

function tagNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const t of v) {
    if (isObject(t) && typeof t.name === 'string') out.push(t.name);
    else if (isObject(t) && isObject(t.Tag) && typeof t.Tag.name === 'string') out.push(t.Tag.name);
    else if (typeof t === 'string') out.push(t);
  }
  return out;
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return null;
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true' || v === 'True';
}

/** An ISO 8601 time, or null; MISP writes `first_seen` as `2026-03-01T10:00:00.000000+00:00`. */
function isoTime(v: unknown): string | null | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return null;
  const t = Date.parse(v.trim());
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/**
 * Reads MISP event JSON (text or parsed).
 * @example
 * const { events, problems } = readMispEvents('{"Event":{"uuid":"...","info":"Phishing","Attribute":[{"type":"domain","value":"evil.example","to_ids":true}]}}');
 * events[0].entries[0] // { type: 'domain', value: 'evil.example', ... }
 */
export function readMispEvents(input: string | unknown): ReadMispResult {
  let value: unknown = input;
  const problems: MispProblem[] = [];
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      problems.push({ event: '-', attribute: null, path: '(input)', field: 'json', message: `not valid JSON: ${(e as Error).message}` });
      return { events: [], problems };
    }
  }
  const found = eventsOf(value);
  if (found.problem) {
    problems.push({ event: '-', attribute: null, path: '(input)', field: 'Event', message: found.problem });
    return { events: [], problems };
  }
  if (found.events.length === 0) problems.push({ event: '-', attribute: null, path: '(input)', field: 'Event', message: 'no events in the input' });
  const events: MispEventRead[] = [];
  let line = 0;
  found.events.forEach(({ event, path }, index) => {
    const r = readEvent(event, path, index, problems, () => ++line);
    if (r) events.push(r);
  });
  return { events, problems };
}

function readEvent(e: unknown, path: string, index: number, problems: MispProblem[], nextLine: () => number): MispEventRead | null {
  if (!isObject(e)) {
    problems.push({ event: `#${index}`, attribute: null, path, field: 'Event', message: 'not an object' });
    return null;
  }
  const uuid = str(e.uuid);
  const ref = uuid ?? `#${index}`;
  const problem = (attribute: string | null, p: string, field: string, message: string) => problems.push({ event: ref, attribute, path: p, field, message });
  if (uuid !== null && !UUID.test(uuid)) problem(null, path, 'uuid', `"${uuid.slice(0, 60)}" is not a UUID`);
  const info = typeof e.info === 'string' ? e.info : '';
  const timestamp = e.timestamp === undefined ? null : mispTimestamp(e.timestamp);
  if (e.timestamp !== undefined && timestamp === null) problem(null, path, 'timestamp', 'not a number of seconds since 1970');
  const orgcRaw = isObject(e.Orgc) ? e.Orgc : isObject(e.Org) ? e.Org : {};
  const orgc = { name: str(orgcRaw.name), uuid: str(orgcRaw.uuid) };
  const source = `MISP event ${uuid ?? ref}${info ? ` "${info.replace(/\s+/g, ' ').slice(0, 120)}"` : ''}${orgc.name ? ` (${orgc.name})` : ''}`.slice(0, 200);
  const eventMeaning = meaningOfTags(tagNames(e.Tag));
  const eventFrom = timestamp !== null ? isoOfSeconds(timestamp) : typeof e.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(e.date) ? `${e.date}T00:00:00.000Z` : null;
  const read: MispEventRead = { uuid, ref, info, orgc, timestamp, source, entries: [], skipped: [], sightings: [], attributes: 0 };
  const byUuid = new Map<string, Array<{ type: IndicatorType; value: string }>>();

  const attributeLists: Array<{ list: unknown; path: string; field: string }> = [{ list: e.Attribute, path, field: 'Attribute' }];
  if (e.Object !== undefined) {
    if (!Array.isArray(e.Object)) problem(null, path, 'Object', 'not a list');
    else
      e.Object.forEach((o, i) => {
        if (!isObject(o)) return problem(null, `${path}.Object[${i}]`, 'Object', 'not an object');
        if (truthy(o.deleted)) return;
        attributeLists.push({ list: o.Attribute, path: `${path}.Object[${i}]`, field: 'Attribute' });
      });
  }
  for (const { list, path: base, field } of attributeLists) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problem(null, base, field, 'not a list');
      continue;
    }
    list.forEach((a, i) => {
      const p = `${base}.Attribute[${i}]`;
      if (!isObject(a)) return problem(null, p, 'Attribute', 'not an object');
      read.attributes++;
      const targets = readAttribute(a, p, read, eventMeaning, eventFrom, problem, nextLine);
      const au = str(a.uuid);
      if (au && targets.length > 0) byUuid.set(au, targets);
      if (a.Sighting !== undefined) readSightings(a.Sighting, `${p}.Sighting`, read, au, targets, problem);
    });
  }
  // Sightings at event level point at their attribute by uuid.
  if (Array.isArray(e.Sighting)) {
    e.Sighting.forEach((s, i) => {
      const p = `${path}.Sighting[${i}]`;
      const au = isObject(s) ? str(s.attribute_uuid) : null;
      if (!au) return problem(null, p, 'attribute_uuid', 'an event-level sighting must name its attribute_uuid');
      const targets = byUuid.get(au);
      if (!targets) return; // A sighting of a skipped attribute says nothing about an indicator.
      readSightings([s], p, read, au, targets, problem, true);
    });
  }
  return read;
}

function readAttribute(
  a: Json,
  p: string,
  read: MispEventRead,
  eventMeaning: TagMeaning,
  eventFrom: string | null,
  problem: (attribute: string | null, path: string, field: string, message: string) => void,
  nextLine: () => number,
): Array<{ type: IndicatorType; value: string }> {
  const au = str(a.uuid);
  const type = typeof a.type === 'string' ? a.type.trim() : '';
  const skip = (reason: string) => read.skipped.push({ event: read.ref, attribute: au, path: p, type: type || '(none)', reason });
  if (type === '') {
    problem(au, p, 'type', 'missing');
    return [];
  }
  const raw = str(a.value);
  if (raw === null || raw.trim() === '') {
    problem(au, p, 'value', 'missing');
    return [];
  }
  if (au !== null && !UUID.test(au)) problem(au, p, 'uuid', `"${au.slice(0, 60)}" is not a UUID`);
  if (truthy(a.deleted)) {
    skip('deleted');
    return [];
  }
  const rules = MISP_IMPORT_TYPES[type];
  if (!truthy(a.to_ids)) {
    skip('to_ids is false: not meant for detection');
    return [];
  }
  if (!rules) {
    skip(`type ${type} is not one the hub holds (addresses, networks, domains, URLs, MD5/SHA-1/SHA-256 hashes, email addresses)`);
    return [];
  }
  const meaning = a.Tag === undefined ? eventMeaning : overlay(eventMeaning, meaningOfTags(tagNames(a.Tag)));
  const firstSeen = isoTime(a.first_seen);
  if (firstSeen === null) problem(au, p, 'first_seen', 'not a date-time (ISO 8601)');
  const ts = a.timestamp === undefined ? null : mispTimestamp(a.timestamp);
  if (a.timestamp !== undefined && ts === null) problem(au, p, 'timestamp', 'not a number of seconds since 1970');
  const validFrom = firstSeen ?? (ts !== null ? isoOfSeconds(ts) : eventFrom);
  const parts = raw.split('|');
  const out: Array<{ type: IndicatorType; value: string }> = [];
  for (const rule of rules) {
    const part = rule.part === undefined ? raw : parts[rule.part];
    if (part === undefined || (rule.part !== undefined && parts.length !== 2)) {
      problem(au, p, 'value', `a ${type} value is two parts separated by "|", got "${raw.slice(0, 80)}"`);
      continue;
    }
    const single = rule.accepts.length === 1 ? rule.accepts[0]! : null;
    let v;
    try {
      v = normalizeIndicator(part, { type: single, lenient: true });
    } catch (err) {
      if (err instanceof IndicatorError) {
        problem(au, p, 'value', `${type}: ${err.message}`);
        continue;
      }
      throw err;
    }
    if (!rule.accepts.includes(v.type)) {
      problem(au, p, 'value', `${type}: "${part.slice(0, 80)}" is not ${rule.accepts.includes('ipv4') ? 'an IP address or network' : `a ${rule.accepts.join(' or ')}`}`);
      continue;
    }
    read.entries.push({
      line: nextLine(),
      type: v.type,
      value: v.value,
      ...(v.ip ? { ip: v.ip } : {}),
      tlp: meaning.tlp,
      confidence: meaning.confidence,
      labels: meaning.labels,
      source: read.source,
      validFrom,
      validUntil: null,
      event: read.ref,
      attribute: au,
      path: p,
    });
    out.push({ type: v.type, value: v.value });
  }
  return out;
}

const KINDS: Record<string, MispSightingKind> = { '0': 'sighting', '1': 'false-positive', '2': 'expiration' };

function readSightings(
  list: unknown,
  p: string,
  read: MispEventRead,
  attribute: string | null,
  targets: Array<{ type: IndicatorType; value: string }>,
  problem: (attribute: string | null, path: string, field: string, message: string) => void,
  single = false,
): void {
  if (!Array.isArray(list)) return problem(attribute, p, 'Sighting', 'not a list');
  list.forEach((s, i) => {
    const sp = single ? p : `${p}[${i}]`;
    if (!isObject(s)) return problem(attribute, sp, 'Sighting', 'not an object');
    const kind = KINDS[String(s.type ?? '0')];
    if (!kind) return problem(attribute, sp, 'type', `"${String(s.type).slice(0, 20)}" is not a MISP sighting type (0 sighting, 1 false positive, 2 expiration)`);
    const seconds = mispTimestamp(s.date_sighting ?? s.timestamp);
    if (seconds === null) return problem(attribute, sp, 'date_sighting', 'missing, or not a number of seconds since 1970');
    if (targets.length === 0) return; // Its attribute was skipped or refused: nothing to attach it to.
    const org = isObject(s.Organisation) ? s.Organisation : {};
    const organisation = { name: str(org.name), uuid: str(org.uuid) };
    const su = str(s.uuid);
    const key = su && UUID.test(su) ? su : `${attribute ?? targets.map((t) => t.value).join('|')}|${kind}|${seconds}|${organisation.uuid ?? organisation.name ?? ''}|${str(s.source) ?? ''}`.slice(0, 500);
    read.sightings.push({ event: read.ref, attribute, path: sp, kind, targets, at: isoOfSeconds(seconds), organisation, source: str(s.source), key });
  });
}
