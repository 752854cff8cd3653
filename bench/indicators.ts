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
import { importIndicators } from '../src/hub/indicators/indicators.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import { classifyIp } from '../src/net/classify-ip.js';
import { SYSTEM } from '../src/platform/context.js';
import { registryServices } from '../src/registry/registry-services.js';
import { mulberry32Float, withBenchDatabase, type BenchDialect } from './support.js';

const COUNT = Number(process.env.BENCH_INDICATORS ?? 100_000);
const BUDGET_S = 5;

// Seeded, so every run imports the same indicators.
const rand = mulberry32Float(7);
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
const word = () => Array.from({ length: 6 + Math.floor(rand() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rand() * 26)]).join('');
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

function publicIpv4(): string {
  for (;;) {
    const v = (Math.floor(rand() * 0xdfffffff) + 0x01000000) >>> 0;
    if (classifyIp({ kind: 'ipv4', value: v }).kind === 'global') return formatIpv4(v);
  }
}

/** Mixed types: 30% addresses and networks (enriched), the rest domains, URLs, hashes and email addresses. */
function writeFile(path: string): void {
  const lines = ['type,value,tlp,confidence,labels,source'];
  const seen = new Set<string>();
  while (seen.size < COUNT) {
    const r = rand();
    let type: string;
    let value: string;
    if (r < 0.25) [type, value] = ['ipv4', rand() < 0.2 ? publicIpv4().replace(/\./g, '[.]') : publicIpv4()];
    else if (r < 0.27) [type, value] = ['ipv6', `2a02:a44${Math.floor(rand() * 8)}:${hex(4)}::${hex(3)}`];
    else if (r < 0.30) [type, value] = ['cidr', `${publicIpv4().split('.').slice(0, 3).join('.')}.0/24`];
    else if (r < 0.55) [type, value] = ['domain', `${word()}.${word()}.example`];
    else if (r < 0.70) [type, value] = ['url', `${rand() < 0.3 ? 'hxxps' : 'https'}://${word()}[.]example/${word()}/${word()}.php?id=${hex(6)}`];
    else if (r < 0.80) [type, value] = ['md5', hex(32)];
    else if (r < 0.85) [type, value] = ['sha1', hex(40)];
    else if (r < 0.95) [type, value] = ['sha256', hex(64)];
    else [type, value] = ['email', `${word()}@${word()}.example`];
    const key = `${type}|${value.replace(/\[\.\]/g, '.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`${type},${value},${TLPS[Math.floor(rand() * TLPS.length)]},${Math.floor(rand() * 101)},campaign-${Math.floor(rand() * 20)};bench,bench-feed`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

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
      const t0 = performance.now();
      const r = await importIndicators(ctx, SYSTEM, text, { source: 'bench' });
      const s = (performance.now() - t0) / 1000;
      rows.push({ database, run, seconds: s, rate: `${Math.round(r.indicators / s).toLocaleString('en')}/s`, note: `${r.created.toLocaleString('en')} created, ${r.updated.toLocaleString('en')} updated, ${r.rejectedCount} rejected` });
    }
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'baken-bench-ind-'));
  const file = join(work, 'indicators.csv');
  writeFile(file);
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
