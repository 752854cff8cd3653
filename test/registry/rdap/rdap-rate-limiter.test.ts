/** The token bucket on a manual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../../src/platform/clock.js';
import { RdapRateLimiter } from '../../../src/registry/rdap/rdap-rate-limiter.js';

test('a burst, then one token per 60/perMinute seconds', async () => {
  const clock = new ManualClock();
  const limiter = new RdapRateLimiter({ perMinute: 6, burst: 2, clock });
  assert.equal((await limiter.acquire(0)).kind, 'go');
  assert.equal((await limiter.acquire(0)).kind, 'go');
  const d = await limiter.acquire(0);
  assert.ok(d.kind === 'deferred' && d.reason === 'rate_limit');
  assert.equal(d.retryAt.getTime() - clock.now().getTime(), 10_000);
  clock.advance(10_000);
  assert.equal((await limiter.acquire(0)).kind, 'go');
  // Tokens do not pile up beyond the burst.
  clock.advance(3600_000);
  assert.equal((await limiter.acquire(0)).kind, 'go');
  assert.equal((await limiter.acquire(0)).kind, 'go');
  assert.equal((await limiter.acquire(0)).kind, 'deferred');
});

test('waiting callers reserve tokens in turn', async () => {
  const clock = new ManualClock();
  const waits: number[] = [];
  const limiter = new RdapRateLimiter({ perMinute: 60, burst: 1, clock, sleep: async (ms) => void waits.push(ms) });
  // Three callers at the same moment: the first goes, the others wait 1 s and 2 s.
  const r = await Promise.all([limiter.acquire(5000), limiter.acquire(5000), limiter.acquire(5000), limiter.acquire(2500)]);
  assert.deepEqual(r.map((x) => x.kind), ['go', 'go', 'go', 'deferred']);
  assert.deepEqual(waits, [1000, 2000]);
});

test('a pause from the registry defers everyone and accrues nothing', async () => {
  const clock = new ManualClock();
  const limiter = new RdapRateLimiter({ perMinute: 60, burst: 5, clock });
  limiter.pauseUntil(new Date(clock.now().getTime() + 120_000));
  const d = await limiter.acquire(1_000_000);
  assert.ok(d.kind === 'deferred' && d.reason === 'registry_backoff');
  assert.equal(limiter.pausedUntilTime()?.getTime(), clock.now().getTime() + 120_000);
  clock.advance(120_000);
  assert.equal(limiter.pausedUntilTime(), null);
  // The bucket was emptied by the pause; one second after it, one token.
  assert.equal((await limiter.acquire(0)).kind, 'deferred');
  clock.advance(1000);
  assert.equal((await limiter.acquire(0)).kind, 'go');
  assert.equal((await limiter.acquire(0)).kind, 'deferred');
});

test('default burst is the lesser of perMinute and 10', () => {
  const clock = new ManualClock();
  assert.equal(new RdapRateLimiter({ perMinute: 60, clock }).burst, 10);
  assert.equal(new RdapRateLimiter({ perMinute: 3, clock }).burst, 3);
  assert.throws(() => new RdapRateLimiter({ perMinute: 0, clock }));
});
