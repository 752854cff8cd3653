/**
 * Storing the affected hosts of a case. An upload arrives as intake events
 * (hosts, rejected lines, a summary); each host is resolved by the registry
 * (network, ASN, country, operator, abuse contact), scoped, and written in
 * batches, all inside one transaction: an upload lands whole or not at all.
 *
 * The statements are written by hand (as in the RPSL import): multi-row VALUES
 * on SQLite, one array per column through unnest() on PostgreSQL, because the
 * query builder's per-value nodes cost more than the database at a million rows.
 */
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { Caller, Context } from '../../platform/context.js';
import type { Db } from '../../platform/db/database.js';
import type { CaseTable, Database } from '../../platform/db/schema.js';
import { transact } from '../../platform/db/transact.js';
import { audit } from '../../platform/audit.js';
import { BakenError, type FieldProblem } from '../../platform/errors.js';
import { registryServices } from '../../registry/registry-services.js';
import type { Resolution, Resolver } from '../../registry/resolver.js';
import type { IntakeHost, IntakeSummary, RejectedLine } from '../intake/intake-types.js';
import { caseRow } from './cases.js';
import { recordCaseEvent } from './case-events.js';
import { outOfScopeReason, type Scope } from './scope.js';

/** What intake yields: hosts and rejected lines one at a time (readHosts) or in batches (readHostBatches), and a summary. */
export type HostEvent =
  | { kind: 'host'; host: IntakeHost }
  | { kind: 'hosts'; hosts: IntakeHost[] }
  | { kind: 'rejected'; rejected: RejectedLine | RejectedLine[] }
  | { kind: 'rejected-lines'; rejected: RejectedLine[] }
  | { kind: 'summary'; summary: IntakeSummary };

export interface PrepareOptions {
  /** Refuse the whole upload when any line was rejected. */
  strict?: boolean;
  /** The resolver to use (tests pass one over fixture data); by default the process's registry. */
  resolver?: Resolver;
}

export interface StoreHostsOptions extends PrepareOptions {
  /** A file name or channel, kept with the upload. */
  source?: string | null;
  /** Whether the reporter sees the upload (its counts) on the status page. */
  publicEvent?: boolean;
}

export interface UploadResult {
  caseId: string;
  uploadId: number;
  summary: IntakeSummary;
  /** Hosts added to the case (the upload's hosts less those the case had already). */
  stored: number;
  alreadyInCase: number;
  inScope: number;
  outOfScope: number;
  noContact: number;
  /** Distinct recipients among the hosts added in scope. */
  recipients: number;
  /** The first rejected lines (all of them are stored with the upload). */
  rejected: RejectedLine[];
  durationMs: number;
}

/** Hosts resolved per call to the registry. */
const CHUNK = 20_000;
/** Rows per PostgreSQL statement. */
const PG_ROWS = 20_000;
/** Rows per SQLite statement (15 columns: 15,000 parameters, under SQLite's limit of 32,766). */
const SQLITE_ROWS = 1000;
const REJECTED_KEPT = 100;

const HOST_COLUMNS = ['case_id', 'upload_id', 'ip', 'port', 'seen_at', 'extra', 'line', 'warnings', 'asn', 'country', 'network', 'operator_id', 'recipient', 'contact_source', 'out_of_scope'] as const;
const HOST_PG_TYPES = ['bigint', 'bigint', 'text', 'integer', 'text', 'text', 'integer', 'text', 'bigint', 'text', 'text', 'bigint', 'text', 'text', 'text'];
const REJECTED_COLUMNS = ['case_id', 'upload_id', 'line', 'field', 'reason', 'text'] as const;
const REJECTED_PG_TYPES = ['bigint', 'bigint', 'integer', 'text', 'text', 'text'];

/**
 * An upload read, resolved and scoped, not yet written: columns of equal length, one entry per host. Made before
 * the writing transaction opens, because the registry reads the database (directory, RIPE snapshot, RDAP cache)
 * and SQLite has one connection, which the transaction holds.
 */
export interface PreparedHosts {
  summary: IntakeSummary;
  count: number;
  ip: string[];
  port: Array<number | null>;
  seenAt: Array<string | null>;
  extra: Array<string | null>;
  line: number[];
  warnings: Array<string | null>;
  asn: Array<number | null>;
  country: Array<string | null>;
  network: Array<string | null>;
  operatorId: Array<number | null>;
  recipient: Array<string | null>;
  contactSource: Array<string | null>;
  outOfScope: Array<string | null>;
  rejected: RejectedLine[];
  rejectedCount: number;
  durationMs: number;
}

