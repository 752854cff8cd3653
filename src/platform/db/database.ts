/**
 * Opens the database named by a URL: better-sqlite3 for `sqlite:PATH` (WAL,
 * foreign keys on) and pg for `postgres://`. Everything above this module sees
 * one Kysely instance and a dialect name for the few places that differ.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /**
   * SQLite only: the one better-sqlite3 connection under Kysely, for bulk writes that reuse a prepared statement
   * (Kysely prepares every query afresh, which costs more than the insert for large multi-row statements). Use it
   * only inside a Kysely transaction's callback, where the connection is held for you.
   */
  native?: SQLite.Database;
  /**
   * PostgreSQL only: how to open one more connection to the same database and schema, outside the pool (a
   * dedicated LISTEN connection must not be a pooled one: it would be handed to queries, and its session is long).
   */
  pgClientConfig?: pg.ClientConfig;
  /** Closes every connection. */
  destroy(): Promise<void>;
}

// int8 (count(*), bigint ids) arrives as a string from pg by default; our values
// stay far below 2^53, so numbers keep one code path for both dialects.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface OpenDatabaseOptions {
  /** PostgreSQL only: the schema to use (tests run each in a schema of their own). */
  schema?: string;
  /** PostgreSQL only: the pool size. */
  poolSize?: number;
}

/**
 * @example
 * const db = openDatabase('sqlite:./data/baken.sqlite');
 * await db.kysely.selectFrom('organisations').selectAll().execute();
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Db {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pgClientConfig: pg.ClientConfig = { connectionString: url, ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}) };
    const pool = new pg.Pool({ ...pgClientConfig, max: options.poolSize ?? 10 });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', pgClientConfig, destroy: () => kysely.destroy() };
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const database = new SQLite(path);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    database.pragma('synchronous = NORMAL');
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
    return { kysely, dialect: 'sqlite', native: database, destroy: () => kysely.destroy() };
  }
  throw new Error(`unsupported database URL: ${url}`);
}

/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`). With a worker in a process of
 * its own (`baken worker` beside `baken serve`), a deferred transaction that read first and then wrote could fail at
 * once with SQLITE_BUSY when the other process had written in between (the busy timeout does not apply to that
 * case); an immediate one waits for the lock, up to the busy timeout, and then runs on a current snapshot. Within
 * one process nothing changes: Kysely runs one transaction at a time on its one connection.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly options: SqliteDialectConfig) {
    super(options);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.options);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`not a plain schema name: ${name}`);
  return name;
}

/** Whether the database answers; used by /readyz. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db.kysely);
    return true;
  } catch {
    return false;
  }
}
