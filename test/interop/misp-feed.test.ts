/**
 * The MISP feed at /feeds/misp/ on both databases: what each member receives under TLP, the exact shapes MISP's
 * feed fetcher reads (manifest.json, hashes.csv, events), ETag, a round trip through Baken's own feed importer
 * over real HTTP (with an update fetching only the changed event), and warninglist flags in alert preview and publish.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation, findOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { createAlert, previewAlert, publishAlert, retractAlert, updateAlert } from '../../src/hub/alerts/index.js';
import { findIndicator, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { importMispFeed } from '../../src/interop/misp/import-misp-feed.js';
import { mispUuids } from '../../src/interop/misp/export-misp-feed.js';
import { SYSTEM } from '../../src/platform/context.js';
import { BakenError } from '../../src/platform/errors.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { fixtureResolver } from '../hotline/hotline-fixtures.js';
import { writeWarninglists } from './misp-fixtures.js';

const warninglistsDir = writeWarninglists();
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describeEachApp(
  'MISP feed export',
  (t) => {
    const org: Record<string, number> = {};
    const keys: Record<string, string> = {};
    const alert: Record<string, number> = {};
    const ind: Record<string, number> = {};
    const get = (url: string, key?: string, headers: Record<string, string> = {}) => t().app.inject({ method: 'GET', url, headers: { ...(key ? { authorization: `Bearer ${keys[key]}` } : {}), ...headers } });

    before(async () => {
      const { ctx } = t();
      for (const name of ['A', 'B']) {
        org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector: 'energy' })).id;
        keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
      }
      keys.metrics = (await createApiKey(ctx, SYSTEM, { organisationId: (await findOrganisation(ctx, ctx.config.coordinatorName)).id, role: 'metrics' })).secret;
      const person = (await createUser(ctx, SYSTEM, { email: 'soc@a.example', role: 'member', organisationId: org.A!, password: 'a password for the feed' })).user.id;
      const add = async (name: string, value: string, tlp: string) => (ind[name] = (await upsertIndicator(ctx, SYSTEM, { value, tlp })).indicator.id);
      await add('domain', 'phish.evil.example', 'GREEN');
      await add('url', 'https://phish.evil.example/login', 'AMBER');
      await add('red', 'secret.evil.example', 'RED');
      await add('ip', '31.149.1.7', 'AMBER');
      await add('hash', 'd'.repeat(64), 'AMBER+STRICT');
      await add('email', 'ceo@evil.example', 'CLEAR');
      const make = async (name: string, input: Parameters<typeof createAlert>[2]) => {
        alert[name] = (await createAlert(ctx, SYSTEM, input)).id;
        if (name !== 'draft') await publishAlert(ctx, SYSTEM, alert[name]!);
      };
      await make('green', { title: 'Phishing wave', severity: 'high', summary: 'x', tlp: 'GREEN', audience: { kind: 'all' }, indicatorIds: [ind.domain!, ind.url!, ind.red!, ind.email!] });
      await make('amber', { title: 'C2 for A', severity: 'medium', summary: 'x', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.A!] }, indicatorIds: [ind.ip!] });
      await make('strict', { title: 'Only A itself', severity: 'critical', summary: 'x', tlp: 'AMBER+STRICT', audience: { kind: 'organisations', organisationIds: [org.A!] }, indicatorIds: [ind.hash!] });
      await make('red', { title: 'Named people', severity: 'low', summary: 'x', tlp: 'RED', audience: { kind: 'organisations', organisationIds: [org.A!] }, namedUserIds: [person], indicatorIds: [ind.red!] });
      await make('draft', { title: 'Not yet', severity: 'low', summary: 'x', tlp: 'GREEN', audience: { kind: 'all' }, indicatorIds: [ind.domain!] });
    });

    test('each member gets the events and attributes its TLP rights allow, in the shapes MISP reads', async () => {
      const { ctx } = t();
      const ids = mispUuids(ctx.config.publicUrl);
      const uuid = (name: string) => ids.event(alert[name]!);
      const manifestOf = async (key: string) => {
        const res = await get('/feeds/misp/manifest.json', key);
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /application\/json/);
        return res.json() as Record<string, Record<string, unknown>>;
      };
      const a = await manifestOf('A');
      assert.deepEqual(Object.keys(a).sort(), [uuid('green'), uuid('amber'), uuid('strict')].sort(), 'never RED, never a draft');
      assert.deepEqual(Object.keys(await manifestOf('B')), [uuid('green')]);
      assert.deepEqual(Object.keys(await manifestOf('metrics')), [], 'no TLP rights: CLEAR only, and no alert is CLEAR');

      const entry = a[uuid('green')]!;
      assert.deepEqual(Object.keys(entry).sort(), ['Orgc', 'Tag', 'analysis', 'date', 'info', 'threat_level_id', 'timestamp']);
      assert.equal(entry.info, 'Phishing wave');
      assert.equal(entry.threat_level_id, 1);
      assert.equal(entry.analysis, 2);
      assert.ok(Number.isInteger(entry.timestamp));
      assert.match(String(entry.date), /^\d{4}-\d{2}-\d{2}$/);
      assert.deepEqual(entry.Orgc, { name: ctx.config.coordinatorName, uuid: ids.organisation });
      assert.deepEqual((entry.Tag as Array<{ name: string }>).map((x) => x.name).slice(0, 1), ['tlp:green']);
      assert.equal((a[uuid('strict')]!.Tag as Array<{ name: string }>)[0]!.name, 'tlp:amber+strict');

      const ev = (await get(`/feeds/misp/${uuid('green')}.json`, 'B')).json() as { Event: Record<string, unknown> & { Attribute: Array<Record<string, unknown>> } };
      for (const k of ['uuid', 'info', 'date', 'timestamp', 'published', 'analysis', 'threat_level_id', 'Orgc', 'Tag', 'Attribute']) assert.ok(k in ev.Event, k);
      assert.equal(ev.Event.timestamp, String(entry.timestamp), 'the event and the manifest agree, so MISP does not fetch again');
      const values = ev.Event.Attribute.map((x) => x.value).sort();
      assert.deepEqual(values, ['ceo@evil.example', 'https://phish.evil.example/login', 'phish.evil.example'], 'the RED indicator never goes into a feed');
      const url = ev.Event.Attribute.find((x) => x.value === 'https://phish.evil.example/login')!;
      assert.deepEqual([url.type, url.category, url.to_ids, url.deleted], ['url', 'Network activity', true, false]);
      assert.deepEqual((url.Tag as Array<{ name: string }>).map((x) => x.name), ['tlp:amber'], 'an indicator TLP other than the alert one is its own tag');
      assert.equal(ev.Event.Attribute.find((x) => x.value === 'ceo@evil.example')!.type, 'email-src');

      // hashes.csv: md5(value),event uuid per attribute, as MISP writes it.
      const hashes = await get('/feeds/misp/hashes.csv', 'B');
      assert.match(String(hashes.headers['content-type']), /text\/csv/);
      assert.deepEqual(hashes.body.trim().split('\n').sort(), values.map((v) => `${md5(String(v))},${uuid('green')}`).sort());

      // Not the caller's, not this hub's, or not a uuid: 404 alike; no key: 401.
      assert.equal((await get(`/feeds/misp/${uuid('strict')}.json`, 'B')).statusCode, 404);
      assert.equal((await get(`/feeds/misp/${uuid('strict')}.json`, 'A')).statusCode, 200);
      assert.equal((await get(`/feeds/misp/${uuid('red')}.json`, 'A')).statusCode, 404);
      assert.equal((await get('/feeds/misp/5e0b7d1c-1111-4222-8333-444455556666.json', 'A')).statusCode, 404);
      assert.equal((await get('/feeds/misp/manifest.json')).statusCode, 401);
    });

    test('ETag and If-None-Match: an unchanged feed answers 304 without a body', async () => {
      const first = await get('/feeds/misp/manifest.json', 'A');
      const etag = String(first.headers.etag);
      assert.match(etag, /^"[\w-]+"$/);
      const again = await get('/feeds/misp/manifest.json', 'A', { 'if-none-match': etag });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      assert.equal((await get('/feeds/misp/manifest.json', 'B', { 'if-none-match': etag })).statusCode, 200, 'another member, another feed');
    });

    test('round trip over HTTP: Baken imports its own feed, then only the changed event after an update and a retraction', async () => {
      const { app, ctx, clock, dialect } = t();
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const other: TestDatabase = await createTestDatabase(dialect);
      after(() => other.close());
      const resolver = await fixtureResolver(other.ctx, other.dataDir);
      const headers = { Authorization: `Bearer ${keys.A}` };
      const feed = `${address}/feeds/misp/`;
      const first = await importMispFeed(other.ctx, SYSTEM, feed, { headers, resolver });
      assert.deepEqual([first.listed, first.fetched], [3, 3]);
      assert.equal(first.problems.length, 0);
      for (const [value, tlp] of [['phish.evil.example', 'GREEN'], ['https://phish.evil.example/login', 'AMBER'], ['31.149.1.7', 'AMBER'], ['d'.repeat(64), 'AMBER+STRICT'], ['ceo@evil.example', 'CLEAR']] as const) {
        const i = await findIndicator(other.ctx, value);
        assert.ok(i, value);
        assert.equal(i.tlp, tlp, `${value}: TLP survives the round trip`);
        assert.match(i.source ?? '', /^MISP event .* "/);
      }
      assert.equal(await findIndicator(other.ctx, 'secret.evil.example'), null);

      clock.advance(120_000);
      const fresh = (await upsertIndicator(ctx, SYSTEM, { value: 'second.evil.example', tlp: 'GREEN' })).indicator.id;
      await updateAlert(ctx, SYSTEM, alert.green!, { indicatorIds: [ind.domain!, ind.url!, ind.red!, fresh], note: 'one more, one less' });
      const second = await importMispFeed(other.ctx, SYSTEM, feed, { headers, resolver });
      assert.deepEqual([second.fetched, second.unchanged, second.created], [1, 2, 1]);
      assert.ok(await findIndicator(other.ctx, 'second.evil.example'));
      const ev = (await get(`/feeds/misp/${mispUuids(ctx.config.publicUrl).event(alert.green!)}.json`, 'A')).json() as { Event: { Attribute: Array<{ value: string; deleted: boolean; to_ids: boolean }> } };
      assert.deepEqual(ev.Event.Attribute.find((x) => x.value === 'ceo@evil.example'), { ...ev.Event.Attribute.find((x) => x.value === 'ceo@evil.example'), deleted: true, to_ids: false }, 'taken out by the update: deleted, so MISP drops it');

      clock.advance(120_000);
      await retractAlert(ctx, SYSTEM, alert.amber!, 'wrong address');
      const third = await importMispFeed(other.ctx, SYSTEM, feed, { headers, resolver });
      assert.equal(third.fetched, 1);
      assert.deepEqual(third.skipped.map((s) => s.reason), ['deleted'], 'a retracted alert: its attributes deleted');
    });

    test('warninglists: the preview lists flagged indicators; publishing them needs a confirmation (domain, API and form)', async () => {
      const { ctx, app, adminEmail } = t();
      const flaggedIp = (await upsertIndicator(ctx, SYSTEM, { value: '185.12.64.9', tlp: 'GREEN' })).indicator.id;
      const draft = async () => (await createAlert(ctx, SYSTEM, { title: 'Scanning', severity: 'low', summary: 'x', tlp: 'GREEN', audience: { kind: 'all' }, indicatorIds: [ind.domain!, flaggedIp] })).id;
      const id = await draft();
      const preview = await previewAlert(ctx, id);
      assert.deepEqual(preview.flagged, [{ indicatorId: flaggedIp, type: 'ipv4', value: '185.12.64.9', lists: ['Resolvers we run'] }]);
      await assert.rejects(publishAlert(ctx, SYSTEM, id), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_ALERT_FLAGGED_INDICATORS' && /185\.12\.64\.9 \(Resolvers we run\)/.test(e.message));
      assert.equal((await previewAlert(ctx, id)).tlp, 'GREEN');

      const admin = await signedIn(app, adminEmail, ADMIN_PASSWORD);
      const api = (url: string) => admin.request({ method: 'POST', url, headers: { 'x-csrf-token': admin.csrf } });
      const refused = await api(`/api/v1/alerts/${id}/publish`);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'BAKEN_E_ALERT_FLAGGED_INDICATORS');
      assert.deepEqual((await admin.request({ method: 'GET', url: `/api/v1/alerts/${id}/preview` })).json().flagged, [{ indicator_id: flaggedIp, type: 'ipv4', value: '185.12.64.9', lists: ['Resolvers we run'] }]);
      assert.deepEqual((await admin.request({ method: 'GET', url: `/api/v1/indicators/${flaggedIp}` })).json().warninglists, ['Resolvers we run']);
      assert.equal((await api(`/api/v1/alerts/${id}/publish?confirm_flagged=true`)).statusCode, 200);

      const other = await draft();
      const page = await admin.request({ method: 'GET', url: `/alerts/${other}`, headers: { accept: 'text/html' } });
      assert.match(page.body, /name="confirm_flagged"/);
      assert.match(page.body, /185\.12\.64\.9/);
      assert.equal((await admin.postForm(`/alerts/${other}/publish`, {})).statusCode, 400);
      assert.equal((await admin.postForm(`/alerts/${other}/publish`, { confirm_flagged: '1' })).statusCode, 303);
      assert.match((await admin.request({ method: 'GET', url: `/indicators/${flaggedIp}`, headers: { accept: 'text/html' } })).body, /Resolvers we run/);
    });
  },
  { config: { warninglistsDir } },
);
