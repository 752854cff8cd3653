/**
 * bench:case: one hotline case of 1,000,000 hosts, from the uploaded file to
 * all notifications queued, on SQLite and (with BAKEN_TEST_DATABASE_URL) on
 * PostgreSQL. Budget: at most 15 s on SQLite on a 2-core machine, peak memory
 * at most 1.5 GB. The peer is the IntelMQ pipeline (parser + ASN expert on
 * Redis) at about 400 events/s, which would take about 40 minutes; it cannot
 * run here (no Python packages can be installed), so its published figure is
 * printed beside ours.
 *
 * Hosts: 70% in Dutch ranges of the bundled network data, 30% anywhere; ports
 * from a small set; some duplicate lines. Operators: one per Dutch AS seen,
 * with a manual abuse contact, as a hotline's directory would have.
 */
import { createWriteStream, createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCaseWithHosts } from '../src/hotline/cases/upload-hosts.js';
import { validateCase } from '../src/hotline/cases/cases.js';
import { startRound } from '../src/hotline/notifications/rounds.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import { SYSTEM } from '../src/platform/context.js';
import { loadBundledNetworkData } from '../src/registry/load-bundled-network-data.js';
import { importOperatorsCsv } from '../src/registry/operators.js';
import { registryServices } from '../src/registry/registry-services.js';
import { mulberry32Float, withBenchDatabase, type BenchDialect } from './support.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 1_000_000);
const NL = ('N'.charCodeAt(0) << 8) | 'L'.charCodeAt(0);

// Seeded, so every run uploads the same hosts.
const rand = mulberry32Float(42);

async function writeHostFile(path: string, dataDir: string): Promise<{ dutchAsns: Set<number> }> {
  const { data } = await loadBundledNetworkData({ dataDir });
  const v4 = data.tables.ipv4;
  const nlRows: number[] = [];
  for (let i = 0; i < v4.countryCode.length; i++) if (v4.countryCode[i] === NL) nlRows.push(i);
  const out = createWriteStream(path);
  const ports = [443, 80, 8443, 22, 3389, 8080];
  const dutchAsns = new Set<number>();
  let chunk: string[] = [];
  for (let n = 0; n < HOSTS; n++) {
    let ip: number;
    if (rand() < 0.7) {
      const r = nlRows[Math.floor(rand() * nlRows.length)]!;
      const first = v4.countryFirst[r]!;
      const last = v4.countryLast[r]!;
      ip = first + Math.floor(rand() * (last - first + 1));
    } else {
      ip = Math.floor(rand() * 0xdfffffff) + 0x01000000;
    }
    const text = formatIpv4(ip >>> 0);
    if (n % 50 === 0 && chunk.length > 0) chunk.push(chunk[chunk.length - 1]!); // some duplicate lines
    chunk.push(`${text}:${ports[n % ports.length]}`);
    if (chunk.length >= 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = [];
    }
  }
  out.write(chunk.join('\n') + '\n');
  await new Promise<void>((r) => out.end(r));
  // The Dutch ASes the hosts fall in, for the operator directory.
  for (const r of nlRows) {
    const info = data.lookup(formatIpv4(v4.countryFirst[r]!));
    if (info?.asn) dutchAsns.add(info.asn);
  }
  return { dutchAsns };
}

interface Row {
  database: string;
  stage: string;
  seconds: number;
  perSecond: string;
}

async function runOn(database: BenchDialect, file: string, operatorsCsv: string, rows: Row[]): Promise<void> {
  await withBenchDatabase(
    database,
    'case',
    async (ctx) => {
      await importOperatorsCsv(ctx, SYSTEM, operatorsCsv);
      await registryServices(ctx); // compiles the network data snapshot: a first-start cost, not the case's
      const t0 = performance.now();
      const { case: c, upload } = await createCaseWithHosts(
        ctx,
        SYSTEM,
        { title: 'Benchmark: exposed example gateway', description: 'One million hosts.', classification: 'vulnerable/vulnerable-system' },
        createReadStream(file),
        { format: 'ips', source: 'bench' },
      );
      const t1 = performance.now();
      await validateCase(ctx, SYSTEM, c.caseId);
      const round = await startRound(ctx, SYSTEM, c.caseId);
      const t2 = performance.now();
      const fmt = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en')}/s`;
      process.stdout.write(`${database}: ${upload.summary.lines.toLocaleString('en')} lines, ${upload.summary.hosts.toLocaleString('en')} hosts, ${upload.summary.duplicates.toLocaleString('en')} duplicates, ${upload.summary.rejected.toLocaleString('en')} rejected, ${upload.inScope.toLocaleString('en')} in scope, ${upload.noContact.toLocaleString('en')} without contact\n`);
      rows.push({ database, stage: `upload: read, dedupe, resolve, scope, group, store (${upload.stored.toLocaleString('en')} hosts, ${upload.recipients} recipients)`, seconds: (t1 - t0) / 1000, perSecond: fmt(HOSTS, (t1 - t0) / 1000) });
      rows.push({ database, stage: `notify: render and queue ${round.messages} messages (${round.hosts.toLocaleString('en')} hosts)`, seconds: (t2 - t1) / 1000, perSecond: fmt(round.hosts, (t2 - t1) / 1000) });
      rows.push({ database, stage: 'total: file to all notifications queued', seconds: (t2 - t0) / 1000, perSecond: fmt(HOSTS, (t2 - t0) / 1000) });
    },
    { publicUrl: 'https://baken.example' },
  );
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'baken-bench-case-'));
  const file = join(work, 'hosts.txt');
  const { dutchAsns } = await writeHostFile(file, work);
  const operatorsCsv = ['name,asns,abuse_contacts,language', ...[...dutchAsns].map((a) => `Operator AS${a},AS${a},abuse@as${a}.example,nl`)].join('\n') + '\n';
  process.stdout.write(`hosts file: ${HOSTS.toLocaleString('en')} lines, ${(statSync(file).size / 1e6).toFixed(1)} MB; ${dutchAsns.size} Dutch operators in the directory\n\n`);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const rows: Row[] = [];
  for (const db of ['sqlite', 'postgres'] as const) {
    await runOn(db, file, operatorsCsv, rows);
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const w = Math.max(...rows.map((r) => r.stage.length));
  process.stdout.write(`| database | ${'stage'.padEnd(w)} | seconds | rate |\n| --- | ${'-'.repeat(w)} | ---: | ---: |\n`);
  for (const r of rows) process.stdout.write(`| ${r.database.padEnd(8)} | ${r.stage.padEnd(w)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.perSecond} |\n`);
  process.stdout.write(`| peer     | ${'IntelMQ parser + ASN expert (published figure, not run here)'.padEnd(w)} | ${(HOSTS / 400).toFixed(0).padStart(7)} | 400/s |\n`);
  process.stdout.write(`\npeak memory (RSS, whole run): ${(peak / 1e6).toFixed(0)} MB; budget: SQLite total at most 15 s, memory at most 1.5 GB\n`);
  if (!process.env.BAKEN_TEST_DATABASE_URL) process.stdout.write('PostgreSQL: not measured (set BAKEN_TEST_DATABASE_URL)\n');
  rmSync(work, { recursive: true, force: true });
}

await main();
