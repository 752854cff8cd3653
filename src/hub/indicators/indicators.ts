/**
 * Indicators: one row per (type, value), with TLP, confidence, labels, source,
 * validity, first and last seen, the registry's enrichment for addresses and
 * networks, and a history of what happened to each.
 *
 * Writing is in two steps, as for the hotline's hosts: input is parsed,
 * normalised and enriched first (the registry reads the database, and SQLite's
 * one connection is held by a write transaction), then written in one
 * transaction with hand-written bulk statements: an import lands whole or, with
 * `strict` and a bad line, not at all.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Caller, Context } from '../../platform/context.js';
import { audit, type AuditAction } from '../../platform/audit.js';
import { insertRows, pgInsertRowsThen, sqliteInsertRowsReturningIds, updateRowsById } from '../../platform/db/bulk-rows.js';
import type { Database, IndicatorTable } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { BakenError, type FieldProblem } from '../../platform/errors.js';
import type { IpAddress } from '../../net/ip-address.js';
import { registryServices } from '../../registry/registry-services.js';
import type { Resolver } from '../../registry/resolver.js';
import { isIndicatorType, parseTlp, type IndicatorEventKind, type IndicatorType, type Tlp } from './indicator-types.js';
import { IndicatorError, normalizeIndicator } from './normalize-indicator.js';
import {
  IndicatorFieldError,
  parseIndicatorLines,
  parseLabels,
  parseTime,
  type IndicatorEntry,
  type ParseLinesOptions,
  type RejectedIndicatorLine,
} from './parse-indicator-lines.js';

export interface Indicator {
  id: number;
  type: IndicatorType;
  value: string;
  tlp: Tlp;
  confidence: number;
  labels: string[];
  source: string | null;
  validFrom: string | null;
  validUntil: string | null;
  firstSeen: string;
  lastSeen: string;
  /** Registry enrichment (ipv4, ipv6, cidr); null for other types and unknown space. */
  asn: number | null;
  asName: string | null;
  country: string | null;
  operatorId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface IndicatorEvent {
  id: number;
  at: string;
  kind: IndicatorEventKind;
  actor: string | null;
  refType: string | null;
  refId: string | null;
  details: Record<string, unknown>;
}

/** TLP and confidence of indicators that do not say; AMBER, because guessing too narrow is the safe mistake. */
export const DEFAULT_TLP: Tlp = 'AMBER';
export const DEFAULT_CONFIDENCE = 50;

export interface IndicatorInput {
  value: string;
  type?: IndicatorType | string | null;
  tlp?: Tlp | string | null;
  confidence?: number | null;
  labels?: readonly string[];
  source?: string | null;
  validFrom?: string | null;
  validUntil?: string | null;
  /** Mask host bits of a CIDR instead of refusing it. */
  lenient?: boolean;
}

export interface ImportOptions extends ParseLinesOptions {
  /** Refuse the whole import when any line is bad. */
  strict?: boolean;
  /** For lines that do not give their own (CSV columns win). */
  tlp?: Tlp | string | null;
  confidence?: number | null;
  source?: string | null;
  labels?: readonly string[];
  /** The resolver to enrich with (tests, the benchmark); by default the process's registry. */
  resolver?: Resolver;
}

export interface ImportResult {
  format: 'values' | 'csv';
  lines: number;
  /** Distinct indicators among the good lines. */
  indicators: number;
  created: number;
  updated: number;
  /** Good lines that repeat an indicator of an earlier line of the same import (merged into it). */
  duplicates: number;
  rejectedCount: number;
  /** The rejected lines, in order (the first 1,000). */
  rejected: RejectedIndicatorLine[];
  durationMs: number;
}

const REJECTED_KEPT = 1000;

