/** What the benchmarks share: a seeded generator, so runs compare, and a fresh database per dialect. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../src/config.js';
import type { Context } from '../src/platform/context.js';
import { openContext } from '../src/platform/runtime.js';

/**
 * mulberry32: a small seeded generator of unsigned 32-bit integers.
 * @example const next = mulberry32(0x5eed); next() % 6
 */
export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** The same generator as a float in [0, 1). */
export function mulberry32Float(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

export type BenchDialect = 'sqlite' | 'postgres';

/**
 * Runs `fn` with a migrated context on a fresh database: SQLite in a temp directory, or PostgreSQL in a schema of
 * its own in BAKEN_TEST_DATABASE_URL (skipped, returning false, without it). Everything is removed afterwards.
 */
export async function withBenchDatabase(dialect: BenchDialect, name: string, fn: (ctx: Context) => Promise<void>, overrides: Partial<Config> = {}): Promise<boolean> {
  const admin = process.env.BAKEN_TEST_DATABASE_URL;
  if (dialect === 'postgres' && !admin) return false;
  const dataDir = mkdtempSync(join(tmpdir(), `baken-bench-${name}-${dialect}-`));
  const schema = dialect === 'postgres' ? `baken_bench_${name.replace(/\W/g, '_')}_${process.pid}` : null;
  const adminQuery = async (q: string) => {
    const c = new pg.Client({ connectionString: admin! });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  let url = `sqlite:${join(dataDir, 'baken.sqlite')}`;
  if (schema) {
    await adminQuery(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    const u = new URL(admin!);
    u.searchParams.set('options', `-c search_path=${schema}`);
    url = u.toString();
  }
  const config = loadConfig({ env: {}, overrides: { dataDir, databaseUrl: url, logLevel: 'silent', secret: 'bench-secret-'.padEnd(40, 'x'), ...overrides } });
  const ctx = await openContext(config, { log: pino({ level: 'silent' }) });
  try {
    await fn(ctx);
  } finally {
    await ctx.db.destroy();
    if (schema) await adminQuery(`drop schema if exists ${schema} cascade`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return true;
}
