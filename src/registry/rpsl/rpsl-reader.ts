/**
 * A streaming reader for RPSL database dumps as the RIPE NCC publishes them (`ripe.db.inetnum.gz` and the other
 * split files): objects separated by empty lines, `attribute: value` lines, continuation lines (starting with a
 * space, a tab or `+`), `%` and `#` comment lines, `#` comments after values, repeated attributes, attribute names in
 * any case. Memory stays flat: one object is held at a time, whatever the size of the dump.
 *
 * A malformed object is skipped as a whole and reported with the file, the line and the reason; reading goes on with
 * the next object.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PRIMARY_KEY_ATTRIBUTE, rpslKey, type RpslKey } from './rpsl-primary-key.js';

/** One attribute: its name in lower case and its value with comments removed and continuation lines joined by `\n`. */
export interface RpslAttribute {
  readonly name: string;
  readonly value: string;
}

/** A well-formed object. */
export interface RpslObject {
  readonly kind: 'object';
  /** The class: the name of the first attribute, lower case (`inetnum`, `role`, ...). */
  readonly class: string;
  readonly key: RpslKey;
  /** In the order of the dump, repeated attributes repeated; only the wanted ones when the reader was told which. */
  readonly attributes: RpslAttribute[];
  readonly file: string;
  /** Line number (from 1) of the object's first line. */
  readonly line: number;
}

/** Why an object was skipped. */
export type RpslSkipReason =
  /** The object does not start with an `attribute: value` line (a continuation, or text without a colon). */
  | 'first-line-not-attribute'
  /** A line inside the object is neither an attribute nor a continuation (or has a malformed attribute name). */
  | 'not-an-attribute'
  /** The primary key is missing or cannot be read (an inetnum range that is not one, an AS number that is not one). */
  | 'bad-primary-key'
  /** The object is larger than any real one (more than 10,000 lines or 1 MB): a broken file, not an object. */
  | 'object-too-large';

export const RPSL_SKIP_REASONS: readonly RpslSkipReason[] = ['first-line-not-attribute', 'not-an-attribute', 'bad-primary-key', 'object-too-large'];

/** A malformed object that was skipped. */
export interface RpslSkipped {
  readonly kind: 'skipped';
  /** The class if the first line said it. */
  readonly class: string | null;
  readonly file: string;
  /** Line number of the object's first line. */
  readonly line: number;
  /** Line number of the line that made the object unusable. */
  readonly errorLine: number;
  readonly reason: RpslSkipReason;
  readonly message: string;
}

export type RpslEntry = RpslObject | RpslSkipped;

export interface RpslReadOptions {
  /** The name used in reports; default the file's base name, or `(input)`. */
  file?: string;
  /**
   * Keep only these attributes (lower case) in `attributes`; the others are still checked but not collected. The
   * reader is faster and lighter when it knows what the caller needs.
   */
  attributes?: ReadonlySet<string>;
  /** Only check and return objects of these classes (lower case); others are passed over quietly. */
  classes?: ReadonlySet<string>;
}

const MAX_OBJECT_LINES = 10_000;
const MAX_OBJECT_CHARS = 1 << 20;

