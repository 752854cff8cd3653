/** Reports in through the public form and the API; handlers over the API and the pages; the baken case command. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { findOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { SYSTEM } from '../../src/platform/context.js';
import { describeEachApp, signedIn, Browser } from '../helpers/app.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';

function multipart(fields: Record<string, string>, files: Record<string, { filename: string; type: string; content: string }> = {}): { body: Buffer; type: string } {
  const boundary = '----bakentest' + Math.random().toString(36).slice(2);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  for (const [k, f] of Object.entries(files)) parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"; filename="${f.filename}"\r\ncontent-type: ${f.type}\r\n\r\n${f.content}\r\n`);
  return { body: Buffer.from(parts.join('') + `--${boundary}--\r\n`), type: `multipart/form-data; boundary=${boundary}` };
}

async function postReportForm(b: Browser, fields: Record<string, string>, files: Parameters<typeof multipart>[1] = {}, ip = '198.51.100.10') {
  await b.get('/report');
  const { body, type } = multipart({ _csrf: b.csrf, ...fields }, files);
  return b.request({ method: 'POST', url: '/report', headers: { 'content-type': type, accept: 'text/html' }, payload: body, remoteAddress: ip });
}

describeEachApp(
  'hotline over HTTP',
  (t) => {
    test('the public form: a report with a hosts file becomes a case, the reporter gets a status link and a receipt', async () => {
      const { app, ctx } = t();
      const b = new Browser(app);
      const res = await postReportForm(
        b,
        { title: 'Exposed Redis', description: 'No auth', classification: 'vulnerable/vulnerable-system', cves: 'CVE-2022-0543', email: 'Researcher@Example.org', name: 'R. Searcher', may_credit: '1', format: 'auto', website: '' },
        { hosts_file: { filename: 'hosts.txt', type: 'text/plain', content: '31.149.1.1\n31.149.1.2:6379\n10.0.0.1\n' } },
      );
      assert.equal(res.statusCode, 201, res.body);
      const caseId = /BKN-\d{4}-\d{5}/.exec(res.body)?.[0];
      assert.ok(caseId);
      const link = /href="(http[^"]+\/reports\/status\/([A-Za-z0-9_-]{43}))"/.exec(res.body);
      assert.ok(link, 'status link');
      assert.match(res.body, /2 addresses were taken; 1 lines could not be used/);
      const status = await app.inject({ method: 'GET', url: `/reports/status/${link[2]}`, headers: { accept: 'text/html' } });
      assert.equal(status.statusCode, 200);
      assert.match(status.body, new RegExp(`Your report ${caseId} is: received`));
      assert.doesNotMatch(status.body, /31\.149|researcher@example/i, 'no addresses, no personal data on the status page');
      const receipt = await ctx.db.kysely.selectFrom('outbox').selectAll().where('topic', '=', 'hotline.receipt').execute();
      assert.equal(receipt.length, 1);
      assert.equal(receipt[0]!.destination, 'researcher@example.org');
      assert.ok(JSON.parse(receipt[0]!.payload).text.includes(link[1]!));
      const stored = await ctx.db.kysely.selectFrom('reports').selectAll().executeTakeFirstOrThrow();
      assert.notEqual(stored.status_token_hash, link[2], 'the token is stored hashed');
      assert.equal(stored.may_credit, 1);
      // A wrong token shows nothing.
      const wrong = await app.inject({ method: 'GET', url: `/reports/status/${'A'.repeat(43)}`, headers: { accept: 'text/html' } });
      assert.equal(wrong.statusCode, 404);
    });

    test('the public form: honeypot drops silently, bad input keeps nothing, CSRF, size and rate limits', async () => {
      const { app, ctx } = t();
      const count = async () => Number((await ctx.db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      const b = new Browser(app);
      const bot = await postReportForm(b, { title: 'Cheap pills', email: 'bot@spam.example', website: 'http://spam.example' }, {}, '198.51.100.20');
      assert.equal(bot.statusCode, 200);
      assert.match(bot.body, /Thank you/);
      assert.doesNotMatch(bot.body, /reports\/status/);
      assert.equal(await count(), before, 'the bot report was dropped');
      const bad = await postReportForm(b, { title: 'Only private space', email: 'me@example.org', hosts: '10.0.0.1\n192.168.1.1\n' }, {}, '198.51.100.20');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /no valid host/i);
      assert.match(bad.body, /Only private space/, 'the form keeps its values');
      assert.equal(await count(), before, 'a refused upload saves no case');
      const noCsrf = await app.inject({ method: 'POST', url: '/report', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: 'title=x&email=a%40b.example', remoteAddress: '198.51.100.21' });
      assert.equal(noCsrf.statusCode, 403);
      const big = await postReportForm(b, { title: 'Too big', email: 'me@example.org', hosts: '31.149.1.1\n'.repeat(8000) }, {}, '198.51.100.22');
      assert.equal(big.statusCode, 413);
      // The limit is per address: BAKEN_REPORTS_PER_HOUR is 3 in this suite.
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await postReportForm(new Browser(app), { title: `Rate ${i}`, email: 'me@example.org' }, {}, '198.51.100.30')).statusCode);
      assert.deepEqual(statuses, [201, 201, 201, 429]);
      assert.equal((await postReportForm(new Browser(app), { title: 'Other address', email: 'me@example.org' }, {}, '198.51.100.31')).statusCode, 201);
    });

    test('the reports API: JSON with hosts, later hosts with the status token, status as JSON', async () => {
      const { app } = t();
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        remoteAddress: '198.51.100.40',
        payload: { title: 'Infected NAS', classification: 'malicious-code/infected-system', reporter: { email: 'api@example.org' }, hosts: { text: '31.149.2.1\n31.149.2.2\n192.0.2.1\n', format: 'ips' } },
      });
      assert.equal(res.statusCode, 201, res.body);
      const r = res.json();
      assert.match(r.case_id, /^BKN-\d{4}-\d{5}$/);
      assert.equal(r.upload.hosts, 2);
      assert.equal(r.upload.rejected, 1);
      assert.equal(r.upload.rejected_lines[0].line, 3);
      const more = await app.inject({ method: 'POST', url: `/api/v1/reports/${r.case_id}/hosts?format=ips`, headers: { 'content-type': 'text/plain', 'x-report-token': r.status_token }, payload: '31.149.2.2\n31.149.2.3\n', remoteAddress: '198.51.100.40' });
      assert.equal(more.statusCode, 201, more.body);
      assert.deepEqual([more.json().hosts, more.json().already_in_case], [1, 1]);
      const wrong = await app.inject({ method: 'POST', url: `/api/v1/reports/${r.case_id}/hosts`, headers: { 'content-type': 'text/plain', 'x-report-token': 'B'.repeat(43) }, payload: '31.149.2.9\n', remoteAddress: '198.51.100.40' });
      assert.equal(wrong.statusCode, 404);
      const status = await app.inject({ method: 'GET', url: '/api/v1/reports/status', headers: { 'x-report-token': r.status_token } });
      assert.equal(status.statusCode, 200);
      assert.deepEqual([status.json().state, status.json().hosts], ['received', 3]);
      const invalid = await app.inject({ method: 'POST', url: '/api/v1/reports', remoteAddress: '198.51.100.41', payload: { title: 'x', reporter: { email: 'not an email' } } });
      assert.equal(invalid.statusCode, 400);
    });

    test('handlers: API state changes (refused ones 409), recipients, pages', async () => {
      const { app, ctx } = t();
      const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
      const { secret } = await createApiKey(ctx, SYSTEM, { organisationId: coordinator.id, role: 'handler' });
      const auth = { authorization: `Bearer ${secret}` };
      const created = await app.inject({ method: 'POST', url: '/api/v1/cases', headers: auth, payload: { title: 'Handler case', hosts: { text: '31.149.3.1\n31.149.3.2:443\n5.0.0.1\n' } } });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().case.case_id;
      assert.equal(created.json().case.state, 'triage');
      const refused = await app.inject({ method: 'POST', url: `/api/v1/cases/${id}/state`, headers: auth, payload: { state: 'closed' } });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error.code, 'BAKEN_E_CASE_TRANSITION');
      const ok = await app.inject({ method: 'POST', url: `/api/v1/cases/${id}/state`, headers: auth, payload: { state: 'validated' } });
      assert.equal(ok.json().state, 'validated');
      const hosts = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}/hosts?filter=in`, headers: auth });
      assert.ok(hosts.json().hosts.every((h: { country: string }) => h.country === 'NL'));
      const unassigned = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}/unassigned`, headers: auth });
      assert.equal(unassigned.statusCode, 200);
      const events = await app.inject({ method: 'GET', url: `/api/v1/cases/${id}/events`, headers: auth });
      assert.deepEqual(events.json().map((e: { kind: string }) => e.kind), ['created', 'hosts', 'state']);

      await createUser(ctx, SYSTEM, { email: 'handler@hotline.example', role: 'handler', organisationId: coordinator.id, password: 'a handler password' });
      const h = await signedIn(app, 'handler@hotline.example', 'a handler password');
      const list = await h.get('/cases?state=validated');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, new RegExp(id));
      const pageRes = await h.get(`/cases/${id}`);
      assert.equal(pageRes.statusCode, 200);
      assert.match(pageRes.body, /data-testid="hosts-summary"[^>]*>Hosts: 3 in all, 2 in scope, 1 out of scope/);
      const moved = await h.postForm(`/cases/${id}/state`, { state: 'notifying' });
      assert.equal(moved.statusCode, 303);
      const again = await h.postForm(`/cases/${id}/state`, { state: 'received' });
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /cannot become received/);
      assert.equal((await h.postForm(`/cases/${id}/comment`, { body: 'Round one out.' })).statusCode, 303);
      const hostPage = await h.get(`/cases/${id}/hosts`);
      assert.match(hostPage.body, /31\.149\.3\.1/);
    });
  },
  { config: { reportsPerHour: 3, bodyLimitBytes: 64 * 1024 } },
);

describeEachDatabase('baken case', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('create with hosts, show, validate, close; refusals exit non-zero with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baken-case-'));
    const file = join(dir, 'hosts.csv');
    writeFileSync(file, 'ip,port,product\n31.149.4.1,443,panel\n31.149.4.2,8443,panel\n10.1.2.3,80,panel\n');
    const created = await baken('case', 'create', '--title', 'Exposed panels', '--hosts', file, '--format', 'csv', '--classification', 'vulnerable/vulnerable-system');
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^BKN-\d{4}-00001$/);
    assert.match(created.stderr, /2 hosts \(csv\)/);
    const shown = await baken('case', 'show', id, '--json');
    assert.equal(shown.code, 0, shown.stderr);
    const c = JSON.parse(shown.stdout);
    assert.deepEqual([c.state, c.hosts.total, c.hosts.in_scope, c.rejected_lines], ['triage', 2, 2, 1]);
    const text = await baken('case', 'show', id);
    assert.match(text.stdout, new RegExp(`${id}  triage  Exposed panels`));
    const closeEarly = await baken('case', 'close', id);
    assert.notEqual(closeEarly.code, 0);
    assert.match(closeEarly.stderr, /^baken: error: .*triage and cannot become closed/);
    assert.equal((await baken('case', 'validate', id)).stdout.trim(), `${id} is validated`);
    assert.equal((await baken('case', 'close', id)).stdout.trim(), `${id} is closed`);
    const strict = await baken('case', 'create', '--title', 'Strict', '--hosts', file, '--strict');
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /line 4/);
    const list = await db().ctx.db.kysely.selectFrom('cases').select('case_id').execute();
    assert.equal(list.length, 1, 'a refused strict upload leaves no case behind');
    const missing = await baken('case', 'show', 'BKN-2000-00001');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such case/);
  });
});
