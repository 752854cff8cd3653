#!/usr/bin/env node
/**
 * The `baken` command. Every subcommand lives in its own file; failures print one
 * line, `baken: error: ...`, and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { BakenError } from '../platform/errors.js';
import { registerAlert } from './alert.js';
import { registerApiKey } from './apikey.js';
import { registerCase } from './case.js';
import { registerCaseNotify } from './case-notify.js';
import { registerCasePublish } from './case-publish.js';
import { registerImport } from './import.js';
import { registerIndicator } from './indicator.js';
import { registerLookup } from './lookup.js';
import { registerMember } from './member.js';
import { registerMigrate } from './migrate.js';
import { registerNetworkData } from './network-data.js';
import { registerOperator } from './operator.js';
import { registerOrg } from './org.js';
import { registerRegistry } from './registry.js';
import { registerServe } from './serve.js';
import { registerRetention } from './retention.js';
import { registerUser } from './user.js';
import { registerWorker } from './worker.js';

export function buildProgram(): Command {
  const program = new Command('baken')
    .description('Baken: coordinated cyber-threat notification (detection-network hub and security hotline)')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerMigrate(program);
  registerOrg(program);
  registerUser(program);
  registerApiKey(program);
  registerIndicator(program);
  registerLookup(program);
  registerOperator(program);
  registerRegistry(program);
  registerNetworkData(program);
  registerCase(program);
  registerWorker(program);
  registerCaseNotify(program);
  registerCasePublish(program);
  registerRetention(program);
  registerMember(program);
  registerAlert(program);
  registerImport(program);
  return program;
}

function oneLine(err: unknown): string {
  if (err instanceof BakenError || err instanceof ConfigError) return err.message;
  if (err instanceof Error) return err.message.split('\n')[0]!;
  return String(err);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`baken: error: ${oneLine(err)}\n`);
    return err instanceof BakenError && err.kind === 'invalid' ? 2 : 1;
  }
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/baken') || process.argv[1]?.endsWith('/cli/main.js');
if (isEntry) {
  const code = await main(process.argv);
  // `serve` keeps running; everything else exits with its code.
  if (code !== 0 || !process.argv.includes('serve')) process.exitCode = code;
}
