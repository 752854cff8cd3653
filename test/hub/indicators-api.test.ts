import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation, listOrganisations } from '../../src/accounts/organisations.js';
import { SYSTEM } from '../../src/platform/context.js';
import { describeEachApp, signedIn, ADMIN_PASSWORD } from '../helpers/app.js';

describeEachApp('hub indicators and analyses over the API and the pages', (t) => {
  let analyst: Record<string, string>;
  let member: Record<string, string>;
  before(async () => {
    const { ctx } = t();
    const coordinator = (await listOrganisations(ctx)).find((o) => o.kind === 'coordinator')!;
    analyst = { authorization: `Bearer ${(await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'analyst' })).secret}` };
    const water = await createOrganisation(ctx, SYSTEM, { name: 'Waterbedrijf', kind: 'member', sector: 'drinking-water', language: 'nl', notes: null });
    member = { authorization: `Bearer ${(await createApiKey(ctx, SYSTEM, { organisationId: water.id, role: 'member' })).secret}` };
  });

  test('import as text/plain and text/csv, per-line errors; strict refuses all', async () => {
    const { app } = t();
    const plain = await app.inject({ method: 'POST', url: '/api/v1/indicators/import?tlp=GREEN&source=paste&labels=campaign-x', headers: { ...analyst, 'content-type': 'text/plain' }, payload: 'evil[.]example\n10.0.0.1\nhxxp://evil[.]example/gate\n' });
    assert.equal(plain.statusCode, 200, plain.body);
    const r = plain.json();
    assert.deepEqual([r.created, r.rejected_count, r.rejected[0].line], [2, 1, 2]);
    assert.match(r.rejected[0].reason, /private-use/);
    const csv = await app.inject({ method: 'POST', url: '/api/v1/indicators/import', headers: { ...analyst, 'content-type': 'text/csv' }, payload: 'type,value,tlp,confidence,labels\nipv4,31.149.1.7,AMBER,80,c2\n' });
    assert.equal(csv.statusCode, 200, csv.body);
    const strict = await app.inject({ method: 'POST', url: '/api/v1/indicators/import?strict=true', headers: { ...analyst, 'content-type': 'text/plain' }, payload: 'strict.example\nnope\n' });
    assert.equal(strict.statusCode, 400);
    assert.equal(strict.json().error.code, 'BAKEN_E_INDICATORS_REJECTED_STRICT');
    assert.equal(strict.json().error.problems[0].field, 'line 2');
    const json = await app.inject({ method: 'POST', url: '/api/v1/indicators/import', headers: analyst, payload: { x: 1 } });
    assert.equal(json.statusCode, 415);
  });

  test('create, find by value in any spelling, get with enrichment and history, patch', async () => {
    const { app } = t();
    const created = await app.inject({ method: 'POST', url: '/api/v1/indicators', headers: analyst, payload: { value: 'Phisher[@]Evil[.]Example', tlp: 'tlp:red', labels: ['BEC'] } });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual([created.json().type, created.json().value, created.json().tlp, created.json().enrichment], ['email', 'phisher@evil.example', 'RED', null]);
    const same = await app.inject({ method: 'POST', url: '/api/v1/indicators', headers: analyst, payload: { value: 'phisher@evil.example' } });
    assert.equal(same.statusCode, 200);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/indicators', headers: analyst, payload: { value: '127.0.0.1' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'BAKEN_E_INDICATOR_INVALID');
    const found = (await app.inject({ method: 'GET', url: `/api/v1/indicators?value=${encodeURIComponent('31[.]149[.]1[.]7')}`, headers: analyst })).json();
    assert.equal(found.indicators.length, 1);
    const ip = (await app.inject({ method: 'GET', url: `/api/v1/indicators/${found.indicators[0].id}`, headers: analyst })).json();
    assert.equal(ip.enrichment.asn, 1136);
    assert.equal(ip.enrichment.country, 'NL');
    assert.deepEqual(ip.history.map((h: { kind: string }) => h.kind), ['created']);
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/indicators/${ip.id}`, headers: analyst, payload: { labels: ['c2', 'botnet'], confidence: 95 } });
    assert.deepEqual([patched.json().labels, patched.json().confidence], [['c2', 'botnet'], 95]);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/indicators?label=c2', headers: analyst })).json();
    assert.deepEqual(list.indicators.map((i: { value: string }) => i.value), ['31.149.1.7']);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/indicators', headers: member })).statusCode, 403);
  });

  test('analyses: draft, publish, edit into version 2, versions', async () => {
    const { app } = t();
    const ids = (await app.inject({ method: 'GET', url: '/api/v1/indicators', headers: analyst })).json().indicators.map((i: { id: number }) => i.id);
    const a = await app.inject({ method: 'POST', url: '/api/v1/analyses', headers: analyst, payload: { title: 'Campaign X', body: '# X\n<img src=x onerror=alert(1)>', tlp: 'AMBER', severity: 'high', indicator_ids: ids.slice(0, 2) } });
    assert.equal(a.statusCode, 201, a.body);
    const id = a.json().id;
    assert.ok(!a.json().body_html.includes('<img'));
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/analyses/${id}/publish`, headers: analyst })).json().status, 'published');
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/analyses/${id}/publish`, headers: analyst })).statusCode, 409);
    const v2 = (await app.inject({ method: 'PATCH', url: `/api/v1/analyses/${id}`, headers: analyst, payload: { severity: 'critical' } })).json();
    assert.deepEqual([v2.version, v2.status, v2.published_version], [2, 'draft', 1]);
    const versions = (await app.inject({ method: 'GET', url: `/api/v1/analyses/${id}/versions`, headers: analyst })).json();
    assert.deepEqual(versions.map((v: { version: number; severity: string }) => [v.version, v.severity]), [[2, 'critical'], [1, 'high']]);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/analyses/${id}/versions/1`, headers: analyst })).json().indicators.length, 2);
  });

  test('pages: indicator list with search, indicator page, bulk entry with per-line errors, analyses', async () => {
    const { app, adminEmail } = t();
    const b = await signedIn(app, adminEmail, ADMIN_PASSWORD);
    const list = await b.get('/indicators?q=evil');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /evil\.example/);
    const entry = await b.postForm('/indicators/import', { text: 'page.example\n192.168.0.1\n', tlp: 'GREEN', source: 'page' });
    assert.equal(entry.statusCode, 200, entry.body);
    assert.match(entry.body, /line 2/i);
    assert.match(entry.body, /private-use/);
    const ip = (await app.inject({ method: 'GET', url: `/api/v1/indicators?value=31.149.1.7`, headers: analyst })).json().indicators[0];
    const page = await b.get(`/indicators/${ip.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /AS1136/);
    assert.match(page.body, /KPN/);
    const analyses = await b.get('/analyses');
    assert.match(analyses.body, /Campaign X/);
    const created = await b.postForm('/analyses', { title: 'From the page', body: '**bold**', tlp: 'GREEN', severity: 'low', indicators: 'page.example' });
    assert.equal(created.statusCode, 303, created.body);
    const shown = await b.get(created.headers.location as string);
    assert.match(shown.body, /<strong>bold<\/strong>/);
    assert.match(shown.body, /page\.example/);
    const nl = await b.get('/language/nl?next=/indicators');
    assert.ok(nl.statusCode === 303);
    assert.match((await b.get('/indicators')).body, /Indicatoren/);
  });
});
