/**
 * A child process for bench:hub: the delivery worker on its own, as `baken worker` runs it beside `baken serve` in a
 * deployment that needs more than one process (docs/delivery.md). It opens the parent's database with the parent's
 * configuration and delivers webhook calls until told to stop. Messages in: { config }, { stop: true }; out:
 * { started: true }, { stopped: true }.
 */
import pino from 'pino';
import type { Config } from '../src/config.js';
import { createHttpWebhookSender } from '../src/platform/delivery/webhooks.js';
import { DeliveryWorker } from '../src/platform/delivery/worker.js';
import { startHubSchedule } from '../src/hub/hub-schedule.js';
import { openContext } from '../src/platform/runtime.js';

// Run on its own (npm run bench runs every file here), it has no parent to serve: nothing to do.
if (!process.send) process.exit(0);

let stop: (() => Promise<void>) | null = null;

process.on('message', (m: { config?: Config; concurrency?: number; stop?: boolean }) => {
  void (async () => {
    if (m.config) {
      const ctx = await openContext(m.config, { log: pino({ level: 'silent' }), migrate: false });
      const worker = new DeliveryWorker(ctx, { mailer: null, webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 10_000 }), webhookConcurrency: m.concurrency });
      worker.start();
      const hubSchedule = startHubSchedule(ctx);
      stop = async () => {
        await hubSchedule.stop();
        await worker.stop();
        await ctx.db.destroy();
      };
      process.send?.({ started: true });
    }
    if (m.stop) {
      await stop?.();
      process.send?.({ stopped: true });
      process.exit(0);
    }
  })();
});
