/**
 * The daily digest on both databases, over a real SMTP server: members whose preference is digest get no alert or
 * sighting email at once (their webhook still fires at once, sightings within the next flush), and from BAKEN_DIGEST_HOUR one email per contact per
 * day, in its language, with exactly the alerts, updates, retractions and sightings held back for them; nothing when
 * nothing is new; never twice, even when two runs race; immediate members unaffected.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createAlert, publishAlert, retractAlert, updateAlert, type AlertInput } from '../../src/hub/alerts/index.js';
import { runDigests } from '../../src/hub/digest/index.js';
import { upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { addContact, setPreferences, setWebhook } from '../../src/hub/members/index.js';
import { flushSightingRebroadcasts, reportSighting } from '../../src/hub/sightings/index.js';
import { SYSTEM } from '../../src/platform/context.js';
import { createSmtpMailer } from '../../src/platform/delivery/mailer.js';
import { createHttpWebhookSender } from '../../src/platform/delivery/webhooks.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../helpers/webhook-receiver.js';

const HOUR = 3600_000;

describeEachDatabase(
  'daily digest',
  (db) => {
    const org: Record<string, number> = {};
    const alert: Record<string, number> = {};
    let smtp: TestSmtpServer;
    let hook: TestWebhookReceiver;

    const deliverAll = async () => {
      const worker = new DeliveryWorker(db().ctx, { mailer: createSmtpMailer(smtp.url), ratePerMinute: 600_000, webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 3000 }), webhookRatePerMinute: 600_000 });
      while ((await flushSightingRebroadcasts(db().ctx)).more);
      for (let i = 0; i < 10; i++) {
        const r = await worker.runOnce();
        if (r.sent === 0 && r.retried === 0) break;
      }
    };
    const to = (address: string) => smtp.received.filter((m) => m.envelopeTo.includes(address));
    const digestsTo = (address: string) => to(address).filter((m) => m.parsed.headers.get('x-baken-digest'));
    const base = (over: Partial<AlertInput>): AlertInput => ({ title: 'x', severity: 'high', summary: 'Patch **now**.', tlp: 'AMBER', audience: { kind: 'all' }, ...over });

    before(async () => {
      const { ctx, clock } = db();
      smtp = await startSmtpServer();
      hook = await startWebhookReceiver({ now: () => clock.now() });
      for (const [name, sector] of [['A', 'energy'], ['B', 'energy'], ['C', 'health'], ['D', 'transport']] as const) {
        org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Digest member ${name}`, kind: 'member', sector, language: 'en' })).id;
      }
      await addContact(ctx, SYSTEM, org.A!, { email: 'soc@a.example', language: 'nl' });
      await addContact(ctx, SYSTEM, org.A!, { email: 'ciso@a.example', language: 'en' });
      await addContact(ctx, SYSTEM, org.B!, { email: 'soc@b.example' });
      await addContact(ctx, SYSTEM, org.C!, { email: 'soc@c.example' });
      await addContact(ctx, SYSTEM, org.D!, { email: 'soc@d.example' });
      hook.secrets.set('*', (await setWebhook(ctx, SYSTEM, org.A!, `${hook.url}/a`)).secret!);
      await setPreferences(ctx, SYSTEM, org.A!, { delivery: 'digest' });
      await setPreferences(ctx, SYSTEM, org.C!, { delivery: 'digest' });
      // D takes the digest too, but wants only CLEAR and GREEN: the AMBER alerts below skip it.
      await setPreferences(ctx, SYSTEM, org.D!, { delivery: 'digest', tlpLevels: ['CLEAR', 'GREEN'] });
    });
    after(async () => {
      await smtp.close();
      await hook.close();
    });

    test('digest members get no email at once, their webhook fires at once, immediate members are unaffected', async () => {
      const { ctx } = db();
      const ind = (await upsertIndicator(ctx, SYSTEM, { value: 'digest-evil.example', tlp: 'AMBER' })).indicator.id;
      alert.all = (await createAlert(ctx, SYSTEM, base({ title: 'Wiper in energy networks', indicatorIds: [ind] }))).id;
      await publishAlert(ctx, SYSTEM, alert.all);
      alert.strict = (await createAlert(ctx, SYSTEM, base({ title: 'Only for A', tlp: 'AMBER+STRICT', audience: { kind: 'organisations', organisationIds: [org.A!] } }))).id;
      await publishAlert(ctx, SYSTEM, alert.strict);
      await updateAlert(ctx, SYSTEM, alert.all, { summary: 'Patch now; a second variant is out.', note: 'second variant' });
      alert.gone = (await createAlert(ctx, SYSTEM, base({ title: 'False alarm', tlp: 'GREEN' }))).id;
      await publishAlert(ctx, SYSTEM, alert.gone);
      await retractAlert(ctx, SYSTEM, alert.gone, 'it was a test');
      // B (energy, named only to the coordinator) sees the indicator: A and C are told in their digest.
      await reportSighting(ctx, SYSTEM, { kind: 'member', organisationId: org.B!, userId: null }, { indicatorId: ind, count: 4 });
      await deliverAll();
      assert.equal(to('soc@a.example').length, 0, 'no email at once for a digest member');
      assert.equal(to('ciso@a.example').length, 0);
      assert.equal(to('soc@c.example').length, 0);
      assert.equal(to('soc@d.example').length, 0, 'D takes the GREEN alert in its digest');
      // B: published, updated, the GREEN one published and retracted: four emails at once.
      assert.deepEqual(to('soc@b.example').map((m) => m.subject), [
        '[TLP:AMBER] Alert: Wiper in energy networks (high)',
        '[TLP:AMBER] Update: Wiper in energy networks (high)',
        '[TLP:GREEN] Alert: False alarm (high)',
        '[TLP:GREEN] Retracted: False alarm (high)',
      ]);
      const events = hook.calls.map((c) => JSON.parse(c.body).event as string);
      assert.ok(events.includes('alert.published') && events.includes('alert.updated') && events.includes('sightings.reported'), events.join());
      assert.ok(hook.calls.every((c) => c.verification.ok));
    });

    test('nothing goes before the hour, and what arrived after today\'s hour waits for tomorrow', async () => {
      const { ctx, clock } = db();
      // The clock starts at 10:00 UTC: today's digest hour (07:00) has passed, and everything came after it.
      const today = await runDigests(ctx);
      assert.equal(today.due, true);
      assert.deepEqual(today.digests, []);
      clock.advance(20 * HOUR); // 06:00 the next day
      const early = await runDigests(ctx);
      assert.equal(early.due, false);
      assert.equal(early.dueAt, '2026-03-02T07:00:00.000Z');
    });

    test('from the hour: one digest per contact with exactly its alerts, in its language; D has nothing new and gets nothing', async () => {
      const { ctx, clock } = db();
      clock.advance(1.5 * HOUR); // 07:30
      const run = await runDigests(ctx);
      assert.deepEqual(run.digests.map((d) => [d.organisationId, d.alerts, d.emails]).sort(), [[org.A!, 3, 2], [org.C!, 2, 1], [org.D!, 1, 1]].sort());
      await deliverAll();
      const [nl] = digestsTo('soc@a.example');
      const [en] = digestsTo('ciso@a.example');
      assert.equal(digestsTo('soc@a.example').length, 1);
      assert.equal(digestsTo('ciso@a.example').length, 1);
      assert.equal(nl!.subject, '[TLP:AMBER+STRICT] Dagelijks overzicht 2026-03-02: 3 melding(en)');
      assert.equal(en!.subject, '[TLP:AMBER+STRICT] Daily digest 2026-03-02: 3 alert(s)');
      const text = en!.text!;
      assert.match(text, /New alerts \(2\)/);
      assert.match(text, /\[TLP:AMBER\] Wiper in energy networks \(severity high, version 2\)/);
      assert.match(text, /Updated to version 2: second variant/);
      assert.match(text, /digest-evil\[\.\]example/);
      assert.match(text, /Only for A/);
      assert.match(text, /Retracted alerts: disregard them \(1\)[\s\S]*False alarm[\s\S]*Reason: it was a test/);
      assert.match(text, /Sightings by other members \(1\)\n-+\n\n\[TLP:AMBER\] Wiper in energy networks\n {2}1 sighting\(s\) of its indicators, in the sector\(s\) Energy\./);
      assert.doesNotMatch(text, /Digest member B/, 'the reporter is not named');
      assert.match(nl!.text!, /Nieuwe meldingen \(2\)/);
      const c = digestsTo('soc@c.example');
      assert.equal(c.length, 1);
      assert.doesNotMatch(c[0]!.text!, /Only for A/, 'an AMBER+STRICT alert for A never reaches C');
      assert.match(c[0]!.text!, /Wiper in energy networks/);
      const d = digestsTo('soc@d.example');
      assert.equal(d.length, 1);
      assert.match(d[0]!.text!, /False alarm/);
      assert.doesNotMatch(d[0]!.text!, /Wiper/);
      assert.equal(digestsTo('soc@b.example').length, 0, 'an immediate member gets no digest');
    });

    test('a second run the same day, and a day with nothing new, send nothing', async () => {
      const { ctx, clock } = db();
      const before = smtp.received.length;
      assert.deepEqual((await runDigests(ctx)).digests, []);
      clock.advance(24 * HOUR); // 07:30 the day after
      assert.deepEqual((await runDigests(ctx)).digests, []);
      await deliverAll();
      assert.equal(smtp.received.length, before);
    });

    test('two runs at once (two nodes) send one digest per member', async () => {
      const { ctx, clock } = db();
      clock.advance(20 * HOUR); // 03:30 the next day, before the hour
      const id = (await createAlert(ctx, SYSTEM, base({ title: 'Raced', tlp: 'GREEN' }))).id;
      await publishAlert(ctx, SYSTEM, id);
      clock.advance(4 * HOUR); // 07:30
      const runs = await Promise.all([runDigests(ctx), runDigests(ctx), runDigests(ctx)]);
      const sent = runs.flatMap((r) => r.digests).map((d) => d.organisationId).sort();
      assert.deepEqual(sent, [org.A!, org.C!, org.D!].sort());
      await deliverAll();
      assert.equal(digestsTo('ciso@a.example').length, 2);
      assert.equal(digestsTo('soc@d.example').length, 2);
      assert.match(digestsTo('soc@d.example')[1]!.subject!, /^\[TLP:GREEN\] Daily digest 2026-03-04: 1 alert\(s\)$/);
    });

    test('baken digest run --json', async () => {
      const { url, dataDir } = db();
      const env = { BAKEN_DATA_DIR: dataDir, BAKEN_DATABASE_URL: url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x'), BAKEN_DIGEST_HOUR: '0' };
      const r = await runCli(['digest', 'run', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { day: string; due: boolean; digests: unknown[] };
      // The CLI runs on the real clock; from hour 0 it is always due, and everything held back has gone already.
      assert.equal(out.due, true);
      assert.deepEqual(out.digests, []);
      assert.equal(out.day, new Date().toISOString().slice(0, 10));
      const bad = await runCli(['digest', 'run'], { ...env, BAKEN_DIGEST_HOUR: '24' });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /BAKEN_DIGEST_HOUR/);
    });
  },
  { config: { publicUrl: 'https://baken.example', webhookAllowPrivate: true } },
);
