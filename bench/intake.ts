/**
 * Host intake benchmark (issue 4 budget: 1M hosts from upload to queued notifications in 15 s, so intake should take
 * well under 3 s). For each format it writes 1,000,000 lines to a temporary file (addresses spread over the IPv4
 * space and a few IPv6 networks, about 8% IPv6, 2% duplicates and 0.5% bad lines: private space, typos, bad ports),
 * then reads the file as an upload would arrive: a file stream through readHostBatches, the consumer counting hosts
 * and dropping them. It prints lines per second and the peak memory above the baseline; one more row runs the plain
 * list against the sample MISP warninglists (63,000 prefixes) when ../shared/samples is there, and one through
 * readHosts (an event per host) to show what batching saves. Run with `npm run bench:intake`; BAKEN_BENCH_INTAKE_N
 * sets the number of lines.
 */
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHostBatches, readHosts } from '../src/hotline/intake/read-hosts.js';
import type { IntakeOptions } from '../src/hotline/intake/host-intake.js';
import type { IntakeSummary } from '../src/hotline/intake/intake-types.js';
import { loadWarninglistsFromDir } from '../src/hotline/intake/warninglist.js';
import type { Warninglist } from '../src/hotline/intake/warninglist.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import { mulberry32 } from './support.js';

const N = Number(process.env.BAKEN_BENCH_INTAKE_N ?? 1_000_000);
const BUDGET_S = 3;

// Deterministic, so runs compare.
let rand = mulberry32(0x5eed);

// First octets that are plain global unicast, so generated hosts are valid unless made bad on purpose.
const GLOBAL_OCTETS = Array.from({ length: 223 }, (_, i) => i + 1).filter((o) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(o));
const V6_NETS = ['2a02:58', '2001:67c:2e8', '2a00:1450:4001', '2a10:3781', '2a05:d014'];
const PORTS = [80, 443, 8443, 22, 23, 3389, 5060, 161];

interface Host {
  ip: string;
  v6: boolean;
  port: number;
}

/** The next host of the upload; `recent` gives duplicates. */
function nextHost(i: number, recent: Host[]): Host | string {
  const r = rand() % 1000;
  if (r < 5) {
    const bad = ['10.1.2.3', '192.168.1.20', '31.149.1.999', 'host.example.nl', '100.64.0.1'];
    return bad[rand() % bad.length]!;
  }
  if (r < 25 && recent.length > 0) return recent[rand() % recent.length]!;
  let h: Host;
  if (r < 105) {
    const net = V6_NETS[rand() % V6_NETS.length]!;
    h = { ip: `${net}::${(rand() & 0xffff).toString(16)}:${(rand() & 0xffff).toString(16)}`, v6: true, port: PORTS[rand() % PORTS.length]! };
  } else {
    const o = GLOBAL_OCTETS[rand() % GLOBAL_OCTETS.length]!;
    h = { ip: formatIpv4(((o << 24) | (rand() & 0xffffff)) >>> 0), v6: false, port: PORTS[rand() % PORTS.length]! };
  }
  if (i % 97 === 0) {
    if (recent.length < 1000) recent.push(h);
    else recent[rand() % 1000] = h;
  }
  return h;
}

const stamp = (i: number) => new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + Math.floor(i / 200) * 1000).toISOString().slice(0, 19).replace('T', ' ');

const LINE: Record<string, (h: Host | string, i: number) => string> = {
  ips: (h) => (typeof h === 'string' ? h : h.v6 ? `[${h.ip}]:${h.port}` : `${h.ip}:${h.port}`),
  csv: (h, i) => {
    const ip = typeof h === 'string' ? h : h.ip;
    const port = typeof h === 'string' ? (i % 2 === 0 ? 'http' : '443') : String(h.port);
    return `${ip},${port},${stamp(i)},Citrix ADC,13.0-${i % 90}`;
  },
  shadowserver: (h, i) => {
    const ip = typeof h === 'string' ? h : h.ip;
    const port = typeof h === 'string' ? 23 : h.port;
    return `"${stamp(i)}","${ip}","tcp",${port},"host-${i % 5000}.example.nl","telnet",${1136 + (i % 50)},"NL","NOORD-HOLLAND","AMSTERDAM",517311,0,"|MikroTik v6.${i % 49}|Login:"`;
  },
  intelmq: (h, i) => {
    const ip = typeof h === 'string' ? h : h.ip;
    const port = typeof h === 'string' ? 70000 : h.port;
    return JSON.stringify({
      'feed.name': 'Bench',
      'classification.taxonomy': 'vulnerable',
      'classification.type': 'vulnerable-system',
      'source.ip': ip,
      'source.port': port,
      'time.source': `${stamp(i).replace(' ', 'T')}+00:00`,
      'extra.product': 'Citrix ADC',
      'extra.version': `13.0-${i % 90}`,
    });
  },
};
const HEADER: Record<string, string | null> = {
  ips: '# affected hosts (synthetic, for the Baken benchmark)',
  csv: 'ip,port,first_seen,product,version',
  shadowserver: '"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","sic","banner"',
  intelmq: null,
};