/**
 * Reads the intake events, resolves every host with the registry and decides its scope. Throws, before anything
 * is written, NO_HOSTS when no line was a host and HOSTS_REJECTED_STRICT under `strict` with a bad line.
 */
export async function prepareHosts(ctx: Context, events: AsyncIterable<HostEvent> | Iterable<HostEvent>, options: PrepareOptions = {}): Promise<PreparedHosts> {
  const started = Date.now();
  const resolver = options.resolver ?? (await registryServices(ctx)).resolver;
  const scope: Scope = { countries: ctx.config.scopeCountries };
  const p: PreparedHosts = {
    summary: { format: 'ips', lines: 0, hosts: 0, duplicates: 0, rejected: 0, flagged: 0, extraColumns: [] },
    count: 0,
    ip: [], port: [], seenAt: [], extra: [], line: [], warnings: [], asn: [], country: [], network: [], operatorId: [], recipient: [], contactSource: [], outOfScope: [],
    rejected: [],
    rejectedCount: 0,
    durationMs: 0,
  };
  let summary: IntakeSummary | null = null;
  let pending: IntakeHost[] = [];

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const hosts = pending;
    pending = [];
    const resolved = await resolver.resolveMany(hosts.map((h) => h.ip));
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      const r = resolved[i]!;
      p.ip.push(h.ip);
      p.port.push(h.port);
      p.seenAt.push(h.timestamp);
      p.line.push(h.line);
      let hasExtra = false;
      for (const _ in h.extra) {
        hasExtra = true;
        break;
      }
      p.extra.push(hasExtra ? JSON.stringify(h.extra) : null);
      p.warnings.push(h.warnings.length > 0 ? JSON.stringify(h.warnings) : null);
      if ('error' in r) {
        p.asn.push(null);
        p.country.push(null);
        p.network.push(null);
        p.operatorId.push(null);
        p.recipient.push(null);
        p.contactSource.push(null);
        p.outOfScope.push('not resolvable');
      } else {
        const res: Resolution = r;
        p.asn.push(res.asn);
        p.country.push(res.country);
        p.network.push(res.network);
        p.operatorId.push(res.operator?.id ?? null);
        p.recipient.push(res.abuse_contacts[0] ?? null);
        p.contactSource.push(res.contact_source);
        p.outOfScope.push(outOfScopeReason(res, scope));
      }
    }
    p.count += hosts.length;
  };

  const addRejected = (r: RejectedLine): void => {
    if (options.strict) throw strictError(r);
    p.rejectedCount++;
    p.rejected.push(r);
  };
  for await (const e of events as AsyncIterable<HostEvent>) {
    switch (e.kind) {
      case 'host':
        if (pending.push(e.host) >= CHUNK) await flush();
        break;
      case 'hosts':
        for (const h of e.hosts) pending.push(h);
        if (pending.length >= CHUNK) await flush();
        break;
      case 'rejected':
      case 'rejected-lines':
        if (Array.isArray(e.rejected)) e.rejected.forEach(addRejected);
        else addRejected(e.rejected);
        break;
      case 'summary':
        summary = e.summary;
        break;
    }
  }
  await flush();
  const flagged = p.warnings.reduce((n, w) => (w === null ? n : n + 1), 0);
  p.summary = summary ?? { format: 'ips', lines: p.count + p.rejectedCount, hosts: p.count, duplicates: 0, rejected: p.rejectedCount, flagged, extraColumns: [] };
  // Intake reports rejected lines in full up to a limit and counts the rest.
  p.rejectedCount = Math.max(p.rejectedCount, p.summary.rejected);
  if (p.count === 0) {
    throw new BakenError('NO_HOSTS', {
      detail: p.rejectedCount > 0 ? `All ${p.rejectedCount} lines were rejected; the first: line ${p.rejected[0]?.line}: ${p.rejected[0]?.reason}` : 'The upload is empty.',
      problems: p.rejected.slice(0, 20).map(problemOf),
    });
  }
  p.durationMs = Date.now() - started;
  return p;
}

/**
 * Adds an upload's hosts to a case: prepared first, then written in one transaction.
 * @throws {BakenError} NO_HOSTS when no line was a host, HOSTS_REJECTED_STRICT under `strict` with a bad line,
 *   CASE_NOT_FOUND; in every case nothing is saved.
 * @example
 * const r = await storeHosts(ctx, by, 'BKN-2026-00001', readHosts(input, { format: 'auto' }));
 * r.stored; r.inScope; r.rejected[0]?.reason
 */
