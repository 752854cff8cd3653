/** Shared pieces of the hotline tests: hosts as intake yields them, and a resolver over the fixture network data. */
import { loadBundledNetworkData } from '../../src/registry/load-bundled-network-data.js';
import { OperatorIndexCache } from '../../src/registry/operator-index.js';
import { Resolver } from '../../src/registry/resolver.js';
import type { Context } from '../../src/platform/context.js';
import type { HostEvent } from '../../src/hotline/cases/case-hosts.js';
import type { IntakeHost, RejectedLine } from '../../src/hotline/intake/intake-types.js';
import { fixtureSources } from '../helpers/network-fixtures.js';

export function host(ip: string, port: number | null = null, line = 1, extra: Record<string, string> = {}): IntakeHost {
  return { ip, port, timestamp: null, extra, line, warnings: [] };
}

/** Intake events for these hosts and rejected lines, with a summary, as readHosts yields them. */
export function intakeEvents(hosts: IntakeHost[], rejected: RejectedLine[] = []): HostEvent[] {
  const out: HostEvent[] = [];
  if (rejected.length > 0) out.push({ kind: 'rejected', rejected });
  for (let i = 0; i < hosts.length; i += 5000) out.push({ kind: 'hosts', hosts: hosts.slice(i, i + 5000) });
  out.push({
    kind: 'summary',
    summary: { format: 'ips', lines: hosts.length + rejected.length, hosts: hosts.length, duplicates: 0, rejected: rejected.length, flagged: 0, extraColumns: [], rejectedKept: rejected.length, columns: null },
  });
  return out;
}

/** A resolver over the fixture network data (AS1136 KPN NL in 31.149.0.0/16, AS64500 in 31.149.8.0/24, AS13335 AU in 1.0.0.0/24, DE 5.0.0.0/24, RU 2.26.192.0/20) and the test's operator directory. */
export async function fixtureResolver(ctx: Context, dataDir: string): Promise<Resolver> {
  const { data } = await loadBundledNetworkData({ dataDir, sources: fixtureSources() });
  return new Resolver({ network: data, operators: new OperatorIndexCache(ctx, 0) });
}