async function writeUpload(path: string, format: string): Promise<void> {
  rand = mulberry32(0x5eed); // every format gets the same hosts
  const out = createWriteStream(path);
  const recent: Host[] = [];
  let buf = HEADER[format] === null ? '' : `${HEADER[format]}\n`;
  const line = LINE[format]!;
  for (let i = 0; i < N; i++) {
    buf += `${line(nextHost(i, recent), i)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

interface Row {
  name: string;
  mb: number;
  summary: IntakeSummary;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  peakHeapMb: number;
}

async function measure(name: string, path: string, options: IntakeOptions, perEvent = false): Promise<Row> {
  globalThis.gc?.();
  const baseRss = process.memoryUsage.rss();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakRss = baseRss;
  let peakHeap = baseHeap;
  let summary: IntakeSummary | null = null;
  let hosts = 0;
  let batches = 0;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  if (perEvent) {
    for await (const e of readHosts(input, options)) {
      if (e.kind === 'host') {
        if (++hosts % 65536 === 0) sample();
      } else if (e.kind === 'summary') summary = e.summary;
    }
  } else {
    for await (const e of readHostBatches(input, options)) {
      if (e.kind === 'hosts') hosts += e.hosts.length;
      else if (e.kind === 'summary') summary = e.summary;
      if (++batches % 4 === 0) sample();
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  sample();
  if (summary === null || summary.hosts !== hosts) throw new Error(`${name}: summary and hosts disagree`);
  return { name, mb: statSync(path).size / 1e6, summary, seconds, cpuSeconds: (used.user + used.system) / 1e6, peakRssMb: (peakRss - baseRss) / 1e6, peakHeapMb: (peakHeap - baseHeap) / 1e6 };
}

const dir = mkdtempSync(join(tmpdir(), 'baken-bench-intake-'));
const rows: Row[] = [];
try {
  const paths: Record<string, string> = {};
  for (const format of ['ips', 'csv', 'shadowserver', 'intelmq']) {
    paths[format] = join(dir, `hosts.${format}`);
    await writeUpload(paths[format]!, format);
  }
  // One warm-up pass so every format is measured with the parser compiled, as in a long-running server.
  await measure('warm-up', paths.ips!, { format: 'auto' });
  for (const format of ['ips', 'csv', 'shadowserver', 'intelmq']) rows.push(await measure(format, paths[format]!, { format: 'auto' }));

  const samples = fileURLToPath(new URL('../../../shared/samples/misp/warninglists', import.meta.url));
  if (existsSync(samples)) {
    const { lists } = await loadWarninglistsFromDir(samples);
    const prefixes = lists.reduce((n: number, l: Warninglist) => n + l.ipv4.length + l.ipv6.length, 0);
    rows.push(await measure(`ips + ${lists.length} warninglists (${prefixes} prefixes)`, paths.ips!, { warninglists: lists }));
  }
  rows.push(await measure('ips, readHosts (an event per host)', paths.ips!, {}, true));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (n: number) => n.toLocaleString('en-US');
console.log(`\nhost intake, ${f(N)} lines per format, read from a file stream (node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores)\n`);
console.log('| format | file MB | hosts | duplicates | rejected | flagged | seconds | CPU s | lines/s | peak RSS + MB | peak heap + MB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const s = r.summary;
  console.log(
    `| ${r.name} | ${r.mb.toFixed(0)} | ${f(s.hosts)} | ${f(s.duplicates)} | ${f(s.rejected)} | ${f(s.flagged)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ` +
      `${f(Math.round(s.lines / r.seconds))} | ${r.peakRssMb.toFixed(0)} | ${r.peakHeapMb.toFixed(0)} |`,
  );
}
console.log('\nseconds: wall clock, upload start to summary; CPU s: user + system time of the process in that span (the process');
console.log('also runs the garbage collector and the file reads on other threads, so it can exceed the wall clock).');
console.log('peak RSS + / heap +: the most the process held above what it held before the run (the key set, one piece of text,');
console.log(`the batch in flight)${globalThis.gc ? '' : '; run with --expose-gc for a clean baseline'}.`);

const checks: [string, boolean][] = rows
  .filter((r) => !r.name.includes('event per host'))
  .map((r): [string, boolean] => [`${r.name}: ${f(N)} lines in < ${BUDGET_S} s`, r.seconds < BUDGET_S * (N / 1_000_000)]);
console.log('\nbudget:');
for (const [name, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}`);
if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
