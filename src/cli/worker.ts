/** `baken worker`: deliver the outbox (email and webhook calls) in a process of its own. */
import type { Command } from 'commander';
import { mailerFromConfig } from '../platform/delivery/mailer.js';
import { DeliveryWorker } from '../platform/delivery/worker.js';
import { runHubScheduleOnce, startHubSchedule } from '../hub/hub-schedule.js';
import { withContext } from './context.js';
import { printJson } from './output.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('deliver queued messages; with --once, deliver what is due and exit')
    .option('--once', 'exit when nothing is due')
    .option('--json', 'with --once: print what was done as JSON')
    .action(async (opts: { once?: boolean; json?: boolean }) => {
      await withContext(async (ctx) => {
        // Without BAKEN_SMTP_URL the worker still delivers webhook calls; email stays queued until it is set.
        const mailer = mailerFromConfig(ctx.config);
        if (!mailer) ctx.log.warn('BAKEN_SMTP_URL is not set: email stays queued; webhook calls are delivered');
        const worker = new DeliveryWorker(ctx, { mailer });
        try {
          if (opts.once) {
            await runHubScheduleOnce(ctx);
            const run = await worker.runOnce();
            if (opts.json) return printJson(run);
            process.stdout.write(`sent ${run.sent}, retrying ${run.retried}, failed ${run.failed}${run.recovered ? `, recorded ${run.recovered} sent before a crash` : ''}\n`);
            return;
          }
          worker.start();
          // Sighting re-broadcasts every second, summaries and digests every minute.
          const hubSchedule = startHubSchedule(ctx);
          ctx.log.info('delivery worker running');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await hubSchedule.stop();
          await worker.stop();
        } finally {
          mailer?.close();
        }
      });
    });
}
