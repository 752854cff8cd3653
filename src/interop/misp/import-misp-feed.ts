/**
 * Imports a MISP feed (the format MISP instances publish and subscribe to): a directory or an http(s) URL with
 * `manifest.json` (event uuid → its `timestamp` and metadata) and one `<uuid>.json` per event. Incremental: per
 * feed the hub remembers each event's timestamp as imported (table misp_feed_events), and fetches again only the
 * events that are new or whose timestamp changed. `hashes.csv` is not read: MISP uses it to correlate values of
 * a feed it has not imported, the hub imports the events themselves.
 *
 * Every changed event lands in one transaction with its bookkeeping: a feed run imports whole or not at all.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Caller, Context } from '../../platform/context.js';
import { BakenError } from '../../platform/errors.js';
import { importMispEvents, type MispImportOptions, type MispImportResult } from './import-misp-events.js';
import { mispTimestamp, readMispEvents, type MispEventRead, type MispProblem } from './read-misp-events.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MispFeedOptions extends Omit<MispImportOptions, 'within' | 'origin'> {
  /** Extra request headers for a URL feed, e.g. `{ Authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /** Fetch every event again, whatever the remembered timestamps say. */
  full?: boolean;
  /** Event files fetched at once from a URL; default 8. */
  concurrency?: number;
  /** Per request; default 60 s. */
  timeoutMs?: number;
}

export interface MispFeedResult extends MispImportResult {
  feed: string;
  /** Events the manifest lists. */
  listed: number;
  /** Events fetched (new or changed). */
  fetched: number;
  /** Events left alone because their timestamp had not changed. */
  unchanged: number;
}

/** Where a feed's files are read from. */
interface FeedSource {
  /** How the hub names the feed in its bookkeeping. */
  key: string;
  read(name: string): Promise<string>;
}

function sourceOf(location: string, options: MispFeedOptions): FeedSource {
  if (/^https?:\/\//i.test(location)) {
    const base = location.replace(/\/+$/, '').replace(/\/manifest\.json$/, '');
    const timeout = options.timeoutMs ?? 60_000;
    return {
      key: base,
      async read(name) {
        const url = `${base}/${name}`;
        let res: Response;
        try {
          res = await fetch(url, { headers: { Accept: 'application/json', ...(options.headers ?? {}) }, signal: AbortSignal.timeout(timeout), redirect: 'follow' });
        } catch (err) {
          throw new BakenError('MISP_FEED_UNREACHABLE', { detail: `${url}: ${(err as Error).message}` });
        }
        if (!res.ok) throw new BakenError('MISP_FEED_UNREACHABLE', { detail: `${url}: HTTP ${res.status} ${res.statusText}` });
        return res.text();
      },
    };
  }
  const dir = resolve(location.replace(/\/manifest\.json$/, ''));
  return {
    key: dir,
    async read(name) {
      try {
        return await readFile(join(dir, name), 'utf8');
      } catch (err) {
        throw new BakenError('MISP_FEED_UNREACHABLE', { detail: `${join(dir, name)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` });
      }
    },
  };
}

/** The manifest as uuid → timestamp; problems name the uuid and the field. */
function readManifest(text: string): { events: Map<string, number>; problems: MispProblem[] } {
  const problems: MispProblem[] = [];
  const events = new Map<string, number>();
  const problem = (event: string, field: string, message: string) => problems.push({ event, attribute: null, path: 'manifest.json', field, message });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    problem('-', 'json', `not valid JSON: ${(e as Error).message}`);
    return { events, problems };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem('-', 'manifest', 'not a JSON object of event uuid → event metadata');
    return { events, problems };
  }
  for (const [uuid, meta] of Object.entries(value as Record<string, unknown>)) {
    if (!UUID.test(uuid)) {
      problem(uuid.slice(0, 60), 'uuid', 'the key is not an event UUID');
      continue;
    }
    const ts = typeof meta === 'object' && meta !== null ? mispTimestamp((meta as Record<string, unknown>).timestamp) : null;
    if (ts === null) {
      problem(uuid, 'timestamp', 'missing, or not a number of seconds since 1970');
      continue;
    }
    events.set(uuid.toLowerCase(), ts);
  }
  return { events, problems };
}

