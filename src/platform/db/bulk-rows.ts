/**
 * Bulk writes for large inputs, written by hand as in the RPSL import and the
 * hotline's hosts: one array per column through unnest() on PostgreSQL (parsed
 * and planned once per batch however many rows it holds), and on SQLite one
 * prepared multi-row statement on the connection under the transaction, reused
 * for every batch (Kysely prepares each query anew, which costs more than the
 * rows). Call these inside a transaction: on SQLite that is what makes the one
 * connection ours.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

export interface BulkTable {
  table: string;
  columns: readonly string[];
  /** PostgreSQL array element type of each column (`text`, `bigint`, `integer`). */
  pgTypes: readonly string[];
}

/** Rows per PostgreSQL statement. */
const PG_ROWS = 20_000;
/** Rows per reused SQLite statement. */
const SQLITE_ROWS = 100;

/**
 * Inserts `rows` rows whose values come from `value(row, column)`; with `returning`, gives back those columns of
 * every inserted row (in no promised order: match them on a key).
 * @example
 * await insertRows(trx, ctx.db, { table: 't', columns: ['a', 'b'], pgTypes: ['text', 'integer'] }, 2, (r, c) => data[r][c]);
 */
export async function insertRows(
  trx: Kysely<Database>,
  db: Db,
  spec: BulkTable,
  rows: number,
  value: (row: number, column: number) => unknown,
  returning: readonly string[] = [],
): Promise<Array<Record<string, unknown>>> {
  const { table, columns, pgTypes } = spec;
  const width = columns.length;
  const ret = returning.length > 0 ? ` returning ${returning.join(', ')}` : '';
  const out: Array<Record<string, unknown>> = [];
  if (rows === 0) return out;
  if (db.dialect === 'postgres') {
    const text = `insert into ${table} (${columns.join(', ')}) select * from unnest(${pgTypes.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')})${ret}`;
    for (let start = 0; start < rows; start += PG_ROWS) {
      const end = Math.min(rows, start + PG_ROWS);
      const arrays: unknown[][] = [];
      for (let c = 0; c < width; c++) {
        const a = new Array<unknown>(end - start);
        for (let r = start; r < end; r++) a[r - start] = value(r, c);
        arrays.push(a);
      }
      const result = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, arrays));
      for (const row of result.rows) out.push(row);
    }
    return out;
  }
  const insertText = (n: number) => {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: n }, () => tuple).join(', ')}${ret}`;
  };
  const native = db.native;
  if (native && trx.isTransaction) {
    const many = native.prepare(insertText(SQLITE_ROWS));
    const one = native.prepare(insertText(1));
    const params = new Array<unknown>(SQLITE_ROWS * width);
    let r = 0;
    for (; r + SQLITE_ROWS <= rows; r += SQLITE_ROWS) {
      let k = 0;
      for (let i = r; i < r + SQLITE_ROWS; i++) for (let c = 0; c < width; c++) params[k++] = value(i, c);
      if (ret) for (const row of many.all(params) as Array<Record<string, unknown>>) out.push(row);
      else many.run(params);
    }
    const single = new Array<unknown>(width);
    for (; r < rows; r++) {
      for (let c = 0; c < width; c++) single[c] = value(r, c);
      if (ret) for (const row of one.all(single) as Array<Record<string, unknown>>) out.push(row);
      else one.run(single);
    }
    return out;
  }
  // Outside a transaction on SQLite: plain statements through Kysely, within SQLite's parameter limit.
  const per = Math.max(1, Math.floor(30_000 / width));
  for (let start = 0; start < rows; start += per) {
    const end = Math.min(rows, start + per);
    const params: unknown[] = [];
    for (let r = start; r < end; r++) for (let c = 0; c < width; c++) params.push(value(r, c));
    const result = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(insertText(end - start), params));
    for (const row of result.rows) out.push(row);
  }
  return out;
}

/**
 * Updates rows by id: `set column = value` for the given columns of each row.
 * @example
 * await updateRowsById(trx, ctx.db, { table: 't', columns: ['a'], pgTypes: ['text'] }, ids, (r, c) => values[r]);
 */
export async function updateRowsById(trx: Kysely<Database>, db: Db, spec: BulkTable, ids: readonly number[], value: (row: number, column: number) => unknown): Promise<void> {
  const { table, columns, pgTypes } = spec;
  const rows = ids.length;
  if (rows === 0) return;
  const width = columns.length;
  if (db.dialect === 'postgres') {
    const names = ['id', ...columns];
    const types = ['bigint', ...pgTypes];
    const text = `update ${table} as t set ${columns.map((c) => `${c} = u.${c}`).join(', ')} from unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')}) as u(${names.join(', ')}) where t.id = u.id`;
    for (let start = 0; start < rows; start += PG_ROWS) {
      const end = Math.min(rows, start + PG_ROWS);
      const arrays: unknown[][] = [ids.slice(start, end)];
      for (let c = 0; c < width; c++) {
        const a = new Array<unknown>(end - start);
        for (let r = start; r < end; r++) a[r - start] = value(r, c);
        arrays.push(a);
      }
      await trx.executeQuery(CompiledQuery.raw(text, arrays));
    }
    return;
  }
  const text = `update ${table} set ${columns.map((c) => `${c} = ?`).join(', ')} where id = ?`;
  const params = new Array<unknown>(width + 1);
  const native = db.native;
  const stmt = native && trx.isTransaction ? native.prepare(text) : null;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < width; c++) params[c] = value(r, c);
    params[width] = ids[r];
    if (stmt) stmt.run(params);
    else await trx.executeQuery(CompiledQuery.raw(text, [...params]));
  }
}
