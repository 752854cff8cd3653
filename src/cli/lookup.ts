/** `baken lookup`: who operates these addresses, from the command line or a pipe. */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { registryServices } from '../registry/registry-services.js';
import type { Resolution } from '../registry/resolver.js';
import { BakenError } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

/** Addresses with where they came from, so errors can name the argument or the line. */
async function* inputs(args: string[]): AsyncGenerator<{ where: string; text: string }> {
  for (const [i, a] of args.entries()) {
    if (a !== '-') {
      yield { where: `argument ${i + 1}`, text: a };
      continue;
    }
    let line = 0;
    for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      line++;
      const text = raw.replace(/#.*/, '').trim();
      if (text !== '') yield { where: `line ${line}`, text };
    }
  }
}

export function registerLookup(program: Command): void {
  program
    .command('lookup')
    .description('who operates an address: network, ASN, country, operator and abuse contacts (- reads one address per line from stdin)')
    .argument('<ip...>', 'addresses, or - for standard input')
    .option('--json', 'one JSON object per line: ip, network, asn, as_name, country, operator, abuse_contacts, contact_source, registry_date')
    .action(async (args: string[], opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const { resolver } = await registryServices(ctx, (m) => process.stderr.write(`${m}\n`));
        const rows: Resolution[] = [];
        let failed = 0;
        const batch: Array<{ where: string; text: string }> = [];
        const flush = async () => {
          const results = await resolver.resolveMany(batch.map((b) => b.text));
          results.forEach((r, i) => {
            if ('error' in r) {
              failed++;
              process.stderr.write(`baken: ${batch[i]!.where}: ${r.error}\n`);
            } else if (opts.json) printJson(r);
            else rows.push(r);
          });
          batch.length = 0;
        };
        for await (const item of inputs(args)) {
          batch.push(item);
          if (batch.length >= 10_000) await flush();
        }
        await flush();
        if (!opts.json && rows.length > 0) {
          printTable(
            rows.map((r) => ({
              ip: r.ip,
              network: r.network,
              as: r.asn !== null ? `AS${r.asn} ${r.as_name ?? ''}`.trim() : '',
              country: r.country,
              operator: r.operator?.name,
              abuse: r.abuse_contacts.join(' '),
              source: r.contact_source,
            })),
            ['ip', 'network', 'as', 'country', 'operator', 'abuse', 'source'],
          );
        }
        if (failed > 0) throw new BakenError('BAD_INPUT', { detail: `${failed} address(es) could not be read (see above)` });
      });
    });
}
