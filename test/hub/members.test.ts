/**
 * Member profiles through the API on both databases: a member admin manages its own organisation's
 * contacts (and their language), webhook (and its test ping), preferences and API keys, and reads its delivery
 * history, and reaches no other; the secret is shown once; an alert's webhook call
 * built from memberRecipients reaches a real receiver that verifies it with that secret.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { memberRecipients, wantsAlert, DEFAULT_PREFERENCES } from '../../src/hub/members/index.js';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createAlert, publishAlert } from '../../src/hub/alerts/index.js';
import { upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { SYSTEM } from '../../src/platform/context.js';
import { enqueueWebhook } from '../../src/platform/delivery/webhooks.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { transact } from '../../src/platform/db/transact.js';
import { ADMIN_PASSWORD, describeEachApp, signedIn, type Browser } from '../helpers/app.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../helpers/webhook-receiver.js';

test('wantsAlert: TLP levels and sectors filter broadcasts; an alert addressed by name always comes through', () => {
  const prefs = { tlpLevels: ['CLEAR', 'GREEN', 'AMBER'] as const, sectors: ['energy', 'drinking-water'] as const, delivery: 'immediate' as const };
  const p = { ...prefs, tlpLevels: [...prefs.tlpLevels], sectors: [...prefs.sectors] };
  assert.equal(wantsAlert(p, { tlp: 'AMBER', sectors: ['energy'], addressedByName: false }), true);
  assert.equal(wantsAlert(p, { tlp: 'AMBER', sectors: ['health'], addressedByName: false }), false, 'another sector');
  assert.equal(wantsAlert(p, { tlp: 'AMBER', sectors: [], addressedByName: false }), true, 'an alert for all sectors');
  assert.equal(wantsAlert(p, { tlp: 'RED', sectors: ['energy'], addressedByName: false }), false, 'a level it does not want');
  assert.equal(wantsAlert(p, { tlp: 'RED', sectors: ['health'], addressedByName: true }), true, 'addressed to it by name');
  assert.equal(wantsAlert(DEFAULT_PREFERENCES, { tlp: 'AMBER+STRICT', sectors: ['space'], addressedByName: false }), true, 'the defaults want everything');
});

describeEachApp('member profiles', (t) => {
  let admin: Browser;
  let memberAdmin: Browser;
  let plainMember: Browser;
  let otherAdmin: Browser;
  let orgId = 0;
  let otherOrgId = 0;
  let memberAdminId = 0;
  let receiver: TestWebhookReceiver;
  let memberKey = '';
  const api = (b: Browser, method: string, url: string, payload?: unknown) =>
    b.request({ method: method as 'GET', url, headers: { 'x-csrf-token': b.csrf }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  before(async () => {
    const { app, ctx, adminEmail } = t();
    receiver = await startWebhookReceiver({ now: () => t().clock.now() });
    const org = await createOrganisation(ctx, SYSTEM, { name: 'Waterbedrijf Oost', kind: 'member', sector: 'drinking-water', language: 'nl' });
    const other = await createOrganisation(ctx, SYSTEM, { name: 'Netbeheer West', kind: 'member', sector: 'energy' });
    orgId = org.id;
    otherOrgId = other.id;
    const pw = 'a member password for tests';
    memberAdminId = (await createUser(ctx, SYSTEM, { email: 'ciso@waterbedrijf.example', role: 'member', organisationId: org.id, password: pw })).user.id;
    await createUser(ctx, SYSTEM, { email: 'soc@waterbedrijf.example', role: 'member', organisationId: org.id, password: pw });
    const otherUser = (await createUser(ctx, SYSTEM, { email: 'ciso@netbeheer.example', role: 'member', organisationId: other.id, password: pw })).user;
    admin = await signedIn(app, adminEmail, ADMIN_PASSWORD);
    for (const [o, u] of [[orgId, memberAdminId], [otherOrgId, otherUser.id]]) {
      assert.equal((await api(admin, 'PUT', `/api/v1/members/${o}/admins/${u}`)).statusCode, 204);
    }
    memberAdmin = await signedIn(app, 'ciso@waterbedrijf.example', pw);
    plainMember = await signedIn(app, 'soc@waterbedrijf.example', pw);
    otherAdmin = await signedIn(app, 'ciso@netbeheer.example', pw);
    memberKey = (await createApiKey(ctx, SYSTEM, { organisationId: org.id, role: 'member' })).secret;
  });
  after(async () => receiver?.close());

  test('a member admin adds and removes its contacts and sets its preferences', async () => {
    const added = await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'SOC@Waterbedrijf.example' });
    assert.equal(added.statusCode, 201, added.body);
    assert.deepEqual([added.json().email, added.json().language], ['soc@waterbedrijf.example', 'nl'], 'normalised; the organisation’s language by default');
    assert.equal((await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'soc@waterbedrijf.example' })).statusCode, 409);
    const second = await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'ciso@waterbedrijf.example', language: 'en' });
    assert.equal(second.statusCode, 201);
    assert.equal((await api(memberAdmin, 'DELETE', `/api/v1/members/${orgId}/contacts/${second.json().id}`)).statusCode, 204);
    const prefs = await api(memberAdmin, 'PUT', `/api/v1/members/${orgId}/preferences`, { tlp_levels: ['tlp:amber', 'GREEN', 'CLEAR'], sectors: ['drinking-water', 'energy'], delivery: 'digest' });
    assert.equal(prefs.statusCode, 200, prefs.body);
    assert.deepEqual(prefs.json(), { tlp_levels: ['CLEAR', 'GREEN', 'AMBER'], sectors: ['drinking-water', 'energy'], delivery: 'digest' });
    const bad = await api(memberAdmin, 'PUT', `/api/v1/members/${orgId}/preferences`, { tlp_levels: ['PURPLE'] });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /PURPLE/);
  });

  test('the webhook secret is shown once, when made and when rotated; the profile shows only its start', async () => {
    const set = await api(memberAdmin, 'PUT', `/api/v1/members/${orgId}/webhook`, { url: `${receiver.url}/baken` });
    assert.equal(set.statusCode, 200, set.body);
    const secret = set.json().secret as string;
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const moved = await api(memberAdmin, 'PUT', `/api/v1/members/${orgId}/webhook`, { url: `${receiver.url}/baken/v2` });
    assert.equal(moved.json().secret, null, 'a new URL keeps the secret');
    const profile = await api(plainMember, 'GET', `/api/v1/members/${orgId}`);
    assert.equal(profile.statusCode, 200);
    assert.equal(profile.json().webhook.url, `${receiver.url}/baken/v2`);
    assert.equal(profile.json().webhook.secret_hint, `${secret.slice(0, 10)}…`);
    assert.ok(!profile.body.includes(secret), 'the secret never leaves again');
    assert.deepEqual(profile.json().admins.map((a: { email: string }) => a.email), ['ciso@waterbedrijf.example']);
    const rotated = await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/webhook/rotate`);
    assert.equal(rotated.statusCode, 200);
    assert.notEqual(rotated.json().secret, secret);
    receiver.secrets.set('*', rotated.json().secret);
  });

  test('an alert’s webhook call built from memberRecipients arrives signed with the member’s secret', async () => {
    const { ctx } = t();
    const [r] = await memberRecipients(ctx.db.kysely, [orgId]);
    assert.deepEqual(r?.contacts, [{ email: 'soc@waterbedrijf.example', language: 'nl' }]);
    assert.equal(r?.preferences.delivery, 'digest');
    await transact(ctx.db.kysely, (trx) =>
      enqueueWebhook(trx, ctx.clock, { url: r!.webhook!.url, secret: r!.webhook!.secret, event: 'ping', body: { event: 'ping' }, idempotencyKey: `ping:${orgId}` }),
    );
    await new DeliveryWorker(ctx, { mailer: null, webhookRatePerMinute: 60_000 }).runOnce();
    assert.equal(receiver.calls.length, 1);
    assert.equal(receiver.calls[0]!.path, '/baken/v2');
    assert.equal(receiver.calls[0]!.verification.ok, true);
  });

  test('over the API a member admin sets a contact’s language, pings its webhook, manages its own keys and reads its deliveries', async () => {
    const { app, ctx } = t();
    const contact = await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'taal@waterbedrijf.example' });
    assert.equal(contact.json().language, 'nl');
    const english = await api(memberAdmin, 'PATCH', `/api/v1/members/${orgId}/contacts/${contact.json().id}`, { language: 'en' });
    assert.equal(english.statusCode, 200, english.body);
    assert.equal(english.json().language, 'en');
    assert.equal((await api(memberAdmin, 'PATCH', `/api/v1/members/${orgId}/contacts/${contact.json().id}`, { language: 'fr' })).statusCode, 400);
    assert.equal((await api(memberAdmin, 'PATCH', `/api/v1/members/${orgId}/contacts/999999`, { language: 'en' })).statusCode, 404);
    assert.equal((await api(otherAdmin, 'PATCH', `/api/v1/members/${orgId}/contacts/${contact.json().id}`, { language: 'nl' })).statusCode, 403);
    assert.equal((await api(memberAdmin, 'DELETE', `/api/v1/members/${orgId}/contacts/${contact.json().id}`)).statusCode, 204);

    receiver.calls.length = 0;
    const ping = await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/webhook/test`);
    assert.equal(ping.statusCode, 202, ping.body);
    await new DeliveryWorker(ctx, { mailer: null, webhookRatePerMinute: 60_000 }).runOnce();
    assert.equal(receiver.calls.length, 1);
    assert.equal(receiver.calls[0]!.headers['x-baken-event'], 'ping');
    assert.equal(receiver.calls[0]!.headers['x-baken-delivery'], ping.json().delivery_id);
    assert.ok(receiver.calls[0]!.verification.ok, 'signed with the current secret');
    assert.equal((await api(plainMember, 'POST', `/api/v1/members/${orgId}/webhook/test`)).statusCode, 403, 'admins only');
    assert.equal((await api(otherAdmin, 'POST', `/api/v1/members/${otherOrgId}/webhook/test`)).statusCode, 409, 'no webhook set');

    const made = await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/keys`, { label: 'SIEM', expires: '2099-12-31' });
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.headers['cache-control'], 'no-store');
    const { api_key: key, key: secret } = made.json() as { api_key: { id: number; role: string; label: string; state: string; organisation_id: number }; key: string };
    assert.deepEqual([key.role, key.label, key.state, key.organisation_id], ['member', 'SIEM', 'active', orgId]);
    const listed = await api(memberAdmin, 'GET', `/api/v1/members/${orgId}/keys`);
    assert.ok((listed.json() as Array<{ id: number }>).some((k) => k.id === key.id));
    assert.ok(!listed.body.includes(secret), 'the key itself is shown once');
    const withKey = () => app.inject({ method: 'GET', url: `/api/v1/members/${orgId}`, headers: { authorization: `Bearer ${secret}` } });
    assert.equal((await withKey()).statusCode, 200, 'the new key works');
    assert.equal((await api(otherAdmin, 'GET', `/api/v1/members/${orgId}/keys`)).statusCode, 403);
    assert.equal((await api(plainMember, 'POST', `/api/v1/members/${orgId}/keys`, { label: 'mine' })).statusCode, 403);
    assert.equal((await api(otherAdmin, 'DELETE', `/api/v1/members/${otherOrgId}/keys/${key.id}`)).statusCode, 404, 'another organisation’s key is as unknown as none');
    const revoked = await api(memberAdmin, 'DELETE', `/api/v1/members/${orgId}/keys/${key.id}`);
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().state, 'revoked');
    assert.equal((await withKey()).statusCode, 401, 'and is refused once revoked');

    const indicator = (await upsertIndicator(ctx, SYSTEM, { value: 'deliveries.example', tlp: 'AMBER' })).indicator.id;
    const draft = await createAlert(ctx, SYSTEM, { title: 'Deliveries', severity: 'high', summary: 'Look.', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [orgId] }, indicatorIds: [indicator] });
    await publishAlert(ctx, SYSTEM, draft.id);
    await new DeliveryWorker(ctx, { mailer: null, webhookRatePerMinute: 60_000 }).runOnce();
    const history = await api(plainMember, 'GET', `/api/v1/members/${orgId}/deliveries`);
    assert.equal(history.statusCode, 200, history.body);
    type History = { alerts: Array<{ alert: { id: number; title: string }; acknowledged_at: string | null; messages: Array<{ channel: string; status: string; topic: string }> }>; digests: unknown[] };
    const received = (history.json() as History).alerts.find((a) => a.alert.id === draft.id)!;
    assert.equal(received.alert.title, 'Deliveries');
    assert.equal(received.acknowledged_at, null);
    assert.ok(received.messages.some((m) => m.channel === 'webhook' && m.status === 'sent'), 'the alert’s webhook call, delivered');
    assert.equal((await api(otherAdmin, 'GET', `/api/v1/members/${orgId}/deliveries`)).statusCode, 403);
  });

  test('a member reaches only its own organisation; only its admins change it; only the coordinator names admins', async () => {
    const { app } = t();
    assert.equal((await api(otherAdmin, 'GET', `/api/v1/members/${orgId}`)).statusCode, 403);
    assert.equal((await api(otherAdmin, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'evil@netbeheer.example' })).statusCode, 403);
    assert.equal((await api(otherAdmin, 'PUT', `/api/v1/members/${orgId}/webhook`, { url: 'https://evil.example/' })).statusCode, 403);
    assert.equal((await api(plainMember, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'x@waterbedrijf.example' })).statusCode, 403, 'a member user who is no admin');
    assert.equal((await api(memberAdmin, 'PUT', `/api/v1/members/${orgId}/admins/${memberAdminId}`)).statusCode, 403, 'a member admin cannot name admins');
    assert.equal((await api(memberAdmin, 'GET', '/api/v1/members')).statusCode, 403, 'nor list all members');
    const byKey = await app.inject({ method: 'GET', url: `/api/v1/members/${orgId}`, headers: { authorization: `Bearer ${memberKey}` } });
    assert.equal(byKey.statusCode, 200, 'the organisation’s own key reads its profile');
    const keyWrite = await app.inject({ method: 'POST', url: `/api/v1/members/${orgId}/contacts`, headers: { authorization: `Bearer ${memberKey}` }, payload: { email: 'k@waterbedrijf.example' } });
    assert.equal(keyWrite.statusCode, 403, 'keys are machines, not admins');
    const list = await api(admin, 'GET', '/api/v1/members');
    assert.deepEqual(
      list.json().map((m: { organisation: { name: string }; contacts: number; has_webhook: boolean; admins: number }) => [m.organisation.name, m.contacts, m.has_webhook, m.admins]),
      [['Netbeheer West', 0, false, 1], ['Waterbedrijf Oost', 1, true, 1]],
    );
    assert.equal((await api(admin, 'DELETE', `/api/v1/members/${orgId}/admins/${memberAdminId}`)).statusCode, 204);
    assert.equal((await api(memberAdmin, 'POST', `/api/v1/members/${orgId}/contacts`, { email: 'late@waterbedrijf.example' })).statusCode, 403, 'revoked at the next request');
  });

  test('webhook URLs that are not http(s), carry credentials, or (by default) point inward are refused', async () => {
    const { ctx } = t();
    const { checkWebhookUrl } = await import('../../src/hub/members/index.js');
    assert.throws(() => checkWebhookUrl('ftp://x.example/', true), /http or https/);
    assert.throws(() => checkWebhookUrl('https://user:pw@x.example/', true), /user name or password/);
    assert.throws(() => checkWebhookUrl('http://soc.example/', false), /must be https/);
    assert.throws(() => checkWebhookUrl('https://127.0.0.1/', false), /not a public address/);
    assert.throws(() => checkWebhookUrl('https://localhost/', false), /this machine/);
    assert.equal(checkWebhookUrl('https://soc.example/baken#x', false), 'https://soc.example/baken');
    assert.equal(ctx.config.webhookAllowPrivate, true);
    assert.equal((await api(admin, 'PUT', `/api/v1/members/${ctx.config.webhookAllowPrivate ? 999999 : 0}/webhook`, { url: 'https://soc.example/' })).statusCode, 404);
  });
}, { config: { webhookAllowPrivate: true } });
