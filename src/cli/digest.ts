/** `baken digest run`: send the daily digests that are due (serve and worker do it every minute by themselves). */
import type { Command } from 'commander';
import { runDigests } from '../hub/digest/daily-digest.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description('the daily digest for members whose email preference is digest')
    .command('run')
    .description('queue today\'s digest emails that are due (from BAKEN_DIGEST_HOUR, UTC); never twice a day for a member')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const run = await runDigests(ctx);
        if (opts.json) return printJson(run);
        if (!run.due) return void process.stdout.write(`not due yet: today's digests go from ${run.dueAt}\n`);
        if (run.digests.length === 0) return void process.stdout.write(`nothing to send for ${run.day}: no member has anything held back, or its digest went already\n`);
        printTable(run.digests.map((d) => ({ organisation: d.name, items: d.items, alerts: d.alerts, emails: d.emails })), ['organisation', 'items', 'alerts', 'emails']);
      });
    });
}
