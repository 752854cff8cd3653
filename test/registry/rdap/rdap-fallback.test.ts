/**
 * The RDAP fallback on both databases, against the local registry: cache per network, expiry, negative answers,
 * the rate limit (counting what the server saw), the registry's 429, failures, and the batch helper.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { BakenError } from '../../../src/platform/errors.js';
import type { Context } from '../../../src/platform/context.js';
import { createRdapFallback, rdapContactPort, type RdapFallback, type RdapLookup } from '../../../src/registry/rdap/rdap-fallback.js';
import { parseIp } from '../../../src/net/ip-address.js';
import { RdapRateLimiter } from '../../../src/registry/rdap/rdap-rate-limiter.js';
import { describeEachDatabase } from '../../helpers/databases.js';
import { startRdapServer, type RdapTestServer } from '../../helpers/rdap-server.js';

const HOUR = 3600_000;

let server: RdapTestServer;
before(async () => {
  server = await startRdapServer();
});
after(() => server.close());

/** Requests the server saw whose path starts with this, e.g. `/ripe/ip/60.` */
const seen = (prefix: string) => server.requests.filter((r) => r.path.startsWith(prefix)).length;

function kinds(results: RdapLookup[]): string[] {
  return results.map((r) => `${r.ip} ${r.kind}${'cached' in r ? (r.cached ? ' cached' : ' asked') : ''}`);
}