const INSERT = {
  table: 'indicators',
  columns: ['type', 'value', 'tlp', 'confidence', 'labels', 'source', 'valid_from', 'valid_until', 'first_seen', 'last_seen', 'asn', 'as_name', 'country', 'operator_id', 'created_at', 'updated_at'],
  pgTypes: ['text', 'text', 'text', 'integer', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'bigint', 'text', 'text'],
} as const;
const UPDATE = {
  table: 'indicators',
  columns: ['tlp', 'confidence', 'labels', 'source', 'valid_from', 'valid_until', 'last_seen', 'asn', 'as_name', 'country', 'operator_id', 'updated_at'],
  pgTypes: ['text', 'integer', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'bigint', 'text'],
} as const;
const EVENTS = {
  table: 'indicator_events',
  columns: ['indicator_id', 'at', 'kind', 'actor', 'ref_type', 'ref_id', 'details'],
  pgTypes: ['bigint', 'text', 'text', 'text', 'text', 'text', 'text'],
} as const;

/** Entries merged per (type, value) and enriched, ready for the write transaction. */
interface Prepared {
  entries: IndicatorEntry[];
  duplicates: number;
  asn: Array<number | null>;
  asName: Array<string | null>;
  country: Array<string | null>;
  operatorId: Array<number | null>;
}

const keyOf = (type: string, value: string) => `${type}\u0000${value}`;

function mergeEntries(entries: readonly IndicatorEntry[]): { entries: IndicatorEntry[]; duplicates: number } {
  const byKey = new Map<string, IndicatorEntry>();
  let duplicates = 0;
  for (const e of entries) {
    const k = keyOf(e.type, e.value);
    const seen = byKey.get(k);
    if (!seen) {
      byKey.set(k, e);
      continue;
    }
    duplicates++;
    // A later line adds to an earlier one: its given fields win, labels add up.
    byKey.set(k, {
      ...seen,
      tlp: e.tlp ?? seen.tlp,
      confidence: e.confidence ?? seen.confidence,
      labels: [...new Set([...seen.labels, ...e.labels])],
      source: e.source ?? seen.source,
      validFrom: e.validFrom ?? seen.validFrom,
      validUntil: e.validUntil ?? seen.validUntil,
    });
  }
  return { entries: byKey.size === entries.length ? [...entries] : [...byKey.values()], duplicates };
}

async function prepare(ctx: Context, entries: readonly IndicatorEntry[], resolver?: Resolver): Promise<Prepared> {
  const merged = mergeEntries(entries);
  const n = merged.entries.length;
  const p: Prepared = { ...merged, asn: new Array(n).fill(null), asName: new Array(n).fill(null), country: new Array(n).fill(null), operatorId: new Array(n).fill(null) };
  const at: number[] = [];
  const ips: IpAddress[] = [];
  merged.entries.forEach((e, i) => {
    if (e.ip) {
      at.push(i);
      ips.push(e.ip);
    }
  });
  if (ips.length > 0) {
    const r = resolver ?? (await registryServices(ctx)).resolver;
    const facts = await r.networkFactsMany(ips);
    for (let j = 0; j < at.length; j++) {
      const i = at[j]!;
      const f = facts[j]!;
      p.asn[i] = f.asn;
      p.asName[i] = f.as_name;
      p.country[i] = f.country;
      p.operatorId[i] = f.operator_id;
    }
  }
  return p;
}

interface Existing {
  id: number;
  labels: string;
  tlp: Tlp;
  confidence: number;
  source: string | null;
  valid_from: string | null;
  valid_until: string | null;
}

