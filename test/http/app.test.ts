import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { findOrganisation } from '../../src/accounts/organisations.js';
import { SYSTEM } from '../../src/platform/context.js';
import { ERRORS } from '../../src/platform/errors.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn } from '../helpers/app.js';

test('every error of the catalogue has a Dutch message of its own', () => {
  for (const [name, e] of Object.entries(ERRORS) as Array<[string, { message: string; nl: string }]>) {
    assert.ok(e.nl.trim().length > 0 && e.nl !== e.message, name);
  }
});

describeEachApp('HTTP basics', (t) => {
  test('/healthz and /readyz answer without authentication', async () => {
    const { app } = t();
    const h = await app.inject({ url: '/healthz' });
    assert.equal(h.statusCode, 200);
    assert.deepEqual(h.json(), { status: 'ok' });
    const r = await app.inject({ url: '/readyz' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { status: 'ready' });
  });

  test('pages carry security headers and a strict CSP', async () => {
    const res = await t().app.inject({ url: '/login', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body, /<form class="stack" method="post" action="\/login">/);
  });

  test('every response has a request id; a sane incoming id is kept', async () => {
    const { app } = t();
    const a = await app.inject({ url: '/healthz' });
    assert.match(String(a.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const b = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(b.headers['x-request-id'], 'abc-123');
    const c = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } });
    assert.notEqual(c.headers['x-request-id'], 'bad id <script>');
  });

  test('errors have stable codes; unknown routes are 404 JSON for machines', async () => {
    const res = await t().app.inject({ url: '/api/v1/nothing-here' });
    assert.equal(res.statusCode, 404);
    const body = res.json();
    assert.equal(body.error.code, 'BAKEN_E_ROUTE_NOT_FOUND');
    assert.equal(body.error.request_id, res.headers['x-request-id']);
  });

  test('pages show errors in the reader’s language; the API keeps English and the stable code', async () => {
    const { app, adminEmail } = t();
    const b = await signedIn(app, adminEmail, ADMIN_PASSWORD);
    await b.get('/language/nl');
    assert.equal((await b.postForm('/admin/organisations', { name: 'Taal ISP', kind: 'operator' })).statusCode, 303);
    const twice = await b.postForm('/admin/organisations', { name: 'Taal ISP', kind: 'operator' });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /Er bestaat al een organisatie met deze naam\./);
    const missing = await b.get('/admin/organisations/999999');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /Deze organisatie bestaat niet\./);
    assert.match(missing.body, /BAKEN_E_ORG_NOT_FOUND/);
    await b.get('/language/en');
    assert.match((await b.get('/admin/organisations/999999')).body, /No such organisation\./);
    const { ctx } = t();
    const { secret } = await createApiKey(ctx, SYSTEM, { organisationId: (await findOrganisation(ctx, ctx.config.coordinatorName)).id, role: 'admin' });
    const api = await app.inject({ method: 'POST', url: '/api/v1/organisations', headers: { authorization: `Bearer ${secret}`, 'accept-language': 'nl' }, payload: { name: 'Taal ISP', kind: 'operator' } });
    assert.equal(api.statusCode, 409);
    assert.match((api.json() as { error: { message: string; code: string } }).error.message, /exists already/);
  });

  test('validation errors name each field', async () => {
    const { app, ctx } = t();
    const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
    const { secret } = await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'admin' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { authorization: `Bearer ${secret}` },
      payload: { name: '', kind: 'bank', extra: 1 },
    });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error.code, 'BAKEN_E_VALIDATION');
    const fields = body.error.problems.map((p: { field: string }) => p.field);
    assert.ok(fields.includes('name'), JSON.stringify(body));
    assert.ok(fields.includes('kind'), JSON.stringify(body));
    const bad = await app.inject({ method: 'POST', url: '/api/v1/organisations', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, payload: '{"name":' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'BAKEN_E_BAD_INPUT');
  });

  test('OpenAPI document at /api/docs/json lists the API; the UI is at /api/docs', async () => {
    const { app } = t();
    const res = await app.inject({ url: '/api/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.3');
    for (const path of ['/api/v1/organisations', '/api/v1/users', '/api/v1/api-keys', '/api/v1/audit', '/api/v1/me']) assert.ok(doc.paths[path], path);
    assert.ok(!Object.keys(doc.paths).some((p: string) => p.startsWith('/admin')), 'web pages are not in the API document');
    const ui = await app.inject({ url: '/api/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  test('metrics: admins and metrics keys only', async () => {
    const { app, ctx } = t();
    const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
    const metrics = await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'metrics' });
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${metrics.secret}` } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /baken_http_requests_total\{method="GET",route="\/healthz",status="200"\}/);
    assert.match(res.body, /baken_process_cpu_seconds_total/);
    const analyst = await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'analyst' });
    assert.equal((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${analyst.secret}` } })).statusCode, 403);
  });

  test('the stylesheet is served with an ETag', async () => {
    const { app } = t();
    const res = await app.inject({ url: '/static/baken.css' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/css/);
    const again = await app.inject({ url: '/static/baken.css', headers: { 'if-none-match': String(res.headers.etag) } });
    assert.equal(again.statusCode, 304);
  });
});