describeEachDatabase('RDAP fallback', (db) => {
  /** A fallback on the suite's database and clock, with an empty cache and a limiter of its own. */
  async function fresh(options: { perMinute?: number; burst?: number; maxWaitMs?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<{ rdap: RdapFallback; ctx: Context }> {
    const base = db().ctx;
    await base.db.kysely.deleteFrom('rdap_cache').execute();
    const ctx: Context = { ...base, config: { ...base.config, rdapUrl: server.ripeBase, rdapTimeoutMs: 500 } };
    const limiter = new RdapRateLimiter({ perMinute: options.perMinute ?? 600, burst: options.burst ?? 100, clock: ctx.clock, ...(options.sleep ? { sleep: options.sleep } : {}) });
    const rdap = createRdapFallback(ctx, { limiter, maxWaitMs: options.maxWaitMs ?? 0 });
    assert.ok(rdap);
    return { rdap, ctx };
  }

  async function cacheRows(ctx: Context): Promise<number> {
    const r = await sql<{ n: number }>`select count(*) as n from rdap_cache`.execute(ctx.db.kysely);
    return Number(r.rows[0]!.n);
  }

  test('is off (null) when BAKEN_RDAP_URL is not set', () => {
    assert.equal(db().ctx.config.rdapUrl, null);
    assert.equal(createRdapFallback(db().ctx), null);
  });

  test('one request per network: other addresses in it come from the cache', async () => {
    const { rdap, ctx } = await fresh();
    const before = seen('/ripe/ip/193.0.');
    const first = await rdap.lookup('193.0.6.139');
    assert.equal(first.kind, 'found');
    assert.ok(first.kind === 'found');
    assert.equal(first.cached, false);
    assert.deepEqual(first.network.abuseContacts, ['abuse@ripe.net']);
    const second = await rdap.lookup('193.0.0.1');
    assert.ok(second.kind === 'found');
    assert.equal(second.cached, true);
    assert.equal(second.ip, '193.0.0.1');
    // What comes back from the database is what the registry said.
    assert.deepEqual({ ...second.network }, { ...first.network });
    assert.equal(seen('/ripe/ip/193.0.') - before, 1);
    assert.equal(await cacheRows(ctx), 1);
  });

  test('IPv6: addresses across the /48 share one entry; IPv4-mapped addresses are looked up as IPv4', async () => {
    const { rdap } = await fresh();
    const before = server.requests.length;
    assert.equal((await rdap.lookup('2001:67c:2e8:22::c100:68b')).kind, 'found');
    const far = await rdap.lookup('2001:67c:2e8:ffff:ffff:ffff:ffff:ffff');
    assert.ok(far.kind === 'found' && far.cached && far.network.network === '2001:67c:2e8::/48');
    const outside = await rdap.lookup('2001:67c:2e9::1');
    assert.equal(outside.kind, 'not_found');
    const mapped = await rdap.lookup('::ffff:193.0.6.139');
    assert.equal(mapped.ip, '193.0.6.139');
    assert.deepEqual(server.requests.slice(before).map((r) => r.path), ['/ripe/ip/2001:67c:2e8:22::c100:68b', '/ripe/ip/2001:67c:2e9::1', '/ripe/ip/193.0.6.139']);
  });

  test('entries expire after BAKEN_RDAP_CACHE_HOURS', async () => {
    const { rdap, ctx } = await fresh();
    const clock = db().clock;
    assert.equal(ctx.config.rdapCacheHours, 168);
    const before = seen('/ripe/ip/145.100.');
    await rdap.lookup('145.100.1.1');
    clock.advance(167 * HOUR);
    assert.ok((await rdap.lookup('145.100.2.2')).kind === 'found');
    assert.equal(seen('/ripe/ip/145.100.') - before, 1);
    clock.advance(2 * HOUR);
    const again = await rdap.lookup('145.100.3.3');
    assert.ok(again.kind === 'found' && !again.cached);
    assert.deepEqual(again.network.abuseContacts, ['abuse@surf.example', 'tech-abuse@surf.example']);
    assert.equal(seen('/ripe/ip/145.100.') - before, 2);
    // The refreshed answer replaced the old row.
    assert.equal(await cacheRows(ctx), 1);
  });

  test('"nothing here" (404) is cached for that address, for a shorter time (24 hours)', async () => {
    const { rdap } = await fresh();
    const clock = db().clock;
    const before = server.hits('5.5.5.5');
    assert.deepEqual(kinds([await rdap.lookup('5.5.5.5')]), ['5.5.5.5 not_found asked']);
    clock.advance(23 * HOUR);
    assert.deepEqual(kinds([await rdap.lookup('5.5.5.5')]), ['5.5.5.5 not_found cached']);
    assert.equal(server.hits('5.5.5.5') - before, 1);
    clock.advance(2 * HOUR);
    assert.deepEqual(kinds([await rdap.lookup('5.5.5.5')]), ['5.5.5.5 not_found asked']);
    assert.equal(server.hits('5.5.5.5') - before, 2);
  });

  test('a redirected answer is cached for its network like any other', async () => {
    const { rdap } = await fresh();
    const before = server.requests.length;
    const r = await rdap.lookupMany(['8.8.8.8', '8.8.8.4']);
    assert.deepEqual(kinds(r), ['8.8.8.8 found asked', '8.8.8.4 found cached']);
    const first = r[0]!;
    assert.ok(first.kind === 'found');
    assert.deepEqual(first.network.abuseContacts, ['network-abuse@google.com']);
    assert.equal(first.network.sourceUrl, `${server.arinBase}/ip/8.8.8.8`);
    assert.equal(server.requests.length - before, 2);
    assert.ok((await rdap.lookup('8.8.8.200')).kind === 'found');
    assert.equal(server.requests.length - before, 2);
  });

  test('the rate limit: past it, lookups are deferred and the registry sees nothing more', async () => {
    const { rdap } = await fresh({ perMinute: 3, burst: 3, maxWaitMs: 0 });
    const clock = db().clock;
    const before = seen('/ripe/ip/60.');
    const r = await rdap.lookupMany(['60.1.0.1', '60.1.0.2', '60.2.0.1', '60.3.0.1', '60.4.0.1', '60.5.0.1', '60.1.0.1']);
    assert.deepEqual(kinds(r), ['60.1.0.1 found asked', '60.1.0.2 found cached', '60.2.0.1 found asked', '60.3.0.1 found asked', '60.4.0.1 deferred', '60.5.0.1 deferred']);
    assert.equal(seen('/ripe/ip/60.') - before, 3);
    const deferred = r[4]!;
    assert.ok(deferred.kind === 'deferred');
    assert.equal(deferred.reason, 'rate_limit');
    // Three a minute: the next token comes 20 s later.
    assert.equal(deferred.retryAt, new Date(clock.now().getTime() + 20_000).toISOString());
    clock.advance(20_000);
    assert.deepEqual(kinds(await rdap.lookupMany(['60.4.0.1', '60.5.0.1', '60.2.0.9'])), ['60.4.0.1 found asked', '60.5.0.1 deferred', '60.2.0.9 found cached']);
    assert.equal(seen('/ripe/ip/60.') - before, 4);
  });

  test('callers wait for a token up to the bound, and no longer', async () => {
    const clock = db().clock;
    const waits: number[] = [];
    const { rdap } = await fresh({
      perMinute: 60,
      burst: 1,
      maxWaitMs: 1500,
      sleep: async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      },
    });
    const r = await rdap.lookupMany(['60.10.0.1', '60.11.0.1', '60.12.0.1']);
    assert.deepEqual(kinds(r), ['60.10.0.1 found asked', '60.11.0.1 found asked', '60.12.0.1 found asked']);
    assert.deepEqual(waits, [1000, 1000]);
    // With no wait allowed, the same situation defers.
    assert.equal((await rdap.lookup('60.13.0.1', { maxWaitMs: 0 })).kind, 'deferred');
  });

  test('concurrent callers asking about one network cause one request', async () => {
    const { rdap } = await fresh();
    const before = seen('/ripe/ip/60.30.');
    const r = await Promise.all(['60.30.0.1', '60.30.0.2', '60.30.0.3', '60.30.0.4'].map((ip) => rdap.lookup(ip)));
    assert.ok(r.every((x) => x.kind === 'found'));
    assert.equal(seen('/ripe/ip/60.30.') - before, 1);
  });

  test("the registry's 429 pauses every lookup for its Retry-After", async () => {
    const { rdap } = await fresh();
    const clock = db().clock;
    const r = await rdap.lookup('6.6.6.6');
    assert.ok(r.kind === 'deferred');
    assert.equal(r.reason, 'registry_backoff');
    assert.equal(r.retryAt, new Date(clock.now().getTime() + 120_000).toISOString());
    const before = server.requests.length;
    assert.equal((await rdap.lookup('60.20.0.1', { maxWaitMs: 60_000 })).kind, 'deferred');
    assert.equal(server.requests.length, before, 'nothing sent during the pause');
    clock.advance(121_000);
    assert.equal((await rdap.lookup('60.20.0.1')).kind, 'found');
    assert.equal(server.requests.length, before + 1);
  });

  test('registry failures are results, not cached: timeout, 5xx, malformed JSON', async () => {
    const { rdap, ctx } = await fresh();
    const failed = async (ip: string, code: string) => {
      const r = await rdap.lookup(ip);
      assert.ok(r.kind === 'failed', `${ip}: ${r.kind}`);
      assert.equal(r.error.code, code);
    };
    await failed('7.7.7.7', 'BAKEN_E_RDAP_TIMEOUT');
    await failed('11.11.11.11', 'BAKEN_E_RDAP_UNAVAILABLE');
    await failed('9.9.9.9', 'BAKEN_E_RDAP_BAD_RESPONSE');
    await failed('11.11.11.11', 'BAKEN_E_RDAP_UNAVAILABLE');
    assert.equal(server.hits('11.11.11.11') >= 2, true);
    assert.equal(await cacheRows(ctx), 0);
  });

  test('special-purpose addresses are never sent; bad input is a validation error', async () => {
    const { rdap } = await fresh();
    const before = server.requests.length;
    const r = await rdap.lookupMany(['10.1.2.3', '192.0.2.1', 'fe80::1', '127.0.0.1']);
    assert.deepEqual(r.map((x) => x.kind), ['special_purpose', 'special_purpose', 'special_purpose', 'special_purpose']);
    const first = r[0]!;
    assert.ok(first.kind === 'special_purpose' && /RFC 1918/.test(first.reason));
    assert.equal(server.requests.length, before);
    await assert.rejects(rdap.lookup('300.1.2.3'), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_VALIDATION');
    await assert.rejects(rdap.lookupMany(['60.1.0.1', 'nonsense']), (e: unknown) => e instanceof BakenError && /ips\[1\]/.test(e.message));
    assert.equal(server.requests.length, before, 'nothing asked when the batch has a bad address');
  });

  test('purgeExpired deletes expired entries only', async () => {
    const { rdap, ctx } = await fresh();
    const clock = db().clock;
    await rdap.lookup('5.5.5.5');
    await rdap.lookup('193.0.6.139');
    assert.equal(await rdap.purgeExpired(), 0);
    clock.advance(25 * HOUR);
    assert.equal(await rdap.purgeExpired(), 1);
    assert.equal(await cacheRows(ctx), 1);
  });
});

describeEachDatabase('RDAP fallback as the resolver port', (db) => {
  test('found networks become contact hits; everything else null; no fallback, no port', async () => {
    const base = db().ctx;
    const ctx: Context = { ...base, config: { ...base.config, rdapUrl: server.ripeBase, rdapTimeoutMs: 500 } };
    const port = rdapContactPort(createRdapFallback(ctx, { limiter: new RdapRateLimiter({ perMinute: 600, clock: ctx.clock }) }));
    assert.ok(port);
    assert.deepEqual(await port.lookup(parseIp('193.0.6.139')), {
      network: '193.0.0.0/21',
      abuseContacts: ['abuse@ripe.net'],
      registryDate: db().clock.now().toISOString(),
    });
    assert.equal(await port.lookup(parseIp('5.5.5.5')), null);
    assert.equal(await port.lookup(parseIp('11.11.11.11')), null);
    assert.equal(rdapContactPort(createRdapFallback(base)), null);
  });
});