/**
 * Imports the new and changed events of a MISP feed.
 * @throws {BakenError} MISP_FEED_UNREACHABLE when a file cannot be read (nothing is imported); MISP_INVALID for a
 *   bad manifest or event (nothing is imported unless `partial`).
 * @example
 * const r = await importMispFeed(ctx, by, 'https://misp.example/feeds/osint', { headers: { Authorization: key } });
 * `${r.fetched} of ${r.listed} events fetched, ${r.created} new indicators`
 */
export async function importMispFeed(ctx: Context, by: Caller, location: string, options: MispFeedOptions = {}): Promise<MispFeedResult> {
  const started = Date.now();
  const source = sourceOf(location, options);
  const manifest = readManifest(await source.read('manifest.json'));
  if (manifest.problems.length > 0) {
    const p = manifest.problems[0]!;
    throw new BakenError('MISP_INVALID', { detail: `manifest.json: ${manifest.problems.length} problem(s); the first: event ${p.event}, ${p.field}: ${p.message}`, problems: manifest.problems.slice(0, 20).map((x) => ({ field: `manifest.json ${x.event}.${x.field}`, message: x.message })) });
  }
  const known = new Map<string, number>();
  if (!options.full) {
    const rows = await ctx.db.kysely.selectFrom('misp_feed_events').select(['event_uuid', 'event_timestamp']).where('feed', '=', source.key).execute();
    for (const r of rows) known.set(r.event_uuid, Number(r.event_timestamp));
  }
  const changed = [...manifest.events].filter(([uuid, ts]) => known.get(uuid) !== ts);

  // Fetch the changed events, a few at a time.
  const texts = new Array<string>(changed.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(options.concurrency ?? 8, changed.length) }, async () => {
    while (next < changed.length) {
      const i = next++;
      texts[i] = await source.read(`${changed[i]![0]}.json`);
    }
  });
  await Promise.all(workers);

  const events: MispEventRead[] = [];
  const problems: MispProblem[] = [];
  changed.forEach(([uuid], i) => {
    const r = readMispEvents(texts[i]!);
    // Structural problems of a file are about that file: name it.
    for (const p of r.problems) problems.push(p.event === '-' ? { ...p, event: uuid, path: `${uuid}.json` } : p);
    if (r.events.length !== 1) {
      if (r.problems.length === 0) problems.push({ event: uuid, attribute: null, path: `${uuid}.json`, field: 'Event', message: `holds ${r.events.length} events, not one` });
    } else if (r.events[0]!.uuid?.toLowerCase() !== uuid) {
      problems.push({ event: uuid, attribute: null, path: `${uuid}.json`, field: 'uuid', message: `the event in the file is ${r.events[0]!.uuid ?? 'without uuid'}, not the one the manifest lists` });
    }
    events.push(...r.events);
  });
  // A file that is not one event of the right uuid is a problem of the feed, never partially importable.
  if (problems.some((p) => p.attribute === null && (p.field === 'Event' || p.field === 'uuid' || p.field === 'json'))) options = { ...options, partial: false };

  const now = ctx.clock.now().toISOString();
  const result = await importMispEvents(
    ctx,
    by,
    { events, problems },
    {
      ...options,
      origin: source.key,
      within: async (trx) => {
        const uuids = changed.map(([u]) => u);
        for (let i = 0; i < uuids.length; i += 500) await trx.deleteFrom('misp_feed_events').where('feed', '=', source.key).where('event_uuid', 'in', uuids.slice(i, i + 500)).execute();
        for (let i = 0; i < changed.length; i += 500) {
          await trx
            .insertInto('misp_feed_events')
            .values(changed.slice(i, i + 500).map(([uuid, ts]) => ({ feed: source.key, event_uuid: uuid, event_timestamp: ts, imported_at: now })))
            .execute();
        }
      },
    },
  );
  return { ...result, feed: source.key, listed: manifest.events.size, fetched: changed.length, unchanged: manifest.events.size - changed.length, durationMs: Date.now() - started };
}
