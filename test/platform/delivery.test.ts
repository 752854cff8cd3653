import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSmtpMailer } from '../../src/platform/delivery/mailer.js';
import { deliveryStates, enqueueEmail } from '../../src/platform/delivery/outbox.js';
import { backoffMs, DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

test('backoff doubles from 30 s up to 6 h, with jitter', () => {
  assert.equal(backoffMs(1, () => 0.5), 30_000);
  assert.equal(backoffMs(2, () => 0.5), 60_000);
  assert.equal(backoffMs(30, () => 0.5), 6 * 3600_000);
  assert.equal(backoffMs(1, () => 0), 24_000);
});

describeEachDatabase('outbox and delivery over real SMTP', (db) => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => smtp.close());

  const worker = (extra: Partial<ConstructorParameters<typeof DeliveryWorker>[1]> = {}) =>
    new DeliveryWorker(db().ctx, { mailer: createSmtpMailer(smtp.url), ratePerMinute: 60_000, ...extra });

  test('a queued email is delivered once, with its Message-ID, attachment and headers; queueing again is a no-op', async () => {
    const { ctx } = db();
    const msg = {
      to: ['abuse@operator.example'],
      subject: 'BKN-2026-00001: vulnerable hosts in your network',
      text: 'Dear abuse desk,',
      attachments: [{ filename: 'hosts.csv', contentType: 'text/csv', content: 'timestamp,ip,port\n2026-11-20T10:00:00Z,192.0.2.1,443\n' }],
      headers: { 'X-Baken-Case': 'BKN-2026-00001' },
    };
    const a = await enqueueEmail(ctx.db.kysely, ctx.clock, { ...msg, idempotencyKey: 'test:1', topic: 'test', refType: 'test', refId: 1 });
    const b = await enqueueEmail(ctx.db.kysely, ctx.clock, { ...msg, idempotencyKey: 'test:1', topic: 'test' });
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(a.messageId, b.messageId);
    const run = await worker().runOnce();
    assert.deepEqual(run, { sent: 1, failed: 0, retried: 0, recovered: 0 });
    assert.equal(smtp.received.length, 1);
    const got = smtp.received[0]!;
    assert.deepEqual(got.envelopeTo, ['abuse@operator.example']);
    assert.equal(got.messageId, a.messageId);
    assert.equal(got.parsed.headers.get('x-baken-case'), 'BKN-2026-00001');
    assert.equal(got.parsed.attachments[0]?.content.toString(), msg.attachments[0]!.content);
    assert.equal((await worker().runOnce()).sent, 0, 'nothing is sent twice');
    const [state] = await deliveryStates(ctx.db.kysely, 'test', ['1']);
    assert.equal(state?.status, 'sent');
  });

  test('temporary refusals retry with backoff; permanent ones fail at once and show why', async () => {
    const { ctx, clock } = db();
    smtp.received.length = 0;
    await enqueueEmail(ctx.db.kysely, ctx.clock, { to: ['a@x.example'], subject: 'temp', text: 't', idempotencyKey: 'test:temp', topic: 'test', refType: 'retry', refId: 'temp' });
    smtp.refuseNext(1, 451);
    const first = await worker().runOnce();
    assert.deepEqual([first.sent, first.retried], [0, 1]);
    assert.equal((await worker().runOnce()).sent, 0, 'not before its time');
    clock.advance(60_000);
    assert.equal((await worker().runOnce()).sent, 1);
    await enqueueEmail(ctx.db.kysely, ctx.clock, { to: ['b@x.example'], subject: 'perm', text: 'p', idempotencyKey: 'test:perm', topic: 'test', refType: 'retry', refId: 'perm' });
    smtp.refuseNext(1, 550);
    assert.equal((await worker().runOnce()).failed, 1);
    const states = await deliveryStates(ctx.db.kysely, 'retry');
    assert.deepEqual(states.map((s) => [s.refId, s.status, s.attempts]), [['temp', 'sent', 2], ['perm', 'failed', 1]]);
    assert.match(states[1]!.lastError ?? '', /550/);
  });

  test('after the last attempt a message shows as failed', async () => {
    const { ctx, clock } = db();
    await enqueueEmail(ctx.db.kysely, ctx.clock, { to: ['c@x.example'], subject: 'max', text: 'm', idempotencyKey: 'test:max', topic: 'test', refType: 'max', refId: 'm', maxAttempts: 2 });
    smtp.refuseNext(2, 421);
    await worker().runOnce();
    clock.advance(3600_000);
    await worker().runOnce();
    const [s] = await deliveryStates(ctx.db.kysely, 'max');
    assert.deepEqual([s?.status, s?.attempts], ['failed', 2]);
  });

  test('a message leased by a worker that died is delivered after the lease; one the journal saw sent is not sent again', async () => {
    const { ctx, clock, dataDir } = db();
    smtp.received.length = 0;
    const lost = await enqueueEmail(ctx.db.kysely, ctx.clock, { to: ['d@x.example'], subject: 'lost', text: 'l', idempotencyKey: 'test:lost', topic: 'test' });
    const sentBeforeCrash = await enqueueEmail(ctx.db.kysely, ctx.clock, { to: ['e@x.example'], subject: 'sent', text: 's', idempotencyKey: 'test:sent', topic: 'test' });
    // A worker takes both and dies: the database still says "sending"; the journal holds the one the server had accepted.
    await ctx.db.kysely.updateTable('outbox').set({ status: 'sending', lease_owner: 'dead', leased_until: new Date(clock.now().getTime() + 120_000).toISOString(), attempts: 1 }).where('id', 'in', [lost.id, sentBeforeCrash.id]).execute();
    appendFileSync(join(dataDir, 'outbox-journal.log'), `${sentBeforeCrash.id}\n`);
    const early = await worker().runOnce();
    assert.deepEqual([early.sent, early.recovered], [0, 1], 'the lease still holds; the journal entry is recorded');
    clock.advance(121_000);
    const later = await worker().runOnce();
    assert.equal(later.sent, 1);
    assert.deepEqual(smtp.received.map((m) => m.subject), ['lost']);
  });

  test('the worker keeps to its rate', async () => {
    const { ctx } = db();
    for (let i = 0; i < 4; i++) await enqueueEmail(ctx.db.kysely, ctx.clock, { to: [`r${i}@x.example`], subject: `rate ${i}`, text: 'r', idempotencyKey: `test:rate:${i}`, topic: 'test' });
    const started = Date.now();
    await worker({ ratePerMinute: 600 }).runOnce();
    assert.ok(Date.now() - started >= 280, 'four messages at ten a second take at least 0.3 s');
  });
});
