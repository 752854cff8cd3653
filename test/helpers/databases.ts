/**
 * Runs database tests on both dialects. SQLite gets a fresh file in a temp
 * directory; PostgreSQL gets a schema of its own in BAKEN_TEST_DATABASE_URL,
 * dropped afterwards. Without that variable the PostgreSQL suites report skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { Context } from '../../src/platform/context.js';
import type { DialectName } from '../../src/platform/db/database.js';
import { openContext } from '../../src/platform/runtime.js';
import { randomToken } from '../../src/platform/tokens.js';

export const POSTGRES_URL = process.env.BAKEN_TEST_DATABASE_URL || null;
export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  ctx: Context;
  /** The suite's own clock, which tests move by hand. */
  clock: ManualClock;
  dialect: DialectName;
  dataDir: string;
  /** A database URL that reaches this same database from another process (PostgreSQL: with its schema). */
  url: string;
  close(): Promise<void>;
}

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return loadConfig({
    env: {},
    cwd: dataDir,
    overrides: { dataDir, logLevel: 'silent', secret: 'test-secret-'.padEnd(40, 'x'), ...overrides },
  });
}

export interface TestDatabaseOptions {
  /** When the suite's clock starts. */
  start?: string;
  config?: Partial<Config>;
}

/** A migrated, empty database of the given dialect with a context around it. */
export async function createTestDatabase(dialect: DialectName, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baken-test-'));
  let schema: string | undefined;
  let databaseUrl = `sqlite:${join(dataDir, 'baken.sqlite')}`;
  if (dialect === 'postgres') {
    if (!POSTGRES_URL) throw new Error('BAKEN_TEST_DATABASE_URL is not set');
    schema = schemaName();
    await withAdmin(async (c) => {
      await dropAbandonedSchemas(c);
      await c.query(`create schema ${schema}`);
    });
    databaseUrl = POSTGRES_URL;
  }
  const config = testConfig(dataDir, { databaseUrl, ...options.config });
  const clock = new ManualClock(options.start ?? '2026-03-01T10:00:00.000Z');
  const ctx = await openContext(config, {
    clock,
    log: pino({ level: 'silent' }),
    database: schema ? { schema, poolSize: 4 } : {},
  });
  const url = schema ? withSearchPath(POSTGRES_URL!, schema) : databaseUrl;
  return {
    ctx,
    clock,
    dialect,
    dataDir,
    url,
    async close() {
      await ctx.db.destroy();
      if (schema) await withAdmin((c) => c.query(`drop schema if exists ${schema} cascade`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `baken_t_<seconds since epoch, base 36>_<random>`: the time lets a later run tell an abandoned schema from a live one. */
function schemaName(): string {
  const stamp = Math.floor(Date.now() / 1000).toString(36);
  return `baken_t_${stamp}_${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
}

/** A killed test run cannot drop its schema; drop those older than any test run could be, once per process. */
const ABANDONED_AFTER_SECONDS = 6 * 3600;
let abandonedDropped = false;

async function dropAbandonedSchemas(c: pg.Client): Promise<void> {
  if (abandonedDropped) return;
  abandonedDropped = true;
  const { rows } = await c.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 'baken\\_t\\_%'`);
  const now = Date.now() / 1000;
  for (const { nspname } of rows) {
    const stamp = /^baken_t_([0-9a-z]+)_[0-9a-z]+$/.exec(nspname)?.[1];
    if (stamp === undefined || now - parseInt(stamp, 36) < ABANDONED_AFTER_SECONDS) continue;
    await c.query(`drop schema if exists ${nspname} cascade`);
  }
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL! });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Why a dialect's suites are skipped, or false when they run. */
export function skipReason(dialect: DialectName): string | false {
  return dialect === 'postgres' && !POSTGRES_URL ? 'BAKEN_TEST_DATABASE_URL is not set' : false;
}

/**
 * Declares one suite per dialect around a fixture made fresh for it (a database, a built app...).
 * The PostgreSQL suite reports skipped without BAKEN_TEST_DATABASE_URL.
 */
export function describeEachDialect<T extends { close(): Promise<void> }>(
  title: string,
  create: (dialect: DialectName) => Promise<T>,
  body: (fixture: () => T) => void,
): void {
  for (const dialect of DIALECTS) {
    describe(`${title} [${dialect}]`, { skip: skipReason(dialect) }, () => {
      let handle: T | undefined;
      before(async () => {
        handle = await create(dialect);
      });
      after(async () => {
        await handle?.close();
      });
      body(() => {
        if (!handle) throw new Error(`${title}: the ${dialect} fixture is not ready`);
        return handle;
      });
    });
  }
}

/**
 * Declares one suite per dialect, each with a fresh database.
 * @example
 * describeEachDatabase('organisations', (db) => {
 *   test('create', async () => { await createOrganisation(db().ctx, ...) });
 * });
 */
export function describeEachDatabase(title: string, body: (db: () => TestDatabase) => void, options: TestDatabaseOptions = {}): void {
  describeEachDialect(title, (dialect) => createTestDatabase(dialect, options), body);
}
