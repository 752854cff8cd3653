/** `baken migrate`: bring the database schema to the latest version, or show where it stands. */
import type { Command } from 'commander';
import { migrateToLatest, migrationStatus } from '../platform/db/migrate.js';
import { withContext } from './context.js';
import { printJson, printTable } from './output.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (also done at every start)')
    .option('--status', 'list migrations and whether they are applied, change nothing')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: boolean; json?: boolean }) => {
      await withContext(
        async (ctx) => {
          if (opts.status) {
            const status = await migrationStatus(ctx.db);
            if (opts.json) return printJson(status.map((m) => ({ name: m.name, applied_at: m.appliedAt })));
            return printTable(status.map((m) => ({ name: m.name, applied: m.appliedAt ?? 'pending' })), ['name', 'applied']);
          }
          const applied = await migrateToLatest(ctx.db);
          if (opts.json) return printJson({ applied, database: ctx.db.dialect });
          process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : `the ${ctx.db.dialect} database is up to date\n`);
        },
        { migrate: false },
      );
    });
}
