/**
 * The query parameters of the TAXII 2.1 object endpoints (sections 3.4 and 3.5): `added_after`, `limit`,
 * `next`, `match[id]`, `match[type]`, `match[version]`, `match[spec_version]`. Bad values are refused with a
 * 400 that names the parameter, never ignored.
 */
import { BakenError } from '../../platform/errors.js';

/** The most objects one page holds, and what a page holds when the client does not say. */
export const TAXII_MAX_PAGE = 1000;

/** Where a page ends: the date_added of its last entry, the kind of source (to merge several) and a row id. */
export interface Cursor {
  at: string;
  rank: number;
  id: number;
}

export interface VersionMatch {
  /** `last`, `first` or `all` given: Baken keeps the current version of each object only, so each means it. */
  current: boolean;
  /** Versions asked for by their `modified` timestamp. */
  timestamps: string[];
}

export interface TaxiiQuery {
  addedAfter: string | null;
  limit: number;
  after: Cursor | null;
  ids: string[] | null;
  types: string[] | null;
  version: VersionMatch;
  /** False when `match[spec_version]` names only versions other than 2.1: nothing matches. */
  specVersionMatches: boolean;
}

type Raw = Record<string, string | string[] | undefined>;

const bad = (field: string, message: string) => new BakenError('VALIDATION', { detail: `${field}: ${message}`, problems: [{ field, message }] });

function values(raw: Raw, name: string): string[] | null {
  const v = raw[name];
  if (v === undefined) return null;
  const list = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  return list.length > 0 ? list : null;
}

function single(raw: Raw, name: string): string | null {
  const v = raw[name];
  if (v === undefined) return null;
  if (Array.isArray(v)) {
    if (v.length > 1) throw bad(name, 'give it once');
    return v[0] ?? null;
  }
  return v;
}

/** A TAXII timestamp (RFC 3339, UTC), returned in the form Baken stores: `2026-01-02T03:04:05.678Z`. */
export function parseTimestamp(s: string, field: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) throw bad(field, `"${s}" is not an RFC 3339 timestamp such as 2026-01-02T03:04:05.678Z`);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw bad(field, `"${s}" is not a valid date and time`);
  return new Date(t).toISOString();
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at}|${c.rank}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(token: string): Cursor {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|(\d)\|(\d{1,15})$/.exec(text);
  if (!m) throw bad('next', 'not a value this server gave out; start again without it');
  return { at: m[1]!, rank: Number(m[2]), id: Number(m[3]) };
}

const STIX_ID = /^[a-z0-9][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STIX_TYPE = /^[a-z0-9][a-z0-9-]{1,249}$/;

/**
 * Reads the query of an objects or manifest request. `filters` false (the object and versions endpoints)
 * refuses `match[id]` and `match[type]`, which the path decides there.
 */
export function parseTaxiiQuery(raw: Raw, options: { filters?: boolean; versionDefault?: 'last' | 'all' } = {}): TaxiiQuery {
  const filters = options.filters ?? true;
  const addedAfterRaw = single(raw, 'added_after');
  const limitRaw = single(raw, 'limit');
  let limit = TAXII_MAX_PAGE;
  if (limitRaw !== null) {
    if (!/^\d{1,9}$/.test(limitRaw) || Number(limitRaw) < 1) throw bad('limit', 'a whole number from 1');
    // The server's own maximum wins over a larger request (TAXII 2.1, 3.4).
    limit = Math.min(Number(limitRaw), TAXII_MAX_PAGE);
  }
  const nextRaw = single(raw, 'next');
  const ids = values(raw, 'match[id]');
  const types = values(raw, 'match[type]');
  if (!filters && (ids || types)) throw bad(ids ? 'match[id]' : 'match[type]', 'not a filter of this endpoint');
  for (const id of ids ?? []) if (!STIX_ID.test(id)) throw bad('match[id]', `"${id}" is not a STIX identifier (type--UUID)`);
  for (const t of types ?? []) if (!STIX_TYPE.test(t)) throw bad('match[type]', `"${t}" is not a STIX type`);
  const version: VersionMatch = { current: false, timestamps: [] };
  for (const v of values(raw, 'match[version]') ?? [options.versionDefault ?? 'last']) {
    if (v === 'last' || v === 'first' || v === 'all') version.current = true;
    else version.timestamps.push(parseTimestamp(v, 'match[version]'));
  }
  const specVersions = values(raw, 'match[spec_version]');
  for (const s of specVersions ?? []) if (!/^\d+\.\d+$/.test(s)) throw bad('match[spec_version]', `"${s}" is not a STIX version such as 2.1`);
  return {
    addedAfter: addedAfterRaw === null ? null : parseTimestamp(addedAfterRaw, 'added_after'),
    limit,
    after: nextRaw === null ? null : decodeCursor(nextRaw),
    ids,
    types,
    version,
    specVersionMatches: specVersions === null || specVersions.includes('2.1'),
  };
}
