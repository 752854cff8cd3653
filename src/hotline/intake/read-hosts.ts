import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { HostIntake } from './host-intake.js';
import type { IntakeOptions } from './host-intake.js';
import type { IntakeBatchEvent, IntakeEvent, IntakeHost, IntakeSummary, RejectedLine } from './intake-types.js';

export type { IntakeOptions } from './host-intake.js';

/** Decoded text is fed to the parser in pieces of at most this many characters, which bounds a batch of hosts. */
// A quarter megabyte: smaller batches die young (a cheap scavenge) instead of being promoted to the old generation.
const SLICE = 1 << 18;

type Piece = Buffer | Uint8Array | string;
/** A stream (a Readable, a web stream, an async generator) or an array of pieces; a string is one piece. */
type Input = AsyncIterable<Piece> | Iterable<Piece>;

/**
 * Reads an upload of affected hosts as a stream: plain addresses (`ips`), CSV with a header (`csv`), Shadowserver
 * report CSV (`shadowserver`), IntelMQ JSON lines (`intelmq`), or `auto` (the default) to recognise the format from
 * the first line. UTF-8, with or without a byte-order mark; gzip-compressed input is decompressed.
 *
 * Yields `host` events (valid, deduplicated on (ip, port), first occurrence wins) and `rejected` events (lines that
 * did not become hosts, with line number, field and reason; at most `maxRejectedKept` in all, the rest only
 * counted), in line order, and finally one `summary`. For a million hosts prefer {@link readHostBatches}, the same
 * in batches, which saves the cost of a million async yields.
 *
 * Memory stays flat whatever the upload size as long as the caller does not keep what it gets: the parser holds one
 * piece of text and the (ip, port) key set (about 13 bytes a distinct IPv4 host).
 *
 * @throws {IntakeError} `strict` at the first rejected line when `strict: true`; `header` for a CSV header without
 *   an address column (or a mapping naming a missing column); `no-valid-host` at the end when not one line was a host.
 * @example
 * for await (const event of readHosts(createReadStream('hosts.csv'), { warninglists })) {
 *   if (event.kind === 'host') hosts.push(event.host);
 *   else if (event.kind === 'rejected') problems.push(event.rejected);
 *   else console.log(`${event.summary.hosts} hosts, ${event.summary.rejected} rejected`);
 * }
 */
export async function* readHosts(input: Input, options: IntakeOptions = {}): AsyncGenerator<IntakeEvent> {
  let pendingRejected: RejectedLine[] = [];
  for await (const e of readHostBatches(input, options)) {
    if (e.kind === 'rejected-lines') {
      // A batch of rejected lines comes before the hosts of the same piece of input: merge the two by line.
      for (const rejected of pendingRejected) yield { kind: 'rejected', rejected };
      pendingRejected = e.rejected;
    } else if (e.kind === 'hosts') {
      let r = 0;
      for (const host of e.hosts) {
        while (r < pendingRejected.length && pendingRejected[r]!.line < host.line) yield { kind: 'rejected', rejected: pendingRejected[r++]! };
        yield { kind: 'host', host };
      }
      while (r < pendingRejected.length) yield { kind: 'rejected', rejected: pendingRejected[r++]! };
      pendingRejected = [];
    } else {
      for (const rejected of pendingRejected) yield { kind: 'rejected', rejected };
      pendingRejected = [];
      yield e;
    }
  }
}

/**
 * {@link readHosts} in batches: `hosts` (the valid hosts of one piece of input, in line order), `rejected-lines`
 * (the rejected lines of that piece, yielded just before its hosts) and finally `summary`. The fast path for large
 * uploads.
 *
 * @throws {IntakeError} as {@link readHosts}.
 * @example
 * for await (const e of readHostBatches(stream)) if (e.kind === 'hosts') await insertMany(e.hosts);
 */
export async function* readHostBatches(input: Input, options: IntakeOptions = {}): AsyncGenerator<IntakeBatchEvent> {
  const intake = new HostIntake(options);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of gunzipIfCompressed(input)) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (let at = 0; at < text.length; at += SLICE) {
      intake.push(text.length <= SLICE ? text : text.slice(at, at + SLICE));
      yield* drain(intake);
    }
  }
  const tail = decoder.decode();
  if (tail.length > 0) intake.push(tail);
  intake.end();
  yield* drain(intake);
  yield { kind: 'summary', summary: intake.finish() };
}

function* drain(intake: HostIntake): Generator<IntakeBatchEvent> {
  const rejected = intake.takeRejected();
  if (rejected.length > 0) yield { kind: 'rejected-lines', rejected };
  const hosts = intake.takeHosts();
  if (hosts.length > 0) yield { kind: 'hosts', hosts };
}

/** Passes the input through gunzip when it starts with the gzip magic bytes (only byte input can be compressed). */
async function* gunzipIfCompressed(input: Input): AsyncGenerator<Piece> {
  const it: AsyncIterator<Piece> | Iterator<Piece> =
    typeof input === 'string' ? [input][Symbol.iterator]() : Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Piece> = { [Symbol.asyncIterator]: () => it as AsyncIterator<Piece> };
  if (typeof head !== 'string' && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const all = (async function* () {
      yield head;
      yield* rest;
    })();
    yield* Readable.from(all).pipe(createGunzip()) as AsyncIterable<Buffer>;
    return;
  }
  yield head;
  yield* rest;
}

/** Everything an upload gave, collected: for small uploads and tests. */
export interface HostsRead {
  hosts: IntakeHost[];
  rejected: RejectedLine[];
  summary: IntakeSummary;
}

/**
 * {@link readHosts} collected into arrays. Only for uploads that fit in memory comfortably; stream large ones.
 *
 * @throws {IntakeError} as {@link readHosts}.
 * @example
 * const { hosts, rejected, summary } = await readAllHosts(['31.149.1.1\n10.0.0.1\n']);
 * // hosts: [{ ip: '31.149.1.1', ... }], rejected: [{ line: 2, field: 'ip', reason: '10.0.0.1 is in 10.0.0.0/8, ...' }]
 */
export async function readAllHosts(input: Input, options: IntakeOptions = {}): Promise<HostsRead> {
  const hosts: IntakeHost[] = [];
  const rejected: RejectedLine[] = [];
  let summary: IntakeSummary | null = null;
  for await (const e of readHostBatches(input, options)) {
    if (e.kind === 'hosts') for (const h of e.hosts) hosts.push(h);
    else if (e.kind === 'rejected-lines') for (const r of e.rejected) rejected.push(r);
    else summary = e.summary;
  }
  return { hosts, rejected, summary: summary! };
}