/** The indicators among `entries` that exist already, by key; inside the write transaction. */
async function existingOf(ctx: Context, trx: Kysely<Database>, entries: readonly IndicatorEntry[]): Promise<Map<string, Existing>> {
  const found = new Map<string, Existing>();
  const cols = 'id, type, value, labels, tlp, confidence, source, valid_from, valid_until';
  // An empty table answers nothing; skip 100,000 lookups on a first import.
  if (!(await trx.selectFrom('indicators').select('id').limit(1).executeTakeFirst())) return found;
  if (ctx.db.dialect === 'postgres') {
    for (let start = 0; start < entries.length; start += 20_000) {
      const slice = entries.slice(start, start + 20_000);
      const rows = await sql<Existing & { type: string; value: string }>`select ${sql.raw(cols.split(', ').map((c) => `i.${c}`).join(', '))} from indicators i join unnest(${slice.map((e) => e.type)}::text[], ${slice.map((e) => e.value)}::text[]) as u(type, value) on i.type = u.type and i.value = u.value`.execute(trx);
      for (const r of rows.rows) found.set(keyOf(r.type, r.value), { ...r, id: Number(r.id) });
    }
    return found;
  }
  const native = ctx.db.native;
  if (native && trx.isTransaction) {
    const stmt = native.prepare(`select ${cols} from indicators where type = ? and value = ?`);
    for (const e of entries) {
      const r = stmt.get(e.type, e.value) as (Existing & { type: string; value: string }) | undefined;
      if (r) found.set(keyOf(r.type, r.value), r);
    }
    return found;
  }
  for (const e of entries) {
    const r = await trx.selectFrom('indicators').select(['id', 'labels', 'tlp', 'confidence', 'source', 'valid_from', 'valid_until']).where('type', '=', e.type).where('value', '=', e.value).executeTakeFirst();
    if (r) found.set(keyOf(e.type, e.value), { ...r, id: Number(r.id) });
  }
  return found;
}

interface WriteDefaults {
  tlp: Tlp | null;
  confidence: number | null;
  source: string | null;
  labels: readonly string[];
  via: 'api' | 'import';
}

interface WriteResult {
  created: number;
  updated: number;
  /** Ids in the order of the prepared entries (read back on the first call where the database assigned them). */
  ids: () => Promise<number[]>;
  createdFlags: boolean[];
}

