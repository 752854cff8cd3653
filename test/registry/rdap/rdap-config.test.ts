/** The BAKEN_RDAP_* settings: off by default, URLs checked, numbers bounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config.js';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/nonexistent-baken-dir', overrides: { dataDir: '/tmp/baken-rdap-config' } });

test('RDAP is off by default, with a polite rate, a week of cache and a 10 s timeout', () => {
  const c = load({});
  assert.equal(c.rdapUrl, null);
  assert.equal(c.rdapRatePerMinute, 60);
  assert.equal(c.rdapCacheHours, 168);
  assert.equal(c.rdapTimeoutMs, 10000);
});

test('BAKEN_RDAP_URL takes an http(s) base URL, without the trailing slash', () => {
  assert.equal(load({ BAKEN_RDAP_URL: 'https://rdap.arin.net/registry/' }).rdapUrl, 'https://rdap.arin.net/registry');
  assert.equal(load({ BAKEN_RDAP_URL: '  ' }).rdapUrl, null);
  assert.throws(() => load({ BAKEN_RDAP_URL: 'ftp://rdap.example' }), (e: unknown) => e instanceof ConfigError && e.setting === 'BAKEN_RDAP_URL');
  assert.throws(() => load({ BAKEN_RDAP_URL: 'rdap.db.ripe.net' }), ConfigError);
});

test('the numbers are bounded', () => {
  assert.equal(load({ BAKEN_RDAP_RATE_PER_MINUTE: '6' }).rdapRatePerMinute, 6);
  assert.throws(() => load({ BAKEN_RDAP_RATE_PER_MINUTE: '0' }), (e: unknown) => e instanceof ConfigError && e.setting === 'BAKEN_RDAP_RATE_PER_MINUTE');
  assert.throws(() => load({ BAKEN_RDAP_CACHE_HOURS: 'forever' }), ConfigError);
  assert.throws(() => load({ BAKEN_RDAP_TIMEOUT_MS: '5' }), ConfigError);
});
