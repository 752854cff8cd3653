/**
 * Opens everything a process needs from a configuration: the logger, the
 * database (migrated to the latest version) and the secret. The CLI, the server
 * and the tests all start here.
 */
import pino, { type Logger } from 'pino';
import type { Config } from '../config.js';
import { systemClock, type Clock } from './clock.js';
import type { Context } from './context.js';
import { openDatabase, type OpenDatabaseOptions } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { loadSecret } from './secret.js';

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password'], censor: '[redacted]' },
  });
}

export interface OpenContextOptions {
  clock?: Clock;
  log?: Logger;
  database?: OpenDatabaseOptions;
  /** Skip applying migrations (for `baken migrate --status`). */
  migrate?: boolean;
}

export async function openContext(config: Config, options: OpenContextOptions = {}): Promise<Context> {
  const log = options.log ?? createLogger(config);
  const db = openDatabase(config.databaseUrl, options.database);
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(db);
      if (applied.length > 0) log.info({ applied }, 'database migrated');
    }
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, clock: options.clock ?? systemClock, config, log, secret: loadSecret(config) };
}