async function writePrepared(ctx: Context, trx: Kysely<Database>, by: Caller, p: Prepared, d: WriteDefaults): Promise<WriteResult> {
  const now = ctx.clock.now().toISOString();
  const existing = await existingOf(ctx, trx, p.entries);
  const newIdx: number[] = [];
  const oldIdx: number[] = [];
  p.entries.forEach((e, i) => (existing.has(keyOf(e.type, e.value)) ? oldIdx : newIdx).push(i));
  const labelsOf = (e: IndicatorEntry, before: readonly string[] = []): string => {
    if (before.length === 0 && d.labels.length === 0 && e.labels.length === 0) return '[]';
    return JSON.stringify([...new Set([...before, ...d.labels, ...e.labels])]);
  };

  const ids = new Array<number>(p.entries.length);
  const createdFlags = new Array<boolean>(p.entries.length).fill(false);
  const newLabels = newIdx.map((i) => labelsOf(p.entries[i]!));
  const actor = actorLabel(by);
  const detailsText = JSON.stringify({ via: d.via, ...(d.source ? { source: d.source } : {}) });
  const newCell = (r: number, c: number): unknown => {
    const i = newIdx[r]!;
    const e = p.entries[i]!;
    switch (c) {
      case 0: return e.type;
      case 1: return e.value;
      case 2: return e.tlp ?? d.tlp ?? DEFAULT_TLP;
      case 3: return e.confidence ?? d.confidence ?? DEFAULT_CONFIDENCE;
      case 4: return newLabels[r];
      case 5: return e.source ?? d.source;
      case 6: return e.validFrom;
      case 7: return e.validUntil;
      case 8: case 9: case 14: case 15: return now;
      case 10: return p.asn[i];
      case 11: return p.asName[i];
      case 12: return p.country[i];
      default: return p.operatorId[i];
    }
  };
  const sameForAll = new Map<number, unknown>([[8, now], [9, now], [14, now], [15, now]]);
  let idsKnown = true;
  if (ctx.db.dialect === 'postgres') {
    // New rows take their ids in the database and their `created` events in the same statement.
    await pgInsertRowsThen(trx, INSERT, newIdx.length, newCell, sameForAll, (k) => `insert into indicator_events (indicator_id, at, kind, actor, details) select id, $${k}::text, 'created', $${k + 1}::text, $${k + 2}::text from ins`, [now, actor, detailsText]);
    idsKnown = newIdx.length === 0;
  } else {
    const newIds = await sqliteInsertRowsReturningIds(trx, ctx.db, INSERT, newIdx.length, newCell);
    for (let r = 0; r < newIdx.length; r++) ids[newIdx[r]!] = newIds[r]!;
  }
  for (const i of newIdx) createdFlags[i] = true;

  // Existing indicators: what the input gives replaces, labels add up, last seen moves on. The TLP changes only
  // when the line or the caller gives one, never by a default.
  const olds = oldIdx.map((i) => existing.get(keyOf(p.entries[i]!.type, p.entries[i]!.value))!);
  const oldIds = olds.map((o) => o.id);
  oldIdx.forEach((i, r) => (ids[i] = oldIds[r]!));
  await updateRowsById(trx, ctx.db, UPDATE, oldIds, (r, c) => {
    const i = oldIdx[r]!;
    const e = p.entries[i]!;
    const o = olds[r]!;
    switch (c) {
      case 0: return e.tlp ?? d.tlp ?? o.tlp;
      case 1: return e.confidence ?? d.confidence ?? o.confidence;
      case 2: return labelsOf(e, JSON.parse(o.labels) as string[]);
      case 3: return e.source ?? d.source ?? o.source;
      case 4: return e.validFrom ?? o.valid_from;
      case 5: return e.validUntil ?? o.valid_until;
      case 6: case 11: return now;
      case 7: return p.asn[i];
      case 8: return p.asName[i];
      case 9: return p.country[i];
      default: return p.operatorId[i];
    }
  }, new Map([[6, now], [11, now]]));

  // History: every row's event, or on PostgreSQL (where the new rows have theirs) the updated rows' only.
  const evIdx = ctx.db.dialect === 'postgres' ? oldIdx : p.entries.map((_, i) => i);
  await insertRows(trx, ctx.db, EVENTS, evIdx.length, (r, c) => {
    switch (c) {
      case 0: return ids[evIdx[r]!];
      case 1: return now;
      case 2: return createdFlags[evIdx[r]!] ? 'created' : 'updated';
      case 3: return actor;
      case 4: case 5: return null;
      default: return detailsText;
    }
  }, [], new Map<number, unknown>([[1, now], [3, actor], [4, null], [5, null], [6, detailsText]]));
  let read: Promise<number[]> | null = null;
  const allIds = (): Promise<number[]> => {
    if (idsKnown) return Promise.resolve(ids);
    read ??= (async () => {
      const got = await existingOf(ctx, trx, newIdx.map((i) => p.entries[i]!));
      for (const i of newIdx) ids[i] = got.get(keyOf(p.entries[i]!.type, p.entries[i]!.value))!.id;
      return ids;
    })();
    return read;
  };
  return { created: newIdx.length, updated: oldIdx.length, ids: allIds, createdFlags };
}

function actorLabel(by: Caller): string | null {
  return by.actor.kind === 'anonymous' ? null : by.actor.label;
}

function problemsOf(rejected: readonly RejectedIndicatorLine[]): FieldProblem[] {
  return rejected.slice(0, 20).map((r) => ({ field: `line ${r.line}`, message: r.reason }));
}

function checkTlp(t: Tlp | string | null | undefined, field = 'tlp'): Tlp | null {
  if (t === undefined || t === null || t === '') return null;
  const v = parseTlp(t);
  if (!v) throw new BakenError('VALIDATION', { detail: `${field}: "${t}" is not a TLP label; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED`, problems: [{ field, message: 'one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED' }] });
  return v;
}

function checkConfidence(c: number | null | undefined): number | null {
  if (c === undefined || c === null) return null;
  if (!Number.isInteger(c) || c < 0 || c > 100) throw new BakenError('VALIDATION', { detail: `confidence: ${c} is not a whole number from 0 to 100`, problems: [{ field: 'confidence', message: 'a whole number from 0 to 100' }] });
  return c;
}

function fieldError(field: string, err: unknown): unknown {
  if (err instanceof IndicatorFieldError) return new BakenError('VALIDATION', { detail: err.message, problems: [{ field, message: err.message }] });
  return err;
}

