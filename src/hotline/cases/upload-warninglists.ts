/**
 * The MISP warninglists every upload is checked against (`BAKEN_WARNINGLISTS_DIR`, or the CLI's `--warninglists`).
 * Reading and compiling them takes a quarter of a second for the full misp-warninglists repository, and intake caches
 * its compiled index per array of lists, so each directory is read once per process and the same array is handed to
 * every upload.
 */
import { resolve } from 'node:path';
import type { Context } from '../../platform/context.js';
import { loadWarninglistsFromDir, type LoadedWarninglists, type Warninglist } from '../intake/warninglist.js';

const loaded = new Map<string, Promise<LoadedWarninglists>>();

/**
 * The warninglists under `dir`, read on first use and kept for the life of the process.
 * @throws {WarninglistError} naming the file when one is not a valid warninglist; a missing `dir` throws the
 *   file-system error. A failed read is not kept, so a fixed directory is read again on the next call.
 * @example
 * const { lists, skipped } = await warninglistsIn('/srv/misp-warninglists');
 */
export function warninglistsIn(dir: string): Promise<LoadedWarninglists> {
  const key = resolve(dir);
  let p = loaded.get(key);
  if (!p) {
    p = loadWarninglistsFromDir(key);
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}

/** The lists named by the configuration (`BAKEN_WARNINGLISTS_DIR`); none when it is not set. */
export async function configuredWarninglists(ctx: Context): Promise<readonly Warninglist[]> {
  const dir = ctx.config.warninglistsDir;
  return dir ? (await warninglistsIn(dir)).lists : [];
}
