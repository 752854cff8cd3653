/** `baken worker`: deliver the outbox (email now; webhooks later) in a process of its own. */
import type { Command } from 'commander';
import { mailerFromConfig } from '../platform/delivery/mailer.js';
import { DeliveryWorker } from '../platform/delivery/worker.js';
import { invalid } from '../platform/errors.js';
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
        const mailer = mailerFromConfig(ctx.config);
        if (!mailer) throw invalid('BAKEN_SMTP_URL', 'is not set: there is nothing to deliver email with');
        const worker = new DeliveryWorker(ctx, { mailer });
        try {
          if (opts.once) {
            const run = await worker.runOnce();
            if (opts.json) return printJson(run);
            process.stdout.write(`sent ${run.sent}, retrying ${run.retried}, failed ${run.failed}${run.recovered ? `, recorded ${run.recovered} sent before a crash` : ''}\n`);
            return;
          }
          worker.start();
          ctx.log.info('delivery worker running');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await worker.stop();
        } finally {
          mailer.close();
        }
      });
    });
}
