/**
 * The indicator import that bench:indicators and bench:hub both measure: a seeded CSV of mixed indicators (as an analyst
 * would paste or upload it) and one timed import of it.
 */
import type { IndicatorType } from '../src/hub/indicators/indicator-types.js';
import { importIndicators } from '../src/hub/indicators/indicators.js';
import { formatIpv4 } from '../src/net/ipv4.js';
import { classifyIp } from '../src/net/classify-ip.js';
import { SYSTEM, type Context } from '../src/platform/context.js';
import { mulberry32Float } from './support.js';

export interface BenchIndicators {
  /** The generator's own seeded random numbers, for the fields a benchmark adds. */
  rand: () => number;
  /** The next indicator not given before. */
  next(): { type: IndicatorType; value: string };
}

/**
 * Seeded (every run gets the same indicators), unique and of the benchmarks' one mix of types: 30% addresses and
 * networks (enriched), the rest domains, URLs, hashes and email addresses. `defanged` spells some addresses and URLs
 * as analysts paste them (`[.]`, `hxxps`).
 */
export function benchIndicators(seed: number, options: { defanged?: boolean } = {}): BenchIndicators {
  const rand = mulberry32Float(seed);
  const fang = options.defanged === true;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const word = () => Array.from({ length: 6 + Math.floor(rand() * 8) }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(rand() * 26)]).join('');
  const publicIpv4 = (): string => {
    for (;;) {
      const v = (Math.floor(rand() * 0xdfffffff) + 0x01000000) >>> 0;
      if (classifyIp({ kind: 'ipv4', value: v }).kind === 'global') return formatIpv4(v);
    }
  };
  const seen = new Set<string>();
  return {
    rand,
    next() {
      for (;;) {
        const r = rand();
        let type: IndicatorType;
        let value: string;
        if (r < 0.25) [type, value] = ['ipv4', fang && rand() < 0.2 ? publicIpv4().replace(/\./g, '[.]') : publicIpv4()];
        else if (r < 0.27) [type, value] = ['ipv6', `2a02:a44${Math.floor(rand() * 8)}:${hex(4)}::${hex(3)}`];
        else if (r < 0.3) [type, value] = ['cidr', `${publicIpv4().split('.').slice(0, 3).join('.')}.0/24`];
        else if (r < 0.55) [type, value] = ['domain', `${word()}.${word()}.example`];
        else if (r < 0.7) [type, value] = ['url', fang ? `${rand() < 0.3 ? 'hxxps' : 'https'}://${word()}[.]example/${word()}/${word()}.php?id=${hex(6)}` : `https://${word()}.example/${word()}/${word()}.php?id=${hex(6)}`];
        else if (r < 0.8) [type, value] = ['md5', hex(32)];
        else if (r < 0.85) [type, value] = ['sha1', hex(40)];
        else if (r < 0.95) [type, value] = ['sha256', hex(64)];
        else [type, value] = ['email', `${word()}@${word()}.example`];
        const key = `${type}|${value.replace(/\[\.\]/g, '.')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        return { type, value };
      }
    },
  };
}

const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/** The CSV an analyst would paste or upload: {@link benchIndicators}, defanged in part, with TLP, confidence, labels. */
export function indicatorCsv(count: number): string {
  const gen = benchIndicators(7, { defanged: true });
  const { rand } = gen;
  const lines = ['type,value,tlp,confidence,labels,source'];
  for (let i = 0; i < count; i++) {
    const { type, value } = gen.next();
    lines.push(`${type},${value},${TLPS[Math.floor(rand() * TLPS.length)]},${Math.floor(rand() * 101)},campaign-${Math.floor(rand() * 20)};bench,bench-feed`);
  }
  return lines.join('\n') + '\n';
}

/** One import of the CSV, timed. */
export async function timedIndicatorImport(ctx: Context, text: string): Promise<{ seconds: number; indicators: number; created: number; updated: number; rejected: number }> {
  const t0 = performance.now();
  const r = await importIndicators(ctx, SYSTEM, text, { source: 'bench' });
  return { seconds: (performance.now() - t0) / 1000, indicators: r.indicators, created: r.created, updated: r.updated, rejected: r.rejectedCount };
}