export async function storeHosts(ctx: Context, by: Caller, ref: string, events: AsyncIterable<HostEvent> | Iterable<HostEvent>, options: StoreHostsOptions = {}): Promise<UploadResult> {
  await caseRow(ctx.db.kysely, ref);
  const prepared = await prepareHosts(ctx, events, options);
  return transact(ctx.db.kysely, async (trx) => writeHosts(ctx, trx, by, await caseRow(trx, ref), prepared, options));
}

/** Writes prepared hosts into a case inside a transaction the caller holds; touches the database only through `trx`. */
export async function writeHosts(ctx: Context, trx: Kysely<Database>, by: Caller, row: Selectable<CaseTable>, p: PreparedHosts, options: StoreHostsOptions = {}): Promise<UploadResult> {
  const started = Date.now();
  if (row.state === 'duplicate' || row.state === 'rejected') {
    throw new BakenError('CASE_TRANSITION', { detail: `${row.case_id} is ${row.state}; it takes no more hosts.` });
  }
  const now = ctx.clock.now().toISOString();
  const f = p.summary;
  const upload = await trx
    .insertInto('case_uploads')
    .values({
      case_id: row.id,
      format: f.format,
      source: options.source?.slice(0, 200) ?? null,
      lines: f.lines,
      hosts: f.hosts,
      duplicates: f.duplicates,
      rejected: p.rejectedCount,
      flagged: f.flagged,
      extra_columns: JSON.stringify(f.extraColumns),
      added_by: by.actor.kind === 'anonymous' ? 'reporter' : by.actor.label,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const uploadId = Number(upload.id);

  // Hosts the case holds already (from an earlier upload) are not added twice; they are marked as seen again by
  // this upload, so that a follow-up round after a re-scan notifies exactly the hosts still affected.
  let keep: number[] | null = null;
  if (row.hosts_total > 0) {
    const known = await existingKeys(trx, Number(row.id));
    const seenAgain: number[] = [];
    keep = [];
    for (let i = 0; i < p.count; i++) {
      const key = `${p.ip[i]}|${p.port[i] ?? ''}`;
      const existing = known.get(key);
      if (existing === undefined) {
        known.set(key, -1);
        keep.push(i);
      } else if (existing > 0) seenAgain.push(existing);
    }
    for (let i = 0; i < seenAgain.length; i += 5000) {
      await trx.updateTable('case_hosts').set({ seen_again_upload_id: uploadId }).where('id', 'in', seenAgain.slice(i, i + 5000)).execute();
    }
  }
  const n = keep ? keep.length : p.count;
  const at = (i: number) => (keep ? keep[i]! : i);
  let inScope = 0;
  let noContact = 0;
  const recipients = new Set<string>();
  for (let j = 0; j < n; j++) {
    const i = at(j);
    if (p.outOfScope[i] !== null) continue;
    inScope++;
    const r = p.recipient[i];
    if (r === null || r === undefined) noContact++;
    else recipients.add(r);
  }

  const caseRowId = Number(row.id);
  const columns: Array<(i: number) => unknown> = [
    () => caseRowId,
    () => uploadId,
    (i) => p.ip[i],
    (i) => p.port[i],
    (i) => p.seenAt[i],
    (i) => p.extra[i],
    (i) => p.line[i],
    (i) => p.warnings[i],
    (i) => p.asn[i],
    (i) => p.country[i],
    (i) => p.network[i],
    (i) => p.operatorId[i],
    (i) => p.recipient[i],
    (i) => p.contactSource[i],
    (i) => p.outOfScope[i],
  ];
  const writer = new RowWriter(trx, ctx.db);
  await writer.insert('case_hosts', HOST_COLUMNS, HOST_PG_TYPES, n, (j, c) => columns[c]!(at(j)));
  const rej = p.rejected;
  await writer.insert('case_rejected_lines', REJECTED_COLUMNS, REJECTED_PG_TYPES, rej.length, (j, c) => {
    const r = rej[j]!;
    return [caseRowId, uploadId, r.line, r.field, r.reason.slice(0, 1000), r.text.slice(0, 500)][c];
  });

  const alreadyInCase = p.count - n;
  if (alreadyInCase > 0) await trx.updateTable('case_uploads').set({ duplicates: f.duplicates + alreadyInCase }).where('id', '=', uploadId).execute();
  await trx
    .updateTable('cases')
    .set((eb) => ({
      hosts_total: eb('hosts_total', '+', n),
      hosts_in_scope: eb('hosts_in_scope', '+', inScope),
      hosts_no_contact: eb('hosts_no_contact', '+', noContact),
      rejected_total: eb('rejected_total', '+', p.rejectedCount),
      updated_at: now,
    }))
    .where('id', '=', row.id)
    .execute();
  const counts = { upload_id: uploadId, format: f.format, hosts: n, already_in_case: alreadyInCase, rejected: p.rejectedCount, in_scope: inScope, out_of_scope: n - inScope, no_contact: noContact };
  await recordCaseEvent(trx, ctx.clock, by, { caseRowId, caseId: row.case_id, kind: 'hosts', details: counts, public: options.publicEvent ?? false, action: 'case.hosts_upload' });
  if (ctx.db.dialect === 'postgres' && n >= 10_000) await trx.executeQuery(CompiledQuery.raw('analyze case_hosts'));
  return {
    caseId: row.case_id,
    uploadId,
    summary: f,
    stored: n,
    alreadyInCase,
    inScope,
    outOfScope: n - inScope,
    noContact,
    recipients: recipients.size,
    rejected: p.rejected.slice(0, REJECTED_KEPT),
    durationMs: p.durationMs + (Date.now() - started),
  };
}

function problemOf(r: RejectedLine): FieldProblem {
  return { field: `line ${r.line}${r.field ? `, ${r.field}` : ''}`, message: r.reason };
}

function strictError(r: RejectedLine): BakenError {
  return new BakenError('HOSTS_REJECTED_STRICT', { detail: `line ${r.line}: ${r.reason}`, problems: [problemOf(r)] });
}

/** The hosts a case holds already, by `ip|port`, with their row ids. */
async function existingKeys(trx: Kysely<Database>, caseRowId: number): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  let after = 0;
  for (;;) {
    const rows = await trx.selectFrom('case_hosts').select(['id', 'ip', 'port']).where('case_id', '=', caseRowId).where('id', '>', after).orderBy('id').limit(50_000).execute();
    for (const r of rows) keys.set(`${r.ip}|${r.port ?? ''}`, Number(r.id));
    if (rows.length < 50_000) return keys;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** Rows per reused SQLite statement. */
const SQLITE_PREPARED_ROWS = 100;

/** Bulk inserts for the two large tables; values come from a getter by row and column. */
class RowWriter {
  private readonly sqliteText = new Map<string, string>();
  constructor(
    private readonly trx: Kysely<Database>,
    private readonly db: Db,
  ) {}

  async insert(table: string, cols: readonly string[], pgTypes: readonly string[], rows: number, value: (row: number, col: number) => unknown): Promise<void> {
    const width = cols.length;
    if (this.db.dialect === 'postgres') {
      // One array per column through unnest(): parsed and planned once per batch however many rows it holds.
      const text = `insert into ${table} (${cols.join(', ')}) select * from unnest(${pgTypes.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')})`;
      for (let start = 0; start < rows; start += PG_ROWS) {
        const end = Math.min(rows, start + PG_ROWS);
        const arrays: unknown[][] = [];
        for (let c = 0; c < width; c++) {
          const a = new Array<unknown>(end - start);
          for (let r = start; r < end; r++) a[r - start] = value(r, c);
          arrays.push(a);
        }
        await this.trx.executeQuery(CompiledQuery.raw(text, arrays));
      }
      return;
    }
    const native = this.db.native;
    if (native && this.trx.isTransaction) {
      // Inside the transaction the one connection is ours: prepare a multi-row statement once and run it for
      // every batch (Kysely would prepare each execution anew, which costs more than the rows).
      const many = native.prepare(this.sqliteInsert(table, cols, SQLITE_PREPARED_ROWS));
      const one = native.prepare(this.sqliteInsert(table, cols, 1));
      const params = new Array<unknown>(SQLITE_PREPARED_ROWS * width);
      let r = 0;
      for (; r + SQLITE_PREPARED_ROWS <= rows; r += SQLITE_PREPARED_ROWS) {
        let k = 0;
        for (let i = r; i < r + SQLITE_PREPARED_ROWS; i++) for (let c = 0; c < width; c++) params[k++] = value(i, c);
        many.run(params);
      }
      const single = new Array<unknown>(width);
      for (; r < rows; r++) {
        for (let c = 0; c < width; c++) single[c] = value(r, c);
        one.run(single);
      }
      return;
    }
    for (let start = 0; start < rows; start += SQLITE_ROWS) {
      const end = Math.min(rows, start + SQLITE_ROWS);
      const params = new Array<unknown>((end - start) * width);
      let k = 0;
      for (let r = start; r < end; r++) for (let c = 0; c < width; c++) params[k++] = value(r, c);
      await this.trx.executeQuery(CompiledQuery.raw(this.sqliteInsert(table, cols, end - start), params));
    }
  }

  private sqliteInsert(table: string, cols: readonly string[], n: number): string {
    const key = `${table}/${n}`;
    let text = this.sqliteText.get(key);
    if (text === undefined) {
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      text = `insert into ${table} (${cols.join(', ')}) values ${Array.from({ length: n }, () => tuple).join(', ')}`;
      this.sqliteText.set(key, text);
    }
    return text;
  }
}

// ---- reading hosts back

export interface CaseHost {
  id: number;
  ip: string;
  port: number | null;
  timestamp: string | null;
  extra: Record<string, string>;
  line: number;
  warnings: string[];
  asn: number | null;
  country: string | null;
  network: string | null;
  operatorId: number | null;
  recipient: string | null;
  contactSource: string | null;
  /** Null when in scope. */
  outOfScope: string | null;
}

type HostRow = Selectable<Database['case_hosts']>;

export function toCaseHost(r: HostRow): CaseHost {
  return {
    id: Number(r.id),
    ip: r.ip,
    port: r.port,
    timestamp: r.seen_at,
    extra: r.extra ? (JSON.parse(r.extra) as Record<string, string>) : {},
    line: r.line,
    warnings: r.warnings ? (JSON.parse(r.warnings) as string[]) : [],
    asn: r.asn === null ? null : Number(r.asn),
    country: r.country,
    network: r.network,
    operatorId: r.operator_id === null ? null : Number(r.operator_id),
    recipient: r.recipient,
    contactSource: r.contact_source,
    outOfScope: r.out_of_scope,
  };
}

export interface HostQuery {
  /** `in`: in scope; `out`: out of scope; `no-contact`: in scope without a recipient. */
  filter?: 'all' | 'in' | 'out' | 'no-contact';
  /** Hosts after this host id (the next page). */
  after?: number;
  limit?: number;
}

/** A page of a case's hosts, in upload order. Host addresses are personal data: each view is audited. */
export async function listHosts(ctx: Context, by: Caller, ref: string, q: HostQuery = {}): Promise<{ hosts: CaseHost[]; next: number | null }> {
  const row = await caseRow(ctx.db.kysely, ref);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
  let query = ctx.db.kysely.selectFrom('case_hosts').selectAll().where('case_id', '=', row.id);
  if (q.filter === 'in') query = query.where('out_of_scope', 'is', null);
  if (q.filter === 'out') query = query.where('out_of_scope', 'is not', null);
  if (q.filter === 'no-contact') query = query.where('out_of_scope', 'is', null).where('recipient', 'is', null);
  if (q.after !== undefined) query = query.where('id', '>', q.after);
  const rows = await query.orderBy('id').limit(limit).execute();
  await audit(ctx.db.kysely, ctx.clock, by, { action: 'case.hosts_view', target: { type: 'case', id: row.case_id }, details: { filter: q.filter ?? 'all', after: q.after ?? null, count: rows.length } });
  return { hosts: rows.map(toCaseHost), next: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null };
}

export interface UploadInfo {
  id: number;
  format: string;
  source: string | null;
  lines: number;
  hosts: number;
  duplicates: number;
  rejected: number;
  flagged: number;
  extraColumns: string[];
  addedBy: string | null;
  createdAt: string;
}

export async function listUploads(ctx: Context, ref: string): Promise<UploadInfo[]> {
  const row = await caseRow(ctx.db.kysely, ref);
  const rows = await ctx.db.kysely.selectFrom('case_uploads').selectAll().where('case_id', '=', row.id).orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    format: r.format,
    source: r.source,
    lines: r.lines,
    hosts: r.hosts,
    duplicates: r.duplicates,
    rejected: r.rejected,
    flagged: r.flagged,
    extraColumns: JSON.parse(r.extra_columns) as string[],
    addedBy: r.added_by,
    createdAt: r.created_at,
  }));
}

/** The rejected lines of a case (all uploads, or one), by upload and line. */
export async function listRejected(ctx: Context, ref: string, q: { uploadId?: number; after?: number; limit?: number } = {}): Promise<{ lines: Array<RejectedLine & { id: number; uploadId: number }>; next: number | null }> {
  const row = await caseRow(ctx.db.kysely, ref);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
  let query = ctx.db.kysely.selectFrom('case_rejected_lines').selectAll().where('case_id', '=', row.id);
  if (q.uploadId !== undefined) query = query.where('upload_id', '=', q.uploadId);
  if (q.after !== undefined) query = query.where('id', '>', q.after);
  const rows = await query.orderBy('id').limit(limit).execute();
  return {
    lines: rows.map((r) => ({ id: Number(r.id), uploadId: Number(r.upload_id), line: r.line, field: r.field, reason: r.reason, text: r.text })),
    next: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null,
  };
}
