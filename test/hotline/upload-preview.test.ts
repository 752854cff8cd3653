/**
 * The mapping and preview step before an upload is saved (API, case page, report form), and MISP warninglists
 * flagging known false positives in uploads (setting, pages, API, CLI).
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { previewUpload } from '../../src/hotline/cases/preview-upload.js';
import { warninglistsIn } from '../../src/hotline/cases/upload-warninglists.js';
import type { Context } from '../../src/platform/context.js';
import { ADMIN_PASSWORD, Browser, describeEachApp, signedIn } from '../helpers/app.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';

const LISTS = fileURLToPath(new URL('../../../test/fixtures/hotline/warninglists/misp-layout', import.meta.url));
const MISP = fileURLToPath(new URL('../../../../shared/samples/misp/warninglists', import.meta.url));
const LIST_NAME = 'Baken test: known research scanners';

const CSV = ['Address,Port,First_Seen,Product', '31.149.1.1,443,2026-11-20 10:11:12,Citrix ADC', '10.0.0.1,443,,Citrix ADC', '31.149.1.9,8443,1795169472,"Fortinet ""FortiGate"""', '31.149.1.9,99999,,x', ''].join('\n');

function multipart(fields: Record<string, string>, files: Record<string, { filename: string; type: string; content: string | Buffer }> = {}): { body: Buffer; type: string } {
  const boundary = '----bakenpreview' + Math.random().toString(36).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const [k, f] of Object.entries(files)) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"; filename="${f.filename}"\r\ncontent-type: ${f.type}\r\n\r\n`), Buffer.from(f.content), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

function postMultipart(b: Browser, url: string, fields: Record<string, string>, files: Parameters<typeof multipart>[1] = {}, ip = '198.51.100.20') {
  const { body, type } = multipart({ _csrf: b.csrf, ...fields }, files);
  return b.request({ method: 'POST', url, headers: { 'content-type': type, accept: 'text/html' }, payload: body, remoteAddress: ip });
}

/** The hidden fields and selected options of the preview form, as a browser would send them back. */
function formOf(html: string): Record<string, string> {
  const form = /<form[^>]*data-testid="preview-form"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  assert.ok(form, 'the preview form');
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) out[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected/.exec(m[2]!);
    if (selected) out[m[1]!] = selected[1]!;
  }
  for (const m of form.matchAll(/<input type="checkbox" name="(extra_column_\d+)" value="([^"]*)" checked/g)) out[m[1]!] = m[2]!;
  return out;
}

