/**
 * The operator directory: who runs which ASNs and prefixes, and the abuse
 * contacts a handler entered by hand. Manual contacts win over imported ones
 * (see resolver.ts). Operators are organisations of kind `operator`, so they
 * share names, language and notes with the rest of Baken.
 */
import { transact } from '../platform/db/transact.js';
import { sql, type Kysely } from 'kysely';
import { createOrganisation, toOrganisation, updateOrganisation, type Organisation } from '../accounts/organisations.js';
import { formatCidr, parseCidr } from '../net/cidr.js';
import { IpParseError } from '../net/ip-parse-error.js';
import { audit } from '../platform/audit.js';
import type { Caller, Context } from '../platform/context.js';
import type { Database } from '../platform/db/schema.js';
import { BakenError, invalid, type FieldProblem } from '../platform/errors.js';
import { cleanAbuseEmails } from './abuse-emails.js';
import { DIRECTORY_VERSION_KEY, noteDirectoryChanged, OperatorIndex } from './operator-index.js';

export interface Operator {
  organisation: Organisation;
  asns: number[];
  /** Canonical CIDR prefixes. */
  prefixes: string[];
  /** Manual abuse contacts, primary first. */
  contacts: string[];
}

export interface OperatorInput {
  name: string;
  language?: 'en' | 'nl';
  notes?: string | null;
  asns?: ReadonlyArray<number | string>;
  prefixes?: readonly string[];
  contacts?: readonly string[];
}

export type OperatorPatch = Partial<OperatorInput>;

const ASN_MAX = 4294967295;

/** `AS1136`, `as1136` or `1136`. */
export function parseAsn(raw: number | string, field = 'asns'): number {
  const s = String(raw).trim();
  const m = /^(?:as)?(\d{1,10})$/i.exec(s);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > ASN_MAX) throw invalid(field, `"${s}" is not an AS number (AS1 to AS${ASN_MAX})`);
  return n;
}

/** Canonical prefixes; a host address is not a network, and host bits set are a typo to report. */
export function parsePrefixes(raw: readonly string[], field = 'prefixes'): string[] {
  const out = new Set<string>();
  for (const p of raw) {
    const t = p.trim();
    if (t === '') continue;
    try {
      out.add(formatCidr(parseCidr(t)));
    } catch (err) {
      if (err instanceof IpParseError) throw invalid(field, err.message);
      throw err;
    }
  }
  return [...out];
}

export function parseContacts(raw: readonly string[], field = 'contacts'): string[] {
  const { emails, invalid: bad } = cleanAbuseEmails(raw);
  if (bad.length > 0) throw invalid(field, `not an email address: ${bad.map((b) => `"${b}"`).join(', ')}`);
  return emails;
}

interface Lists {
  asns?: number[];
  prefixes?: string[];
  contacts?: string[];
}

function checkLists(input: OperatorPatch): Lists {
  const lists: Lists = {};
  if (input.asns !== undefined) lists.asns = [...new Set(input.asns.map((a) => parseAsn(a)))];
  if (input.prefixes !== undefined) lists.prefixes = parsePrefixes(input.prefixes);
  if (input.contacts !== undefined) lists.contacts = parseContacts(input.contacts);
  return lists;
}

