/**
 * RIPE database import benchmark: generates a synthetic, gzipped RIPE-style dump (by default 1,000,000 inetnums in
 * allocations with nested assignments, plus roles and organisations, objects shaped like the real ones), then
 * measures reading it (gunzip + RPSL parsing), importing it into SQLite (and PostgreSQL when
 * BAKEN_TEST_DATABASE_URL is set, in a schema of its own that is dropped afterwards), loading the snapshot into
 * memory, and abuse-contact lookups from address strings. Run with `npm run bench:rpsl`; BAKEN_BENCH_RPSL_N sets the
 * number of inetnums.
 *
 * For scale: the RIPE database holds about 4.5 million inetnums and 1.3 million inet6nums.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { openContext } from '../src/platform/runtime.js';
import { importRpsl } from '../src/registry/rpsl/import-rpsl.js';
import { openRpslFile } from '../src/registry/rpsl/rpsl-reader.js';
import { RpslRegistry } from '../src/registry/rpsl/rpsl-registry.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import { mulberry32 } from './support.js';

const N = Number(process.env.BAKEN_BENCH_RPSL_N ?? 1_000_000);
const LOOKUPS = 1_000_000;

// Deterministic, so runs compare.
const rand = mulberry32(0x5eed);

/** Writes the dump: every allocation is a /16 with 255 /24 assignments, some of those with a nested /26. */
async function writeDump(path: string): Promise<{ inetnums: number; roles: number; orgs: number }> {
  const gz = createGzip({ level: 6 });
  const out = createWriteStream(path);
  gz.pipe(out);
  let buf = '# Synthetic RIPE-style dump for the Baken benchmark. Not real data.\n\n';
  const write = async (s: string) => {
    buf += s;
    if (buf.length > 1 << 20) {
      if (!gz.write(buf)) await once(gz, 'drain');
      buf = '';
    }
  };
  const orgs = Math.max(1, Math.floor(N / 300));
  const roles = orgs * 2;
  for (let r = 0; r < roles; r++) {
    await write(
      `role:           Abuse team ${r}\naddress:        Street ${r}\nnic-hdl:        AB${r}-BENCH\n` +
        `abuse-mailbox:  Abuse Desk <Abuse@Net${r}.example>, noc@net${r}.example  # two\nmnt-by:         M${r}-MNT\n` +
        `created:        2015-01-01T00:00:00Z\nlast-modified:  2024-05-0${1 + (r % 9)}T10:00:00Z\nsource:         RIPE\n\n`,
    );
  }
  for (let o = 0; o < orgs; o++) {
    await write(
      `organisation:   ORG-B${o}-RIPE\norg-name:       Bench Networks ${o} B.V.\norg-type:       LIR\naddress:        Somewhere ${o}\n` +
        `abuse-c:        AB${o * 2}-BENCH\nmnt-ref:        M${o}-MNT\nmnt-by:         RIPE-NCC-HM-MNT\nmnt-by:         M${o}-MNT\n` +
        `created:        2010-01-01T00:00:00Z\nlast-modified:  2024-06-01T10:00:00Z\nsource:         RIPE\n\n`,
    );
  }
  let count = 0;
  const inetnum = (first: number, last: number, netname: string, extra: string) =>
    write(
      `inetnum:        ${formatIpv4(first)} - ${formatIpv4(last)}\nnetname:        ${netname}\ndescr:          Bench network\n` +
        `country:        NL\n${extra}admin-c:        DUMY-RIPE\ntech-c:         DUMY-RIPE\n` +
        `created:        2012-03-04T05:06:07Z\nlast-modified:  2025-0${1 + (count % 9)}-15T12:00:00Z\nsource:         RIPE # Filtered\n\n`,
    );
  await inetnum(0, 0xffffffff, 'IANA-BLK', 'org:            ORG-IANA1-RIPE\nstatus:         ALLOCATED UNSPECIFIED\nmnt-by:         RIPE-NCC-HM-MNT\n');
  count++;
  for (let a = 0; count < N; a++) {
    const base = ((2 + Math.floor(a / 256)) << 24 | (a % 256) << 16) >>> 0;
    const org = a % orgs;
    await inetnum(base, base + 0xffff, `NL-BENCH-${a}`, `org:            ORG-B${org}-RIPE\nstatus:         ALLOCATED PA\nmnt-by:         RIPE-NCC-HM-MNT\nmnt-by:         M${org}-MNT\n`);
    count++;
    for (let s = 0; s < 255 && count < N; s++) {
      const sub = base + (s << 8);
      const abuse = rand() % 4 === 0 ? `abuse-c:        AB${rand() % roles}-BENCH\n` : '';
      await inetnum(sub, sub + 255, `BENCH-CUST-${a}-${s}`, `${abuse}status:         ASSIGNED PA\nmnt-by:         M${org}-MNT\n`);
      count++;
      if (s % 8 === 0 && count < N) {
        await inetnum(sub + 64, sub + 127, `BENCH-SUB-${a}-${s}`, `status:         ASSIGNED PA\nmnt-by:         M${org}-MNT\n`);
        count++;
      }
    }
  }
  gz.end(buf);
  await once(out, 'finish');
  return { inetnums: count, roles, orgs };
}