function checkLabels(labels: readonly string[] | undefined): string[] {
  try {
    return parseLabels(labels ?? []);
  } catch (err) {
    throw fieldError('labels', err);
  }
}

/**
 * Imports indicators from a paste or a file: bare values one a line, or CSV.
 * Good lines land in one transaction; bad lines are reported with their numbers. With `strict`, any bad line
 * refuses the whole import.
 * @throws {BakenError} NO_INDICATORS when no line is good, INDICATORS_REJECTED_STRICT under `strict`.
 * @example
 * const r = await importIndicators(ctx, by, 'evil[.]example\n198.51.100.7\n', { tlp: 'GREEN', source: 'paste' });
 * r.created // 2
 */
export async function importIndicators(ctx: Context, by: Caller, text: string, options: ImportOptions = {}): Promise<ImportResult> {
  const started = Date.now();
  const tlp = checkTlp(options.tlp);
  const confidence = checkConfidence(options.confidence);
  const labels = checkLabels(options.labels);
  const parsed = parseIndicatorLines(text, { ...(options.lenient ? { lenient: true } : {}), ...(options.type ? { type: options.type } : {}) });
  if (options.strict && parsed.rejected.length > 0) {
    const r = parsed.rejected[0]!;
    throw new BakenError('INDICATORS_REJECTED_STRICT', { detail: `${parsed.rejected.length} bad line(s); the first: line ${r.line}: ${r.reason}`, problems: problemsOf(parsed.rejected) });
  }
  if (parsed.entries.length === 0) {
    throw new BakenError('NO_INDICATORS', {
      detail: parsed.rejected.length > 0 ? `All ${parsed.rejected.length} lines were rejected; the first: line ${parsed.rejected[0]!.line}: ${parsed.rejected[0]!.reason}` : 'The input is empty.',
      problems: problemsOf(parsed.rejected),
    });
  }
  const p = await prepare(ctx, parsed.entries, options.resolver);
  const source = options.source?.trim().slice(0, 200) || null;
  const w = await transact(ctx.db.kysely, async (trx) => {
    const w = await writePrepared(ctx, trx, by, p, { tlp, confidence, source, labels, via: 'import' });
    await audit(trx, ctx.clock, by, {
      action: 'indicator.import',
      details: { format: parsed.format, lines: parsed.lines, created: w.created, updated: w.updated, rejected: parsed.rejected.length, source },
    });
    return w;
  });
  return {
    format: parsed.format,
    lines: parsed.lines,
    indicators: p.entries.length,
    created: w.created,
    updated: w.updated,
    duplicates: p.duplicates,
    rejectedCount: parsed.rejected.length,
    rejected: parsed.rejected.slice(0, REJECTED_KEPT),
    durationMs: Date.now() - started,
  };
}

export interface EntryImportOptions {
  /** The format, for the audit log's default `indicator.import` entry: `stix`, `misp`. */
  format?: string;
  /** More for that entry. */
  details?: Record<string, unknown>;
  /** For entries that do not give their own. */
  tlp?: Tlp | null;
  confidence?: number | null;
  source?: string | null;
  labels?: readonly string[];
  resolver?: Resolver;
  /** The audit record of the import (`indicator.import` unless given). */
  audit?: { action: AuditAction; details: Record<string, unknown> };
  /**
   * More writes in the same transaction, after the indicators (an importer's sightings, its bookkeeping):
   * `idOf(type, value)` answers the id of an imported indicator. What it throws rolls the whole import back.
   */
  within?: (trx: Kysely<Database>, idOf: (type: IndicatorType, value: string) => Promise<number | undefined>) => Promise<void>;
}

/**
 * Imports indicators already read and normalised by another format's reader (MISP, STIX): the same merge,
 * enrichment and bulk write as {@link importIndicators}, in one transaction with the caller's own writes.
 * @example
 * const r = await importIndicatorEntries(ctx, by, entries, { source: 'MISP event 5f1c...', within: async (trx, idOf) => { ... } });
 */
