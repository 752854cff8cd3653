/** `baken import`: threat information in other systems' formats. */
import type { Command } from 'commander';
import { addImportMisp } from './import-misp.js';

export function registerImport(program: Command): void {
  const group = program.command('import').description('import threat information from other systems (MISP)');
  addImportMisp(group);
}
