import { CsvFormatError, CsvParser } from '../../registry/csv-reader.js';
import { checkAddress, checked, parsePort, portProblem } from './check-address.js';
import { detectFormat, guessCsvMapping, IP_COLUMN_NAMES, shadowserverMapping } from './detect-format.js';
import { HostKeySet } from './host-key-set.js';
import { IntakeError } from './intake-error.js';
import type { CsvMapping, HostFormat, IntakeHost, IntakeSummary, RejectedLine } from './intake-types.js';
import { normalizeTimestamp, timestampProblem } from './normalize-timestamp.js';
import type { Warninglist } from './warninglist.js';
import { WarninglistIndex } from './warninglist.js';

/** Options of an intake; see {@link readHosts}. */
export interface IntakeOptions {
  /** The upload's format; `auto` (the default) recognises it from the first line. */
  format?: HostFormat;
  /** For `csv`: which columns mean what. Without it the columns are guessed from their names. */
  mapping?: CsvMapping;
  /** MISP warninglists; hosts on them are kept and flagged. */
  warninglists?: readonly Warninglist[];
  /** Throw an {@link IntakeError} at the first rejected line instead of going on. */
  strict?: boolean;
  /** How many rejected lines to report in full (default 10,000); the rest are counted. */
  maxRejectedKept?: number;
}

type Format = Exclude<HostFormat, 'auto'>;

/** Longest line (or multi-line CSV record) accepted; longer ones are rejected so one runaway line cannot fill memory. */
export const MAX_LINE_LENGTH = 1 << 20;
/** Lines a quoted CSV field may span before the record is given up as an unclosed quote. */
const MAX_RECORD_LINES = 100;
/** How many rejected lines an IntakeError for an upload without a valid host quotes. */
const PROBLEMS_QUOTED = 5;
const TEXT_KEPT = 500;

const EMPTY_WARNINGS: readonly string[] = [];

/** Column indexes of a CSV or Shadowserver header. */
interface CsvPlan {
  columns: string[];
  ip: number;
  port: number;
  timestamp: number;
  /** The highest of ip, port and timestamp: a row must reach it. */
  required: number;
  extraIndex: number[];
  extraNames: string[];
}

/**
 * The synchronous core of host intake: feed it decoded text in chunks of any size, take the hosts and rejected lines
 * it has produced after each chunk, then end it. {@link readHosts} wraps it for streams, {@link previewHosts} for the
 * mapping step. Pure: no I/O.
 *
 * @example
 * const intake = new HostIntake({ format: 'ips' });
 * intake.push('31.149.1.1\n[2a02:58::1]:443\n10.0.0.1\n');
 * intake.end();
 * intake.takeHosts().map((h) => `${h.ip} ${h.port}`) // ['31.149.1.1 null', '2a02:58::1 443']
 * intake.takeRejected()[0]!.reason // '10.0.0.1 is in 10.0.0.0/8, private-use (RFC 1918): special-purpose ...'
 * intake.summary().hosts // 2
 */
export class HostIntake {
  private hosts: IntakeHost[] = [];
  private rejectedOut: RejectedLine[] = [];
  private readonly firstProblems: RejectedLine[] = [];
  private readonly seen = new HostKeySet();
  private readonly warnings: WarninglistIndex | null;
  private readonly strict: boolean;
  private readonly maxKept: number;
  private readonly requested: HostFormat;
  private fmt: Format | null = null;
  private plan: CsvPlan | null = null;
  private usedMapping: CsvMapping | null = null;
  private readonly extraSeen = new Set<string>();
  private readonly csvParser: { parser: CsvParser; fields: string[] | null };
  private pending: { text: string; line: number }[] = [];
  private rest = '';
  private skippingLongLine = false;
  private started = false;
  private ended = false;
  private lineNo = 0;
  private hostCount = 0;
  private duplicateCount = 0;
  private rejectedCount = 0;
  private keptCount = 0;
  private flaggedCount = 0;
  /** Stop reading after this many hosts (the preview); Infinity for an upload. */
  stopAfter = Infinity;