export async function importIndicatorEntries(ctx: Context, by: Caller, entries: readonly IndicatorEntry[], options: EntryImportOptions = {}): Promise<{ indicators: number; created: number; updated: number; duplicates: number }> {
  const p = await prepare(ctx, entries, options.resolver);
  const source = options.source?.trim().slice(0, 200) || null;
  const defaults: WriteDefaults = { tlp: options.tlp ?? null, confidence: options.confidence ?? null, source, labels: options.labels ?? [], via: 'import' };
  const w = await transact(ctx.db.kysely, async (trx) => {
    const w = await writePrepared(ctx, trx, by, p, defaults);
    if (options.within) {
      // Built on the first question only: most imports ask none, and 100,000 ids cost a query and a tenth of a second.
      let ids: Map<string, number> | null = null;
      await options.within(trx, async (type, value) => {
        if (!ids) {
          const all = await w.ids();
          ids = new Map();
          for (let i = 0; i < p.entries.length; i++) ids.set(keyOf(p.entries[i]!.type, p.entries[i]!.value), all[i]!);
        }
        return ids.get(keyOf(type, value));
      });
    }
    await audit(trx, ctx.clock, by, options.audit ?? { action: 'indicator.import', details: { format: options.format ?? null, ...options.details, created: w.created, updated: w.updated, source } });
    return w;
  });
  return { indicators: p.entries.length, created: w.created, updated: w.updated, duplicates: p.duplicates };
}

/**
 * Creates an indicator, or updates the one with the same (type, value): given fields replace, labels add up.
 * @throws {BakenError} INDICATOR_INVALID naming what is wrong with the value; VALIDATION for other fields.
 * @example
 * const { indicator, created } = await upsertIndicator(ctx, by, { value: 'hxxp://evil[.]example/x', tlp: 'AMBER' });
 */
export async function upsertIndicator(ctx: Context, by: Caller, input: IndicatorInput, options: { resolver?: Resolver } = {}): Promise<{ indicator: Indicator; created: boolean }> {
  const entry = entryOf(input);
  const p = await prepare(ctx, [entry], options.resolver);
  const id = await transact(ctx.db.kysely, async (trx) => {
    const w = await writePrepared(ctx, trx, by, p, { tlp: null, confidence: null, source: null, labels: [], via: 'api' });
    const id = (await w.ids())[0]!;
    await audit(trx, ctx.clock, by, { action: w.created ? 'indicator.create' : 'indicator.update', target: { type: 'indicator', id }, details: { type: entry.type, value: entry.value } });
    return { id, created: w.created === 1 };
  });
  return { indicator: await getIndicator(ctx, id.id), created: id.created };
}

function entryOf(input: IndicatorInput): IndicatorEntry {
  let v;
  try {
    v = normalizeIndicator(input.value ?? '', { type: input.type ?? null, lenient: input.lenient ?? false });
  } catch (err) {
    if (err instanceof IndicatorError) throw new BakenError('INDICATOR_INVALID', { detail: err.message, problems: [{ field: 'value', message: err.message }] });
    throw err;
  }
  let validFrom: string | null = null;
  let validUntil: string | null = null;
  try {
    validFrom = input.validFrom ? parseTime(input.validFrom, 'valid_from') : null;
  } catch (err) {
    throw fieldError('valid_from', err);
  }
  try {
    validUntil = input.validUntil ? parseTime(input.validUntil, 'valid_until') : null;
  } catch (err) {
    throw fieldError('valid_until', err);
  }
  if (validFrom && validUntil && validUntil < validFrom) throw new BakenError('VALIDATION', { detail: 'valid_until is before valid_from', problems: [{ field: 'valid_until', message: 'before valid_from' }] });
  return {
    line: 1,
    type: v.type,
    value: v.value,
    ...(v.ip ? { ip: v.ip } : {}),
    tlp: checkTlp(input.tlp),
    confidence: checkConfidence(input.confidence),
    labels: checkLabels(input.labels),
    source: input.source?.trim().slice(0, 200) || null,
    validFrom,
    validUntil,
  };
}