async function hostCount(ctx: Context): Promise<number> {
  const r = await ctx.db.kysely.selectFrom('case_hosts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

test('BAKEN_WARNINGLISTS_DIR: off by default, a directory when set', () => {
  assert.equal(loadConfig({ env: {} }).warninglistsDir, null);
  assert.equal(loadConfig({ env: { BAKEN_WARNINGLISTS_DIR: ' /srv/misp-warninglists ' } }).warninglistsDir, '/srv/misp-warninglists');
});

test('warninglists are read once per directory; lists without addresses are skipped', async () => {
  const a = await warninglistsIn(LISTS);
  assert.deepEqual(a.lists.map((l) => l.name), [LIST_NAME]);
  assert.deepEqual(a.skipped.map((s) => s.name), ['Baken test: empty hashes']);
  assert.equal(await warninglistsIn(join(LISTS, '.')), a, 'the same lists, not read again');
  await assert.rejects(warninglistsIn(join(LISTS, 'missing')));
});

test('smoke: the reference misp-warninglists flag public DNS resolvers in a preview', { skip: existsSync(MISP) ? false : 'no shared samples' }, async () => {
  const { lists } = await warninglistsIn(MISP);
  const ctx = { config: loadConfig({ env: {} }) } as unknown as Context;
  const p = await previewUpload(ctx, '8.8.8.8\n31.149.1.1\n', { warninglists: lists });
  assert.ok(p.hosts[0]!.warnings.length > 0, '8.8.8.8 is on a list');
  assert.deepEqual(p.hosts[1]!.warnings, []);
});

describeEachApp(
  'upload preview and warninglists over HTTP',
  (t) => {
    const newCase = async (title: string): Promise<string> => {
      const { app } = t();
      const b = await signedIn(app, t().adminEmail, ADMIN_PASSWORD);
      await b.get('/cases');
      const res = await b.request({ method: 'POST', url: '/api/v1/cases', headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf }, payload: { title } });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().case.case_id as string;
    };

    test('API: preview returns format, columns, guessed mapping, first rows with warnings and rejected lines; saves nothing', async () => {
      const { app, ctx } = t();
      const b = await signedIn(app, t().adminEmail, ADMIN_PASSWORD);
      const id = await newCase('Preview over the API');
      const before = await hostCount(ctx);
      const api = (url: string, payload: string | Buffer, type = 'text/csv') => b.request({ method: 'POST', url, headers: { 'content-type': type, 'x-csrf-token': b.csrf }, payload });
      const res = await api(`/api/v1/cases/${id}/hosts/preview`, CSV);
      assert.equal(res.statusCode, 200, res.body);
      const p = res.json();
      assert.equal(p.format, 'csv');
      assert.deepEqual(p.columns, ['Address', 'Port', 'First_Seen', 'Product']);
      assert.deepEqual(p.mapping, { ip: 'Address', port: 'Port', timestamp: 'First_Seen', extra: ['Product'] });
      assert.deepEqual(p.hosts.map((h: { ip: string; warnings: string[] }) => [h.ip, h.warnings]), [['31.149.1.1', [LIST_NAME]], ['31.149.1.9', []]]);
      assert.equal(p.hosts[1].extra.Product, 'Fortinet "FortiGate"');
      assert.deepEqual(p.rejected.map((r: { line: number; field: string }) => [r.line, r.field]), [[3, 'ip'], [5, 'port']]);
      assert.equal(p.error, null);
      assert.equal(await hostCount(ctx), before, 'a preview saves nothing');

      // A header without an address column: the error and the columns, then the mapping from the query.
      const odd = 'name,where,when\nrouter,31.149.1.2,2026-11-20\n';
      const bad = (await api(`/api/v1/cases/${id}/hosts/preview?format=csv`, odd)).json();
      assert.deepEqual(bad.columns, ['name', 'where', 'when']);
      assert.equal(bad.error.code, 'header');
      const mapped = (await api(`/api/v1/cases/${id}/hosts/preview?format=csv&ip_column=where&timestamp_column=when&extra_columns=name`, odd)).json();
      assert.equal(mapped.error, null);
      assert.deepEqual(mapped.hosts.map((h: { ip: string; timestamp: string; extra: object; warnings: string[] }) => [h.ip, h.timestamp, h.extra, h.warnings]), [['31.149.1.2', '2026-11-20T00:00:00Z', { name: 'router' }, [LIST_NAME]]]);

      // gzip is read too; the upload with the mapping as query parameters stores and counts the flagged hosts.
      const gz = (await api(`/api/v1/cases/${id}/hosts/preview`, gzipSync(CSV))).json();
      assert.deepEqual([gz.format, gz.hosts.length, gz.rejected.length], ['csv', 2, 2]);
      const up = await api(`/api/v1/cases/${id}/hosts?format=csv&ip_column=where&timestamp_column=when&extra_columns=name`, odd);
      assert.equal(up.statusCode, 201, up.body);
      assert.equal(up.json().flagged, 1);
      const hosts = (await b.request({ method: 'GET', url: `/api/v1/cases/${id}/hosts` })).json().hosts;
      assert.deepEqual(hosts.map((h: { ip: string; warnings: string[]; extra: object }) => [h.ip, h.warnings, h.extra]), [['31.149.1.2', [LIST_NAME], { name: 'router' }]]);

      assert.equal((await api(`/api/v1/cases/BKN-2000-99999/hosts/preview`, CSV)).statusCode, 404);
    });

    test('case page: a CSV upload shows the preview first, the confirm form saves it with the chosen mapping; flagged hosts are listed', async () => {
      const { app, ctx } = t();
      const b = await signedIn(app, t().adminEmail, ADMIN_PASSWORD);
      const id = await newCase('Preview on the case page');
      await b.get(`/cases/${id}`);
      const before = await hostCount(ctx);
      const first = await postMultipart(b, `/cases/${id}/hosts`, { hosts: '', format: 'auto' }, { hosts_file: { filename: 'scan.csv', type: 'text/csv', content: CSV } });
      assert.equal(first.statusCode, 200, first.body);
      assert.match(first.body, /Check the upload before it is saved/);
      assert.match(first.body, /<option value="csv" selected/);
      assert.match(first.body, /<select id="ip_column" name="ip_column">[\s\S]*?<option value="Address" selected/);
      assert.match(first.body, /data-testid="preview-rejected"[\s\S]*10\.0\.0\.1 is in 10\.0\.0\.0\/8[\s\S]*&quot;99999&quot; is not a port/);
      assert.match(first.body, new RegExp(LIST_NAME));
      assert.equal(await hostCount(ctx), before, 'nothing saved before the confirmation');

      // Try another mapping (no port, no extra columns), then save.
      const form = formOf(first.body);
      assert.equal(form.source, 'scan.csv');
      const again = await postMultipart(b, `/cases/${id}/hosts`, { ...form, port_column: '', extra_column_3: '', step: 'preview' });
      assert.equal(again.statusCode, 200);
      assert.match(again.body, /<select id="port_column" name="port_column"><option value>\(none\)<\/option><option value="Address">/);
      const saved = await postMultipart(b, `/cases/${id}/hosts`, { ...formOf(again.body), step: 'confirm' });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.match(saved.body, /2 hosts added/);
      assert.match(saved.body, /1 hosts are on a warninglist/);
      const rows = await ctx.db.kysely.selectFrom('case_hosts').select(['ip', 'port', 'extra', 'warnings']).where('ip', 'in', ['31.149.1.1', '31.149.1.9']).orderBy('id').execute();
      assert.deepEqual(rows.slice(-2).map((r) => [r.ip, r.port, r.extra, r.warnings]), [['31.149.1.1', null, null, JSON.stringify([LIST_NAME])], ['31.149.1.9', null, null, null]]);
      const upload = await ctx.db.kysely.selectFrom('case_uploads').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(upload.source, 'scan.csv');
      assert.equal(upload.flagged, 1);

      // The case page lists the flagged host with its list, and says it is still notified.
      const page = await b.get(`/cases/${id}`);
      const flagged = /data-testid="flagged">([\s\S]*?)<\/table>/.exec(page.body)?.[1] ?? '';
      assert.match(flagged, new RegExp(`${LIST_NAME}: 1`));
      assert.match(flagged, /31\.149\.1\.1<\/td><td><\/td><td>Baken test: known research scanners/);
      assert.match(flagged, /notified like the others/);

      // A plain list goes straight in; a refused confirmation shows the preview again with why.
      const plain = await postMultipart(b, `/cases/${id}/hosts`, { hosts: '31.149.1.3\n', format: 'auto' });
      assert.match(plain.body, /1 hosts added/);
      const refused = await postMultipart(b, `/cases/${id}/hosts`, { upload_b64: Buffer.from(CSV).toString('base64'), source: 'scan.csv', format: 'csv', ip_column: 'Address', strict: '1', step: 'confirm' });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /Check the upload before it is saved/);
      assert.match(refused.body, /line 3/);
    });

    test('case page, Dutch: the preview speaks Dutch', async () => {
      const { app } = t();
      const b = await signedIn(app, t().adminEmail, ADMIN_PASSWORD);
      const id = await newCase('Voorbeeld');
      await b.get('/language/nl');
      await b.get(`/cases/${id}`);
      const res = await postMultipart(b, `/cases/${id}/hosts`, { hosts: CSV, format: 'auto' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Controleer de upload voordat die wordt opgeslagen/);
      assert.match(res.body, /Kolom met het IP-adres/);
    });

    test('report form: a CSV with a header is previewed, the report and its hosts are saved on confirmation only', async () => {
      const { app, ctx } = t();
      const b = new Browser(app);
      await b.get('/report');
      const fields = { title: 'Exposed gateways', description: 'Found by a scan', classification: 'vulnerable/vulnerable-system', email: 'r@example.org', name: 'R', may_credit: '1', format: 'auto', website: '' };
      const cases = async () => Number((await ctx.db.kysely.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const count = await cases();
      const first = await postMultipart(b, '/report', { ...fields, hosts: CSV });
      assert.equal(first.statusCode, 200, first.body);
      assert.match(first.body, /data-testid="preview-hosts"/);
      assert.equal(await cases(), count, 'no case before the confirmation');
      const form = formOf(first.body);
      assert.equal(form.title, 'Exposed gateways');
      assert.equal(form.website, undefined);
      const done = await postMultipart(b, '/report', { ...form, step: 'confirm' });
      assert.equal(done.statusCode, 201, done.body);
      assert.equal(await cases(), count + 1);
      const caseId = /BKN-\d{4}-\d{5}/.exec(done.body)![0];
      const upload = await ctx.db.kysely.selectFrom('case_uploads').innerJoin('cases', 'cases.id', 'case_uploads.case_id').select(['case_uploads.hosts', 'case_uploads.flagged', 'case_uploads.rejected']).where('cases.case_id', '=', caseId).executeTakeFirstOrThrow();
      assert.deepEqual([upload.hosts, upload.flagged, upload.rejected], [2, 1, 2]);

      // A header without an address column under format csv: the preview shows the error and the columns.
      const odd = await postMultipart(b, '/report', { ...fields, format: 'csv' }, { hosts_file: { filename: 'odd.csv', type: 'text/csv', content: 'name,where\nrouter,31.149.1.2\n' } });
      assert.equal(odd.statusCode, 200);
      assert.match(odd.body, /data-testid="preview-error">line 1: no column of the header holds IP addresses/);
      const picked = await postMultipart(b, '/report', { ...formOf(odd.body), ip_column: 'where', step: 'confirm' });
      assert.equal(picked.statusCode, 201, picked.body);

      // A missing title is reported before the preview, on the report form.
      const untitled = await postMultipart(b, '/report', { ...fields, title: '', hosts: CSV });
      assert.equal(untitled.statusCode, 400);
      assert.match(untitled.body, /title/);
    });
  },
  { config: { warninglistsDir: LISTS } },
);

describeEachDatabase('baken case create --warninglists', (db) => {
  test('flags hosts on the lists of the directory given, over the setting', async () => {
    const env = { BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'warninglists-cli-secret-'.padEnd(40, 'x'), BAKEN_WARNINGLISTS_DIR: join(LISTS, 'does-not-exist') };
    const hosts = join(db().dataDir, 'hosts.txt');
    writeFileSync(hosts, '31.149.1.1\n31.149.1.2:443\n31.149.1.9\n');
    const r = await runCli(['case', 'create', '--title', 'Flagged by lists', '--hosts', hosts, '--warninglists', LISTS, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).upload.flagged, 2);
    const missing = await runCli(['case', 'create', '--title', 'x', '--hosts', hosts, '--warninglists', join(LISTS, 'nope')], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--warninglists: no such directory/);
  });
});
