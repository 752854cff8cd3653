/**
 * bench:interop-taxii: a member's TAXII client reading the indicators collection of a hub with 100,000
 * indicators (90% GREEN, 10% AMBER that reach the member through one alert), over real HTTP on 127.0.0.1, on
 * SQLite and (with BAKEN_TEST_DATABASE_URL) PostgreSQL: single pages of 1,000 objects at several depths, the
 * whole collection page by page with `next`, and the manifest. Budgets: one page of 1,000 in at most 100 ms;
 * the whole 100,000 in at most 10 s. Peer: OASIS medallion (memory backend), its published figures (a Python
 * server; no Python packages can be installed where this runs, so it is not measured here).
 */
import type { FastifyInstance } from 'fastify';
import { bootstrap } from '../src/accounts/bootstrap.js';
import { createApiKey } from '../src/accounts/api-keys.js';
import { createOrganisation } from '../src/accounts/organisations.js';
import { buildApp } from '../src/app.js';
import { createAlert, publishAlert } from '../src/hub/alerts/alerts.js';
import { importIndicators } from '../src/hub/indicators/indicators.js';
import { SYSTEM } from '../src/platform/context.js';
import { mulberry32Float, withBenchDatabase, type BenchDialect } from './support.js';

const COUNT = Number(process.env.BENCH_TAXII_INDICATORS ?? 100_000);
const PAGE = 1000;
const PAGE_BUDGET_MS = 100;
const ALL_BUDGET_S = 10;
const TAXII = 'application/taxii+json;version=2.1';

const rand = mulberry32Float(11);
const word = () => Array.from({ length: 6 + Math.floor(rand() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rand() * 26)]).join('');
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

function csv(tlp: string, n: number, offset: number): string {
  const lines = ['type,value,tlp'];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.4) lines.push(`domain,${word()}${offset + i}.${word()}.example,${tlp}`);
    else if (r < 0.7) lines.push(`url,https://${word()}${offset + i}.example/${word()}.php?id=${hex(6)},${tlp}`);
    else lines.push(`sha256,${hex(56)}${(offset + i).toString(16).padStart(8, '0')},${tlp}`);
  }
  return lines.join('\n');
}

interface Row {
  database: string;
  work: string;
  ms: number;
  note: string;
  budgetMs?: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runOn(database: BenchDialect, rows: Row[]): Promise<void> {
  await withBenchDatabase(database, 'taxii', async (ctx) => {
    await bootstrap(ctx);
    const member = await createOrganisation(ctx, SYSTEM, { name: 'Bench member', kind: 'member', sector: 'energy' });
    const key = (await createApiKey(ctx, SYSTEM, { organisationId: member.id, role: 'member' })).secret;
    const amber = Math.round(COUNT / 10);
    await importIndicators(ctx, SYSTEM, csv('GREEN', COUNT - amber, 0), { source: 'bench' });
    await importIndicators(ctx, SYSTEM, csv('AMBER', amber, COUNT), { source: 'bench' });
    const amberIds = (await ctx.db.kysely.selectFrom('indicators').select('id').where('tlp', '=', 'AMBER').execute()).map((r) => Number(r.id));
    const draft = await createAlert(ctx, SYSTEM, { title: 'Bench campaign', severity: 'high', summary: 'bench', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [member.id] }, indicatorIds: amberIds });
    await publishAlert(ctx, SYSTEM, draft.id);

    const app: FastifyInstance = await buildApp({ ctx });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const headers = { accept: TAXII, authorization: `Bearer ${key}` };
    const url = `${base}/taxii2/baken/collections/indicators`;
    const fetchPage = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { more?: boolean; next?: string; objects?: unknown[] };
    };
    try {
      await fetchPage(`/objects/?limit=10`); // connection and first-query warm-up
      // The whole collection with next, timing each page.
      const pageMs: number[] = [];
      const nexts: string[] = [];
      let next: string | undefined;
      let objects = 0;
      const all = await timed(async () => {
        for (;;) {
          const p = await timed(() => fetchPage(`/objects/?limit=${PAGE}${next ? `&next=${next}` : ''}`));
          pageMs.push(p.ms);
          objects += p.value.objects?.length ?? 0;
          if (!p.value.more) return;
          next = p.value.next!;
          nexts.push(next);
        }
      });
      const indicators = objects - 6; // the five TLP markings and the hub's identity come along
      rows.push({ database, work: `whole collection, ${pageMs.length} pages of ${PAGE} with next`, ms: all.ms, note: `${indicators.toLocaleString('en')} indicators; page p50 ${median(pageMs).toFixed(1)} ms, max ${Math.max(...pageMs).toFixed(1)} ms`, budgetMs: ALL_BUDGET_S * 1000 });
      // Single pages at several depths, each measured alone (best of three).
      for (const [label, i] of [['first page', -1], ['page in the middle', Math.floor(nexts.length / 2)], ['last page', nexts.length - 1]] as const) {
        const path = `/objects/?limit=${PAGE}${i >= 0 ? `&next=${nexts[i]}` : ''}`;
        const times: number[] = [];
        for (let k = 0; k < 3; k++) times.push((await timed(() => fetchPage(path))).ms);
        rows.push({ database, work: `one page of ${PAGE} (${label})`, ms: Math.min(...times), note: 'objects endpoint, best of 3', budgetMs: PAGE_BUDGET_MS });
      }
      const m = await timed(() => fetchPage(`/manifest/?limit=${PAGE}&next=${nexts[Math.floor(nexts.length / 2)]}`));
      rows.push({ database, work: `one manifest page of ${PAGE}`, ms: m.ms, note: 'manifest endpoint', budgetMs: PAGE_BUDGET_MS });
    } finally {
      await app.close();
    }
  });
}

async function main(): Promise<void> {
  process.stdout.write(`TAXII indicators collection of ${COUNT.toLocaleString('en')} indicators read by a member key over HTTP on 127.0.0.1\n\n`);
  const rows: Row[] = [];
  for (const db of ['sqlite', 'postgres'] as const) await runOn(db, rows);
  const w = Math.max(...rows.map((r) => r.work.length), 50);
  process.stdout.write(`| database | ${'work'.padEnd(w)} | ms | budget | note |\n| --- | ${'-'.repeat(w)} | ---: | ---: | --- |\n`);
  for (const r of rows) process.stdout.write(`| ${r.database.padEnd(8)} | ${r.work.padEnd(w)} | ${r.ms.toFixed(1).padStart(8)} | ${r.budgetMs ? `${r.budgetMs} ms` : ''} | ${r.note} |\n`);
  process.stdout.write(`| peer     | ${'OASIS medallion, memory backend: 1,000 objects'.padEnd(w)} | ${'~5000'.padStart(8)} | | published figure, not run here: a Python server, and no Python packages can be installed here |\n`);
  process.stdout.write(`| peer     | ${'OASIS medallion, memory backend: 10,000 objects'.padEnd(w)} | ${'~511000'.padStart(8)} | | published figure (quadratic in the collection size), not run here |\n`);
  if (!process.env.BAKEN_TEST_DATABASE_URL) process.stdout.write('\nPostgreSQL: not measured (set BAKEN_TEST_DATABASE_URL)\n');
  const over = rows.filter((r) => r.budgetMs !== undefined && r.ms > r.budgetMs);
  if (over.length > 0) {
    process.stdout.write(`over budget: ${over.map((r) => `${r.database} ${r.work}`).join('; ')}\n`);
    process.exitCode = 1;
  }
}

await main();