export interface IndicatorPatch {
  tlp?: Tlp | string;
  confidence?: number;
  /** Replaces the labels. */
  labels?: readonly string[];
  source?: string | null;
  validFrom?: string | null;
  validUntil?: string | null;
}

/** Changes an indicator's fields (labels given replace the old ones) and records it in its history. */
export async function updateIndicator(ctx: Context, by: Caller, id: number, patch: IndicatorPatch): Promise<Indicator> {
  const now = ctx.clock.now().toISOString();
  const set: Partial<Record<keyof IndicatorTable, unknown>> = {};
  if (patch.tlp !== undefined) set.tlp = checkTlp(patch.tlp);
  if (patch.confidence !== undefined) set.confidence = checkConfidence(patch.confidence);
  if (patch.labels !== undefined) set.labels = JSON.stringify(checkLabels(patch.labels));
  if (patch.source !== undefined) set.source = patch.source?.trim().slice(0, 200) || null;
  try {
    if (patch.validFrom !== undefined) set.valid_from = patch.validFrom ? parseTime(patch.validFrom, 'valid_from') : null;
    if (patch.validUntil !== undefined) set.valid_until = patch.validUntil ? parseTime(patch.validUntil, 'valid_until') : null;
  } catch (err) {
    throw fieldError('valid_from', err);
  }
  await transact(ctx.db.kysely, async (trx) => {
    const row = await trx.selectFrom('indicators').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new BakenError('INDICATOR_NOT_FOUND');
    await trx.updateTable('indicators').set({ ...set, updated_at: now } as never).where('id', '=', id).execute();
    const changed = Object.keys(set);
    await appendIndicatorEvents(trx, [{ indicatorId: id, at: now, kind: 'updated', actor: actorLabel(by), details: { via: 'edit', changed } }]);
    await audit(trx, ctx.clock, by, { action: 'indicator.update', target: { type: 'indicator', id }, details: { changed } });
  });
  return getIndicator(ctx, id);
}

export interface NewIndicatorEvent {
  indicatorId: number;
  kind: IndicatorEventKind;
  at: string;
  actor?: string | null;
  /** What the event points at, e.g. `{ type: 'alert', id: 12 }`. */
  ref?: { type: string; id: string | number } | null;
  details?: Record<string, unknown>;
}

/**
 * Appends events to indicators' histories, inside the caller's transaction so an alert or a sighting and its
 * history land together. For alerts: `kind: 'alert', ref: { type: 'alert', id }`; for sightings: `kind: 'sighting',
 * ref: { type: 'sighting', id }, details: { organisation, count }`.
 * @example
 * await appendIndicatorEvents(trx, ids.map((id) => ({ indicatorId: id, kind: 'alert', at: now, ref: { type: 'alert', id: alertId } })));
 */
export async function appendIndicatorEvents(trx: Kysely<Database>, events: readonly NewIndicatorEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await trx
      .insertInto('indicator_events')
      .values(
        events.slice(i, i + 500).map((e) => ({
          indicator_id: e.indicatorId,
          at: e.at,
          kind: e.kind,
          actor: e.actor ?? null,
          ref_type: e.ref?.type ?? null,
          ref_id: e.ref ? String(e.ref.id) : null,
          details: e.details ? JSON.stringify(e.details) : null,
        })),
      )
      .execute();
  }
}

