/**
 * Alerts on both databases: the audience and TLP for every level (who receives, who may read), fan-out over a
 * real SMTP server and real HTTP webhook receivers with signature verification, updates and retractions to the
 * same audience, acknowledgement, and 404 (not 403) for alerts a member may not see.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { createAlert, previewAlert, publishAlert, readAlert, renderAlertEmail, type AlertInput } from '../../src/hub/alerts/index.js';
import { hubEvents, type AlertHubEvent } from '../../src/hub/hub-events.js';
import { indicatorHistory, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { addContact, setPreferences, setWebhook } from '../../src/hub/members/index.js';
import type { Viewer } from '../../src/hub/tlp.js';
import { SYSTEM, type Caller } from '../../src/platform/context.js';
import { createSmtpMailer } from '../../src/platform/delivery/mailer.js';
import { createHttpWebhookSender } from '../../src/platform/delivery/webhooks.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn, type Browser } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../helpers/webhook-receiver.js';

describeEachApp(
  'alerts',
  (t) => {
    const org: Record<string, number> = {};
    const user: Record<string, number> = {};
    const keys: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    let smtp: TestSmtpServer;
    let hookA: TestWebhookReceiver;
    let hookC: TestWebhookReceiver;
    let admin: Browser;
    let analyst: Browser;
    let analystCaller: Caller;
    const ind: Record<string, number> = {};

    const member = (name: string, userName?: string): Viewer => ({ kind: 'member', organisationId: org[name]!, userId: userName ? user[userName]! : null });
    const api = (b: Browser, method: string, url: string, payload?: unknown) =>
      b.request({ method: method as 'GET', url, headers: { 'x-csrf-token': b.csrf }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    const withKey = (name: string, method: string, url: string) => t().app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${keys[name]}` } });
    const worker = () =>
      new DeliveryWorker(t().ctx, { mailer: createSmtpMailer(smtp.url), ratePerMinute: 600_000, webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 3000 }), webhookRatePerMinute: 600_000 });
    const deliverAll = async () => {
      for (let i = 0; i < 10; i++) {
        const r = await worker().runOnce();
        if (r.sent === 0 && r.retried === 0) break;
      }
    };
    const base = (over: Partial<AlertInput> = {}): AlertInput => ({ title: 'Exploitation of CVE-2026-0001', severity: 'high', summary: 'Patch **now**.', tlp: 'AMBER', audience: { kind: 'all' }, ...over });

    before(async () => {
      const { ctx, app, adminEmail } = t();
      smtp = await startSmtpServer();
      hookA = await startWebhookReceiver({ now: () => t().clock.now() });
      hookC = await startWebhookReceiver({ now: () => t().clock.now() });
      const orgs: Array<[string, string, 'en' | 'nl']> = [
        ['A', 'energy', 'nl'],
        ['B', 'energy', 'en'],
        ['C', 'health', 'en'],
        ['D', 'health', 'en'],
        ['E', 'transport', 'en'],
      ];
      for (const [name, sector, language] of orgs) org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector, language })).id;
      await addContact(ctx, SYSTEM, org.A!, { email: 'soc@a.example', language: 'nl' });
      await addContact(ctx, SYSTEM, org.A!, { email: 'ciso@a.example', language: 'en' });
      await addContact(ctx, SYSTEM, org.B!, { email: 'soc@b.example' });
      await addContact(ctx, SYSTEM, org.C!, { email: 'soc@c.example' });
      await addContact(ctx, SYSTEM, org.D!, { email: 'soc@d.example' });
      await addContact(ctx, SYSTEM, org.E!, { email: 'soc@e.example' });
      secrets.A = (await setWebhook(ctx, SYSTEM, org.A!, `${hookA.url}/a`)).secret!;
      secrets.C = (await setWebhook(ctx, SYSTEM, org.C!, `${hookC.url}/c`)).secret!;
      hookA.secrets.set('*', secrets.A);
      hookC.secrets.set('*', secrets.C);
      // D only wants alerts about energy; E only CLEAR and GREEN.
      await setPreferences(ctx, SYSTEM, org.D!, { sectors: ['energy'] });
      await setPreferences(ctx, SYSTEM, org.E!, { tlpLevels: ['CLEAR', 'GREEN'] });
      const pw = 'a password for alert tests';
      for (const [name, o] of [['ua', 'A'], ['ua2', 'A'], ['uc', 'C']] as const) {
        user[name] = (await createUser(ctx, SYSTEM, { email: `${name}@${o.toLowerCase()}.example`, role: 'member', organisationId: org[o]!, password: pw, language: 'nl' })).user.id;
      }
      const coordinator = (await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id;
      user.analyst = (await createUser(ctx, SYSTEM, { email: 'analyst@cert.example', role: 'analyst', organisationId: Number(coordinator), password: pw })).user.id;
      analystCaller = { actor: { kind: 'user', userId: user.analyst, label: 'analyst@cert.example', organisationId: Number(coordinator), role: 'analyst' }, meta: { ip: null, userAgent: null, requestId: null } };
      for (const name of ['A', 'C']) keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
      admin = await signedIn(app, adminEmail, ADMIN_PASSWORD);
      analyst = await signedIn(app, 'analyst@cert.example', pw);
      ind.amber = (await upsertIndicator(ctx, SYSTEM, { value: 'evil.example', tlp: 'AMBER' })).indicator.id;
      ind.green = (await upsertIndicator(ctx, SYSTEM, { value: 'hxxp://evil[.]example/gate', tlp: 'GREEN' })).indicator.id;
      ind.red = (await upsertIndicator(ctx, SYSTEM, { value: '8.8.4.4', tlp: 'RED' })).indicator.id;
    });
    after(async () => {
      await smtp.close();
      await hookA.close();
      await hookC.close();
    });

    const names = (ids: number[]) => ids.map((id) => Object.keys(org).find((k) => org[k] === id)).sort();

    test('each TLP level and audience reaches exactly the right members, and only they may read it', async () => {
      const { ctx } = t();
      const cases: Array<{ label: string; input: Partial<AlertInput>; receive: string[]; excluded: string[]; readers: Viewer[]; notReaders: Viewer[] }> = [
        { label: 'CLEAR to all', input: { tlp: 'CLEAR' }, receive: ['A', 'B', 'C', 'D', 'E'], excluded: [], readers: [member('A'), { kind: 'anonymous' }], notReaders: [] },
        { label: 'GREEN to all', input: { tlp: 'GREEN' }, receive: ['A', 'B', 'C', 'D', 'E'], excluded: [], readers: [member('E'), member('C', 'uc')], notReaders: [{ kind: 'anonymous' }] },
        // E wants only CLEAR and GREEN: an AMBER broadcast skips it, but it is in the audience and may read it.
        { label: 'AMBER to all', input: { tlp: 'AMBER' }, receive: ['A', 'B', 'C', 'D'], excluded: ['E'], readers: [member('E'), member('A', 'ua')], notReaders: [{ kind: 'anonymous' }] },
        // D wants energy only: the health broadcast skips it (preferences), yet D is in the audience.
        { label: 'AMBER to health', input: { tlp: 'AMBER', audience: { kind: 'sectors', sectors: ['health'] } }, receive: ['C'], excluded: ['D'], readers: [member('C'), member('D')], notReaders: [member('A'), member('B'), member('E')] },
        // Addressed by name: E gets it whatever its preferences.
        { label: 'AMBER+STRICT to A and E', input: { tlp: 'AMBER+STRICT', audience: { kind: 'organisations', organisationIds: [org.A!, org.E!] } }, receive: ['A', 'E'], excluded: [], readers: [member('A'), member('E'), { kind: 'staff', role: 'handler' }], notReaders: [member('B'), member('C', 'uc')] },
        { label: 'RED to ua', input: { tlp: 'RED', namedUserIds: [user.ua!] }, receive: [], excluded: [], readers: [member('A', 'ua'), { kind: 'staff', role: 'analyst', userId: user.analyst! }], notReaders: [member('A', 'ua2'), member('A'), member('B'), { kind: 'staff', role: 'admin', userId: null }] },
      ];
      for (const c of cases) {
        const draft = await createAlert(ctx, analystCaller, base({ title: c.label, ...c.input }));
        const preview = await previewAlert(ctx, draft.id);
        assert.deepEqual(names(preview.recipients.map((r) => r.organisationId)), c.receive, `${c.label}: recipients`);
        assert.deepEqual(names(preview.excluded.map((r) => r.organisationId)), c.excluded, `${c.label}: excluded`);
        const { preview: sent } = await publishAlert(ctx, analystCaller, draft.id);
        assert.deepEqual(names(sent.recipients.map((r) => r.organisationId)), c.receive, `${c.label}: published to`);
        for (const v of c.readers) assert.equal((await readAlert(ctx, v, draft.id)).id, draft.id, `${c.label}: ${JSON.stringify(v)} reads it`);
        for (const v of c.notReaders) await assert.rejects(readAlert(ctx, v, draft.id), { code: 'BAKEN_E_ALERT_NOT_FOUND' }, `${c.label}: ${JSON.stringify(v)} may not`);
        if (c.input.tlp === 'RED') {
          assert.deepEqual(sent.people.map((p) => p.userId), [user.ua], 'RED goes to the named person');
          assert.equal(sent.totals.webhooks, 0, 'RED never goes to an organisation’s webhook');
        }
      }
      await deliverAll();
    });

    test('publishing fans out over SMTP and signed webhooks with the indicators each may see; update and retraction reach the same audience', async () => {
      const { ctx, clock } = t();
      await deliverAll();
      smtp.received.length = 0;
      hookA.calls.length = 0;
      hookC.calls.length = 0;
      const events: AlertHubEvent[] = [];
      const off = hubEvents.on((e) => e.type !== 'sighting.rebroadcast' && events.push(e));
      try {
        const draft = await createAlert(ctx, analystCaller, base({ title: 'Gas sector phishing', audience: { kind: 'sectors', sectors: ['energy'] }, indicatorIds: [ind.amber!, ind.green!, ind.red!] }));
        assert.equal(smtp.received.length + events.length, 0, 'a draft sends nothing');
        const { alert } = await publishAlert(ctx, analystCaller, draft.id);
        assert.deepEqual(events.map((e) => [e.type, e.alertId, e.version]), [['alert.published', alert.id, 1]]);
        assert.deepEqual(names([...events[0]!.audience.organisationIds]), ['A', 'B']);
        await deliverAll();
        const mails = () => smtp.received.map((m) => `${m.envelopeTo.join(',')}|${m.subject}`).sort();
        assert.deepEqual(mails(), [
          'ciso@a.example|[TLP:AMBER] Alert: Gas sector phishing (high)',
          'soc@a.example|[TLP:AMBER] Melding: Gas sector phishing (hoog)',
          'soc@b.example|[TLP:AMBER] Alert: Gas sector phishing (high)',
        ]);
        const nl = smtp.received.find((m) => m.envelopeTo.includes('soc@a.example'))!;
        assert.match(nl.text!, /Beperkte verspreiding/);
        assert.match(nl.text!, /evil\[\.\]example/);
        assert.match(nl.text!, /hxxp:\/\/evil\[\.\]example\/gate/);
        assert.doesNotMatch(nl.text!, /8\.8\.4\.4/, 'a RED indicator never goes into an AMBER alert’s email');
        assert.match(nl.text!, new RegExp(`/alerts/${alert.id}`));
        assert.equal(hookA.calls.length, 1);
        assert.equal(hookC.calls.length, 0, 'C is not in the energy audience');
        const call = hookA.calls[0]!;
        assert.equal(call.verification.ok, true, 'the receiver verifies the signature');
        assert.equal(call.headers['x-baken-event'], 'alert.published');
        const body = JSON.parse(call.body);
        assert.equal(body.alert.id, alert.id);
        assert.deepEqual(body.indicators.map((i: { value: string }) => i.value).sort(), ['evil.example', 'http://evil.example/gate']);
        const history = await indicatorHistory(ctx, ind.amber!);
        assert.ok(history.some((h) => h.kind === 'alert' && h.refId === String(alert.id)), 'the indicator’s history has the alert');

        // An update: a new version to the same organisations, whatever their preferences say now.
        await setPreferences(ctx, SYSTEM, org.B!, { tlpLevels: ['CLEAR'] });
        clock.advance(60_000);
        const upd = await api(analyst, 'PATCH', `/api/v1/alerts/${alert.id}`, { summary: 'Patch now; a fix is out.', note: 'A fix is out' });
        assert.equal(upd.statusCode, 200, upd.body);
        assert.equal(upd.json().version, 2);
        assert.equal((await api(analyst, 'PATCH', `/api/v1/alerts/${alert.id}`, { tlp: 'GREEN' })).statusCode, 409, 'the TLP of a published alert stays');
        smtp.received.length = 0;
        hookA.calls.length = 0;
        await deliverAll();
        assert.deepEqual(smtp.received.map((m) => m.envelopeTo[0]).sort(), ['ciso@a.example', 'soc@a.example', 'soc@b.example']);
        assert.match(smtp.received.find((m) => m.envelopeTo[0] === 'soc@a.example')!.subject!, /^\[TLP:AMBER\] Bijgewerkt: /);
        assert.equal(hookA.calls[0]?.headers['x-baken-event'], 'alert.updated');

        // A retraction: the same audience, the same ways.
        const ret = await api(analyst, 'POST', `/api/v1/alerts/${alert.id}/retract`, { reason: 'False positive' });
        assert.equal(ret.statusCode, 200, ret.body);
        assert.equal(ret.json().state, 'retracted');
        smtp.received.length = 0;
        hookA.calls.length = 0;
        await deliverAll();
        assert.deepEqual(smtp.received.map((m) => m.envelopeTo[0]).sort(), ['ciso@a.example', 'soc@a.example', 'soc@b.example']);
        assert.match(smtp.received.find((m) => m.envelopeTo[0] === 'ciso@a.example')!.text!, /retracted: disregard it[\s\S]*False positive/);
        assert.equal(hookA.calls.length, 1);
        assert.equal(hookA.calls[0]!.verification.ok, true);
        assert.equal(JSON.parse(hookA.calls[0]!.body).event, 'alert.retracted');
        assert.deepEqual(events.map((e) => e.type), ['alert.published', 'alert.updated', 'alert.retracted']);
        assert.equal((await api(analyst, 'POST', `/api/v1/alerts/${alert.id}/retract`, {})).statusCode, 409);

        const deliveries = await api(analyst, 'GET', `/api/v1/alerts/${alert.id}/deliveries`);
        assert.equal(deliveries.statusCode, 200);
        const byOrg = Object.fromEntries(deliveries.json().map((d: { name: string; messages: Array<{ status: string; channel: string }> }) => [d.name, d.messages]));
        assert.deepEqual(Object.keys(byOrg).sort(), ['Member A', 'Member B']);
        assert.equal(byOrg['Member A'].length, 9, '3 events × (2 emails + 1 webhook)');
        assert.ok(byOrg['Member A'].every((m: { status: string }) => m.status === 'sent'));
      } finally {
        off();
      }
    });

    test('a failed publication sends nothing and emits nothing', async () => {
      const { ctx } = t();
      const events: AlertHubEvent[] = [];
      const off = hubEvents.on((e) => e.type !== 'sighting.rebroadcast' && events.push(e));
      try {
        const draft = await createAlert(ctx, analystCaller, base({ audience: { kind: 'sectors', sectors: ['space'] } }));
        const before = await ctx.db.kysely.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        await assert.rejects(publishAlert(ctx, analystCaller, draft.id), { code: 'BAKEN_E_VALIDATION' });
        const afterCount = await ctx.db.kysely.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        assert.equal(Number(afterCount.n), Number(before.n));
        assert.deepEqual(events, []);
        assert.equal((await readAlert(ctx, { kind: 'staff', role: 'analyst' }, draft.id)).state, 'draft');
      } finally {
        off();
      }
    });

    test('members list and read what they may see, acknowledge once, and get 404 for the rest', async () => {
      const { ctx } = t();
      const created = await api(analyst, 'POST', '/api/v1/alerts', { title: 'For health only', severity: 'critical', summary: 'x', tlp: 'AMBER', audience: { kind: 'organisations', organisation_ids: [org.C!] }, indicator_ids: [ind.amber!, ind.red!] });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as number;
      assert.equal((await withKey('C', 'GET', `/api/v1/alerts/${id}`)).statusCode, 404, 'a draft is not for members');
      const preview = await api(analyst, 'GET', `/api/v1/alerts/${id}/preview`);
      assert.deepEqual(preview.json().recipients.map((r: { name: string }) => r.name), ['Member C']);
      assert.equal((await api(analyst, 'POST', `/api/v1/alerts/${id}/publish`)).statusCode, 200);
      assert.equal((await api(analyst, 'POST', `/api/v1/alerts/${id}/publish`)).statusCode, 409, 'published once');

      const list = await withKey('C', 'GET', '/api/v1/alerts?unacknowledged_first=true');
      assert.equal(list.statusCode, 200);
      assert.equal(list.json()[0].id, id, 'not acknowledged yet: first');
      assert.deepEqual(list.json()[0].recipient, { acknowledged_at: null });
      const read = await withKey('C', 'GET', `/api/v1/alerts/${id}`);
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json().indicators.map((i: { value: string }) => i.value), ['evil.example'], 'never the RED indicator');
      assert.deepEqual(read.json().audience.organisation_ids, [], 'members do not learn who else received it');

      const a = await withKey('A', 'GET', `/api/v1/alerts/${id}`);
      assert.equal(a.statusCode, 404, 'A may not see it: 404, so its existence does not leak');
      assert.equal((await withKey('A', 'POST', `/api/v1/alerts/${id}/ack`)).statusCode, 404);
      assert.ok(!(await withKey('A', 'GET', '/api/v1/alerts')).json().some((x: { id: number }) => x.id === id));

      const ack = await withKey('C', 'POST', `/api/v1/alerts/${id}/ack`);
      assert.equal(ack.statusCode, 200, ack.body);
      const again = await withKey('C', 'POST', `/api/v1/alerts/${id}/ack`);
      assert.deepEqual(again.json(), ack.json(), 'acknowledged once');
      assert.equal((await api(admin, 'POST', `/api/v1/alerts/${id}/ack`)).statusCode, 409, 'staff are not recipients');
      const deliveries = (await api(analyst, 'GET', `/api/v1/alerts/${id}/deliveries`)).json();
      assert.equal(deliveries[0].acknowledged_at, ack.json().acknowledged_at);
      assert.equal((await readAlert(ctx, member('C'), id)).recipient?.acknowledgedAt, ack.json().acknowledged_at);
      assert.equal((await withKey('C', 'GET', '/api/v1/alerts/999999')).statusCode, 404);
    });

    test('pages: an analyst composes, previews and publishes; a member reads and acknowledges; another member gets 404', async () => {
      const { app } = t();
      const form = await analyst.postForm('/alerts', { title: 'Page alert', severity: 'medium', tlp: 'AMBER', summary: 'Look for **this**.', indicators: 'evil.example\nnew-one[.]example', audience: 'organisations', organisations: 'Member A\nMember C' });
      assert.equal(form.statusCode, 303, form.body);
      const href = String(form.headers.location).split('?')[0]!;
      const draftPage = await analyst.get(href);
      assert.equal(draftPage.statusCode, 200);
      assert.match(draftPage.body, /data-testid="alert-preview"/);
      assert.match(draftPage.body, /Member A[\s\S]*soc@a\.example \(nl\)/);
      assert.match(draftPage.body, /Member C/);
      assert.equal((await analyst.postForm(`${href}/publish`, {})).statusCode, 303);
      const published = await analyst.get(`${href}?done=published`);
      assert.match(published.body, /data-testid="alert-deliveries"/);

      const pw = 'a password for alert tests';
      const ua = await signedIn(app, 'ua@a.example', pw);
      const list = await ua.get('/alerts');
      assert.match(list.body, /Page alert/);
      assert.match(list.body, /nog niet/, 'the member reads Dutch (its language) and sees it is not acknowledged yet');
      const page = await ua.get(href);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /new-one\.example/);
      assert.doesNotMatch(page.body, /alert-preview|alert-deliveries/, 'members do not see who else received it');
      assert.equal((await ua.postForm(`${href}/ack`, {})).statusCode, 303);
      assert.match((await ua.get(href)).body, /data-testid="alert-ack"/);
      const other = await signedIn(app, 'ua@a.example'.replace('ua@a', 'uc@c'), pw);
      assert.equal((await other.get(href)).statusCode, 200, 'C is addressed too');
      const b = await createUser(t().ctx, SYSTEM, { email: 'ub@b.example', role: 'member', organisationId: org.B!, password: pw });
      assert.ok(b.user.id);
      const ub = await signedIn(app, 'ub@b.example', pw);
      assert.equal((await ub.get(href)).statusCode, 404);
      assert.doesNotMatch((await ub.get('/alerts')).body, /Page alert/);
    });

    test('the email template is in Dutch and English, with the TLP marking and its meaning', () => {
      const alert = { id: 7, state: 'published', version: 1, title: 'T', severity: 'critical', summary: 'S', summaryHtml: '', analysisId: null, tlp: 'GREEN', audience: { kind: 'all', sectors: [], organisationIds: [] }, namedUserIds: [], resolvedOrganisationIds: [], indicators: [], createdBy: null, createdAt: '', updatedAt: '', publishedBy: null, publishedAt: null, retractedBy: null, retractedAt: null, retractReason: null } as const;
      const nl = renderAlertEmail({ alert: { ...alert, audience: { ...alert.audience, sectors: [], organisationIds: [] }, namedUserIds: [], resolvedOrganisationIds: [], indicators: [] }, event: 'alert.published', language: 'nl', indicators: [], url: 'https://baken.example/alerts/7', organisationName: 'X' });
      assert.equal(nl.subject, '[TLP:GREEN] Melding: T (kritiek)');
      assert.match(nl.text, /^TLP:GREEN\nBeperkte verspreiding: ontvangers mogen dit binnen hun gemeenschap delen/);
      assert.match(nl.text, /Lees en bevestig de melding op: https:\/\/baken\.example\/alerts\/7/);
    });
  },
  { config: { webhookAllowPrivate: true } },
);
