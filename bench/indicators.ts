/**
 * bench:indicators: 100,000 indicators bulk imported (a CSV file as an analyst
 * would paste or upload it), on SQLite and (with BAKEN_TEST_DATABASE_URL) on
 * PostgreSQL: parse, normalise (some lines defanged), enrich the 30% that are
 * addresses or networks from the registry, write indicators and their history
 * in one transaction. Then the same file again, which updates every indicator.
 * Budget: at most 5 s for the first import on each database. Peer: MISP's bulk
 * import of that size, about 20 minutes as reported by its users (not run here).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryServices } from '../src/registry/registry-services.js';
import { indicatorCsv, timedIndicatorImport } from './indicator-import.js';
import { withBenchDatabase, type BenchDialect } from './support.js';

const COUNT = Number(process.env.BENCH_INDICATORS ?? 100_000);
const BUDGET_S = 5;

interface Row {
  database: string;
  run: string;
  seconds: number;
  rate: string;
  note: string;
}

async function runOn(database: BenchDialect, text: string, rows: Row[]): Promise<void> {
  await withBenchDatabase(database, 'ind', async (ctx) => {
    await registryServices(ctx); // compiles the network data snapshot: a first-start cost, not the import's
    for (const run of ['first import (all new)', 'same file again (all updated)']) {
      const r = await timedIndicatorImport(ctx, text);
      const s = r.seconds;
      rows.push({ database, run, seconds: s, rate: `${Math.round(r.indicators / s).toLocaleString('en')}/s`, note: `${r.created.toLocaleString('en')} created, ${r.updated.toLocaleString('en')} updated, ${r.rejected} rejected` });
    }
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'baken-bench-ind-'));
  const file = join(work, 'indicators.csv');
  writeFileSync(file, indicatorCsv(COUNT));
  const text = readFileSync(file, 'utf8');
  process.stdout.write(`indicators file: ${COUNT.toLocaleString('en')} lines, ${(text.length / 1e6).toFixed(1)} MB (CSV, 30% addresses and networks, some defanged)\n\n`);
  const rows: Row[] = [];
  for (const db of ['sqlite', 'postgres'] as const) await runOn(db, text, rows);
  const w = Math.max(...rows.map((r) => r.run.length), 'run'.length);
  process.stdout.write(`| database | ${'run'.padEnd(w)} | seconds | rate | result |\n| --- | ${'-'.repeat(w)} | ---: | ---: | --- |\n`);
  for (const r of rows) process.stdout.write(`| ${r.database.padEnd(8)} | ${r.run.padEnd(w)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.rate} | ${r.note} |\n`);
  process.stdout.write(`| peer     | ${'MISP bulk import (reported figure, not run here)'.padEnd(w)} | ${'~1200'.padStart(7)} | ~80/s | |\n`);
  process.stdout.write(`\nbudget: ${COUNT.toLocaleString('en')} indicators imported in at most ${BUDGET_S} s on each database\n`);
  if (!process.env.BAKEN_TEST_DATABASE_URL) process.stdout.write('PostgreSQL: not measured (set BAKEN_TEST_DATABASE_URL)\n');
  const over = rows.filter((r) => r.run.startsWith('first') && r.seconds > BUDGET_S);
  rmSync(work, { recursive: true, force: true });
  if (over.length > 0) {
    process.stdout.write(`over budget: ${over.map((r) => r.database).join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
