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

/**
 * Columns whose value is the same in every row (a timestamp, the actor), by column index: PostgreSQL gets each once
 * as a parameter instead of an array of 100,000 copies to build, send and parse. `value` must answer them too
 * (SQLite binds every row's values).
 */
export type ConstantColumns = ReadonlyMap<number, unknown>;

/**
 * `insert into t (cols) select <unnested or constant> from unnest(...)`, the columns that go as arrays (in parameter
 * order), and the constant values that follow them.
 */
function pgInsertText(spec: BulkTable, constants: ConstantColumns | undefined, ret: string): { text: string; arrays: number[]; fixed: unknown[] } {
  const arrays: number[] = [];
  const select: string[] = [];
  const params: string[] = [];
  spec.columns.forEach((_, c) => {
    if (constants?.has(c)) return;
    arrays.push(c);
    params.push(`$${arrays.length}::${spec.pgTypes[c]}[]`);
  });
  let k = arrays.length;
  spec.columns.forEach((_, c) => select.push(constants?.has(c) ? `$${++k}::${spec.pgTypes[c]}` : `u.c${arrays.indexOf(c)}`));
  const names = arrays.map((_, i) => `c${i}`).join(', ');
  const fixed = constants ? [...spec.columns.keys()].filter((c) => constants.has(c)).map((c) => constants.get(c)) : [];
  return { text: `insert into ${spec.table} (${spec.columns.join(', ')}) select ${select.join(', ')} from unnest(${params.join(', ')}) as u(${names})${ret}`, arrays, fixed };
}

/** Rows per PostgreSQL statement. */
const PG_ROWS = 20_000;

