/**
 * Sightings on both databases: a member's sighting reaching the rest of the alert's audience at once, anonymously
 * over the live stream, a signed webhook and email, and the coordinator named; share_name naming it; a burst of
 * 20 sightings as one webhook call per member carrying all 20 and one email per member (then one summary when the
 * interval is over); webhook calls coalesced per flush, split beyond SIGHTINGS_PER_WEBHOOK, never to the reporter,
 * nothing for a retracted alert;
 * an unknown value kept as an observation; bulk with bad items; "we see this" on the alert page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { createAlert, publishAlert, retractAlert } from '../../src/hub/alerts/index.js';
import { hubEvents } from '../../src/hub/hub-events.js';
import { startHubSchedule } from '../../src/hub/hub-schedule.js';
import { indicatorHistory, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { addContact, memberDeliveryHistory, setWebhook } from '../../src/hub/members/index.js';
import { flushSightingEmails, flushSightingRebroadcasts, SIGHTINGS_PER_WEBHOOK } from '../../src/hub/sightings/index.js';
import { SYSTEM } from '../../src/platform/context.js';
import { createSmtpMailer } from '../../src/platform/delivery/mailer.js';
import { createHttpWebhookSender } from '../../src/platform/delivery/webhooks.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { describeEachApp, signedIn } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../helpers/webhook-receiver.js';
import { openStream, waitFor } from '../helpers/event-stream.js';

describeEachApp(
  'sightings',
  (t) => {
    const org: Record<string, number> = {};
    const keys: Record<string, string> = {};
    let smtp: TestSmtpServer;
    let hookA: TestWebhookReceiver;
    let hookC: TestWebhookReceiver;
    let base: string;
    const ind: Record<string, number> = {};

    const worker = () =>
      new DeliveryWorker(t().ctx, { mailer: createSmtpMailer(smtp.url), ratePerMinute: 600_000, webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 3000 }), webhookRatePerMinute: 600_000 });
    /** What the hub's schedule does every second (sighting webhooks), then the worker until nothing is due. */
    const deliverAll = async () => {
      while ((await flushSightingRebroadcasts(t().ctx)).more);
      for (let i = 0; i < 20; i++) {
        const r = await worker().runOnce();
        if (r.sent === 0 && r.retried === 0) break;
      }
    };
    const api = (key: string, method: string, url: string, payload?: unknown) =>
      t().app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${keys[key]}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    const reset = async () => {
      await deliverAll();
      smtp.received.length = 0;
      hookA.calls.length = 0;
      hookC.calls.length = 0;
    };
    /** A published AMBER alert to all members with the given indicators. */
    const alertWith = async (title: string, indicatorIds: number[]) => {
      const draft = await createAlert(t().ctx, SYSTEM, { title, severity: 'high', summary: 'Look for these.', tlp: 'AMBER', audience: { kind: 'all' }, indicatorIds });
      return (await publishAlert(t().ctx, SYSTEM, draft.id)).alert.id;
    };

    before(async () => {
      const { ctx, app } = t();
      smtp = await startSmtpServer();
      hookA = await startWebhookReceiver({ now: () => t().clock.now() });
      hookC = await startWebhookReceiver({ now: () => t().clock.now() });
      for (const [name, sector] of [['A', 'energy'], ['B', 'energy'], ['C', 'health'], ['D', 'energy']] as const) {
        org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector })).id;
        await addContact(ctx, SYSTEM, org[name]!, { email: `soc@${name.toLowerCase()}.example`, language: name === 'B' ? 'nl' : 'en' });
        keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
      }
      hookA.secrets.set('*', (await setWebhook(ctx, SYSTEM, org.A!, `${hookA.url}/a`)).secret!);
      hookC.secrets.set('*', (await setWebhook(ctx, SYSTEM, org.C!, `${hookC.url}/c`)).secret!);
      const coordinator = (await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id;
      keys.analyst = (await createApiKey(ctx, SYSTEM, { organisationId: Number(coordinator), role: 'analyst' })).secret;
      for (const v of ['evil.example', '185.220.101.7', 'burst.example', 'named.example']) ind[v] = (await upsertIndicator(ctx, SYSTEM, { value: v, tlp: 'AMBER' })).indicator.id;
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await smtp.close();
      await hookA.close();
      await hookC.close();
    });

    test('a member’s sighting reaches the rest of the audience at once, anonymously; the coordinator sees its name', async () => {
      const { ctx } = t();
      const alertId = await alertWith('Energy phishing', [ind['evil.example']!, ind['185.220.101.7']!]);
      await reset();
      const streamA = await openStream(base, keys.A!);
      const streamD = await openStream(base, keys.D!);
      const streamStaff = await openStream(base, keys.analyst!);
      try {
        await waitFor(() => hubEvents.listenerCount >= 3);
        const started = Date.now();
        const res = await api('D', 'POST', '/api/v1/sightings', { value: 'EVIL[.]example', count: 4, first_seen: '2026-03-01T08:00:00Z', last_seen: '2026-03-01T09:30:00Z', note: 'our mail gateway' });
        assert.equal(res.statusCode, 201, res.body);
        const sighting = res.json() as { id: number; indicator: { id: number }; organisation: { name: string }; share_name: boolean };
        assert.equal(sighting.indicator.id, ind['evil.example']);
        assert.equal(sighting.share_name, false);
        assert.ok(await waitFor(() => streamA.events.length === 1 && streamStaff.events.length === 1, 1000), 'on the stream within a second');
        assert.ok(Date.now() - started < 1000);
        const seen = streamA.events[0]!;
        assert.equal(seen.event, 'sighting.rebroadcast');
        assert.equal(seen.data.alert_id, alertId);
        assert.deepEqual(seen.data.indicator, { id: ind['evil.example'], type: 'domain', value: 'evil.example' });
        assert.equal(seen.data.sector, 'energy');
        assert.equal(seen.data.organisations, 1);
        assert.equal(seen.data.reporter, null, 'other members do not learn who');
        assert.ok(!JSON.stringify(seen.data).includes('Member D'));
        assert.ok(!('note' in seen.data), 'the note stays with the coordinator');
        assert.equal(streamStaff.events[0]!.data.reporter, 'Member D', 'the coordinator sees it named');
        assert.ok(await waitFor(() => streamD.events.length === 1));
        assert.equal(streamD.events[0]!.data.reporter, 'Member D', 'the reporter sees its own name');

        await deliverAll();
        for (const hook of [hookA, hookC]) {
          assert.equal(hook.calls.length, 1);
          const call = hook.calls[0]!;
          assert.ok(call.verification.ok, 'signed');
          assert.equal(call.headers['x-baken-event'], 'sightings.reported');
          type Item = { id: number; indicator: { value: string }; reporter: string | null; sector: string; count: number; first_seen: string; totals: { organisations: number }; alert: { id: number; tlp: string } };
          const body = JSON.parse(call.body) as { event: string; sightings: Item[]; recipient: { organisation_id: number } };
          assert.equal(body.event, 'sightings.reported');
          assert.equal(body.sightings.length, 1);
          const item = body.sightings[0]!;
          assert.equal(item.id, sighting.id);
          assert.equal(item.indicator.value, 'evil.example');
          assert.equal(item.reporter, null);
          assert.equal(item.sector, 'energy');
          assert.equal(item.count, 4);
          assert.equal(item.first_seen, '2026-03-01T08:00:00.000Z');
          assert.equal(item.totals.organisations, 1);
          assert.deepEqual([item.alert.id, item.alert.tlp], [alertId, 'AMBER']);
          assert.equal(body.recipient.organisation_id, hook === hookA ? org.A : org.C);
          assert.ok(!call.body.includes('Member D') && !call.body.includes('mail gateway'));
        }
        const to = smtp.received.map((m) => m.envelopeTo.join(',')).sort();
        assert.deepEqual(to, ['soc@a.example', 'soc@b.example', 'soc@c.example'], 'the rest of the audience, not the reporter');
        const mailB = smtp.received.find((m) => m.envelopeTo.includes('soc@b.example'))!;
        assert.match(mailB.subject ?? '', /Waarneming/);
        assert.match(mailB.text ?? '', /sector Energie/);
        assert.ok(!(mailB.text ?? '').includes('Member D'));

        const history = await indicatorHistory(ctx, ind['evil.example']!);
        assert.ok(history.some((h) => h.kind === 'sighting' && h.refId === String(sighting.id)), 'the indicator’s history says it was sighted');

        const staffList = (await api('analyst', 'GET', '/api/v1/sightings')).json() as Array<{ id: number; organisation: { name: string }; note: string | null }>;
        assert.equal(staffList.find((s) => s.id === sighting.id)?.organisation.name, 'Member D');
        assert.equal(staffList.find((s) => s.id === sighting.id)?.note, 'our mail gateway');
        assert.deepEqual((await api('A', 'GET', '/api/v1/sightings')).json(), [], 'a member sees only its own');
        assert.equal(((await api('D', 'GET', '/api/v1/sightings')).json() as unknown[]).length, 1);
      } finally {
        await streamA.close();
        await streamD.close();
        await streamStaff.close();
      }
    });

    test('share_name lets other members see the reporter’s name', async () => {
      await alertWith('Named sighting', [ind['named.example']!]);
      await reset();
      const streamA = await openStream(base, keys.A!);
      try {
        await waitFor(() => hubEvents.listenerCount >= 1);
        const res = await api('D', 'POST', '/api/v1/sightings', { indicator_id: ind['named.example'], share_name: true });
        assert.equal(res.statusCode, 201, res.body);
        assert.ok(await waitFor(() => streamA.events.length === 1));
        assert.equal(streamA.events[0]!.data.reporter, 'Member D');
        await deliverAll();
        assert.equal((JSON.parse(hookA.calls[0]!.body) as { sightings: Array<{ reporter: string }> }).sightings[0]!.reporter, 'Member D');
        assert.match(smtp.received.find((m) => m.envelopeTo.includes('soc@a.example'))!.text ?? '', /Member D \(sector Energy\)/);
      } finally {
        await streamA.close();
      }
    });

    test('a burst of 20 sightings: one webhook call per member carrying every one, one email per member, then one summary', async () => {
      const { ctx, clock } = t();
      await alertWith('Burst', [ind['burst.example']!]);
      await reset();
      for (let i = 0; i < 20; i++) {
        const reporter = i % 2 === 0 ? 'D' : 'B';
        const res = await api(reporter, 'POST', '/api/v1/sightings', { value: 'burst.example', count: i + 1 });
        assert.equal(res.statusCode, 201, res.body);
      }
      await deliverAll();
      assert.equal(hookA.calls.length, 1, 'one call for the burst');
      assert.ok(hookA.calls[0]!.verification.ok);
      type Burst = { sightings: Array<{ id: number; count: number; totals: { organisations: number; sightings: number } }> };
      const burst = (JSON.parse(hookA.calls[0]!.body) as Burst).sightings;
      assert.deepEqual(burst.map((s) => s.count), Array.from({ length: 20 }, (_, i) => i + 1), 'the call carries every sighting, oldest first');
      assert.deepEqual(burst.map((s) => s.totals.sightings), Array.from({ length: 20 }, (_, i) => i + 1), 'each with the totals when it was reported');
      assert.equal(burst[19]!.totals.organisations, 2);
      assert.deepEqual(hookC.calls.length, 1);
      const count = (addr: string) => smtp.received.filter((m) => m.envelopeTo.includes(addr)).length;
      assert.equal(count('soc@a.example'), 1, 'one email to A');
      assert.equal(count('soc@c.example'), 1, 'one email to C');
      assert.equal(count('soc@b.example'), 1, 'B hears of D’s first sighting once');
      assert.equal(count('soc@d.example'), 1, 'D hears of B’s first sighting once');
      assert.equal(await flushSightingEmails(ctx), 0, 'nothing more before the interval is over');
      clock.advance(61 * 60_000);
      assert.equal(await flushSightingEmails(ctx), 4, 'one summary per member');
      assert.equal(await flushSightingEmails(ctx), 0, 'and only one');
      await deliverAll();
      assert.equal(count('soc@a.example'), 2);
      const summary = smtp.received.filter((m) => m.envelopeTo.includes('soc@a.example'))[1]!;
      assert.match(summary.subject ?? '', /Sightings: Burst \(19\)/);
      // The summary was this interval's email: a sighting now waits; one after the interval goes at once again.
      assert.equal((await api('D', 'POST', '/api/v1/sightings', { value: 'burst.example' })).statusCode, 201);
      await deliverAll();
      assert.equal(count('soc@a.example'), 2);
      clock.advance(61 * 60_000);
      assert.equal((await api('D', 'POST', '/api/v1/sightings', { value: 'burst.example' })).statusCode, 201);
      await deliverAll();
      assert.equal(count('soc@a.example'), 3);
      assert.match(smtp.received.filter((m) => m.envelopeTo.includes('soc@a.example'))[2]!.text ?? '', /so far: 2 \(22 reports\)/);
    });

    type Carried = { id: number; alert: { id: number }; indicator: { value: string } };
    const carried = (hook: TestWebhookReceiver) =>
      hook.calls.filter((c) => c.headers['x-baken-event'] === 'sightings.reported').map((c) => {
        assert.ok(c.verification.ok, 'signed');
        return (JSON.parse(c.body) as { sightings: Carried[] }).sightings;
      });

    test('sighting webhooks are coalesced: one call per member and alert per flush, split beyond the cap, never to the reporter', async () => {
      const { ctx } = t();
      const one = (await upsertIndicator(ctx, SYSTEM, { value: 'coalesce-1.example', tlp: 'AMBER' })).indicator.id;
      const two = (await upsertIndicator(ctx, SYSTEM, { value: 'coalesce-2.example', tlp: 'AMBER' })).indicator.id;
      const alertOne = await alertWith('Coalesce one', [one]);
      const alertTwo = await alertWith('Coalesce two', [two]);
      await reset();
      const own = (await api('A', 'POST', '/api/v1/sightings', { value: 'coalesce-1.example' })).json() as { id: number };
      const items = [...Array.from({ length: SIGHTINGS_PER_WEBHOOK }, () => ({ value: 'coalesce-1.example' })), { value: 'coalesce-2.example' }];
      const bulk = await api('D', 'POST', '/api/v1/sightings/bulk', { items });
      assert.equal(bulk.statusCode, 200, bulk.body);
      const queued = await ctx.db.kysely.selectFrom('sighting_rebroadcast_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(queued.n), SIGHTINGS_PER_WEBHOOK + 2, 'one queue row per sighting and alert, not per member');
      await deliverAll();
      const toA = carried(hookA);
      assert.deepEqual(toA.map((c) => c.length), [SIGHTINGS_PER_WEBHOOK, 1], 'A: D’s sightings, a call per alert');
      assert.deepEqual(toA.map((c) => c[0]!.alert.id), [alertOne, alertTwo]);
      assert.ok(!toA.flat().some((c) => c.id === own.id), 'not told of its own sighting');
      const toC = carried(hookC);
      assert.deepEqual(toC.map((c) => c.length), [SIGHTINGS_PER_WEBHOOK, 1, 1], 'C: 501 of the first alert in two calls, then the second alert');
      assert.ok(toC.every((call) => call.every((item) => item.alert.id === call[0]!.alert.id)), 'each call is about one alert');
      const ids = toC.flat().map((c) => c.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'oldest first, across the calls');
      assert.equal(ids[0], own.id);
      assert.equal(toC.flat().filter((c) => c.indicator.value === 'coalesce-2.example').length, 1);
      const history = await memberDeliveryHistory(ctx, org.A!);
      for (const id of [alertOne, alertTwo]) {
        const hooks = history.alerts.find((x) => x.alertId === id)!.messages.filter((m) => m.topic === 'hub.sighting.webhook');
        assert.ok(hooks.length > 0 && hooks.every((m) => m.status === 'sent'), 'the calls show under their alert in the member’s delivery history');
      }
      const left = await ctx.db.kysely.selectFrom('sighting_rebroadcast_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(left.n), 0, 'the flush took them all');
    });

    test('no sighting webhook for an alert retracted before the flush; flushes at once send each sighting once', async () => {
      const { ctx } = t();
      const gone = (await upsertIndicator(ctx, SYSTEM, { value: 'retracted-sighting.example', tlp: 'AMBER' })).indicator.id;
      const race = (await upsertIndicator(ctx, SYSTEM, { value: 'race.example', tlp: 'AMBER' })).indicator.id;
      const goneAlert = await alertWith('Retracted before the flush', [gone]);
      await alertWith('Raced', [race]);
      await reset();
      assert.equal((await api('D', 'POST', '/api/v1/sightings', { value: 'retracted-sighting.example' })).statusCode, 201);
      await retractAlert(ctx, SYSTEM, goneAlert, 'false positive');
      const bulk = await api('D', 'POST', '/api/v1/sightings/bulk', { items: Array.from({ length: 30 }, () => ({ value: 'race.example' })) });
      assert.equal(bulk.statusCode, 200, bulk.body);
      const flushes = await Promise.all([flushSightingRebroadcasts(ctx), flushSightingRebroadcasts(ctx), flushSightingRebroadcasts(ctx)]);
      assert.equal(flushes.reduce((n, f) => n + f.sightings, 0), 31, 'every queued sighting taken exactly once');
      await deliverAll();
      for (const hook of [hookA, hookC]) {
        const all = carried(hook).flat();
        assert.equal(all.length, 30, 'each sighting once');
        assert.equal(new Set(all.map((c) => c.id)).size, 30);
        assert.ok(all.every((c) => c.indicator.value === 'race.example'), 'nothing of the retracted alert');
        assert.ok(hook.calls.some((c) => c.headers['x-baken-event'] === 'alert.retracted'), 'the retraction itself did go');
      }
    });

    test('the hub schedule flushes once an interval: sightings between two flushes are one call per member', async () => {
      const { ctx } = t();
      const id = (await upsertIndicator(ctx, SYSTEM, { value: 'scheduled.example', tlp: 'AMBER' })).indicator.id;
      const alertId = await alertWith('Scheduled', [id]);
      await reset();
      const calls = async () =>
        Number((await ctx.db.kysely.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('topic', '=', 'hub.sighting.webhook').where('ref_id', '=', `${alertId}:${org.A}`).executeTakeFirstOrThrow()).n);
      const queued = async () => Number((await ctx.db.kysely.selectFrom('sighting_rebroadcast_queue').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const schedule = startHubSchedule(ctx);
      try {
        // Twenty sightings trickling in over two seconds: the flush every second (BAKEN_SIGHTING_REBROADCAST_INTERVAL_MS)
        // takes what arrived since the last, so A gets two to four calls, not twenty.
        for (let i = 0; i < 20; i++) {
          assert.equal((await api('D', 'POST', '/api/v1/sightings', { value: 'scheduled.example' })).statusCode, 201);
          await new Promise((r) => setTimeout(r, 100));
        }
        const until = Date.now() + 5000;
        while ((await queued()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        assert.equal(await queued(), 0, 'flushed within the interval');
        const n = await calls();
        assert.ok(n >= 2 && n <= 4, `one call per member per interval, not one per sighting (${n})`);
      } finally {
        await schedule.stop();
      }
      await deliverAll();
      assert.equal(carried(hookA).flat().length, 20, 'every sighting carried');
    });

    test('a value the hub does not know becomes an observation for analysts, re-broadcast to nobody', async () => {
      await reset();
      const res = await api('C', 'POST', '/api/v1/sightings', { value: 'hxxps://unknown[.]example/x', count: 2 });
      assert.equal(res.statusCode, 201, res.body);
      const s = res.json() as { indicator: unknown; observation: { type: string; value: string; state: string } };
      assert.equal(s.indicator, null);
      assert.deepEqual(s.observation && { type: s.observation.type, value: s.observation.value, state: s.observation.state }, { type: 'url', value: 'https://unknown.example/x', state: 'open' });
      const list = (await api('analyst', 'GET', '/api/v1/sightings?observations=true')).json() as Array<{ organisation: { name: string }; observation: { value: string } }>;
      assert.ok(list.some((x) => x.observation.value === 'https://unknown.example/x' && x.organisation.name === 'Member C'));
      await deliverAll();
      assert.equal(hookA.calls.length + smtp.received.length, 0);
      const bad = await api('C', 'POST', '/api/v1/sightings', { value: 'not an indicator at all' });
      assert.equal(bad.statusCode, 400);
      assert.equal((await api('analyst', 'POST', '/api/v1/sightings', { value: 'evil.example' })).statusCode, 403, 'staff do not report sightings');
    });

    test('bulk: the valid items land together, the bad ones come back with index and reason', async () => {
      const { ctx } = t();
      const before = Number((await ctx.db.kysely.selectFrom('sightings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const res = await api('A', 'POST', '/api/v1/sightings/bulk', {
        items: [
          { value: '185.220.101.7', count: 12, first_seen: '2026-02-28T00:00:00Z', last_seen: '2026-03-01T00:00:00Z', note: 'firewall' },
          { value: 'this is not an indicator' },
          'just a string',
          { value: 'evil.example', count: 0 },
          { value: 'evil.example', colour: 'red' },
          { value: 'evil.example', first_seen: '2026-03-02T00:00:00Z', last_seen: '2026-03-01T00:00:00Z' },
          { value: 'new-unknown.example' },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { accepted: number; rejected: Array<{ index: number; reason: string }>; sightings: Array<{ count: number; observation: unknown }> };
      assert.equal(body.accepted, 2);
      assert.deepEqual(body.rejected.map((r) => r.index), [1, 2, 3, 4, 5]);
      assert.match(body.rejected[2]!.reason, /count/);
      assert.match(body.rejected[3]!.reason, /colour/);
      assert.match(body.rejected[4]!.reason, /first_seen/);
      assert.equal(body.sightings[0]!.count, 12);
      assert.ok(body.sightings[1]!.observation);
      const afterCount = Number((await ctx.db.kysely.selectFrom('sightings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      assert.equal(afterCount, before + 2);
      const none = await api('A', 'POST', '/api/v1/sightings/bulk', { items: [{ value: '' }, { count: 3 }] });
      assert.equal(none.statusCode, 400);
      assert.equal((none.json() as { error: { code: string; problems: unknown[] } }).error.code, 'BAKEN_E_VALIDATION');
      assert.equal((none.json() as { error: { problems: unknown[] } }).error.problems.length, 2);
    });

    test('“we see this” on the alert page reports a sighting', async () => {
      const { ctx, app } = t();
      const alertId = await alertWith('Form sighting', [ind['evil.example']!]);
      await createUser(ctx, SYSTEM, { email: 'soc-user@c.example', role: 'member', organisationId: org.C!, password: 'a password for sightings', language: 'en' });
      const browser = await signedIn(app, 'soc-user@c.example', 'a password for sightings');
      const page = await browser.get(`/alerts/${alertId}`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-testid="sighting-form"/);
      const res = await browser.postForm(`/alerts/${alertId}/sightings`, { indicator: String(ind['evil.example']), count: '3', share_name: '1' });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, `/alerts/${alertId}?done=sighted`);
      const mine = (await api('C', 'GET', `/api/v1/sightings?alert_id=${alertId}`)).json() as Array<{ count: number; share_name: boolean; reported_by: string }>;
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.count, 3);
      assert.equal(mine[0]!.share_name, true);
      assert.equal(mine[0]!.reported_by, 'soc-user@c.example');
    });
  },
  { config: { webhookAllowPrivate: true } },
);
