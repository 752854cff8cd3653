/** `baken import`: threat information in other systems' formats, one subcommand per format in its own file. */
import type { Command } from 'commander';
import { addImportMisp } from './import-misp.js';
import { registerImportStix } from './import-stix.js';

export function registerImport(program: Command): void {
  const group = program.command('import').description('import threat information from other systems (STIX, MISP)');
  registerImportStix(group);
  addImportMisp(group);
}