/** One array per variable column for each batch of PG_ROWS rows. */
function* pgBatches(variable: readonly number[], rows: number, value: (row: number, column: number) => unknown): Generator<unknown[]> {
  for (let start = 0; start < rows; start += PG_ROWS) {
    const end = Math.min(rows, start + PG_ROWS);
    yield variable.map((c) => {
      const a = new Array<unknown>(end - start);
      for (let r = start; r < end; r++) a[r - start] = value(r, c);
      return a;
    });
  }
}
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
  constants?: ConstantColumns,
): Promise<Array<Record<string, unknown>>> {
  const { table, columns } = spec;
  const width = columns.length;
  const ret = returning.length > 0 ? ` returning ${returning.join(', ')}` : '';
  const out: Array<Record<string, unknown>> = [];
  if (rows === 0) return out;
  if (db.dialect === 'postgres') {
    const { text, arrays: variable, fixed } = pgInsertText(spec, constants, ret);
    for (const arrays of pgBatches(variable, rows, value)) {
      const result = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [...arrays, ...fixed]));
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
 * SQLite: inserts `rows` rows as {@link insertRows} does and answers their new ids in row order, without sending any
 * inserted column back: a multi-row insert under the transaction's write lock numbers its rows one after another, so
 * each batch's ids end at its last insert rowid. That spares the driver 100,000 returned rows and the caller a map
 * from key to row. PostgreSQL has {@link pgInsertRowsThen}, which keeps the ids in the database.
 * @example
 * const ids = await sqliteInsertRowsReturningIds(trx, ctx.db, INSERT, entries.length, (r, c) => cell(entries[r], c));
 */
export async function sqliteInsertRowsReturningIds(trx: Kysely<Database>, db: Db, spec: BulkTable, rows: number, value: (row: number, column: number) => unknown): Promise<number[]> {
  if (db.dialect !== 'sqlite') throw new Error('sqliteInsertRowsReturningIds is for SQLite; PostgreSQL inserts through pgInsertRowsThen');
  const ids = new Array<number>(rows);
  if (rows === 0) return ids;
  const { table, columns } = spec;
  const width = columns.length;
  const insertText = (n: number) => {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: n }, () => tuple).join(', ')}`;
  };
  const native = db.native;
  const per = native && trx.isTransaction ? SQLITE_ROWS : Math.max(1, Math.floor(30_000 / width));
  const many = native && trx.isTransaction ? native.prepare(insertText(SQLITE_ROWS)) : null;
  const params = new Array<unknown>(per * width);
  for (let start = 0; start < rows; start += per) {
    const n = Math.min(per, rows - start);
    if (n < per) params.length = n * width;
    let k = 0;
    for (let r = start; r < start + n; r++) for (let c = 0; c < width; c++) params[k++] = value(r, c);
    let last: number;
    if (many && n === SQLITE_ROWS) last = Number(many.run(params).lastInsertRowid);
    else if (native && trx.isTransaction) last = Number(native.prepare(insertText(n)).run(params).lastInsertRowid);
    else last = Number((await trx.executeQuery(CompiledQuery.raw(insertText(n), [...params]))).insertId);
    for (let r = 0; r < n; r++) ids[start + r] = last - n + 1 + r;
  }
  return ids;
}

/**
 * PostgreSQL: inserts `rows` rows as {@link insertRows} does and, in the same statement, rows of another table made
 * from each new row's id (`then(firstParam)` is an `insert ... select ... from ins` over `ins(id)`, its parameters
 * `thenParams` numbered from `firstParam`). The ids stay in the database: drawing 100,000 of them from the sequence
 * for the client costs as much again as letting the insert take them.
 * @example
 * await pgInsertRowsThen(trx, INDICATORS, n, cell, constants, (k) => `insert into events (indicator_id, at) select id, $${k}::text from ins`, [now]);
 */
export async function pgInsertRowsThen(
  trx: Kysely<Database>,
  spec: BulkTable,
  rows: number,
  value: (row: number, column: number) => unknown,
  constants: ConstantColumns | undefined,
  then: (firstParam: number) => string,
  thenParams: readonly unknown[],
): Promise<void> {
  if (rows === 0) return;
  const { text, arrays: variable, fixed } = pgInsertText(spec, constants, ' returning id');
  const statement = `with ins as (${text}) ${then(variable.length + fixed.length + 1)}`;
  for (const arrays of pgBatches(variable, rows, value)) {
    await trx.executeQuery(CompiledQuery.raw(statement, [...arrays, ...fixed, ...thenParams]));
  }
}

/**
 * Updates rows by id: `set column = value` for the given columns of each row.
 * @example
 * await updateRowsById(trx, ctx.db, { table: 't', columns: ['a'], pgTypes: ['text'] }, ids, (r, c) => values[r]);
 */
export async function updateRowsById(trx: Kysely<Database>, db: Db, spec: BulkTable, ids: readonly number[], value: (row: number, column: number) => unknown, constants?: ConstantColumns): Promise<void> {
  const { table, columns, pgTypes } = spec;
  const rows = ids.length;
  if (rows === 0) return;
  const width = columns.length;
  if (db.dialect === 'postgres') {
    const variable = [...columns.keys()].filter((c) => !constants?.has(c));
    const fixed = [...columns.keys()].filter((c) => constants?.has(c));
    const names = ['id', ...variable.map((c) => columns[c]!)];
    const types = ['bigint', ...variable.map((c) => pgTypes[c]!)];
    const sets = columns.map((col, c) => (constants?.has(c) ? `${col} = $${types.length + 1 + fixed.indexOf(c)}::${pgTypes[c]}` : `${col} = u.${col}`));
    const text = `update ${table} as t set ${sets.join(', ')} from unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')}) as u(${names.join(', ')}) where t.id = u.id`;
    const fixedValues = fixed.map((c) => constants!.get(c));
    for (let start = 0; start < rows; start += PG_ROWS) {
      const end = Math.min(rows, start + PG_ROWS);
      const arrays: unknown[] = [ids.slice(start, end)];
      for (const c of variable) {
        const a = new Array<unknown>(end - start);
        for (let r = start; r < end; r++) a[r - start] = value(r, c);
        arrays.push(a);
      }
      await trx.executeQuery(CompiledQuery.raw(text, [...arrays, ...fixedValues]));
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
