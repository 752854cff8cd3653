/** `baken serve`: the web server (and, later, the worker) in one process. */
import type { Command } from 'commander';
import { buildApp } from '../app.js';
import { bootstrap } from '../accounts/bootstrap.js';
import { purgeExpiredSessions } from '../accounts/sessions.js';
import { runRetention } from '../hotline/retention.js';
import { startHubSchedule } from '../hub/hub-schedule.js';
import { configuredWarninglists } from '../hotline/cases/upload-warninglists.js';
import { loadConfig } from '../config.js';
import { openContext } from '../platform/runtime.js';
import { mailerFromConfig } from '../platform/delivery/mailer.js';
import { DeliveryWorker } from '../platform/delivery/worker.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web server, the API and the delivery worker (migrates the database first)')
    .option('--host <host>', 'listen address (BAKEN_HOST)')
    .option('--port <port>', 'listen port (BAKEN_PORT)')
    .action(async (opts: { host?: string; port?: string }) => {
      const env = { ...process.env };
      if (opts.host) env.BAKEN_HOST = opts.host;
      if (opts.port) env.BAKEN_PORT = opts.port;
      const config = loadConfig({ env });
      const ctx = await openContext(config);
      const first = await bootstrap(ctx);
      // Read the warninglists now: a bad BAKEN_WARNINGLISTS_DIR stops the start instead of failing the first upload.
      if (config.warninglistsDir) ctx.log.info({ warninglists: (await configuredWarninglists(ctx)).length }, 'MISP warninglists loaded');
      const app = await buildApp({ ctx });
      // The delivery worker runs beside the web server unless separate `baken worker` processes do the job.
      const mailer = config.worker ? mailerFromConfig(config) : null;
      // Webhook calls need no SMTP server, so the worker runs whenever it is on; without one it leaves email queued.
      const worker = config.worker ? new DeliveryWorker(ctx, { mailer }) : null;
      worker?.start();
      if (config.worker && !mailer) ctx.log.warn('BAKEN_SMTP_URL is not set: email is queued but not sent');
      const address = await app.listen({ host: config.host, port: config.port });
      ctx.log.info({ address, database: ctx.db.dialect }, 'Baken is listening');
      if (first) {
        // Printed once, to the terminal, not to the structured log.
        const lines = [
          '',
          'Baken is ready. This is the first start: an admin account was created.',
          `  Log in at   ${config.publicUrl}/login`,
          `  Email       ${first.email}`,
          first.generatedPassword ? `  Password    ${first.generatedPassword}   (shown once; change it after logging in)` : '  Password    the one in BAKEN_ADMIN_PASSWORD',
          '',
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }
      // Housekeeping while serving, hourly: expired sessions, and host addresses of cases past their retention.
      const housekeeping = setInterval(() => {
        purgeExpiredSessions(ctx).catch((err: unknown) => ctx.log.warn({ err }, 'session purge failed'));
        runRetention(ctx, { actor: { kind: 'system', label: 'retention' }, meta: { ip: null, userAgent: null, requestId: null } })
          .then((purged) => purged.length > 0 && ctx.log.info({ purged }, 'retention: host addresses purged'))
          .catch((err: unknown) => ctx.log.warn({ err }, 'retention failed'));
      }, 3600_000);
      housekeeping.unref();
      // Sighting re-broadcasts (webhooks, first emails), summaries and digests run beside the delivery worker.
      const hubSchedule = config.worker ? startHubSchedule(ctx) : null;
      const stop = async (signal: string) => {
        clearInterval(housekeeping);
        await hubSchedule?.stop();
        await worker?.stop();
        mailer?.close();
        ctx.log.info({ signal }, 'stopping');
        await app.close();
        await ctx.db.destroy();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