  constructor(private readonly options: IntakeOptions = {}) {
    this.requested = options.format ?? 'auto';
    this.strict = options.strict === true;
    this.maxKept = options.maxRejectedKept ?? 10_000;
    this.warnings = options.warninglists && options.warninglists.length > 0 ? WarninglistIndex.build(options.warninglists) : null;
    const state: { parser: CsvParser; fields: string[] | null } = { parser: null as unknown as CsvParser, fields: null };
    state.parser = new CsvParser((fields) => {
      state.fields = fields;
    });
    this.csvParser = state;
  }

  /** The format in use: the requested one, or the detected one once the first line was read (null before). */
  get format(): Format | null {
    return this.fmt;
  }

  /** The header's column names for `csv` and `shadowserver` once read, else null. */
  get columns(): string[] | null {
    return this.plan?.columns ?? null;
  }

  /** The CSV mapping in use (given or guessed) once the header was read, else null. */
  get mapping(): CsvMapping | null {
    return this.usedMapping;
  }

  /** Lines read so far. */
  get linesRead(): number {
    return this.lineNo;
  }

  /** Whether reading stopped early at {@link stopAfter} hosts. */
  get stopped(): boolean {
    return this.hostCount >= this.stopAfter;
  }

  /** Hosts produced since the last call, in line order. */
  takeHosts(): IntakeHost[] {
    const out = this.hosts;
    this.hosts = [];
    return out;
  }

  /** Rejected lines produced since the last call (up to maxRejectedKept in all), in line order. */
  takeRejected(): RejectedLine[] {
    const out = this.rejectedOut;
    this.rejectedOut = [];
    return out;
  }

