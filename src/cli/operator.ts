/** `baken operator`: the operator directory from the command line. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { presentOperator } from '../api/presenters.js';
import { cliCaller } from '../platform/context.js';
import { exportOperatorsCsv, importOperatorsCsv, listOperators } from '../registry/operators.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerOperator(program: Command): void {
  const op = program.command('operator').description('the operator directory: ASNs, prefixes and manual abuse contacts of network operators');

  op.command('list')
    .description('list or search operators (by name, ASN, contact, prefix or address)')
    .argument('[query]', 'what to search for')
    .option('--json', 'one JSON object per line')
    .action(async (query: string | undefined, opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const list = (await listOperators(ctx, query)).map(presentOperator);
        if (opts.json) return list.forEach((o) => printJson(o));
        printTable(list.map((o) => ({ ...o, asns: o.asns.map((a) => `AS${a}`).join(' '), prefixes: o.prefixes.length, abuse_contacts: o.abuse_contacts.join(' ') })), ['id', 'name', 'asns', 'prefixes', 'abuse_contacts', 'language']);
      });
    });

  op.command('import')
    .description('import operators from CSV (name, asns, prefixes, abuse_contacts, language, notes); all lines or none')
    .argument('<file>', 'CSV file, or - for standard input')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const text = readFileSync(file === '-' ? 0 : file, 'utf8');
      await withContext(async (ctx) => {
        const r = await importOperatorsCsv(ctx, cliCaller('operator import'), text);
        if (opts.json) return printJson(r);
        process.stdout.write(`imported: ${r.created} new, ${r.updated} updated\n`);
      });
    });

  op.command('export')
    .description('print the directory as CSV')
    .action(async () => {
      await withContext(async (ctx) => {
        process.stdout.write(await exportOperatorsCsv(ctx));
      });
    });
}
