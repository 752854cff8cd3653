/**
 * The server secret: from BAKEN_SECRET, or generated once into the data
 * directory (mode 0600) so a single node needs no setup and keeps its secret
 * across restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { randomToken } from './tokens.js';

export function loadSecret(config: Config): string {
  if (config.secret) return config.secret;
  const path = join(config.dataDir, 'secret');
  if (existsSync(path)) {
    const s = readFileSync(path, 'utf8').trim();
    if (s.length >= 32) return s;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const s = randomToken(32);
  // 'wx' fails if another process wrote it meanwhile; then read theirs.
  try {
    writeFileSync(path, s + '\n', { mode: 0o600, flag: 'wx' });
    return s;
  } catch {
    return readFileSync(path, 'utf8').trim();
  }
}
