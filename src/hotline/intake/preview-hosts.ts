import { HostIntake } from './host-intake.js';
import type { IntakeOptions } from './host-intake.js';
import { IntakeError } from './intake-error.js';
import type { CsvMapping, HostFormat, IntakeHost, RejectedLine } from './intake-types.js';

/** What the mapping and preview step shows before anything is saved. */
export interface HostPreview {
  /** The format used (detected under auto); null when the text held nothing but blank and comment lines. */
  format: Exclude<HostFormat, 'auto'> | null;
  /** The header's column names for `csv` and `shadowserver` (for the mapping form), else null. */
  columns: string[] | null;
  /** The mapping in use for `csv` and `shadowserver` (given or guessed), else null: the form's initial choice. */
  mapping: CsvMapping | null;
  /** The first hosts as they would be stored. */
  hosts: IntakeHost[];
  /** Every rejected line among the lines read (up to maxRejectedKept). */
  rejected: RejectedLine[];
  /** How many lines were read to find the hosts. */
  linesRead: number;
  /** Rejected lines among them (may exceed `rejected.length` past maxRejectedKept). */
  rejectedCount: number;
  duplicates: number;
  /** Whether the whole text was read (false when it stopped at `rows` hosts or the text was cut off). */
  complete: boolean;
  /**
   * Why the upload cannot be read as it is, e.g. a CSV header without an address column: the UI shows `columns`
   * and asks for a mapping. Null when it can.
   */
  error: IntakeError | null;
}

/**
 * Parses the start of an upload for the preview: reads lines until it has `rows` hosts (default 20) or the text
 * ends, and returns those hosts, every rejected line among the lines read, the detected format and the header's
 * columns. Pure and synchronous; never throws for bad input (`strict` is ignored, a header problem is `error`).
 *
 * Pass `partial: true` when `text` is only the first bytes of a larger upload: its last line is then probably cut
 * off and is not read.
 *
 * @example
 * const p = previewHosts('addr,seen\n31.149.1.1,2026-11-20 10:11:12\n10.0.0.1,x\n', { format: 'auto' }, { rows: 20 });
 * p.format   // 'csv'
 * p.columns  // ['addr', 'seen']
 * p.hosts[0] // { ip: '31.149.1.1', port: null, timestamp: '2026-11-20T10:11:12Z', extra: {}, line: 2, warnings: [] }
 * p.rejected[0].reason // '10.0.0.1 is in 10.0.0.0/8, private-use (RFC 1918): ...'
 */
export function previewHosts(text: string, options: IntakeOptions = {}, view: { rows?: number; partial?: boolean } = {}): HostPreview {
  const intake = new HostIntake({ ...options, strict: false });
  intake.stopAfter = view.rows ?? 20;
  let body = text;
  let cut = false;
  if (view.partial) {
    const nl = text.lastIndexOf('\n');
    cut = nl < text.length - 1;
    body = nl < 0 ? '' : text.slice(0, nl + 1);
  }
  const hosts: IntakeHost[] = [];
  const rejected: RejectedLine[] = [];
  let error: IntakeError | null = null;
  try {
    intake.push(body);
    if (!intake.stopped && !cut) intake.end();
  } catch (e) {
    if (!(e instanceof IntakeError)) throw e;
    error = e;
  }
  hosts.push(...intake.takeHosts());
  rejected.push(...intake.takeRejected());
  const summary = intake.summary();
  return {
    format: intake.format,
    columns: intake.columns ?? columnsFromError(error, body),
    mapping: intake.mapping,
    hosts,
    rejected,
    linesRead: intake.linesRead,
    rejectedCount: summary.rejected,
    duplicates: summary.duplicates,
    complete: !intake.stopped && !cut && error === null,
    error,
  };
}

/** When the header could not be mapped, its columns still help the form: split the first non-blank line. */
function columnsFromError(error: IntakeError | null, text: string): string[] | null {
  if (error === null || error.code !== 'header' || error.line === null) return null;
  const line = text.split('\n')[error.line - 1];
  if (line === undefined) return null;
  const columns: string[] = [];
  // A header is simple in practice; quotes are stripped, commas inside quotes respected.
  for (const m of line.replace(/\r$/, '').matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) {
    columns.push((m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '')).trim());
  }
  return columns;
}
