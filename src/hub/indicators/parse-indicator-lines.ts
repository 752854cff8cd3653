/**
 * Bulk entry: a paste or a file, one indicator a line, either bare values (the
 * type detected) or CSV `type,value,tlp,confidence,labels,source,valid_from,valid_until`
 * (with that header, or any order of those columns under a header naming them).
 * Every bad line is reported with its number and reason; the good ones go on. Pure.
 */
import { IndicatorError, normalizeIndicator } from './normalize-indicator.js';
import { parseTlp, type IndicatorType, type Tlp } from './indicator-types.js';
import type { IpAddress } from '../../net/ip-address.js';

export const CSV_COLUMNS = ['type', 'value', 'tlp', 'confidence', 'labels', 'source', 'valid_from', 'valid_until'] as const;
type Column = (typeof CSV_COLUMNS)[number];

/** One indicator as read from input, normalised; null fields were not given. */
export interface IndicatorEntry {
  line: number;
  type: IndicatorType;
  value: string;
  ip?: IpAddress;
  tlp: Tlp | null;
  confidence: number | null;
  labels: string[];
  source: string | null;
  validFrom: string | null;
  validUntil: string | null;
}

export interface RejectedIndicatorLine {
  line: number;
  /** The line as given (cut at 200 characters). */
  text: string;
  reason: string;
}

export interface ParsedIndicatorLines {
  entries: IndicatorEntry[];
  rejected: RejectedIndicatorLine[];
  /** Lines read, blank lines and comments included. */
  lines: number;
  format: 'values' | 'csv';
}

export interface ParseLinesOptions {
  /** Mask host bits of CIDRs instead of refusing them. */
  lenient?: boolean;
  /** The type of every bare value (a file of only domains, say); CSV lines name their own. */
  type?: IndicatorType;
}

/** A field error on one line; becomes a rejected line. */
class LineError extends Error {}

/**
 * @example
 * parseIndicatorLines('evil[.]example\n10.0.0.1\n').rejected[0]
 * // { line: 2, text: '10.0.0.1', reason: '"10.0.0.1" is a special-purpose address, ...' }
 */
export function parseIndicatorLines(text: string, options: ParseLinesOptions = {}): ParsedIndicatorLines {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: ParsedIndicatorLines = { entries: [], rejected: [], lines: lines.length, format: 'values' };
  let header: Column[] | null = null;
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    let raw = lines[i]!;
    if (i === 0 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const n = i + 1;
    try {
      if (first) {
        first = false;
        const h = headerOf(line);
        if (h) {
          header = h;
          out.format = 'csv';
          continue;
        }
      }
      let entry: IndicatorEntry;
      if (header) entry = fromFields(splitCsv(line), header, n, options);
      else if (looksLikeCsv(line)) {
        out.format = 'csv';
        entry = fromFields(splitCsv(line), CSV_COLUMNS as unknown as Column[], n, options);
      } else {
        // A bare value may carry a comment after white space: `198.51.100.7  # C2 of campaign X`.
        const value = line.replace(/\s+#.*$/, '');
        const v = normalizeIndicator(value, { ...(options.type ? { type: options.type } : {}), lenient: options.lenient ?? false });
        entry = { line: n, type: v.type, value: v.value, ...(v.ip ? { ip: v.ip } : {}), tlp: null, confidence: null, labels: [], source: null, validFrom: null, validUntil: null };
      }
      out.entries.push(entry);
    } catch (err) {
      if (err instanceof IndicatorError || err instanceof LineError) out.rejected.push({ line: n, text: line.slice(0, 200), reason: err.message });
      else throw err;
    }
  }
  return out;
}

function headerOf(line: string): Column[] | null {
  const fields = splitCsv(line).map((f) => f.trim().toLowerCase());
  if (!fields.includes('value')) return null;
  return fields.map((f) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(f)) throw new LineError(`the header has a column "${f}" that is not one of ${CSV_COLUMNS.join(', ')}`);
    return f as Column;
  });
}

const TYPE_FIRST = /^\s*"?(ipv4|ipv6|cidr|domain|url|md5|sha1|sha256|email)"?\s*,/i;

function looksLikeCsv(line: string): boolean {
  return TYPE_FIRST.test(line);
}

/** Splits one CSV line; fields may be quoted with "" for a quote inside. */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === ',') {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new LineError('a quoted field is not closed');
  fields.push(cur);
  return fields;
}

function fromFields(fields: string[], columns: readonly Column[], line: number, options: ParseLinesOptions): IndicatorEntry {
  if (fields.length > columns.length) throw new LineError(`${fields.length} fields, but at most ${columns.length} columns (${columns.join(', ')}); quote a value that holds a comma`);
  const get = (c: Column): string => {
    const k = columns.indexOf(c);
    return k < 0 ? '' : (fields[k] ?? '').trim();
  };
  const value = get('value');
  if (value === '') throw new LineError('the value is empty');
  const typeText = get('type') || options.type || null;
  const v = normalizeIndicator(value, { type: typeText, lenient: options.lenient ?? false });
  const tlpText = get('tlp');
  let tlp: Tlp | null = null;
  if (tlpText !== '') {
    tlp = parseTlp(tlpText);
    if (!tlp) throw new LineError(`tlp: "${tlpText.slice(0, 40)}" is not a TLP label; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED`);
  }
  const confidenceText = get('confidence');
  const confidence = confidenceText === '' ? null : parseConfidence(confidenceText);
  const labels = parseLabels(get('labels'));
  const source = get('source') || null;
  const validFrom = get('valid_from') === '' ? null : parseTime(get('valid_from'), 'valid_from');
  const validUntil = get('valid_until') === '' ? null : parseTime(get('valid_until'), 'valid_until');
  if (validFrom && validUntil && validUntil < validFrom) throw new LineError('valid_until is before valid_from');
  return { line, type: v.type, value: v.value, ...(v.ip ? { ip: v.ip } : {}), tlp, confidence, labels, source: source ? source.slice(0, 200) : null, validFrom, validUntil };
}

export function parseConfidence(s: string): number {
  if (!/^\d{1,3}$/.test(s.trim()) || Number(s) > 100) throw new LineError(`confidence: "${s.slice(0, 20)}" is not a whole number from 0 to 100`);
  return Number(s);
}

const LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _:./+-]{0,63}$/u;

/** Labels separated by `;` or `|` (a comma separates CSV fields); lower-cased, deduplicated, checked. */
export function parseLabels(s: string | readonly string[]): string[] {
  const parts = typeof s === 'string' ? s.split(/[;|]/) : s;
  const out: string[] = [];
  for (const p of parts) {
    const l = p.trim().toLowerCase();
    if (l === '') continue;
    if (!LABEL.test(l)) throw new LineError(`labels: "${l.slice(0, 40)}" is not a label (1 to 64 letters, digits, spaces or _ : . / + -, starting with a letter or digit)`);
    if (!out.includes(l)) out.push(l);
  }
  if (out.length > 32) throw new LineError('labels: at most 32');
  return out;
}

/** An ISO 8601 date or date-time, as a UTC timestamp. */
export function parseTime(s: string, field: string): string {
  const t = s.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) throw new LineError(`${field}: "${t.slice(0, 40)}" is not a date (YYYY-MM-DD) or date-time (ISO 8601)`);
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(t) ? t.replace(' ', 'T') : `${t.replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) throw new LineError(`${field}: "${t.slice(0, 40)}" is not a real date`);
  return d.toISOString();
}

export { LineError as IndicatorFieldError };
