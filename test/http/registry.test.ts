import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { findOrganisation } from '../../src/accounts/organisations.js';
import { SYSTEM } from '../../src/platform/context.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn } from '../helpers/app.js';

describeEachApp('registry over HTTP: lookup and operator directory', (t) => {
  let auth: Record<string, string>;
  before(async () => {
    const { ctx } = t();
    const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
    const { secret } = await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'handler' });
    auth = { authorization: `Bearer ${secret}` };
  });

  test('GET /api/v1/lookup answers from the bundled data: 31.149.1.1 is AS1136 (KPN) in NL', async () => {
    const res = await t().app.inject({ url: '/api/v1/lookup?ip=31.149.1.1', headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.deepEqual(Object.keys(r), ['ip', 'network', 'asn', 'as_name', 'country', 'operator', 'abuse_contacts', 'contact_source', 'registry_date']);
    assert.equal(r.asn, 1136);
    assert.match(r.as_name, /KPN/);
    assert.equal(r.country, 'NL');
    const bad = await t().app.inject({ url: '/api/v1/lookup?ip=31.149.1.300', headers: auth });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.problems[0].field, 'ip');
  });

  test('operators via the API; the lookup then shows the manual contact and its source', async () => {
    const { app } = t();
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/operators',
      headers: auth,
      payload: { name: 'KPN', language: 'nl', asns: ['AS1136'], abuse_contacts: ['Abuse <ABUSE@kpn.example>'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(created.json().abuse_contacts, ['abuse@kpn.example']);
    const r = (await app.inject({ url: '/api/v1/lookup?ip=31.149.1.1', headers: auth })).json();
    assert.deepEqual([r.operator.name, r.abuse_contacts, r.contact_source], ['KPN', ['abuse@kpn.example'], 'manual']);
    const bulk = await app.inject({ method: 'POST', url: '/api/v1/lookup', headers: auth, payload: { ips: ['31.149.1.1', 'nope', '2a02:a440::1'] } });
    const results = bulk.json().results;
    assert.equal(results.length, 3);
    assert.match(results[1].error, /nope/);
    assert.equal(results[2].operator.name, 'KPN');
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/operators/${created.json().id}`, headers: auth, payload: { prefixes: ['31.149.0.0/16'] } });
    assert.deepEqual(patched.json().prefixes, ['31.149.0.0/16']);
    const wrong = await app.inject({ method: 'PATCH', url: `/api/v1/operators/${created.json().id}`, headers: auth, payload: { prefixes: ['31.149.0.1/16'] } });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.json().error.message, /host bits/);
  });

  test('CSV export and import over the API', async () => {
    const { app } = t();
    const csv = await app.inject({ url: '/api/v1/operators/export.csv', headers: auth });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(csv.body, /^name,asns,prefixes,abuse_contacts,language,notes\nKPN,AS1136,31\.149\.0\.0\/16,abuse@kpn\.example,nl,\n$/);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/operators/import', headers: { ...auth, 'content-type': 'text/csv' }, payload: 'name,asns\nSURF,AS1103\n' });
    assert.deepEqual(ok.json(), { created: 1, updated: 0 });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/operators/import', headers: { ...auth, 'content-type': 'text/csv' }, payload: 'name,asns\nA,AS1\nB,ASx\n' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error.problems, [{ field: 'line 3, asns', message: '"ASx" is not an AS number (AS1 to AS4294967295)' }]);
    assert.equal((await app.inject({ url: '/api/v1/operators?q=AS1', headers: auth })).json().length, 0, 'the refused file added nothing');
  });

  test('the lookup and operator pages work without JavaScript', async () => {
    const { app, adminEmail } = t();
    const b = await signedIn(app, adminEmail, ADMIN_PASSWORD);
    const page = await b.postForm('/lookup', { ips: '31.149.1.1\nbad-address\n145.97.1.1' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /AS1136/);
    assert.match(page.body, /abuse@kpn\.example/);
    assert.match(page.body, /bad-address/);
    const created = await b.postForm('/operators', { name: 'Voorbeeld Hosting', asns: 'AS64500', prefixes: '192.0.2.0/24', contacts: 'abuse@hosting.example', language: 'en' });
    assert.equal(created.statusCode, 303);
    const list = await b.get('/operators?q=AS64500');
    assert.match(list.body, /Voorbeeld Hosting/);
    const refused = await b.postForm('/operators/import', { csv: 'name,asns\nX,AS0\n' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /line 2, asns/);
  });
});