/** Lower-case letter, digit, `-` or `_` after a leading letter: the syntax of RPSL attribute names. */
function isAttributeName(s: string, end: number): boolean {
  if (end === 0) return false;
  const c0 = s.charCodeAt(0) | 0x20;
  if (c0 < 97 || c0 > 122) return false;
  for (let i = 1; i < end; i++) {
    const c = s.charCodeAt(i);
    const l = c | 0x20;
    if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** The value part of a line without its `#` comment, trimmed. */
function cleanValue(s: string, from: number): string {
  const hash = s.indexOf('#', from);
  return (hash < 0 ? s.slice(from) : s.slice(from, hash)).trim();
}

/**
 * The line-level state machine, separate from I/O so it can be fed from any source. Call {@link line} for every
 * line (without its newline) and {@link end} at the end of input; finished entries collect in `out`.
 */
export class RpslParser {
  readonly out: RpslEntry[] = [];
  private readonly file: string;
  private readonly wanted: ReadonlySet<string> | undefined;
  private readonly classes: ReadonlySet<string> | undefined;

  private inObject = false;
  private startLine = 0;
  private cls: string | null = null;
  private ignore = false;
  private error: { line: number; reason: RpslSkipReason; message: string } | null = null;
  private attrs: Array<{ name: string; value: string }> = [];
  /** The attribute continuation lines go to, or null when the last attribute is not collected. */
  private last: { name: string; value: string } | null = null;
  private keyValue: string | null = null;
  private keyAttr = '';
  private lines = 0;
  private chars = 0;

  constructor(options: RpslReadOptions = {}) {
    this.file = options.file ?? '(input)';
    this.wanted = options.attributes;
    this.classes = options.classes;
  }

  line(text: string, lineNo: number): void {
    const n = text.length;
    if (n === 0 || (n === 1 && text.charCodeAt(0) === 13)) {
      if (this.inObject) this.finish();
      return;
    }
    let s = text;
    if (s.charCodeAt(n - 1) === 13) s = s.slice(0, n - 1);
    const c = s.charCodeAt(0);
    // `%` and `#` lines are comments of the dump, not part of any object (RIPE dumps open with a block of them).
    if (c === 37 || c === 35) return;
    if (!this.inObject) {
      this.inObject = true;
      this.startLine = lineNo;
      this.cls = null;
      this.ignore = false;
      this.error = null;
      this.attrs = [];
      this.last = null;
      this.keyValue = null;
      this.lines = 0;
      this.chars = 0;
    }
    if (this.ignore || this.error) return;
    if (++this.lines > MAX_OBJECT_LINES || (this.chars += s.length) > MAX_OBJECT_CHARS) {
      this.fail(lineNo, 'object-too-large', `the object is larger than ${MAX_OBJECT_LINES} lines or 1 MB`);
      this.attrs = [];
      return;
    }
    if (c === 32 || c === 9 || c === 43) {
      if (this.cls === null) {
        this.fail(lineNo, 'first-line-not-attribute', 'the object starts with a continuation line instead of "attribute: value"');
        return;
      }
      if (this.last) {
        const more = cleanValue(s, 1);
        this.last.value = this.last.value === '' ? more : more === '' ? this.last.value : `${this.last.value}\n${more}`;
      }
      return;
    }
    const colon = s.indexOf(':');
    if (colon < 0 || !isAttributeName(s, colon)) {
      const what = colon < 0 ? 'has no "attribute:"' : `has a malformed attribute name "${s.slice(0, colon)}"`;
      if (this.cls === null) this.fail(lineNo, 'first-line-not-attribute', `the first line ${what}`);
      else this.fail(lineNo, 'not-an-attribute', `the line is neither an attribute nor a continuation: it ${what}`);
      return;
    }
    const name = s.slice(0, colon).toLowerCase();
    const value = cleanValue(s, colon + 1);
    if (this.cls === null) {
      this.cls = name;
      if (this.classes && !this.classes.has(name)) {
        this.ignore = true;
        return;
      }
      this.keyAttr = PRIMARY_KEY_ATTRIBUTE[name] ?? name;
    }
    if (name === this.keyAttr && this.keyValue === null) this.keyValue = value;
    if (this.wanted === undefined || this.wanted.has(name)) {
      const a = { name, value };
      this.attrs.push(a);
      this.last = a;
    } else {
      this.last = null;
    }
  }

  end(): void {
    if (this.inObject) this.finish();
  }

  private fail(lineNo: number, reason: RpslSkipReason, message: string): void {
    this.error = { line: lineNo, reason, message };
  }

  private finish(): void {
    this.inObject = false;
    if (this.ignore) return;
    const cls = this.cls;
    if (!this.error && cls !== null) {
      const key = this.keyValue === null ? `the object has no ${this.keyAttr} attribute` : rpslKey(cls, this.keyValue);
      if (typeof key === 'string') this.fail(this.startLine, 'bad-primary-key', `${cls}: ${key}`);
      else {
        this.out.push({ kind: 'object', class: cls, key, attributes: this.attrs, file: this.file, line: this.startLine });
        return;
      }
    }
    const e = this.error!;
    this.out.push({ kind: 'skipped', class: cls, file: this.file, line: this.startLine, errorLine: e.line, reason: e.reason, message: e.message });
  }
}

/**
 * Reads RPSL objects from a stream of bytes (UTF-8; RIPE's dumps are ASCII but for free-text attributes).
 *
 * @example
 * for await (const e of readRpsl(createReadStream('ripe.db.role'), { file: 'ripe.db.role' })) {
 *   if (e.kind === 'object') console.log(e.class, e.key.text);
 *   else console.warn(`${e.file}:${e.errorLine}: ${e.message}`);
 * }
 */
export async function* readRpsl(input: AsyncIterable<Buffer | string>, options: RpslReadOptions = {}): AsyncGenerator<RpslEntry> {
  const parser = new RpslParser(options);
  let lineNo = 0;
  let carry = '';
  let carryBytes: Buffer | null = null;
  for await (const chunk of input) {
    let text: string;
    if (typeof chunk === 'string') {
      text = carry + chunk;
    } else {
      // Split on the last newline byte so a multi-byte character is never cut in two.
      const buf: Buffer = carryBytes ? Buffer.concat([carryBytes, chunk]) : chunk;
      const nl = buf.lastIndexOf(10);
      if (nl < 0) {
        carryBytes = buf;
        continue;
      }
      text = buf.toString('utf8', 0, nl + 1);
      carryBytes = nl + 1 < buf.length ? buf.subarray(nl + 1) : null;
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      parser.line(text.slice(start, nl), ++lineNo);
      start = nl + 1;
    }
    carry = typeof chunk === 'string' ? text.slice(start) : '';
    if (parser.out.length > 0) {
      for (const e of parser.out) yield e;
      parser.out.length = 0;
    }
  }
  const rest = carry + (carryBytes ? carryBytes.toString('utf8') : '');
  if (rest !== '') parser.line(rest, ++lineNo);
  parser.end();
  for (const e of parser.out) yield e;
}

/** Whether a file starts with the gzip magic bytes (1f 8b), whatever its name. */
export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** An open dump file: its entries, and how far reading has come (in bytes of the file, compressed or not). */
export interface RpslFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly compressed: boolean;
  /** The file's modification time, the date of the dump when its objects carry none. */
  readonly modified: Date;
  bytesRead(): number;
  entries(): AsyncGenerator<RpslEntry>;
}

/**
 * Opens a dump, plain or gzip-compressed (detected by its first bytes).
 *
 * @throws the file system's error when the file cannot be opened.
 * @example
 * const f = openRpslFile('/data/ripe.db.inetnum.gz');
 * for await (const e of f.entries()) ...
 */
export function openRpslFile(path: string, options: Omit<RpslReadOptions, 'file'> = {}): RpslFile {
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  const compressed = isGzipFile(path);
  const name = basename(path);
  let raw: ReturnType<typeof createReadStream> | null = null;
  return {
    path,
    name,
    size: st.size,
    compressed,
    modified: st.mtime,
    bytesRead: () => raw?.bytesRead ?? 0,
    entries() {
      raw = createReadStream(path, { highWaterMark: 1 << 20 });
      const source = compressed ? raw.pipe(createGunzip({ chunkSize: 1 << 18 })) : raw;
      if (compressed) raw.on('error', (err) => source.destroy(err));
      return readRpsl(source, { ...options, file: name });
    },
  };
}

/** All values of an attribute, in order. */
export function rpslValues(object: RpslObject, name: string): string[] {
  const out: string[] = [];
  for (const a of object.attributes) if (a.name === name) out.push(a.value);
  return out;
}

/** The first value of an attribute, or null. */
export function rpslValue(object: RpslObject, name: string): string | null {
  for (const a of object.attributes) if (a.name === name) return a.value;
  return null;
}
