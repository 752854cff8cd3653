/**
 * The narrow interface between the TAXII protocol and Baken's objects: a collection is a few sources, each
 * yielding entries in the order (date_added, rank, row id) after a cursor, and a page is the merge of
 * their first entries. Keyset pagination: a page never reads, sorts or serialises what came before it.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Database } from '../../platform/db/schema.js';
import type { StixObject } from '../stix/stix-types.js';
import type { Cursor, TaxiiQuery } from './taxii-query.js';

export interface TaxiiEntry {
  id: string;
  type: string;
  /** The version: `modified` (or `created` for objects that never change). */
  version: string;
  /** When this version entered the collection as the caller sees it. */
  dateAdded: string;
  cursor: Cursor;
  /** Built only for the objects endpoints: the manifest needs none of it. */
  object: () => Promise<StixObject> | StixObject;
}

/** One kind of object in a collection. */
export interface TaxiiEntrySource {
  types: readonly string[];
  /** Up to `limit` entries after `q.after` that match `q` (`match[id]` included), in order. */
  page(q: TaxiiQuery, limit: number): Promise<TaxiiEntry[]>;
}

export function compareCursor(a: Cursor, b: Cursor): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.rank !== b.rank) return a.rank - b.rank;
  return a.id - b.id;
}

/**
 * Reads up to `limit` rows of a source that come after the cursor, in (date_added, id) order, as seeks on an
 * index (date_added, id): rows sharing the cursor's date_added (a bulk import writes thousands at one
 * instant) with a higher id first, then rows with a later date_added. One range condition over both
 * columns would make SQLite scan the whole instant from its start on every page.
 * `run` gets the condition to add and the number of rows wanted.
 */
export async function keysetRows<R>(at: RawBuilder<unknown>, id: RawBuilder<unknown>, rank: number, after: Cursor | null, limit: number, run: (where: RawBuilder<boolean>, limit: number) => Promise<R[]>): Promise<R[]> {
  if (!after) return run(sql<boolean>`1 = 1`, limit);
  if (rank > after.rank) return run(sql<boolean>`${at} >= ${after.at}`, limit);
  if (rank < after.rank) return run(sql<boolean>`${at} > ${after.at}`, limit);
  const same = await run(sql<boolean>`${at} = ${after.at} and ${id} > ${after.id}`, limit);
  if (same.length >= limit) return same;
  return [...same, ...(await run(sql<boolean>`${at} > ${after.at}`, limit - same.length))];
}

/** Whether an entry (of any source) comes after the cursor and is within added_after. */
export function entryAfter(e: Pick<TaxiiEntry, 'cursor' | 'dateAdded'>, q: TaxiiQuery): boolean {
  if (q.addedAfter !== null && e.dateAdded <= q.addedAfter) return false;
  return q.after === null || compareCursor(e.cursor, q.after) > 0;
}

/** Whether an entry's version is asked for by `match[version]`: Baken serves the current version of each object. */
export function versionMatches(version: string, q: TaxiiQuery): boolean {
  return q.version.current || q.version.timestamps.includes(version);
}

export interface TaxiiPage {
  entries: TaxiiEntry[];
  more: boolean;
}

/** Reads one page across the sources of a collection. */
export async function readPage(sources: readonly TaxiiEntrySource[], q: TaxiiQuery): Promise<TaxiiPage> {
  if (!q.specVersionMatches) return { entries: [], more: false };
  const wanted = sources.filter((s) => !q.types || s.types.some((t) => q.types!.includes(t)));
  const lists = await Promise.all(wanted.map((s) => s.page(q, q.limit + 1)));
  const all = lists.flat().sort((a, b) => compareCursor(a.cursor, b.cursor));
  return { entries: all.slice(0, q.limit), more: all.length > q.limit };
}

/**
 * Runs a page's queries on PostgreSQL as what they are, a short walk along an index in order that stops at
 * the page's end. Two planner features misjudge them, above all on tables whose statistics lag a bulk import:
 * a bitmap scan fetches every row of the cursor's instant (tens of thousands after an import) and sorts them,
 * and the JIT compiler spends about 200 ms compiling a query that runs in about 10 ms. Both are turned off
 * for this transaction only.
 */
export async function asIndexWalk<T>(db: Db, fn: (k: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.dialect !== 'postgres') return fn(db.kysely);
  return db.kysely.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    await sql`set local enable_bitmapscan = off`.execute(trx);
    return fn(trx);
  });
}
