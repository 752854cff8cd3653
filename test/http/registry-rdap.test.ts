/** The RDAP fallback end to end: a lookup over the API asks a (local) registry only when nothing local knows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { findOrganisation } from '../../src/accounts/organisations.js';
import { SYSTEM } from '../../src/platform/context.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { DialectName } from '../../src/platform/db/database.js';
import { describeEachDialect } from '../helpers/databases.js';
import { startRdapServer, type RdapTestServer } from '../helpers/rdap-server.js';

interface Fixture {
  t: TestApp;
  rdap: RdapTestServer;
  auth: Record<string, string>;
  close(): Promise<void>;
}

async function withRdap(dialect: DialectName): Promise<Fixture> {
  const rdap = await startRdapServer();
  const t = await createTestApp(dialect, { config: { rdapUrl: rdap.ripeBase } });
  const coordinator = await findOrganisation(t.ctx, t.ctx.config.coordinatorName);
  const auth = { authorization: `Bearer ${(await createApiKey(t.ctx, SYSTEM, { organisationId: coordinator.id, role: 'handler' })).secret}` };
  return { t, rdap, auth, close: async () => (await t.close(), await rdap.close()) };
}

describeEachDialect('lookup with the RDAP fallback switched on', withRdap, (f) => {
  test('an address without local contacts gets its abuse contact from RDAP, once per network', async () => {
    const { t, rdap, auth } = f();
    const first = await t.app.inject({ url: '/api/v1/lookup?ip=193.0.0.10', headers: auth });
    assert.equal(first.statusCode, 200, first.body);
    const r = first.json();
    assert.equal(r.contact_source, 'rdap');
    assert.ok(r.abuse_contacts.length > 0);
    assert.equal(r.network, '193.0.0.0/21');
    const again = await t.app.inject({ url: '/api/v1/lookup?ip=193.0.3.3', headers: auth });
    assert.deepEqual(again.json().abuse_contacts, r.abuse_contacts);
    assert.equal(rdap.requests.length, 1, 'the second address in the same network came from the cache');
  });

  test('private and documentation space is never sent to the registry', async () => {
    const { t, rdap, auth } = f();
    const before = rdap.requests.length;
    for (const ip of ['10.1.2.3', '192.0.2.7', '2001:db8::1']) {
      const r = (await t.app.inject({ url: `/api/v1/lookup?ip=${ip}`, headers: auth })).json();
      assert.equal(r.contact_source, null, ip);
    }
    assert.equal(rdap.requests.length, before);
  });
});