  /**
   * Reads the complete lines in `chunk` (plus what was left of the previous one).
   *
   * @throws {IntakeError} under `strict` at the first rejected line, and for an unusable CSV header.
   */
  push(chunk: string): void {
    if (this.ended) throw new Error('HostIntake: push after end');
    let text = this.rest.length > 0 ? this.rest + chunk : chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let pos = 0;
    const n = text.length;
    while (pos < n && !this.stopped) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.lineNo++;
      if (this.skippingLongLine) this.skippingLongLine = false;
      else this.line(text.slice(pos, nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
      pos = nl + 1;
    }
    this.rest = pos === 0 ? text : text.slice(pos);
    if (this.rest.length > MAX_LINE_LENGTH && !this.stopped) {
      if (!this.skippingLongLine) this.reject(this.lineNo + 1, null, `the line is longer than ${MAX_LINE_LENGTH} characters`, this.rest);
      // The rest of this line is dropped as it arrives; the line is counted when its line break (or the end) comes.
      this.skippingLongLine = true;
      this.rest = '';
    }
  }

  /**
   * Reads the last line (one without a line break at the end) and any unfinished CSV record.
   *
   * @throws {IntakeError} as {@link push}.
   */
  end(): void {
    if (this.ended) return;
    if (!this.stopped) {
      if (this.skippingLongLine) this.lineNo++;
      else if (this.rest.length > 0) {
        this.lineNo++;
        this.line(this.rest.charCodeAt(this.rest.length - 1) === 13 ? this.rest.slice(0, -1) : this.rest);
      }
      this.flushPending(true);
    }
    this.rest = '';
    this.ended = true;
  }

  /** Counts so far (final after {@link end}). */
  summary(): IntakeSummary {
    return {
      format: this.fmt ?? (this.requested === 'auto' ? 'ips' : this.requested),
      lines: this.lineNo,
      hosts: this.hostCount,
      duplicates: this.duplicateCount,
      rejected: this.rejectedCount,
      flagged: this.flaggedCount,
      extraColumns: this.plan ? [...this.plan.extraNames] : [...this.extraSeen],
      rejectedKept: this.keptCount,
      columns: this.plan ? [...this.plan.columns] : null,
    };
  }

  /**
   * {@link end}s the intake and returns the summary.
   *
   * @throws {IntakeError} (`no-valid-host`) when not one line became a host.
   */
  finish(): IntakeSummary {
    this.end();
    const summary = this.summary();
    if (summary.hosts === 0) {
      const problems = this.firstProblems.map((p) => `line ${p.line}: ${p.reason}`).join('; ');
      const hint = summary.lines === 0 ? 'the upload is empty' : problems === '' ? 'it has no address lines' : `first problems: ${problems}`;
      throw new IntakeError('no-valid-host', null, `no valid host in ${summary.lines} lines; ${hint}`, this.firstProblems);
    }
    return summary;
  }

  // ---- lines

  private line(text: string): void {
    if (this.pending.length > 0) {
      this.continueRecord(text);
      return;
    }
    const fmt = this.fmt;
    if (fmt === 'ips') this.ipsLine(text);
    else if (fmt === 'csv' || fmt === 'shadowserver') this.csvLine(text, this.lineNo);
    else if (fmt === 'intelmq') this.intelmqLine(text);
    else this.firstLine(text);
  }

  /** The first line that is not blank or a comment decides the format (under auto) and is the CSV header. */
  private firstLine(text: string): void {
    const t = text.trim();
    if (t === '' || t.charCodeAt(0) === 35) return;
    let fmt: Format;
    if (this.requested === 'auto') {
      const cols = t.startsWith('{') ? [] : (this.splitRecord(text, this.lineNo, true) ?? []);
      fmt = detectFormat(t, cols);
    } else fmt = this.requested;
    this.fmt = fmt;
    if (fmt === 'csv' || fmt === 'shadowserver') this.header(text);
    else this.line(text);
  }

  private header(text: string): void {
    const line = this.lineNo;
    const fields = this.splitRecord(text, line, true);
    if (fields === null) throw new IntakeError('header', line, `the header is not valid CSV: ${text.slice(0, 200)}`);
    const columns = fields.map((f) => f.trim());
    const listed = columns.map((c) => JSON.stringify(c)).join(', ');
    let mapping: CsvMapping | null;
    if (this.fmt === 'shadowserver') {
      mapping = shadowserverMapping(columns);
      if (mapping === null) {
        throw new IntakeError('header', line, `the header has no "ip" or "src_ip" column, so it is not a Shadowserver report: ${listed}`);
      }
    } else if (this.options.mapping) {
      mapping = this.options.mapping;
    } else {
      mapping = guessCsvMapping(columns);
      if (mapping === null) {
        throw new IntakeError(
          'header',
          line,
          `no column of the header holds IP addresses (${listed}); name it one of ${IP_COLUMN_NAMES.slice(0, 8).join(', ')}, or choose it in a mapping`,
        );
      }
    }
    const find = (name: string, role: string): number => {
      let i = columns.indexOf(name.trim());
      if (i < 0) i = columns.findIndex((c) => c.toLowerCase() === name.trim().toLowerCase());
      if (i < 0) throw new IntakeError('header', line, `the mapping's ${role} column ${JSON.stringify(name)} is not in the header (${listed})`);
      return i;
    };
    const ip = find(mapping.ip, 'ip');
    const port = mapping.port ? find(mapping.port, 'port') : -1;
    const timestamp = mapping.timestamp ? find(mapping.timestamp, 'timestamp') : -1;
    const extraIndex: number[] = [];
    const extraNames: string[] = [];
    for (const name of mapping.extra ?? []) {
      const i = find(name, 'extra');
      if (i === ip || i === port || i === timestamp || extraIndex.includes(i)) continue;
      extraIndex.push(i);
      extraNames.push(columns[i]!);
    }
    this.plan = { columns, ip, port, timestamp, required: Math.max(ip, port, timestamp), extraIndex, extraNames };
    this.usedMapping = {
      ip: columns[ip]!,
      port: port < 0 ? null : columns[port]!,
      timestamp: timestamp < 0 ? null : columns[timestamp]!,
      extra: extraNames,
    };
  }

  // ---- ips

  private ipsLine(raw: string): void {
    let s = raw;
    const hash = s.indexOf('#');
    if (hash >= 0) s = s.slice(0, hash);
    s = s.trim();
    if (s.length === 0) return;
    let addr: string;
    let port: number | null = null;
    if (s.charCodeAt(0) === 91) {
      const close = s.indexOf(']');
      if (close < 0) return this.reject(this.lineNo, 'ip', `${quote(s)} opens a bracket for an IPv6 address ([addr]:port) but does not close it`, raw);
      addr = s.slice(1, close);
      const after = s.slice(close + 1);
      if (after.length > 0) {
        if (after.charCodeAt(0) !== 58) return this.reject(this.lineNo, 'ip', `${quote(s)}: after "]" only ":port" may follow`, raw);
        const p = parsePort(after.slice(1));
        if (p < 0) return this.reject(this.lineNo, 'port', portProblem(after.slice(1)), raw);
        port = p;
      }
    } else {
      const colon = s.indexOf(':');
      // One colon is address:port; more is an IPv6 address (write [addr]:port to give an IPv6 address a port).
      if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
        addr = s.slice(0, colon);
        const p = parsePort(s.slice(colon + 1));
        if (p < 0) return this.reject(this.lineNo, 'port', portProblem(s.slice(colon + 1)), raw);
        port = p;
      } else addr = s;
    }
    const problem = checkAddress(addr);
    if (problem !== null) {
      const hint = /[,;\t ]/.test(s) ? ' (one address or address:port a line; CSV needs a header line naming the ip column)' : '';
      return this.reject(this.lineNo, 'ip', problem + hint, raw);
    }
    this.accept(port, null, {}, this.lineNo);
  }

