/**
 * The first Quick start line: `npm start` on an empty data directory, with
 * nothing else set up, serves /healthz and the login page and prints the
 * admin login once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { freePort, waitForHttp } from '../helpers/ports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let child: ChildProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'baken-start-'));

after(() => {
  // npm starts node as its child: end the whole process group.
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('npm start on an empty data directory serves /healthz and the login page', async () => {
  const port = await freePort();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BAKEN_PORT: String(port), BAKEN_DATA_DIR: dataDir };
  child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`);

  const health = await fetch(`${base}/healthz`);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${base}/readyz`);
  assert.equal(ready.status, 200);
  const login = await fetch(`${base}/login`, { headers: { accept: 'text/html' } });
  assert.equal(login.status, 200);
  const html = await login.text();
  assert.match(html, /<input id="password" name="password" type="password"/);

  assert.match(out, new RegExp(`Log in at\\s+${base}/login`));
  const password = /Password\s+(\S+)\s+\(shown once/.exec(out)?.[1];
  assert.ok(password && password.length >= 20, out);
  assert.ok(statSync(join(dataDir, 'baken.sqlite')).size > 0, 'SQLite under the data directory');
  assert.equal((statSync(join(dataDir, 'secret')).mode & 0o777).toString(8), '600', 'the generated secret is private');
});
