/**
 * Uploads as they arrive (text, a file, a request body) to the hosts of a
 * case: host intake reads them, storeHosts resolves and writes them. Intake's
 * refusals become the catalogue's errors here, so the API, the pages and the
 * CLI report them alike.
 */
import type { Caller, Context } from '../../platform/context.js';
import { BakenError, type FieldProblem } from '../../platform/errors.js';
import { IntakeError, readHostBatches } from '../intake/index.js';
import type { CsvMapping, HostFormat, RejectedLine } from '../intake/intake-types.js';
import type { Warninglist } from '../intake/warninglist.js';
import { transact } from '../../platform/db/transact.js';
import type { HostEvent, StoreHostsOptions, UploadResult } from './case-hosts.js';
import { prepareHosts, storeHosts, writeHosts } from './case-hosts.js';
import { caseRow, checkCaseInput, createCase, getCase, type Case, type CaseInput } from './cases.js';
import { configuredWarninglists } from './upload-warninglists.js';

export const HOST_FORMATS: readonly HostFormat[] = ['auto', 'ips', 'csv', 'shadowserver', 'intelmq'];

export interface ReadUploadOptions {
  format?: HostFormat;
  mapping?: CsvMapping;
  strict?: boolean;
  /** MISP warninglists that flag hosts; uploadHosts and createCaseWithHosts use the configured ones when not given. */
  warninglists?: readonly Warninglist[];
}

type Piece = Buffer | Uint8Array | string;

/** The intake events of an upload, with intake's refusals as BakenErrors. */
export async function* hostEventsOf(input: AsyncIterable<Piece> | Iterable<Piece> | Piece, options: ReadUploadOptions = {}): AsyncGenerator<HostEvent> {
  const pieces = typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  try {
    yield* readHostBatches(pieces, { format: options.format ?? 'auto', ...(options.mapping ? { mapping: options.mapping } : {}), ...(options.strict ? { strict: true } : {}), ...(options.warninglists && options.warninglists.length > 0 ? { warninglists: options.warninglists } : {}) }) as AsyncGenerator<HostEvent>;
  } catch (err) {
    throw intakeToBaken(err);
  }
}

function problemsOf(lines: readonly RejectedLine[]): FieldProblem[] {
  return lines.slice(0, 20).map((r) => ({ field: `line ${r.line}${r.field ? `, ${r.field}` : ''}`, message: r.reason }));
}

export function intakeToBaken(err: unknown): unknown {
  if (!(err instanceof IntakeError)) return err;
  const problems = problemsOf(err.problems.length > 0 ? err.problems : err.line !== null ? [{ line: err.line, field: null, reason: err.reason, text: '' }] : []);
  switch (err.code) {
    case 'strict':
      return new BakenError('HOSTS_REJECTED_STRICT', { detail: err.message, problems, cause: err });
    case 'no-valid-host':
      return new BakenError('NO_HOSTS', { detail: err.message, problems, cause: err });
    default:
      return new BakenError('BAD_INPUT', { detail: err.message, problems, cause: err });
  }
}

export function parseHostFormat(raw: unknown): HostFormat {
  const s = typeof raw === 'string' && raw.trim() !== '' ? raw.trim().toLowerCase() : 'auto';
  if (!(HOST_FORMATS as readonly string[]).includes(s)) throw new BakenError('VALIDATION', { detail: `format: "${String(raw)}" is not one of ${HOST_FORMATS.join(', ')}`, problems: [{ field: 'format', message: `one of ${HOST_FORMATS.join(', ')}` }] });
  return s as HostFormat;
}

/**
 * Reads an upload and adds its hosts to a case; all of it or, on any refusal, nothing.
 * @example
 * await uploadHosts(ctx, by, 'BKN-2026-00001', createReadStream('scan.csv'), { format: 'shadowserver', source: 'scan.csv' });
 */
export async function uploadHosts(ctx: Context, by: Caller, ref: string, input: AsyncIterable<Piece> | Iterable<Piece> | Piece, options: ReadUploadOptions & StoreHostsOptions = {}): Promise<UploadResult> {
  const warninglists = options.warninglists ?? (await configuredWarninglists(ctx));
  return storeHosts(ctx, by, ref, hostEventsOf(input, { ...options, warninglists }), options);
}

/**
 * Opens a case with its hosts in one go: the hosts are read and resolved first, then the case and the hosts are
 * written in one transaction, so a refused upload leaves no empty case behind.
 */
export async function createCaseWithHosts(
  ctx: Context,
  by: Caller,
  input: CaseInput,
  hosts: AsyncIterable<Piece> | Iterable<Piece> | Piece,
  options: ReadUploadOptions & StoreHostsOptions & { state?: 'received' | 'triage' } = {},
): Promise<{ case: Case; upload: UploadResult }> {
  checkCaseInput(input);
  const warninglists = options.warninglists ?? (await configuredWarninglists(ctx));
  const prepared = await prepareHosts(ctx, hostEventsOf(hosts, { ...options, warninglists }), options);
  return transact(ctx.db.kysely, async (trx) => {
    const inTrx = { ...ctx, db: { ...ctx.db, kysely: trx } };
    const c = await createCase(inTrx, by, input, options.state ?? 'received');
    const upload = await writeHosts(ctx, trx, by, await caseRow(trx, c.caseId), prepared, options);
    return { case: await getCase(inTrx, c.caseId), upload };
  });
}

/** Upload options from the query of an HTTP upload (`format`, `strict`, `ip_column`, ...). */
export function hostsUploadOptions(q: { format?: string; strict?: boolean; ip_column?: string; port_column?: string; timestamp_column?: string; extra_columns?: string }): ReadUploadOptions {
  const mapping: CsvMapping | null = q.ip_column
    ? {
        ip: q.ip_column,
        ...(q.port_column ? { port: q.port_column } : {}),
        ...(q.timestamp_column ? { timestamp: q.timestamp_column } : {}),
        ...(q.extra_columns ? { extra: q.extra_columns.split(',').map((c) => c.trim()).filter((c) => c !== '') } : {}),
      }
    : null;
  return { format: parseHostFormat(q.format), ...(q.strict ? { strict: true } : {}), ...(mapping ? { mapping } : {}) };
}