  // ---- csv and shadowserver

  private csvLine(text: string, line: number): void {
    if (text.indexOf('"') < 0) {
      if (text.length === 0 || text.trim() === '') return;
      this.row(text.split(','), line, text);
      return;
    }
    const simple = splitSimpleQuoted(text);
    if (simple !== null) {
      this.row(simple, line, text);
      return;
    }
    if (endsInsideQuotes(text, false)) {
      // A quoted field goes on past the line break: collect lines until it closes.
      this.pending.push({ text, line });
      return;
    }
    const fields = this.splitRecord(text, line);
    if (fields !== null) this.row(fields, line, text);
  }

  private continueRecord(text: string): void {
    this.pending.push({ text, line: this.lineNo });
    const joined = this.pending.map((p) => p.text).join('\n');
    if (!endsInsideQuotes(text, true)) {
      const first = this.pending[0]!.line;
      this.pending = [];
      const fields = this.splitRecord(joined, first);
      if (fields !== null) this.row(fields, first, joined);
    } else if (this.pending.length > MAX_RECORD_LINES || joined.length > MAX_LINE_LENGTH) {
      this.flushPending(false);
    }
  }

  /**
   * Gives up on a record whose quote never closes: its first line is rejected and the lines after it are read
   * again on their own, so one stray quote costs one line, not the rest of the upload.
   */
  private flushPending(atEnd: boolean): void {
    while (this.pending.length > 0) {
      const [first, ...others] = this.pending;
      this.pending = [];
      const why = atEnd && others.length < MAX_RECORD_LINES ? 'before the end of the upload' : `within ${MAX_RECORD_LINES} lines`;
      this.reject(first!.line, null, `a quoted field is not closed ${why} (a stray " ?)`, first!.text);
      for (const o of others) {
        if (this.pending.length > 0) this.continueRecordAt(o.text, o.line);
        else this.csvLine(o.text, o.line);
      }
      if (!atEnd) return;
    }
  }

  private continueRecordAt(text: string, line: number): void {
    const saved = this.lineNo;
    this.lineNo = line;
    this.continueRecord(text);
    this.lineNo = saved;
  }

  /** Splits one complete record that contains quotes with the registry's RFC 4180 parser; null (and a rejection) if malformed. */
  private splitRecord(text: string, line: number, quiet = false): string[] | null {
    if (text.indexOf('"') < 0) return text.split(',');
    const state = this.csvParser;
    state.fields = null;
    try {
      state.parser.push(`${text}\n`);
      if (state.fields === null) state.parser.end();
    } catch (e) {
      if (!(e instanceof CsvFormatError)) throw e;
      // The parser's state is unknown after an error: start a fresh one.
      state.parser = new CsvParser((fields) => {
        state.fields = fields;
      });
      if (!quiet) this.reject(line, null, `malformed CSV: ${e.message.replace(/^line \d+: /, '')}`, text);
      return null;
    }
    const fields = state.fields as string[] | null;
    if (fields === null) {
      if (!quiet) this.reject(line, null, 'malformed CSV', text);
      return null;
    }
    return fields;
  }

