import { createReadStream } from 'node:fs';

/** A CSV file is malformed; the message names the line. */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Called once per record with its fields and the line number it starts on (1-based). */
export type CsvRowHandler = (fields: string[], line: number) => void;

/**
 * Incremental RFC 4180 CSV parser: feed it chunks of any size, it calls `onRow` per record. Quoted fields may hold
 * commas, doubled quotes (`""` for `"`) and line breaks; CRLF and LF both end records; empty lines are skipped.
 * Lines without a quote take a `split(',')` fast path, which is most lines of registry data.
 *
 * @example
 * const rows: string[][] = [];
 * const p = new CsvParser((f) => rows.push(f));
 * p.push('1,2,"Cloudflare, Inc."\n3,4,"LLC ""SPUT');
 * p.push('NIK"""\n');
 * p.end(); // rows: [['1','2','Cloudflare, Inc.'], ['3','4','LLC "SPUTNIK"']]
 */
export class CsvParser {
  private rest = '';
  private line = 1;

  constructor(private readonly onRow: CsvRowHandler) {}

  /** Parses the complete records in `chunk` (plus what was left from the previous one). */
  push(chunk: string): void {
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    this.rest = text.slice(this.parse(text, false));
  }

  /** Parses what is left after the last chunk. @throws {CsvFormatError} if a quoted field is not closed. */
  end(): void {
    if (this.rest.length > 0) this.parse(this.rest, true);
    this.rest = '';
  }

  /** Parses records from `text`; returns the offset of the first unparsed character. */
  private parse(text: string, final: boolean): number {
    let pos = 0;
    const n = text.length;
    // Position of the next quote at or after pos, found once and reused: searching afresh per line would rescan
    // the whole chunk for every line of a file without quotes.
    let quote = -1;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = n;
      }
      const lineEnd = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (quote !== n && quote < pos) {
        quote = text.indexOf('"', pos);
        if (quote < 0) quote = n;
      }
      if (quote >= lineEnd) {
        if (lineEnd > pos) this.onRow(text.slice(pos, lineEnd).split(','), this.line);
        this.line++;
        pos = nl + 1;
        continue;
      }
      const end = this.parseQuotedRecord(text, pos, final);
      if (end < 0) break;
      pos = end;
    }
    return Math.min(pos, n);
  }

  /** Parses one record containing quotes starting at `pos`; returns the offset after it, or -1 if incomplete. */
  private parseQuotedRecord(text: string, pos: number, final: boolean): number {
    const n = text.length;
    const startLine = this.line;
    const fields: string[] = [];
    let lines = 0;
    let i = pos;
    for (;;) {
      let field = '';
      if (text.charCodeAt(i) === 34) {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            if (final) throw new CsvFormatError(startLine, 'a quoted field is not closed');
            return -1;
          }
          field += text.slice(i, q);
          for (let k = i; k < q; k++) if (text.charCodeAt(k) === 10) lines++;
          if (text.charCodeAt(q + 1) === 34) {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        const c = i < n ? text.charCodeAt(i) : -1;
        if (c !== 44 && c !== 10 && c !== 13 && c !== -1) {
          throw new CsvFormatError(startLine, 'unexpected text after a closing quote');
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) throw new CsvFormatError(startLine, 'a quote inside an unquoted field');
          j++;
        }
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i >= n) {
        if (!final) return -1;
        break;
      }
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13) i++;
      if (i < n && text.charCodeAt(i) === 10) {
        i++;
        break;
      }
      if (i >= n) {
        if (!final) return -1;
        break;
      }
      throw new CsvFormatError(startLine, 'a carriage return not followed by a line feed');
    }
    this.line += lines + 1;
    this.onRow(fields, startLine);
    return i;
  }
}

/**
 * Streams a CSV file through {@link CsvParser}, a megabyte at a time, so memory stays flat whatever the file size.
 * Resolves to the number of records.
 *
 * @throws {CsvFormatError} on malformed CSV; errors thrown by `onRow` propagate.
 */
export async function readCsvFile(path: string, onRow: CsvRowHandler): Promise<number> {
  let count = 0;
  const parser = new CsvParser((fields, line) => {
    count++;
    onRow(fields, line);
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) parser.push(chunk as string);
  parser.end();
  return count;
}
