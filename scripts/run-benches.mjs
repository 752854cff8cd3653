#!/usr/bin/env node
// Runs the compiled benchmarks one after another; each prints its own table. A benchmark is what package.json
// names in a `bench:NAME` script (dist/bench/NAME.js); the other modules in bench/ are what they share.
// `node scripts/run-benches.mjs interop-` runs only those whose name starts with the given prefix.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const prefix = process.argv[2] ?? '';
const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts ?? {};
const files = Object.values(scripts)
  .map((cmd) => /dist\/bench\/([\w-]+)\.js/.exec(String(cmd))?.[1])
  .filter((name) => name !== undefined && name.startsWith(prefix))
  .sort()
  .map((name) => `dist/bench/${name}.js`)
  .filter((f) => existsSync(f));
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n== ${f}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
