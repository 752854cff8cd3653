/** The HTTP client against the local RDAP server: extraction, redirects, 404, 429, timeouts and bad answers. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseIp } from '../../../src/net/ip-address.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { BakenError } from '../../../src/platform/errors.js';
import { HttpRdapClient } from '../../../src/registry/rdap/http-rdap-client.js';
import { RdapRateLimitedError, parseRetryAfter } from '../../../src/registry/rdap/rdap-rate-limited-error.js';
import { freePort } from '../../helpers/ports.js';
import { startRdapServer, type RdapTestServer } from '../../helpers/rdap-server.js';

const rejectsWith = (p: Promise<unknown>, code: string, detail?: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BakenError, String(e));
    assert.equal(e.code, code);
    if (detail) assert.match(e.message, detail);
    return true;
  });

describe('HttpRdapClient against a local registry', () => {
  let server: RdapTestServer;
  let client: HttpRdapClient;
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  before(async () => {
    server = await startRdapServer();
    client = new HttpRdapClient({ baseUrl: `${server.ripeBase}/`, timeoutMs: 500, clock });
  });
  after(() => server.close());

  test('RIPE style: the abuse role under the network, and what else the registry says', async () => {
    const net = await client.lookupIp(parseIp('193.0.6.139'));
    assert.ok(net);
    assert.equal(net.network, '193.0.0.0/21');
    assert.equal(net.handle, '193.0.0.0 - 193.0.7.255');
    assert.equal(net.name, 'RIPE-NCC');
    assert.equal(net.country, 'NL');
    assert.deepEqual(net.abuseContacts, ['abuse@ripe.net']);
    assert.equal(net.source, 'rdap');
    assert.equal(net.fetchedAt, '2026-03-01T10:00:00.000Z');
    assert.equal(net.sourceUrl, `${server.ripeBase}/ip/193.0.6.139`);
    const last = server.requests.at(-1)!;
    assert.equal(last.path, '/ripe/ip/193.0.6.139');
    assert.match(last.accept ?? '', /^application\/rdap\+json/);
  });

  test('IPv6, range from cidr0_cidrs', async () => {
    const net = await client.lookupIp(parseIp('2001:67c:2e8:22::c100:68b'));
    assert.equal(net?.network, '2001:67c:2e8::/48');
    assert.deepEqual(net?.abuseContacts, ['abuse@ripe.net']);
    assert.equal(server.requests.at(-1)!.path, '/ripe/ip/2001:67c:2e8:22::c100:68b');
  });

  test('the abuse role under the registrant organisation, cleaned', async () => {
    const net = await client.lookupIp(parseIp('145.100.1.1'));
    assert.deepEqual(net?.abuseContacts, ['abuse@surf.example', 'tech-abuse@surf.example']);
    assert.equal(net?.network, '145.100.0.0/16');
  });

  test('a network without an abuse role has no contacts', async () => {
    const net = await client.lookupIp(parseIp('62.0.1.1'));
    assert.equal(net?.name, 'NO-ABUSE-NET');
    assert.deepEqual(net?.abuseContacts, []);
  });

  test('follows a 301 to the registry that holds the address (ARIN style nesting)', async () => {
    const before = server.requests.length;
    const net = await client.lookupIp(parseIp('8.8.8.8'));
    assert.ok(net);
    assert.equal(net.network, '8.8.8.0/24');
    assert.equal(net.handle, 'NET-8-8-8-0-2');
    assert.equal(net.country, null);
    assert.deepEqual(net.abuseContacts, ['network-abuse@google.com']);
    assert.equal(net.sourceUrl, `${server.arinBase}/ip/8.8.8.8`);
    assert.deepEqual(server.requests.slice(before).map((r) => r.path), ['/ripe/ip/8.8.8.8', '/arin/registry/ip/8.8.8.8']);
  });

  test('404 is "no data": null', async () => {
    assert.equal(await client.lookupIp(parseIp('5.5.5.5')), null);
  });

  test('429 is RDAP_RATE_LIMITED with the Retry-After in milliseconds', async () => {
    await assert.rejects(client.lookupIp(parseIp('6.6.6.6')), (e: unknown) => {
      assert.ok(e instanceof RdapRateLimitedError);
      assert.equal(e.code, 'BAKEN_E_RDAP_RATE_LIMITED');
      assert.equal(e.retryAfterMs, 120_000);
      return true;
    });
  });

  test('an answer slower than the timeout is RDAP_TIMEOUT', async () => {
    const started = Date.now();
    await rejectsWith(client.lookupIp(parseIp('7.7.7.7')), 'BAKEN_E_RDAP_TIMEOUT', /500 ms/);
    assert.ok(Date.now() - started < 1500, 'gave up at the timeout');
  });

  test('malformed JSON and a non-network object are RDAP_BAD_RESPONSE naming the URL', async () => {
    await rejectsWith(client.lookupIp(parseIp('9.9.9.9')), 'BAKEN_E_RDAP_BAD_RESPONSE', /\/ripe\/ip\/9\.9\.9\.9 did not send JSON/);
    await rejectsWith(client.lookupIp(parseIp('12.12.12.12')), 'BAKEN_E_RDAP_BAD_RESPONSE', /"domain", not an "ip network"/);
  });

  test('5xx is RDAP_UNAVAILABLE with the status', async () => {
    await rejectsWith(client.lookupIp(parseIp('11.11.11.11')), 'BAKEN_E_RDAP_UNAVAILABLE', /answered 503/);
  });

  test('a registry that cannot be reached is RDAP_UNAVAILABLE', async () => {
    const port = await freePort();
    const nowhere = new HttpRdapClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    await rejectsWith(nowhere.lookupIp(parseIp('193.0.6.139')), 'BAKEN_E_RDAP_UNAVAILABLE', /ECONNREFUSED/);
  });
});

test('parseRetryAfter reads seconds and HTTP dates', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 10:01:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(null, now), null);
});