/** Replaces the lists that are given; refuses ASNs and prefixes another operator holds. */
async function writeLists(trx: Kysely<Database>, organisationId: number, lists: Lists): Promise<void> {
  if (lists.asns !== undefined) {
    if (lists.asns.length > 0) {
      const taken = await trx
        .selectFrom('operator_asns')
        .innerJoin('organisations', 'organisations.id', 'operator_asns.organisation_id')
        .select(['asn', 'organisations.name'])
        .where('asn', 'in', lists.asns)
        .where('organisation_id', '!=', organisationId)
        .execute();
      if (taken.length > 0) throw invalid('asns', taken.map((t) => `AS${t.asn} belongs to ${t.name}`).join('; '));
    }
    await trx.deleteFrom('operator_asns').where('organisation_id', '=', organisationId).execute();
    if (lists.asns.length > 0) await trx.insertInto('operator_asns').values(lists.asns.map((asn) => ({ organisation_id: organisationId, asn }))).execute();
  }
  if (lists.prefixes !== undefined) {
    if (lists.prefixes.length > 0) {
      const taken = await trx
        .selectFrom('operator_prefixes')
        .innerJoin('organisations', 'organisations.id', 'operator_prefixes.organisation_id')
        .select(['prefix', 'organisations.name'])
        .where('prefix', 'in', lists.prefixes)
        .where('organisation_id', '!=', organisationId)
        .execute();
      if (taken.length > 0) throw invalid('prefixes', taken.map((t) => `${t.prefix} belongs to ${t.name}`).join('; '));
    }
    await trx.deleteFrom('operator_prefixes').where('organisation_id', '=', organisationId).execute();
    if (lists.prefixes.length > 0) await trx.insertInto('operator_prefixes').values(lists.prefixes.map((prefix) => ({ organisation_id: organisationId, prefix }))).execute();
  }
  if (lists.contacts !== undefined) {
    await trx.deleteFrom('operator_contacts').where('organisation_id', '=', organisationId).execute();
    if (lists.contacts.length > 0) {
      await trx.insertInto('operator_contacts').values(lists.contacts.map((email, position) => ({ organisation_id: organisationId, email, position }))).execute();
    }
  }
}

async function bumpVersion(trx: Kysely<Database>, now: string): Promise<void> {
  const value = `${now}#${Math.random().toString(36).slice(2, 10)}`;
  const updated = await trx.updateTable('settings').set({ value, updated_at: now }).where('key', '=', DIRECTORY_VERSION_KEY).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('settings').values({ key: DIRECTORY_VERSION_KEY, value, updated_at: now }).execute();
}


/** A context whose database is the transaction, so organisation helpers join it. */
function inTransaction(ctx: Context, trx: Kysely<Database>): Context {
  return { ...ctx, db: { ...ctx.db, kysely: trx } };
}

export async function createOperator(ctx: Context, by: Caller, input: OperatorInput): Promise<Operator> {
  const lists = checkLists(input);
  const id = await transact(ctx.db.kysely, async (trx) => {
    const org = await createOrganisation(inTransaction(ctx, trx), by, { name: input.name, kind: 'operator', language: input.language ?? 'en', notes: input.notes ?? null });
    await writeLists(trx, org.id, lists);
    await bumpVersion(trx, ctx.clock.now().toISOString());
    await audit(trx, ctx.clock, by, { action: 'operator.update', target: { type: 'organisation', id: org.id }, details: { ...lists } });
    return org.id;
  });
  noteDirectoryChanged();
  return getOperator(ctx, id);
}

export async function updateOperator(ctx: Context, by: Caller, id: number, patch: OperatorPatch): Promise<Operator> {
  const lists = checkLists(patch);
  await transact(ctx.db.kysely, async (trx) => {
    const org = await trx.selectFrom('organisations').select(['id', 'kind']).where('id', '=', id).executeTakeFirst();
    if (!org || org.kind !== 'operator') throw new BakenError('ORG_NOT_FOUND', { detail: `no operator with id ${id}` });
    const orgPatch = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.language !== undefined ? { language: patch.language } : {}),
      ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
    };
    if (Object.keys(orgPatch).length > 0) await updateOrganisation(inTransaction(ctx, trx), by, id, orgPatch);
    await writeLists(trx, id, lists);
    await bumpVersion(trx, ctx.clock.now().toISOString());
    if (Object.keys(lists).length > 0) await audit(trx, ctx.clock, by, { action: 'operator.update', target: { type: 'organisation', id }, details: { ...lists } });
  });
  noteDirectoryChanged();
  return getOperator(ctx, id);
}

async function withLists(k: Kysely<Database>, orgs: Organisation[]): Promise<Operator[]> {
  if (orgs.length === 0) return [];
  const ids = orgs.map((o) => o.id);
  const [asns, prefixes, contacts] = await Promise.all([
    k.selectFrom('operator_asns').selectAll().where('organisation_id', 'in', ids).orderBy('asn').execute(),
    k.selectFrom('operator_prefixes').selectAll().where('organisation_id', 'in', ids).orderBy('prefix').execute(),
    k.selectFrom('operator_contacts').selectAll().where('organisation_id', 'in', ids).orderBy('position').execute(),
  ]);
  const group = <T extends { organisation_id: number }, V>(rows: T[], pick: (r: T) => V) => {
    const m = new Map<number, V[]>();
    for (const r of rows) m.set(r.organisation_id, [...(m.get(r.organisation_id) ?? []), pick(r)]);
    return m;
  };
  const a = group(asns, (r) => r.asn);
  const p = group(prefixes, (r) => r.prefix);
  const c = group(contacts, (r) => r.email);
  return orgs.map((o) => ({ organisation: o, asns: a.get(o.id) ?? [], prefixes: p.get(o.id) ?? [], contacts: c.get(o.id) ?? [] }));
}

