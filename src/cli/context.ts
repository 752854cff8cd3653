/** Opening and closing the context around one command. */
import { loadConfig, type Config } from '../config.js';
import type { Context } from '../platform/context.js';
import { openContext, type OpenContextOptions } from '../platform/runtime.js';

/** Runs `fn` with a migrated context and closes the database afterwards, also on failure. */
export async function withContext<T>(fn: (ctx: Context) => Promise<T>, options: OpenContextOptions & { overrides?: Partial<Config> } = {}): Promise<T> {
  const config = loadConfig(options.overrides ? { overrides: options.overrides } : {});
  // Commands talk to people on stdout; the log stays quiet unless asked for.
  const ctx = await openContext(process.env.BAKEN_LOG_LEVEL ? config : { ...config, logLevel: 'warn' }, options);
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.destroy();
  }
}
