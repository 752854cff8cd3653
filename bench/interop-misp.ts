/**
 * bench:interop-misp: a MISP feed of 100 events × 1,000 attributes (100,000 indicator attributes; 90% with
 * to_ids, of the types MISP feeds carry: ip-dst, ip-src|port, domain, hostname, domain|ip, url, hashes,
 * filename|sha256, email-src; tags at event and attribute level) imported from its directory, on SQLite and
 * (with BAKEN_TEST_DATABASE_URL) PostgreSQL: read the manifest, read and parse every event, normalise, enrich the
 * addresses from the registry, write indicators, history and the feed's bookkeeping in one transaction. Then the
 * same feed again (nothing changed: nothing fetched), and again after one event's timestamp moved (one fetched).
 * Budget: at most 5 s for the first import on each database. Peer: MISP itself cannot run here (no PHP, Redis or
 * MySQL in this environment), and there is no published MISP figure for this work to cite, so none is printed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importMispFeed } from '../src/interop/misp/import-misp-feed.js';
import { classifyIp } from '../src/net/classify-ip.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import { SYSTEM } from '../src/platform/context.js';
import { registryServices } from '../src/registry/registry-services.js';
import { mulberry32Float, withBenchDatabase, type BenchDialect } from './support.js';

const EVENTS = Number(process.env.BENCH_MISP_EVENTS ?? 100);
const PER_EVENT = Number(process.env.BENCH_MISP_ATTRIBUTES ?? 1000);
const BUDGET_S = 5;

const rand = mulberry32Float(11);
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
const word = () => Array.from({ length: 6 + Math.floor(rand() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rand() * 26)]).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
const TLPS = ['tlp:clear', 'tlp:green', 'tlp:amber', 'tlp:amber+strict', 'tlp:red'];

function publicIpv4(): string {
  for (;;) {
    const v = (Math.floor(rand() * 0xdfffffff) + 0x01000000) >>> 0;
    if (classifyIp({ kind: 'ipv4', value: v }).kind === 'global') return formatIpv4(v);
  }
}

function attribute(ts: number): Record<string, unknown> {
  const r = rand();
  let type: string;
  let value: string;
  if (r < 0.2) [type, value] = ['ip-dst', publicIpv4()];
  else if (r < 0.25) [type, value] = ['ip-src|port', `${publicIpv4()}|${1 + Math.floor(rand() * 65535)}`];
  else if (r < 0.45) [type, value] = ['domain', `${word()}.${word()}.example`];
  else if (r < 0.5) [type, value] = ['hostname', `${word()}.${word()}.${word()}.example`];
  else if (r < 0.55) [type, value] = ['domain|ip', `${word()}.${word()}.example|${publicIpv4()}`];
  else if (r < 0.7) [type, value] = ['url', `https://${word()}.example/${word()}/${word()}.php?id=${hex(6)}`];
  else if (r < 0.78) [type, value] = ['md5', hex(32)];
  else if (r < 0.82) [type, value] = ['sha1', hex(40)];
  else if (r < 0.9) [type, value] = ['sha256', hex(64)];
  else if (r < 0.95) [type, value] = ['filename|sha256', `${word()}.exe|${hex(64)}`];
  else [type, value] = ['email-src', `${word()}@${word()}.example`];
  return {
    uuid: uuid(),
    type,
    category: 'Network activity',
    value,
    to_ids: rand() < 0.9,
    timestamp: String(ts),
    ...(rand() < 0.1 ? { Tag: [{ name: TLPS[Math.floor(rand() * TLPS.length)]! }] } : {}),
  };
}

function writeFeed(dir: string): { manifest: Record<string, { timestamp: number }>; first: string } {
  const manifest: Record<string, { timestamp: number; info: string; date: string; analysis: number; threat_level_id: number; Orgc: unknown; Tag: unknown }> = {};
  let first = '';
  for (let e = 0; e < EVENTS; e++) {
    const id = uuid();
    first ||= id;
    const ts = 1771000000 + e;
    const Orgc = { name: 'Bench Org', uuid: '5e0b7d1c-3333-4222-8333-444455556666' };
    const Tag = [{ name: 'tlp:green' }, { name: `campaign:${word()}` }];
    const event = { Event: { uuid: id, info: `Bench event ${e}`, date: '2026-02-01', timestamp: String(ts), analysis: '2', threat_level_id: '2', Orgc, Tag, Attribute: Array.from({ length: PER_EVENT }, () => attribute(ts)) } };
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(event));
    manifest[id] = { info: event.Event.info, date: event.Event.date, timestamp: ts, analysis: 2, threat_level_id: 2, Orgc, Tag };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'hashes.csv'), '');
  return { manifest, first };
}

interface Row {
  database: string;
  run: string;
  seconds: number;
  note: string;
}

async function runOn(database: BenchDialect, dir: string, feed: ReturnType<typeof writeFeed>, rows: Row[]): Promise<void> {
  await withBenchDatabase(database, 'misp', async (ctx) => {
    await registryServices(ctx); // compiles the network data snapshot: a first-start cost, not the import's
    const run = async (name: string) => {
      const t0 = performance.now();
      const r = await importMispFeed(ctx, SYSTEM, dir);
      const s = (performance.now() - t0) / 1000;
      rows.push({ database, run: name, seconds: s, note: `${r.fetched}/${r.listed} events fetched, ${r.attributes.toLocaleString('en')} attributes, ${r.created.toLocaleString('en')} created, ${r.updated.toLocaleString('en')} updated, ${r.skippedCount.toLocaleString('en')} skipped` });
    };
    await run('first import (all new)');
    await run('again, nothing changed');
    feed.manifest[feed.first]!.timestamp += 60;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(feed.manifest));
    await run('again, one event changed');
    feed.manifest[feed.first]!.timestamp -= 60;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(feed.manifest));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baken-bench-misp-'));
  const feed = writeFeed(dir);
  process.stdout.write(`MISP feed: ${EVENTS} events × ${PER_EVENT.toLocaleString('en')} attributes (${(EVENTS * PER_EVENT).toLocaleString('en')}; 90% to_ids), a directory with manifest.json\n\n`);
  const rows: Row[] = [];
  for (const db of ['sqlite', 'postgres'] as const) await runOn(db, dir, feed, rows);
  const w = Math.max(...rows.map((r) => r.run.length), 'run'.length);
  process.stdout.write(`| database | ${'run'.padEnd(w)} | seconds | result |\n| --- | ${'-'.repeat(w)} | ---: | --- |\n`);
  for (const r of rows) process.stdout.write(`| ${r.database.padEnd(8)} | ${r.run.padEnd(w)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.note} |\n`);
  process.stdout.write(`| MISP     | ${'not measured: MISP cannot run here, and no published figure to cite'.padEnd(w)} |         | |\n`);
  process.stdout.write(`\nbudget: ${(EVENTS * PER_EVENT).toLocaleString('en')} attributes imported from a MISP feed in at most ${BUDGET_S} s on each database\n`);
  if (!process.env.BAKEN_TEST_DATABASE_URL) process.stdout.write('PostgreSQL: not measured (set BAKEN_TEST_DATABASE_URL)\n');
  rmSync(dir, { recursive: true, force: true });
  const over = rows.filter((r) => r.run.startsWith('first') && r.seconds > BUDGET_S);
  if (over.length > 0) {
    process.stdout.write(`over budget: ${over.map((r) => r.database).join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