  private row(fields: string[], line: number, text: string): void {
    const plan = this.plan!;
    const ncols = plan.columns.length;
    // Shadowserver adds columns to its reports over time; rows written before a new column are one short. Such rows
    // are read with the missing cells empty as long as they reach the address, port and time.
    if (fields.length !== ncols && !(this.fmt === 'shadowserver' && fields.length < ncols && fields.length > plan.required)) {
      return this.reject(line, null, `the line has ${fields.length} ${fields.length === 1 ? 'field' : 'fields'} where the header has ${ncols}`, text);
    }
    const ipText = fields[plan.ip]!.trim();
    const problem = checkAddress(ipText);
    if (problem !== null) return this.reject(line, 'ip', problem, text);
    // checkAddress leaves its result in `checked`; parsing the port and time must not call it again before accept.
    let port: number | null = null;
    if (plan.port >= 0) {
      const p = fields[plan.port]!.trim();
      if (p.length > 0) {
        port = parsePort(p);
        if (port < 0) return this.reject(line, 'port', portProblem(p), text);
      }
    }
    let timestamp: string | null = null;
    if (plan.timestamp >= 0) {
      const t = fields[plan.timestamp]!.trim();
      if (t.length > 0) {
        timestamp = normalizeTimestamp(t);
        if (timestamp === null) return this.reject(line, 'timestamp', timestampProblem(t), text);
      }
    }
    const extra: Record<string, string> = {};
    const idx = plan.extraIndex;
    const names = plan.extraNames;
    for (let i = 0; i < idx.length; i++) {
      const v = fields[idx[i]!];
      // Empty cells are left out: a Shadowserver row has dozens, and "no value" is what a missing key says too.
      if (v !== undefined && v.length > 0) extra[names[i]!] = v;
    }
    this.accept(port, timestamp, extra, line);
  }

  // ---- intelmq

