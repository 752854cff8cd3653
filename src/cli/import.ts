/** `baken import`: threat information from other formats, one subcommand per format in its own file. */
import type { Command } from 'commander';
import { registerImportStix } from './import-stix.js';

export function registerImport(program: Command): void {
  const group = program.command('import').description('import threat information from other formats (STIX, ...)');
  registerImportStix(group);
}