export async function getOperator(ctx: Context, id: number): Promise<Operator> {
  const row = await ctx.db.kysely.selectFrom('organisations').selectAll().where('id', '=', id).where('kind', '=', 'operator').executeTakeFirst();
  if (!row) throw new BakenError('ORG_NOT_FOUND', { detail: `no operator with id ${id}` });
  return (await withLists(ctx.db.kysely, [toOrganisation(row)]))[0]!;
}

/**
 * Operators matching a search: part of the name, an AS number (`AS1136`), a
 * contact address, or a prefix or address inside one of their prefixes.
 */
export async function listOperators(ctx: Context, q?: string): Promise<Operator[]> {
  const k = ctx.db.kysely;
  let query = k.selectFrom('organisations').selectAll().where('kind', '=', 'operator');
  const term = q?.trim();
  if (term) {
    const like = `%${term.toLowerCase().replace(/[%_\\]/g, '')}%`;
    const asn = /^(?:as)?(\d{1,10})$/i.exec(term)?.[1];
    query = query.where((eb) =>
      eb.or([
        eb(sql<string>`lower(name)`, 'like', like),
        eb('id', 'in', eb.selectFrom('operator_contacts').select('organisation_id').where('email', 'like', like)),
        eb('id', 'in', eb.selectFrom('operator_prefixes').select('organisation_id').where('prefix', 'like', `${term.replace(/[%_\\]/g, '')}%`)),
        ...(asn ? [eb('id', 'in', eb.selectFrom('operator_asns').select('organisation_id').where('asn', '=', Number(asn)))] : []),
      ]),
    );
  }
  const rows = await query.orderBy('name').limit(500).execute();
  const operators = await withLists(k, rows.map(toOrganisation));
  if (!term || operators.length > 0) return operators;
  // An address: find the operators whose prefixes contain it.
  const index = await OperatorIndex.load(ctx);
  const hit = index.matchText(term);
  return hit ? [await getOperator(ctx, hit.operatorId)] : [];
}

// ---- CSV import and export

export const OPERATOR_CSV_COLUMNS = ['name', 'asns', 'prefixes', 'abuse_contacts', 'language', 'notes'] as const;

