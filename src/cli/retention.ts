/** `baken retention run`: purge host addresses of cases closed longer ago than BAKEN_RETENTION_DAYS. */
import type { Command } from 'commander';
import { runRetention } from '../hotline/retention.js';
import { cliCaller } from '../platform/context.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('privacy housekeeping')
    .command('run')
    .description('purge host addresses of hotline cases closed longer ago than BAKEN_RETENTION_DAYS (the cases keep their counts)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const purged = await runRetention(ctx, cliCaller('retention run'));
        if (opts.json) return printJson({ purged });
        if (purged.length === 0) return void process.stdout.write(`nothing to purge (cases closed more than ${ctx.config.retentionDays} days ago are purged)\n`);
        printTable(purged.map((p) => ({ case: p.caseId, hosts: p.hosts, rejected_lines: p.rejectedLines, messages: p.messages })), ['case', 'hosts', 'rejected_lines', 'messages']);
      });
    });
}
