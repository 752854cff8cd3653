/** `baken worker`: deliver the outbox (email and webhook calls) in a process of its own. */
import type { Command } from 'commander';
import { mailerFromConfig } from '../platform/delivery/mailer.js';
import { DeliveryWorker } from '../platform/delivery/worker.js';
import { runDigests } from '../hub/digest/daily-digest.js';
import { flushSightingEmails } from '../hub/sightings/sightings.js';
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
            await flushSightingEmails(ctx);
            await runDigests(ctx);
            const run = await worker.runOnce();
            if (opts.json) return printJson(run);
            process.stdout.write(`sent ${run.sent}, retrying ${run.retried}, failed ${run.failed}${run.recovered ? `, recorded ${run.recovered} sent before a crash` : ''}\n`);
            return;
          }
          worker.start();
          // Re-broadcast emails held back by BAKEN_SIGHTING_EMAIL_INTERVAL_MINUTES go out as summaries when due.
          const sightingSummaries = setInterval(() => {
            flushSightingEmails(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'sighting summaries failed'));
            // The daily digest goes from BAKEN_DIGEST_HOUR (UTC), once per member per day across all nodes.
            runDigests(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'daily digest failed'));
          }, 60_000);
          ctx.log.info('delivery worker running');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          clearInterval(sightingSummaries);
          await worker.stop();
        } finally {
          mailer?.close();
        }
      });
    });
}