/** One operator a line; lists separated by spaces. */
export async function exportOperatorsCsv(ctx: Context): Promise<string> {
  const operators = await listOperators(ctx);
  const lines = [OPERATOR_CSV_COLUMNS.join(',')];
  for (const o of operators) {
    lines.push(
      [o.organisation.name, o.asns.map((a) => `AS${a}`).join(' '), o.prefixes.join(' '), o.contacts.join(' '), o.organisation.language, o.organisation.notes ?? '']
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Parses CSV text (RFC 4180: quotes, doubled quotes, new lines in quotes) into rows with their line numbers. */
export function parseCsv(text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (quoted) throw new BakenError('BAD_INPUT', { detail: `line ${rowLine}: a quoted field is not closed`, problems: [{ field: `line ${rowLine}`, message: 'a quoted field is not closed' }] });
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    rows.push({ line: rowLine, fields });
  }
  return rows;
}

export interface OperatorImportResult {
  created: number;
  updated: number;
}

/**
 * Imports operators from CSV (the export's columns; `name` required, the rest
 * optional). Existing operators, matched by name, are updated. Every line is
 * checked first; one bad line refuses the whole file, with every problem listed
 * by line and field, and nothing is changed.
 */
export async function importOperatorsCsv(ctx: Context, by: Caller, text: string): Promise<OperatorImportResult> {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new BakenError('BAD_INPUT', { detail: 'the file is empty' });
  const header = rows[0]!.fields.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col('name') < 0) throw new BakenError('BAD_INPUT', { detail: 'line 1: the header has no "name" column', problems: [{ field: 'line 1, header', message: 'no "name" column' }] });
  const unknown = header.filter((h) => !(OPERATOR_CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) throw new BakenError('BAD_INPUT', { detail: `line 1: unknown columns ${unknown.join(', ')}`, problems: [{ field: 'line 1, header', message: `unknown columns: ${unknown.join(', ')} (known: ${OPERATOR_CSV_COLUMNS.join(', ')})` }] });

  const problems: FieldProblem[] = [];
  const entries: Array<{ line: number; input: OperatorInput & { name: string } }> = [];
  const names = new Set<string>();
  for (const { line, fields } of rows.slice(1)) {
    const get = (name: string) => (col(name) >= 0 ? (fields[col(name)] ?? '').trim() : undefined);
    const split = (v: string | undefined) => (v === undefined ? undefined : v.split(/[\s,;]+/).filter((x) => x !== ''));
    const name = get('name') ?? '';
    const where = (field: string) => `line ${line}, ${field}`;
    if (fields.length !== header.length) problems.push({ field: `line ${line}`, message: `has ${fields.length} fields, the header ${header.length}` });
    if (name === '') problems.push({ field: where('name'), message: 'is empty' });
    else if (names.has(name.toLowerCase())) problems.push({ field: where('name'), message: `"${name}" appears twice in the file` });
    names.add(name.toLowerCase());
    const language = get('language');
    if (language && language !== 'en' && language !== 'nl') problems.push({ field: where('language'), message: `must be en or nl, not "${language}"` });
    const input: OperatorInput & { name: string } = { name };
    const asns = split(get('asns'));
    const prefixes = split(get('prefixes'));
    const contacts = split(get('abuse_contacts'));
    try {
      if (asns) input.asns = asns.map((a) => parseAsn(a));
      if (prefixes) input.prefixes = parsePrefixes(prefixes);
      if (contacts) input.contacts = parseContacts(contacts);
    } catch (err) {
      if (!(err instanceof BakenError)) throw err;
      for (const p of err.problems) problems.push({ field: where(p.field === 'asns' || p.field === 'prefixes' ? p.field : 'abuse_contacts'), message: p.message });
    }
    if (language === 'en' || language === 'nl') input.language = language;
    const notes = get('notes');
    if (notes !== undefined) input.notes = notes || null;
    entries.push({ line, input });
  }
  if (problems.length > 0) {
    throw new BakenError('BAD_INPUT', { detail: `${problems.length} problem(s), nothing was imported: ${problems.slice(0, 5).map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems });
  }

  let created = 0;
  let updated = 0;
  await transact(ctx.db.kysely, async (trx) => {
    const tctx = inTransaction(ctx, trx);
    for (const { line, input } of entries) {
      try {
        const existing = await trx.selectFrom('organisations').select(['id', 'kind']).where(sql<string>`lower(name)`, '=', input.name.toLowerCase()).executeTakeFirst();
        if (existing && existing.kind !== 'operator') throw invalid('name', `"${input.name}" is a ${existing.kind} organisation, not an operator`);
        let id: number;
        if (existing) {
          const orgPatch = { ...(input.language ? { language: input.language } : {}), ...(input.notes !== undefined ? { notes: input.notes } : {}) };
          if (Object.keys(orgPatch).length > 0) await updateOrganisation(tctx, by, existing.id, orgPatch);
          id = existing.id;
          updated++;
        } else {
          id = (await createOrganisation(tctx, by, { name: input.name, kind: 'operator', language: input.language ?? 'en', notes: input.notes ?? null })).id;
          created++;
        }
        await writeLists(trx, id, checkLists(input));
      } catch (err) {
        if (err instanceof BakenError) {
          const p = err.problems[0];
          throw new BakenError('BAD_INPUT', { detail: `line ${line}: ${err.message}`, problems: [{ field: `line ${line}, ${p?.field ?? 'name'}`, message: p?.message ?? err.message }] });
        }
        throw err;
      }
    }
    await bumpVersion(trx, ctx.clock.now().toISOString());
    await audit(trx, ctx.clock, by, { action: 'operator.import', details: { created, updated } });
  });
  noteDirectoryChanged();
  return { created, updated };
}
