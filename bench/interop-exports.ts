/**
 * bench:interop-exports: every detection export of a member's feed over 100,000 indicators (80% GREEN on their own,
 * 20% AMBER through a published alert to the member, so both policy paths are in the query), on SQLite and (with
 * BAKEN_TEST_DATABASE_URL) on PostgreSQL. Per format: a full download (version, then every byte rendered and
 * streamed), a poll that finds nothing changed (the version only: what a 304 costs), the size, and the heap growth
 * while streaming (the export is streamed in batches, so this stays flat as lists grow).
 * Peer: MISP's restSearch exports of the same formats (bro, suricata, rpz, csv) need a running MISP with its own
 * MySQL and Redis, which this benchmark cannot start; no published figure exists to print beside ours.
 */
import { createAlert, publishAlert } from '../src/hub/alerts/alerts.js';
import { importIndicators } from '../src/hub/indicators/indicators.js';
import { createOrganisation } from '../src/accounts/organisations.js';
import { DETECTION_EXPORTS, prepareExport } from '../src/interop/exports/detection-exports.js';
import type { Context } from '../src/platform/context.js';
import { SYSTEM } from '../src/platform/context.js';
import { registryServices } from '../src/registry/registry-services.js';
import { benchIndicators } from './indicator-import.js';
import { withBenchDatabase, type BenchDialect } from './support.js';

const COUNT = Number(process.env.BENCH_INDICATORS ?? 100_000);

/** The same mix of types as bench:indicators; `amber` marks the lines that go out through the alert. */
function indicatorsCsv(): { text: string; amberValues: number } {
  const lines = ['type,value,tlp,confidence,labels'];
  const gen = benchIndicators(11);
  const { rand } = gen;
  let amber = 0;
  for (let i = 0; i < COUNT; i++) {
    const { type, value } = gen.next();
    const isAmber = rand() < 0.2;
    if (isAmber) amber++;
    lines.push(`${type},${value},${isAmber ? 'AMBER' : 'GREEN'},${Math.floor(rand() * 101)},campaign-${Math.floor(rand() * 20)}`);
  }
  return { text: lines.join('\n') + '\n', amberValues: amber };
}

interface Row {
  database: string;
  format: string;
  lines: number;
  mb: number;
  fullS: number;
  pollMs: number;
  heapMb: number;
}

async function seed(ctx: Context, text: string): Promise<number> {
  await registryServices(ctx);
  const member = await createOrganisation(ctx, SYSTEM, { name: 'Bench member', kind: 'member', sector: 'energy' });
  await importIndicators(ctx, SYSTEM, text, { source: 'bench' });
  const amber = await ctx.db.kysely.selectFrom('indicators').select('id').where('tlp', '=', 'AMBER').execute();
  const draft = await createAlert(ctx, SYSTEM, { title: 'Bench campaign', severity: 'high', summary: 'x', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [member.id] }, indicatorIds: amber.map((a) => Number(a.id)) });
  await publishAlert(ctx, SYSTEM, draft.id);
  return member.id;
}

async function runOn(database: BenchDialect, text: string, rows: Row[]): Promise<void> {
  await withBenchDatabase(database, 'exports', async (ctx) => {
    const owner = await seed(ctx, text);
    for (const exp of DETECTION_EXPORTS) {
      globalThis.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      let peak = heap0;
      const t0 = performance.now();
      const p = await prepareExport(ctx, exp, owner);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of p.body()) {
        bytes += Buffer.byteLength(chunk);
        for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      const fullS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const again = await prepareExport(ctx, exp, owner);
      const pollMs = performance.now() - t1;
      if (again.version !== p.version) throw new Error(`${exp.name}: the version moved without a change`);
      rows.push({ database, format: exp.path, lines, mb: bytes / 1e6, fullS, pollMs, heapMb: (peak - heap0) / 1e6 });
    }
  });
}

async function main(): Promise<void> {
  const { text, amberValues } = indicatorsCsv();
  process.stdout.write(`${COUNT.toLocaleString('en')} indicators (${amberValues.toLocaleString('en')} AMBER through one published alert to the member, the rest GREEN); the member's feed in every format\n\n`);
  const rows: Row[] = [];
  for (const db of ['sqlite', 'postgres'] as const) await runOn(db, text, rows);
  const w = Math.max(...rows.map((r) => r.format.length));
  process.stdout.write(`| database | ${'export'.padEnd(w)} | lines | MB | full download s | 304 poll ms | heap growth MB |\n| --- | ${'-'.repeat(w)} | ---: | ---: | ---: | ---: | ---: |\n`);
  for (const r of rows) {
    process.stdout.write(`| ${r.database.padEnd(8)} | ${r.format.padEnd(w)} | ${String(r.lines).padStart(6)} | ${r.mb.toFixed(1).padStart(5)} | ${r.fullS.toFixed(2).padStart(6)} | ${r.pollMs.toFixed(0).padStart(5)} | ${r.heapMb.toFixed(0).padStart(4)} |\n`);
  }
  process.stdout.write(`| peer     | ${'MISP restSearch bro/suricata/rpz/csv'.padEnd(w)} | not run: needs a MISP instance (MySQL, Redis, PHP workers); no published figure |\n`);
  if (!process.env.BAKEN_TEST_DATABASE_URL) process.stdout.write('\nPostgreSQL: not measured (set BAKEN_TEST_DATABASE_URL)\n');
}

await main();
