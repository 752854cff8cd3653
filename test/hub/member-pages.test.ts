/**
 * Member pages on both databases, through the real app: the member dashboard (what a member sees, in which order,
 * acknowledging from the list, its sector anonymous unless shared, never another member's AMBER+STRICT or RED alert,
 * never an AMBER alert not addressed to it), the profile pages (a member admin manages its own organisation only, a
 * plain member reads it, field errors change nothing, secrets shown once), and the coordinator's view.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { acknowledgeAlert, createAlert, publishAlert, type AlertInput } from '../../src/hub/alerts/index.js';
import { upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { addContact, listContacts, setOrgAdmin, setWebhook } from '../../src/hub/members/index.js';
import { reportSighting } from '../../src/hub/sightings/index.js';
import type { Viewer } from '../../src/hub/tlp.js';
import { SYSTEM } from '../../src/platform/context.js';
import { createHttpWebhookSender } from '../../src/platform/delivery/webhooks.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn, type Browser } from '../helpers/app.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../helpers/webhook-receiver.js';

const PW = 'a password for member pages';

describeEachApp(
  'member pages',
  (t) => {
    const org: Record<string, number> = {};
    const user: Record<string, number> = {};
    const alert: Record<string, number> = {};
    const ind: Record<string, number> = {};
    const b: Record<string, Browser> = {};
    let hook: TestWebhookReceiver;

    const viewer = (o: string, u?: string): Viewer => ({ kind: 'member', organisationId: org[o]!, userId: u ? user[u]! : null });
    const base = (over: Partial<AlertInput>): AlertInput => ({ title: 'x', severity: 'high', summary: 'Text.', tlp: 'AMBER', audience: { kind: 'all' }, ...over });
    const publish = async (name: string, over: Partial<AlertInput>) => {
      alert[name] = (await createAlert(t().ctx, SYSTEM, base({ title: `Alert ${name}`, ...over }))).id;
      await publishAlert(t().ctx, SYSTEM, alert[name]!);
    };
    /** The ids of the rows with this test-id prefix, in page order. */
    const rows = (html: string, prefix: string) => [...html.matchAll(new RegExp(`data-testid="${prefix}(\\d+)"`, 'g'))].map((m) => Number(m[1]));
    const section = (html: string, id: string) => {
      const start = html.indexOf(`data-testid="${id}"`);
      assert.ok(start >= 0, `section ${id}`);
      const end = html.indexOf('</section>', start);
      return html.slice(start, end);
    };
    const post = (br: Browser, url: string, form: Array<[string, string]>) =>
      br.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, payload: new URLSearchParams([['_csrf', br.csrf], ...form]).toString() });

    before(async () => {
      const { ctx, app, adminEmail } = t();
      hook = await startWebhookReceiver({ now: () => t().clock.now() });
      for (const [name, sector] of [['A', 'energy'], ['B', 'energy'], ['C', 'health']] as const) {
        org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector, language: 'nl' })).id;
      }
      const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
      for (const [name, o, role] of [['adminA', 'A', 'member'], ['plainA', 'A', 'member'], ['adminB', 'B', 'member'], ['analyst', null, 'analyst'], ['handler', null, 'handler']] as const) {
        user[name] = (await createUser(ctx, SYSTEM, { email: `${name.toLowerCase()}@pages.example`, role, organisationId: o ? org[o]! : coordinator, password: PW, language: 'en' })).user.id;
      }
      await setOrgAdmin(ctx, SYSTEM, user.adminA!, true);
      await setOrgAdmin(ctx, SYSTEM, user.adminB!, true);
      for (const name of ['adminA', 'plainA', 'adminB', 'analyst', 'handler']) b[name] = await signedIn(app, `${name.toLowerCase()}@pages.example`, PW);
      b.admin = await signedIn(app, adminEmail, ADMIN_PASSWORD);

      ind.all = (await upsertIndicator(ctx, SYSTEM, { value: 'pages-all.example', tlp: 'AMBER' })).indicator.id;
      ind.energy = (await upsertIndicator(ctx, SYSTEM, { value: 'pages-energy.example', tlp: 'AMBER' })).indicator.id;
      ind.strict = (await upsertIndicator(ctx, SYSTEM, { value: 'pages-strict.example', tlp: 'AMBER' })).indicator.id;
      ind.health = (await upsertIndicator(ctx, SYSTEM, { value: 'pages-health.example', tlp: 'AMBER' })).indicator.id;
      await publish('green', { tlp: 'GREEN' });
      await publish('all', { indicatorIds: [ind.all!] });
      await publish('strictB', { tlp: 'AMBER+STRICT', audience: { kind: 'organisations', organisationIds: [org.B!] }, indicatorIds: [ind.strict!] });
      await publish('redB', { tlp: 'RED', namedUserIds: [user.adminB!] });
      await publish('amberHealth', { audience: { kind: 'sectors', sectors: ['health'] }, indicatorIds: [ind.health!] });
      await publish('greenHealth', { tlp: 'GREEN', audience: { kind: 'sectors', sectors: ['health'] } });
      await publish('energy', { audience: { kind: 'sectors', sectors: ['energy'] }, indicatorIds: [ind.energy!] });
      await acknowledgeAlert(ctx, SYSTEM, viewer('A', 'plainA'), alert.energy!);
      // B reports in the sector: once anonymously, once sharing its name, once on its own AMBER+STRICT alert; C in health.
      await reportSighting(ctx, SYSTEM, viewer('B', 'adminB'), { indicatorId: ind.all!, count: 2, note: 'seen on the VPN gateway' });
      await reportSighting(ctx, SYSTEM, viewer('B', 'adminB'), { indicatorId: ind.energy!, count: 5 }, { shareName: true });
      await reportSighting(ctx, SYSTEM, viewer('B', 'adminB'), { indicatorId: ind.strict!, count: 1 });
      await reportSighting(ctx, SYSTEM, viewer('C'), { indicatorId: ind.health!, count: 1 });
      await reportSighting(ctx, SYSTEM, viewer('A', 'plainA'), { value: 'hxxp://pages-unknown[.]example/x', count: 3 });
    });
    after(async () => {
      await hook.close();
    });

    test('the dashboard lists the alerts for my organisation, unacknowledged first, and nothing it may not see', async () => {
      const res = await b.plainA!.get('/');
      assert.equal(res.statusCode, 200);
      const html = res.body;
      // Received by A: green (all), all, energy (acknowledged, so last). Not: B's AMBER+STRICT and RED, health's AMBER,
      // and health's GREEN (A may read it, but it was not addressed to A).
      assert.deepEqual(rows(section(html, 'dash-alerts'), 'dash-alert-'), [alert.all, alert.green, alert.energy]);
      for (const hidden of ['Alert strictB', 'Alert redB', 'Alert amberHealth', 'pages-strict.example']) assert.ok(!html.includes(hidden), `${hidden} must not show`);
      assert.deepEqual(rows(html, 'dash-sector-alert-'), [alert.energy]);
      // Sector: B's anonymous sighting without its name or note, its shared one with its name, never its AMBER+STRICT one.
      const sector = section(html, 'dash-sector');
      assert.match(sector, /pages-all\.example/);
      assert.match(sector, /a member organisation \(Energy\)/);
      assert.match(sector, /pages-energy\.example[\s\S]*Member B/);
      assert.equal((sector.match(/Member B/g) ?? []).length, 1, 'named once: only where it chose to share its name');
      assert.ok(!sector.includes('VPN gateway'), 'a note is for the coordinator only');
      assert.ok(!sector.includes('pages-strict.example') && !sector.includes('pages-health.example'));
      // Our own sightings, also of values the hub does not know.
      assert.match(section(html, 'dash-sightings'), /hxxp:\/\/pages-unknown|http:\/\/pages-unknown\.example\/x/);
      // Another member's dashboard does not show A's sightings as its own.
      assert.ok(!section((await b.adminB!.get('/')).body, 'dash-sightings').includes('pages-unknown'));
    });

    test('acknowledging from the dashboard list comes back to the dashboard, with the alert moved down', async () => {
      const res = await b.plainA!.postForm(`/alerts/${alert.all}/ack`, { next: '/' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/?done=acknowledged');
      const html = (await b.plainA!.get('/?done=acknowledged')).body;
      assert.match(html, /Acknowledged\./);
      assert.deepEqual(rows(section(html, 'dash-alerts'), 'dash-alert-'), [alert.green, alert.energy, alert.all]);
    });

    test('a plain member reads its own profile and changes nothing; nobody reaches another member', async () => {
      const page = await b.plainA!.get(`/members/${org.A}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-testid="read-only"/);
      assert.ok(!page.body.includes(`action="/members/${org.A}/contacts"`), 'no forms');
      assert.equal((await b.plainA!.postForm(`/members/${org.A}/contacts`, { email: 'x@a.example' })).statusCode, 403);
      assert.equal((await b.plainA!.postForm(`/members/${org.A}/keys`, {})).statusCode, 403);
      assert.equal((await b.adminA!.get(`/members/${org.B}`)).statusCode, 403);
      assert.equal((await b.adminA!.postForm(`/members/${org.B}/contacts`, { email: 'x@a.example' })).statusCode, 403);
      assert.equal((await b.adminA!.postForm(`/members/${org.B}/webhook/rotate`, {})).statusCode, 403);
      assert.equal((await b.adminA!.get('/members')).statusCode, 403, 'the list is for staff');
      assert.deepEqual(await listContacts(t().ctx.db.kysely, org.B!), []);
      const mine = await b.plainA!.get('/my-organisation');
      assert.equal(mine.headers.location, `/members/${org.A}`);
    });

    test('a member admin manages its contacts; a bad address is refused next to its field and changes nothing', async () => {
      const A = `/members/${org.A}`;
      const bad = await b.adminA!.postForm(`${A}/contacts`, { email: 'not an address', language: 'en' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /data-testid="error-contacts-email"[^>]*>&quot;not an address&quot; is not an email address/);
      assert.match(bad.body, /value="not an address"/);
      assert.deepEqual(await listContacts(t().ctx.db.kysely, org.A!), []);
      const ok = await b.adminA!.postForm(`${A}/contacts`, { email: 'SOC@a.example', language: '' });
      assert.equal(ok.statusCode, 303);
      let contacts = await listContacts(t().ctx.db.kysely, org.A!);
      assert.deepEqual(contacts.map((c) => [c.email, c.language]), [['soc@a.example', 'nl']], 'the organisation’s language by default');
      assert.equal((await b.adminA!.postForm(`${A}/contacts/${contacts[0]!.id}`, { language: 'en' })).statusCode, 303);
      contacts = await listContacts(t().ctx.db.kysely, org.A!);
      assert.equal(contacts[0]!.language, 'en');
      assert.equal((await b.adminA!.postForm(`${A}/contacts/${contacts[0]!.id}`, { language: 'fr' })).statusCode, 400);
      assert.match((await b.adminA!.get(`${A}?done=contact`)).body, /Contact added\./);
      assert.equal((await b.adminA!.postForm(`${A}/contacts/${contacts[0]!.id}/remove`, {})).statusCode, 303);
      assert.deepEqual(await listContacts(t().ctx.db.kysely, org.A!), []);
      // In Dutch too.
      await b.adminA!.get('/language/nl');
      assert.match((await b.adminA!.get(A)).body, /Meldingscontacten[\s\S]*Contact toevoegen/);
      await b.adminA!.get('/language/en');
    });

    test('the webhook: the secret is shown once, rotation shows a new one, a test call reaches the receiver signed', async () => {
      const A = `/members/${org.A}`;
      assert.equal((await b.adminA!.postForm(`${A}/webhook`, { url: 'ftp://nowhere' })).statusCode, 400);
      const set = await b.adminA!.postForm(`${A}/webhook`, { url: `${hook.url}/a` });
      assert.equal(set.statusCode, 200);
      const secret = /data-testid="webhook-secret">([^<]+)</.exec(set.body)?.[1];
      assert.ok(secret?.startsWith('whsec_'));
      const later = (await b.adminA!.get(A)).body;
      assert.ok(!later.includes(secret!), 'shown once');
      assert.match(later, /no calls yet/);
      const rotated = await b.adminA!.postForm(`${A}/webhook/rotate`, {});
      const fresh = /data-testid="webhook-secret">([^<]+)</.exec(rotated.body)?.[1];
      assert.ok(fresh && fresh !== secret);
      hook.secrets.set('*', fresh);
      assert.equal((await b.adminA!.postForm(`${A}/webhook/test`, {})).statusCode, 303);
      await new DeliveryWorker(t().ctx, { mailer: null, webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 3000 }), webhookRatePerMinute: 600_000 }).runOnce();
      const ping = hook.calls.find((c) => JSON.parse(c.body).event === 'ping');
      assert.ok(ping?.verification.ok, 'signed with the new secret');
      assert.match((await b.adminA!.get(A)).body, /data-testid="webhook-state">delivering</);
    });

    test('preferences: a member admin sets them; choosing no TLP level is refused next to the field', async () => {
      const A = `/members/${org.A}`;
      const bad = await post(b.adminA!, `${A}/preferences`, [['delivery', 'digest']]);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /data-testid="error-preferences-tlp_levels"/);
      const ok = await post(b.adminA!, `${A}/preferences`, [['tlp_levels', 'GREEN'], ['tlp_levels', 'AMBER'], ['sectors', 'energy'], ['delivery', 'digest']]);
      assert.equal(ok.statusCode, 303);
      const view = (await b.plainA!.get(A)).body;
      assert.match(view, /data-testid="preferences-text">GREEN, AMBER · Energy · one email a day \(digest\)</);
    });

    test('API keys: a member admin makes member keys for its own organisation and revokes only those', async () => {
      const { app, ctx } = t();
      const A = `/members/${org.A}`;
      const bad = await b.adminA!.postForm(`${A}/keys`, { label: 'SIEM', expires: 'soon' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /data-testid="error-keys-expires"/);
      const made = await b.adminA!.postForm(`${A}/keys`, { label: 'SIEM' });
      assert.equal(made.statusCode, 201);
      const key = /data-testid="new-key">([^<]+)</.exec(made.body)?.[1];
      assert.ok(key?.startsWith('bkn_'));
      const me = await app.inject({ method: 'GET', url: `/api/v1/members/${org.A}`, headers: { authorization: `Bearer ${key}` } });
      assert.equal(me.statusCode, 200, 'a member key of A reads A');
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/members/${org.B}`, headers: { authorization: `Bearer ${key}` } })).statusCode, 403);
      const rowA = await ctx.db.kysely.selectFrom('api_keys').selectAll().where('organisation_id', '=', org.A!).executeTakeFirstOrThrow();
      assert.equal(rowA.role, 'member');
      // B's admin makes a key; A's admin cannot revoke it, even through its own organisation's URL.
      const keyB = /data-testid="new-key">([^<]+)</.exec((await b.adminB!.postForm(`/members/${org.B}/keys`, {})).body)![1]!;
      const rowB = await ctx.db.kysely.selectFrom('api_keys').select('id').where('organisation_id', '=', org.B!).executeTakeFirstOrThrow();
      assert.equal((await b.adminA!.postForm(`${A}/keys/${rowB.id}/revoke`, {})).statusCode, 404);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/members/${org.B}`, headers: { authorization: `Bearer ${keyB}` } })).statusCode, 200, 'still works');
      assert.equal((await b.adminA!.postForm(`${A}/keys/${rowA.id}/revoke`, {})).statusCode, 303);
      assert.equal(me.statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/members/${org.A}`, headers: { authorization: `Bearer ${key}` } })).statusCode, 401);
    });

    test('staff: the list with webhook state, preferences and last acknowledgement; the detail with delivery history', async () => {
      const { ctx } = t();
      await addContact(ctx, SYSTEM, org.C!, { email: 'soc@c.example' });
      await setWebhook(ctx, SYSTEM, org.C!, 'http://127.0.0.1:9/unreachable');
      assert.equal((await b.handler!.get('/members')).statusCode, 403);
      const list = await b.analyst!.get('/members');
      assert.equal(list.statusCode, 200);
      const rowA = /data-testid="member-(\d+)">([\s\S]*?)<\/tr>/g;
      const byOrg = new Map([...list.body.matchAll(rowA)].map((m) => [Number(m[1]), m[2]!]));
      assert.deepEqual([...byOrg.keys()].sort(), [org.A!, org.B!, org.C!].sort());
      assert.match(byOrg.get(org.A!)!, /delivering/);
      assert.match(byOrg.get(org.A!)!, /GREEN, AMBER · Energy · one email a day/);
      assert.match(byOrg.get(org.A!)!, /2026-03-01 10:00/, 'last acknowledgement');
      assert.match(byOrg.get(org.C!)!, /no calls yet/);
      assert.match(byOrg.get(org.B!)!, /<td>never/);
      const filtered = await b.analyst!.get('/members?sector=health');
      assert.deepEqual(rows(filtered.body, 'member-'), [org.C]);
      // The analyst reads (members:read) and sees the history; only the coordinator's admin changes.
      const detail = (await b.analyst!.get(`/members/${org.A}`)).body;
      assert.match(detail, /data-testid="read-only"/);
      assert.match(section(detail, 'history'), new RegExp(`data-testid="history-${alert.all}"`));
      assert.ok(!section(detail, 'history').includes('Alert strictB'));
      assert.equal((await b.analyst!.postForm(`/members/${org.A}/contacts`, { email: 'x@a.example' })).statusCode, 403);
      const admin = await b.admin!.postForm(`/members/${org.A}/contacts`, { email: 'cert-liaison@a.example', language: 'nl' });
      assert.equal(admin.statusCode, 303);
      assert.deepEqual((await listContacts(ctx.db.kysely, org.A!)).map((c) => c.email), ['cert-liaison@a.example']);
      const cHistory = section((await b.admin!.get(`/members/${org.C}`)).body, 'history');
      assert.match(cHistory, /Alert amberHealth[\s\S]*no message: no contacts or webhook then/);
    });
  },
  { config: { webhookAllowPrivate: true } },
);
