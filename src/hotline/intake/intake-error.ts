import type { RejectedLine } from './intake-types.js';

/** Why a whole upload was refused: a closed set so the API and the CLI can branch on it without reading the message. */
export type IntakeErrorCode =
  /** `strict: true` and a line was rejected. */
  | 'strict'
  /** Not one line became a host. */
  | 'no-valid-host'
  /** The CSV header has no column for the address, or a mapped column is missing, or the header is unusable. */
  | 'header'
  /** The input is not text the formats describe (e.g. gzip-compressed). */
  | 'unreadable';

/**
 * An upload of affected hosts was refused as a whole. Single bad lines never throw (they become rejected lines);
 * this is for the cases where nothing should be saved: a bad line under `strict`, an upload without one valid host,
 * a CSV header without an address column. The message names the line and says what is wrong.
 *
 * @example
 * try { for await (const e of readHosts(input, { strict: true })) save(e) }
 * catch (e) { if (e instanceof IntakeError) console.log(e.code, e.line, e.message) }
 * // strict 3 line 3: "10.1.2.3" is in 10.0.0.0/8, private-use (RFC 1918): special-purpose address space, ...
 */
export class IntakeError extends Error {
  override readonly name = 'IntakeError';
  constructor(
    readonly code: IntakeErrorCode,
    /** The line at fault, or null when the problem is the upload as a whole. */
    readonly line: number | null,
    /** What is wrong, without the line number (the message adds it). */
    readonly reason: string,
    /** The first rejected lines, for `no-valid-host` and `strict` (so a UI can list them). */
    readonly problems: readonly RejectedLine[] = [],
  ) {
    super(line === null ? reason : `line ${line}: ${reason}`);
  }
}