function row(step: string, items: number, ms: number, unit: string, note = ''): void {
  const rate = Math.round((items * 1000) / ms);
  process.stdout.write(`| ${step.padEnd(34)} | ${items.toLocaleString('en-GB').padStart(11)} | ${(ms / 1000).toFixed(2).padStart(7)} | ${rate.toLocaleString('en-GB').padStart(11)} ${unit.padEnd(9)} | ${note}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baken-bench-rpsl-'));
  try {
    const path = join(dir, 'ripe.db.bench.gz');
    let t = performance.now();
    const made = await writeDump(path);
    const size = statSync(path).size;
    const total = made.inetnums + made.roles + made.orgs;
    process.stdout.write(
      `RPSL benchmark: ${made.inetnums.toLocaleString('en-GB')} inetnums, ${made.roles.toLocaleString('en-GB')} roles, ${made.orgs.toLocaleString('en-GB')} organisations; ` +
        `${(size / 1e6).toFixed(1)} MB gzipped (generated in ${((performance.now() - t) / 1000).toFixed(1)} s)\n\n`,
    );
    process.stdout.write(`| ${'step'.padEnd(34)} | ${'items'.padStart(11)} | ${'seconds'.padStart(7)} | ${'rate'.padStart(21)} | note\n`);
    process.stdout.write(`|${'-'.repeat(36)}|${'-'.repeat(13)}|${'-'.repeat(9)}|${'-'.repeat(23)}|------\n`);

    t = performance.now();
    let parsed = 0;
    for await (const e of openRpslFile(path).entries()) if (e.kind === 'object') parsed++;
    row('read (gunzip + parse, all attrs)', parsed, performance.now() - t, 'objects/s');

    const targets: Array<{ name: string; url: string; schema?: string }> = [{ name: 'sqlite', url: `sqlite:${join(dir, 'bench.sqlite')}` }];
    const pgUrl = process.env.BAKEN_TEST_DATABASE_URL;
    if (pgUrl) targets.push({ name: 'postgres', url: pgUrl, schema: `baken_bench_rpsl_${process.pid}` });
    for (const target of targets) {
      if (target.schema) await admin(pgUrl!, `create schema ${target.schema}`);
      try {
        const config = loadConfig({ env: {}, cwd: dir, overrides: { dataDir: dir, databaseUrl: target.url, logLevel: 'silent', secret: 'bench-secret-'.padEnd(40, 'x') } });
        const ctx = await openContext(config, { log: pino({ level: 'silent' }), database: target.schema ? { schema: target.schema } : {} });
        try {
          t = performance.now();
          const s = await importRpsl(ctx, [path]);
          row(`import into ${target.name}`, total, performance.now() - t, 'objects/s', `${s.imported.inetnums.toLocaleString('en-GB')} inetnums`);
          global.gc?.();
          const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
          t = performance.now();
          const registry = await RpslRegistry.load(ctx.db.kysely);
          const loadMs = performance.now() - t;
          global.gc?.();
          const mem = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore;
          row(`load snapshot from ${target.name}`, registry.stats.inetnums, loadMs, 'nets/s', `+${(mem / 1e6).toFixed(0)} MB heap`);
          if (target.name === 'sqlite') {
            const ips: string[] = [];
            for (let i = 0; i < LOOKUPS; i++) ips.push(formatIpv4(((2 << 24) + (rand() % (Math.ceil(N / 280) << 16))) >>> 0));
            let found = 0;
            t = performance.now();
            for (const ip of ips) if ((registry.lookup(ip)?.abuseContacts.length ?? 0) > 0) found++;
            row('lookup from strings', LOOKUPS, performance.now() - t, 'lookups/s', `${((found / LOOKUPS) * 100).toFixed(0)}% with contacts`);
          }
        } finally {
          await ctx.db.destroy();
        }
      } finally {
        if (target.schema) await admin(pgUrl!, `drop schema if exists ${target.schema} cascade`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function admin(url: string, query: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

await main();
