#!/usr/bin/env node
// Runs every compiled benchmark in dist/bench/ one after another; each prints its own table.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const dir = 'dist/bench';
// support.js holds what the benchmarks share; it is not one itself.
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'support.js').sort() : [];
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n== ${f}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', `${dir}/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
