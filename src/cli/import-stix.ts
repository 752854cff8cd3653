/** `baken import stix FILE`: a STIX 2.1 bundle's indicators into the hub. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importStix, parseStixJson } from '../interop/stix/import-stix.js';
import { cliCaller } from '../platform/context.js';
import { withContext } from './context.js';
import { printJson } from './output.js';

export function registerImportStix(group: Command): void {
  group
    .command('stix')
    .description('import the indicators of a STIX 2.1 bundle (or a list of objects); any bad object refuses the whole file unless --no-strict')
    .argument('<file>', 'a JSON file, or - for standard input')
    .option('--no-strict', 'import the good objects and report the bad ones')
    .option('--lenient', 'mask host bits of networks instead of refusing them')
    .option('--source <source>', 'source of indicators that do not name theirs (default: the file name)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { strict: boolean; lenient?: boolean; source?: string; json?: boolean }) => {
      const document = parseStixJson(readFileSync(file === '-' ? 0 : file, 'utf8'));
      await withContext(async (ctx) => {
        const r = await importStix(ctx, cliCaller('import stix'), document, {
          strict: opts.strict,
          ...(opts.lenient ? { lenient: true } : {}),
          source: opts.source ?? (file === '-' ? 'stdin' : file.split('/').pop()!),
        });
        if (opts.json) return printJson(r);
        for (const x of r.rejected) process.stderr.write(`${x.path}${x.id ? ` (${x.id})` : ''}: ${x.message}\n`);
        if (r.rejectedCount > r.rejected.length) process.stderr.write(`... and ${r.rejectedCount - r.rejected.length} more problems\n`);
        const i = r.indicators;
        process.stdout.write(`imported ${r.objects} objects: indicators ${i.created} new, ${i.updated} updated, ${i.duplicates} repeated; ${r.skippedCount} skipped, ${r.rejectedCount} problems (${(r.durationMs / 1000).toFixed(2)} s)\n`);
      });
    });
}