export function toIndicator(r: Selectable<IndicatorTable>): Indicator {
  return {
    id: Number(r.id),
    type: r.type,
    value: r.value,
    tlp: r.tlp,
    confidence: r.confidence,
    labels: JSON.parse(r.labels) as string[],
    source: r.source,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    asn: r.asn === null ? null : Number(r.asn),
    asName: r.as_name,
    country: r.country,
    operatorId: r.operator_id === null ? null : Number(r.operator_id),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function getIndicator(ctx: Context, id: number): Promise<Indicator> {
  const r = await ctx.db.kysely.selectFrom('indicators').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new BakenError('INDICATOR_NOT_FOUND', { detail: `There is no indicator ${id}.` });
  return toIndicator(r);
}

/**
 * Finds an indicator by its value in any spelling (defanged, upper case, ...); with `type` when the value alone
 * is ambiguous. Null when the hub does not know it.
 * @throws {BakenError} INDICATOR_INVALID when the value is not an indicator at all.
 */
export async function findIndicator(ctx: Context, value: string, type?: IndicatorType | string | null): Promise<Indicator | null> {
  let v;
  try {
    v = normalizeIndicator(value, { type: type ?? null, lenient: true });
  } catch (err) {
    if (err instanceof IndicatorError) throw new BakenError('INDICATOR_INVALID', { detail: err.message, problems: [{ field: 'value', message: err.message }] });
    throw err;
  }
  const r = await ctx.db.kysely.selectFrom('indicators').selectAll().where('type', '=', v.type).where('value', '=', v.value).executeTakeFirst();
  return r ? toIndicator(r) : null;
}

/** An indicator's history, oldest first. */
export async function indicatorHistory(ctx: Context, id: number, limit = 500): Promise<IndicatorEvent[]> {
  const rows = await ctx.db.kysely.selectFrom('indicator_events').selectAll().where('indicator_id', '=', id).orderBy('id', 'desc').limit(limit).execute();
  return rows.reverse().map((r) => ({
    id: Number(r.id),
    at: r.at,
    kind: r.kind,
    actor: r.actor,
    refType: r.ref_type,
    refId: r.ref_id,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
  }));
}

export interface IndicatorQuery {
  type?: IndicatorType | string;
  tlp?: Tlp | string;
  label?: string;
  /** Part of the value, or of the source. */
  q?: string;
  /** Indicators with ids below this (the next page: newest first). */
  before?: number;
  limit?: number;
}

/** A page of indicators, newest first, with the cursor of the next page. */
export async function listIndicators(ctx: Context, query: IndicatorQuery = {}): Promise<{ indicators: Indicator[]; next: number | null }> {
  const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
  let q = ctx.db.kysely.selectFrom('indicators').selectAll();
  if (query.type) {
    if (!isIndicatorType(query.type)) throw new BakenError('VALIDATION', { detail: `type: "${query.type}" is not an indicator type`, problems: [{ field: 'type', message: 'an indicator type' }] });
    q = q.where('type', '=', query.type);
  }
  const tlp = checkTlp(query.tlp);
  if (tlp) q = q.where('tlp', '=', tlp);
  if (query.label) {
    const label = query.label.trim().toLowerCase();
    q = q.where(sql<boolean>`labels like ${`%${likeEscape(JSON.stringify(label))}%`} escape '\\'`);
  }
  if (query.q && query.q.trim() !== '') {
    // Search in the form values are stored in: refanged and lower case.
    const text = `%${likeEscape(refangForSearch(query.q.trim()))}%`;
    q = q.where((eb) => eb.or([eb(sql`lower(value)`, 'like', sql`${text} escape '\\'`), eb(sql`lower(coalesce(source, ''))`, 'like', sql`${text} escape '\\'`)]));
  }
  if (query.before !== undefined) q = q.where('id', '<', query.before);
  const rows = await q.orderBy('id', 'desc').limit(limit).execute();
  return { indicators: rows.map(toIndicator), next: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null };
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function refangForSearch(s: string): string {
  return s.replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.').replace(/^hxxp/i, 'http').toLowerCase();
}

/**
 * Checks that every id is an indicator; returns them without repeats.
 * @throws {BakenError} INDICATOR_NOT_FOUND naming the unknown ids.
 */
export async function checkIndicatorIds(trx: Kysely<Database>, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const found = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await trx.selectFrom('indicators').select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) found.add(Number(r.id));
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new BakenError('INDICATOR_NOT_FOUND', { detail: `Unknown indicator id(s): ${missing.slice(0, 10).join(', ')}.` });
  return [...found];
}

