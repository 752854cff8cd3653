/**
 * Debian's Chromium driven by playwright-core; never a downloaded browser.
 * Without /usr/bin/chromium the browser suites skip, except under CI, where
 * .ci/run installs it and a missing browser is a failure.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.BAKEN_CHROMIUM ?? '/usr/bin/chromium';

export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs Debian's chromium`);
  return `${CHROMIUM} is not installed (apt-get install chromium)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where tests keep screenshots for people to look at: ./artifacts/browser. */
export function artifactPath(name: string): string {
  const dir = join(fileURLToPath(new URL('../../../', import.meta.url)), 'artifacts', 'browser');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
