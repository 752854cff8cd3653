/** `baken indicator`: bulk import and listing of the hub's indicators. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { presentIndicator } from '../api/presenters.js';
import { importIndicators, listIndicators } from '../hub/indicators/indicators.js';
import { parseLabels } from '../hub/indicators/parse-indicator-lines.js';
import { cliCaller } from '../platform/context.js';
import { BakenError } from '../platform/errors.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerIndicator(program: Command): void {
  const ind = program.command('indicator').description('threat indicators (IOCs): bulk import and listing');

  ind
    .command('import')
    .description('import indicators, one a line (defanged forms accepted) or CSV type,value,tlp,confidence,labels,source,valid_from,valid_until; bad lines are reported by number')
    .argument('<file>', 'a file, or - for standard input')
    .option('--strict', 'import nothing when any line is bad')
    .option('--lenient', 'mask host bits of networks instead of refusing them')
    .option('--tlp <tlp>', 'TLP for lines that do not give one (default AMBER)')
    .option('--confidence <n>', 'confidence 0-100 for lines that do not give one (default 50)')
    .option('--source <source>', 'where the indicators come from')
    .option('--labels <labels>', 'labels for every line, separated by ;')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { strict?: boolean; lenient?: boolean; tlp?: string; confidence?: string; source?: string; labels?: string; json?: boolean }) => {
      const text = readFileSync(file === '-' ? 0 : file, 'utf8');
      let labels: string[] = [];
      try {
        labels = opts.labels ? parseLabels(opts.labels) : [];
      } catch (err) {
        throw new BakenError('VALIDATION', { detail: `--labels: ${(err as Error).message}` });
      }
      const confidence = opts.confidence === undefined ? undefined : /^\d{1,3}$/.test(opts.confidence) ? Number(opts.confidence) : Number.NaN;
      await withContext(async (ctx) => {
        const r = await importIndicators(ctx, cliCaller('indicator import'), text, {
          ...(opts.strict ? { strict: true } : {}),
          ...(opts.lenient ? { lenient: true } : {}),
          ...(opts.tlp ? { tlp: opts.tlp } : {}),
          ...(confidence !== undefined ? { confidence } : {}),
          ...(opts.source ? { source: opts.source } : { source: file === '-' ? 'stdin' : file.split('/').pop()! }),
          labels,
        });
        if (opts.json) return printJson(r);
        for (const x of r.rejected) process.stderr.write(`line ${x.line}: ${x.reason}\n`);
        if (r.rejectedCount > r.rejected.length) process.stderr.write(`... and ${r.rejectedCount - r.rejected.length} more rejected lines\n`);
        process.stdout.write(`imported: ${r.created} new, ${r.updated} updated, ${r.duplicates} repeated lines merged, ${r.rejectedCount} lines rejected (${(r.durationMs / 1000).toFixed(2)} s)\n`);
      });
    });

  ind
    .command('list')
    .description('list indicators, newest first')
    .option('--type <type>', 'only this type (ipv4, ipv6, cidr, domain, url, md5, sha1, sha256, email)')
    .option('--tlp <tlp>', 'only this TLP')
    .option('--label <label>', 'only with this label')
    .option('-q, --query <text>', 'part of the value or source')
    .option('--limit <n>', 'at most this many (default 100, at most 1000)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { type?: string; tlp?: string; label?: string; query?: string; limit?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const page = await listIndicators(ctx, {
          ...(opts.type ? { type: opts.type } : {}),
          ...(opts.tlp ? { tlp: opts.tlp } : {}),
          ...(opts.label ? { label: opts.label } : {}),
          ...(opts.query ? { q: opts.query } : {}),
          limit: opts.limit && /^\d+$/.test(opts.limit) ? Number(opts.limit) : 100,
        });
        const list = page.indicators.map(presentIndicator);
        if (opts.json) return list.forEach((i) => printJson(i));
        printTable(
          list.map((i) => ({ ...i, labels: i.labels.join(';'), asn: i.enrichment?.asn ?? '', country: i.enrichment?.country ?? '' })),
          ['id', 'type', 'value', 'tlp', 'confidence', 'labels', 'asn', 'country', 'last_seen'],
        );
      });
    });
}
