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
import { classifyIp } from '../src/net/classify-ip.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import type { Context } from '../src/platform/context.js';
import { SYSTEM } from '../src/platform/context.js';
import { registryServices } from '../src/registry/registry-services.js';
import { mulberry32Float, withBenchDatabase, type BenchDialect } from './support.js';

const COUNT = Number(process.env.BENCH_INDICATORS ?? 100_000);

const rand = mulberry32Float(11);
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
const word = () => Array.from({ length: 6 + Math.floor(rand() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rand() * 26)]).join('');

function publicIpv4(): string {
  for (;;) {
    const v = (Math.floor(rand() * 0xdfffffff) + 0x01000000) >>> 0;
    if (classifyIp({ kind: 'ipv4', value: v }).kind === 'global') return formatIpv4(v);
  }
}

/** The same mix of types as bench:indicators; `amber` marks the lines that go out through the alert. */
function indicatorsCsv(): { text: string; amberValues: number } {
  const lines = ['type,value,tlp,confidence,labels'];
  const seen = new Set<string>();
  let amber = 0;
  while (seen.size < COUNT) {
    const r = rand();
    let type: string;
    let value: string;
    if (r < 0.25) [type, value] = ['ipv4', publicIpv4()];
    else if (r < 0.27) [type, value] = ['ipv6', `2a02:a44${Math.floor(rand() * 8)}:${hex(4)}::${hex(3)}`];
    else if (r < 0.3) [type, value] = ['cidr', `${publicIpv4().split('.').slice(0, 3).join('.')}.0/24`];
    else if (r < 0.55) [type, value] = ['domain', `${word()}.${word()}.example`];
    else if (r < 0.7) [type, value] = ['url', `https://${word()}.example/${word()}/${word()}.php?id=${hex(6)}`];
    else if (r < 0.8) [type, value] = ['md5', hex(32)];
    else if (r < 0.85) [type, value] = ['sha1', hex(40)];
    else if (r < 0.95) [type, value] = ['sha256', hex(64)];
    else [type, value] = ['email', `${word()}@${word()}.example`];
    const key = `${type}|${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
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