  private intelmqLine(text: string): void {
    if (text.trim() === '') return;
    const line = this.lineNo;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return this.reject(line, null, `not valid JSON: ${(e as Error).message.slice(0, 200)}`, text);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.reject(line, null, 'not a JSON object (IntelMQ format has one event object a line)', text);
    }
    const o = value as Record<string, unknown>;
    const ip = pick(o, 'source.ip', 'source', 'ip');
    if (ip === undefined || ip === null) return this.reject(line, 'ip', 'the event has no "source.ip"', text);
    if (typeof ip !== 'string') return this.reject(line, 'ip', `"source.ip" must be a string, got ${JSON.stringify(ip)}`, text);
    const problem = checkAddress(ip.trim());
    if (problem !== null) return this.reject(line, 'ip', problem, text);
    let port: number | null = null;
    const p = pick(o, 'source.port', 'source', 'port');
    if (p !== undefined && p !== null && p !== '') {
      port = typeof p === 'number' ? (Number.isInteger(p) && p >= 0 && p <= 65535 ? p : -1) : typeof p === 'string' ? parsePort(p.trim()) : -1;
      if (port < 0) return this.reject(line, 'port', `"source.port": ${portProblem(typeof p === 'string' ? p : JSON.stringify(p))}`, text);
    }
    let timestamp: string | null = null;
    const t = pick(o, 'time.source', 'time', 'source');
    if (t !== undefined && t !== null && t !== '') {
      const ts = typeof t === 'number' ? String(t) : typeof t === 'string' ? t.trim() : JSON.stringify(t);
      timestamp = normalizeTimestamp(ts);
      if (timestamp === null) return this.reject(line, 'timestamp', `"time.source": ${timestampProblem(ts)}`, text);
    }
    const extra: Record<string, string> = {};
    for (const key in o) {
      if (key.length > 6 && key.startsWith('extra.')) this.addExtra(extra, key.slice(6), o[key]);
    }
    // Hierarchical output (`{"extra": {...}}`) and IntelMQ's internal form (`"extra": "{...json...}"`).
    let nested = o.extra;
    if (typeof nested === 'string' && nested.startsWith('{')) {
      try {
        nested = JSON.parse(nested);
      } catch {
        nested = undefined;
      }
    }
    if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
      for (const [k, v] of Object.entries(nested)) this.addExtra(extra, k, v);
    }
    this.accept(port, timestamp, extra, line);
  }

  private addExtra(extra: Record<string, string>, name: string, value: unknown): void {
    if (value === null || value === undefined || value === '') return;
    extra[name] = typeof value === 'string' ? value : JSON.stringify(value);
    if (!this.extraSeen.has(name)) this.extraSeen.add(name);
  }

  // ---- outcome

  /** Takes the address in `checked` as a host unless it is a duplicate. */
  private accept(port: number | null, timestamp: string | null, extra: Record<string, string>, line: number): void {
    const fresh = checked.family === 4 ? this.seen.add4(checked.v4, port) : this.seen.add6(checked.v6, 0, port);
    if (!fresh) {
      this.duplicateCount++;
      return;
    }
    let warnings = EMPTY_WARNINGS;
    if (this.warnings !== null) {
      const hit = checked.family === 4 ? this.warnings.match4(checked.v4) : this.warnings.match6(checked.v6);
      if (hit !== null) {
        warnings = hit;
        this.flaggedCount++;
      }
    }
    this.hostCount++;
    this.hosts.push({ ip: checked.text, port, timestamp, extra, line, warnings: warnings.length === 0 ? [] : [...warnings] });
  }

  private reject(line: number, field: string | null, reason: string, text: string): void {
    this.rejectedCount++;
    const keep = this.keptCount < this.maxKept;
    if (!keep && !this.strict && this.firstProblems.length >= PROBLEMS_QUOTED) return;
    const r: RejectedLine = { line, field, reason, text: text.length > TEXT_KEPT ? text.slice(0, TEXT_KEPT) : text };
    if (this.firstProblems.length < PROBLEMS_QUOTED) this.firstProblems.push(r);
    if (this.strict) throw new IntakeError('strict', line, reason, [r]);
    if (keep) {
      this.keptCount++;
      this.rejectedOut.push(r);
    }
  }
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

/**
 * Splits a one-line CSV record whose quoted fields are plain (`"..."` with no quote inside, followed by a comma or
 * the end): every line of a Shadowserver report, at a third of the cost of the general parser. Returns null for
 * anything else (doubled quotes, a field going on past the line break, stray quotes), which the registry's RFC 4180
 * parser then reads or refuses with its reason.
 */
function splitSimpleQuoted(s: string): string[] | null {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  let nextQuote = s.indexOf('"');
  for (;;) {
    if (i === nextQuote) {
      const close = s.indexOf('"', i + 1);
      if (close < 0) return null;
      out.push(s.slice(i + 1, close));
      if (close + 1 === n) return out;
      if (s.charCodeAt(close + 1) !== 44) return null;
      i = close + 2;
      nextQuote = s.indexOf('"', i);
    } else {
      const comma = s.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      if (nextQuote >= 0 && nextQuote < end) return null;
      out.push(s.slice(i, end));
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}

/**
 * Whether a CSV line ends inside a quoted field, so the record goes on after the line break. Only a quote at the
 * start of a field opens one (RFC 4180); a stray quote inside an unquoted field is the parser's error to report,
 * not the start of a multi-line record.
 */
function endsInsideQuotes(s: string, startInside: boolean): boolean {
  let inside = startInside;
  let fieldStart = !startInside;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (inside) {
      if (c === 34) {
        if (s.charCodeAt(i + 1) === 34) i++;
        else inside = false;
      }
    } else if (c === 44) fieldStart = true;
    else {
      if (c === 34 && fieldStart) inside = true;
      fieldStart = false;
    }
  }
  return inside;
}

/** `o[flat]`, or `o[outer][inner]` for IntelMQ's hierarchical output. */
function pick(o: Record<string, unknown>, flat: string, outer: string, inner: string): unknown {
  const v = o[flat];
  if (v !== undefined) return v;
  const nested = o[outer];
  return typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>)[inner] : undefined;
}
