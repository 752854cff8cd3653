/**
 * bench:interop-stix: 100,000 indicators imported from one STIX 2.1 bundle (JSON text as a client would POST it),
 * on SQLite and (with BAKEN_TEST_DATABASE_URL) on PostgreSQL: parse the JSON, check every object against the
 * STIX rules and its pattern against the grammar, normalise, enrich the 30% that are addresses or networks,
 * write indicators and their history in one transaction. Then the same bundle again (all updated), and an export
 * of everything back to a bundle. Budget: the first import within 5 s on each database. Peer: MISP's import of
 * that size, about 20 minutes as reported by its users (not run here).
 */
import { randomUUID } from 'node:crypto';
import { importStix, parseStixJson } from '../src/interop/stix/import-stix.js';
import { exportStixIndicators } from '../src/interop/stix/export-stix.js';
import { TLP_MARKINGS } from '../src/interop/stix/stix-ids.js';
import { stixPattern } from '../src/interop/stix/to-stix.js';
import { TLP_LEVELS } from '../src/hub/tlp.js';
import { SYSTEM } from '../src/platform/context.js';
import { registryServices } from '../src/registry/registry-services.js';
import { benchIndicators } from './indicator-import.js';
import { withBenchDatabase, type BenchDialect } from './support.js';

const COUNT = Number(process.env.BENCH_INDICATORS ?? 100_000);
const BUDGET_S = 5;

/** A bundle as other tools write it: mixed types, TLP markings, labels, confidence, validity. */
function bundleText(): string {
  const objects: unknown[] = Object.values(TLP_MARKINGS).map((m) => m.object);
  const created = '2024-05-01T12:00:00.000Z';
  // Seeded, so every run imports the same indicators.
  const gen = benchIndicators(11);
  const { rand } = gen;
  for (let i = 0; i < COUNT; i++) {
    const { type, value } = gen.next();
    objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${randomUUID()}`,
      created,
      modified: created,
      name: value,
      indicator_types: ['malicious-activity'],
      pattern: stixPattern(type, value),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
      confidence: Math.floor(rand() * 101),
      labels: [`campaign-${Math.floor(rand() * 20)}`, 'bench'],
      object_marking_refs: [TLP_MARKINGS[TLP_LEVELS[Math.floor(rand() * 4)]!].id],
    });
  }
  return JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects });
}

interface Row {
  database: string;
  run: string;
  seconds: number;
  rate: string;
  note: string;
}

async function runOn(database: BenchDialect, text: string, rows: Row[]): Promise<void> {
  await withBenchDatabase(database, 'stix', async (ctx) => {
    await registryServices(ctx); // compiles the network data snapshot: a first-start cost, not the import's
    for (const run of ['first import (all new)', 'same bundle again (all updated)']) {
      const t0 = performance.now();
      const r = await importStix(ctx, SYSTEM, parseStixJson(text), { source: 'bench' });
      const s = (performance.now() - t0) / 1000;
      rows.push({ database, run, seconds: s, rate: `${Math.round(COUNT / s).toLocaleString('en')}/s`, note: `${r.indicators.created.toLocaleString('en')} created, ${r.indicators.updated.toLocaleString('en')} updated, ${r.rejectedCount} rejected` });
    }
    const t0 = performance.now();
    const page = await exportStixIndicators(ctx, { kind: 'staff', role: 'analyst' }, { limit: 100_000 });
    const out = JSON.stringify(page.bundle);
    const s = (performance.now() - t0) / 1000;
    rows.push({ database, run: 'export to a bundle (JSON text)', seconds: s, rate: `${Math.round(page.count / s).toLocaleString('en')}/s`, note: `${page.count.toLocaleString('en')} indicators (RED left out), ${(out.length / 1e6).toFixed(1)} MB` });
  });
}

async function main(): Promise<void> {
  const text = bundleText();
  process.stdout.write(`STIX bundle: ${COUNT.toLocaleString('en')} indicators, ${(text.length / 1e6).toFixed(1)} MB (30% addresses and networks)\n\n`);
  const rows: Row[] = [];
  for (const db of ['sqlite', 'postgres'] as const) await runOn(db, text, rows);
  const w = Math.max(...rows.map((r) => r.run.length), 'MISP import (reported figure, not run here)'.length);
  process.stdout.write(`| database | ${'run'.padEnd(w)} | seconds | rate | result |\n| --- | ${'-'.repeat(w)} | ---: | ---: | --- |\n`);
  for (const r of rows) process.stdout.write(`| ${r.database.padEnd(8)} | ${r.run.padEnd(w)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.rate} | ${r.note} |\n`);
  process.stdout.write(`| peer     | ${'MISP import (reported figure, not run here)'.padEnd(w)} | ${'~1200'.padStart(7)} | ~80/s | |\n`);
  process.stdout.write(`\nbudget: ${COUNT.toLocaleString('en')} indicators from one STIX bundle imported in at most ${BUDGET_S} s on each database\n`);
  if (!process.env.BAKEN_TEST_DATABASE_URL) process.stdout.write('PostgreSQL: not measured (set BAKEN_TEST_DATABASE_URL)\n');
  const over = rows.filter((r) => r.run.startsWith('first') && r.seconds > BUDGET_S);
  if (over.length > 0) {
    process.stdout.write(`over budget: ${over.map((r) => r.database).join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
