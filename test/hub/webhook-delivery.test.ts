/**
 * Webhook calls through the outbox to real HTTP receivers on 127.0.0.1, on both databases: signatures a
 * receiver can verify, retries with the same delivery id and a fresh timestamp, permanent refusals, no
 * duplicates, the per-destination pool, and the refusal of private destinations, checked on the address the
 * connection uses (no DNS rebinding).
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deliveryStates } from '../../src/platform/delivery/outbox.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import {
  createHttpWebhookSender,
  enqueueWebhook,
  resecretPendingWebhooks,
  signedWebhookHeaders,
  verifyWebhookSignature,
  webhookSignature,
} from '../../src/platform/delivery/webhooks.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startWebhookReceiver, type TestWebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'whsec_test_secret_for_member_7';

test('the signature is HMAC-SHA256 over timestamp "." body; receivers reject old, future, tampered and unsigned calls', () => {
  const now = new Date('2026-03-01T10:00:00Z');
  const body = '{"event":"ping"}';
  const headers = signedWebhookHeaders(SECRET, 'whd_1', 'ping', body, now);
  assert.equal(headers['X-Baken-Timestamp'], String(now.getTime() / 1000));
  assert.equal(headers['X-Baken-Signature'], `v1=${webhookSignature(SECRET, now.getTime() / 1000, body)}`);
  // A known vector, so the docs' Node and Python examples can be checked against it.
  assert.equal(webhookSignature('secret', 1700000000, '{}'), 'b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163');
  assert.deepEqual(verifyWebhookSignature(SECRET, headers, body, now), { ok: true, deliveryId: 'whd_1', event: 'ping', timestamp: now.getTime() / 1000 });
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  assert.equal(verifyWebhookSignature(SECRET, lower, Buffer.from(body), new Date(now.getTime() + 299_000)).ok, true, 'lower-case headers, a Buffer body, 299 s late');
  assert.deepEqual(verifyWebhookSignature(SECRET, headers, body, new Date(now.getTime() + 301_000)), { ok: false, reason: 'too-old' });
  assert.deepEqual(verifyWebhookSignature(SECRET, headers, body, new Date(now.getTime() - 301_000)), { ok: false, reason: 'in-the-future' });
  assert.deepEqual(verifyWebhookSignature(SECRET, headers, '{"event":"pong"}', now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyWebhookSignature('another secret', headers, body, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyWebhookSignature(SECRET, { 'X-Baken-Timestamp': headers['X-Baken-Timestamp']! }, body, now), { ok: false, reason: 'missing-headers' });
  assert.deepEqual(verifyWebhookSignature(SECRET, { ...headers, 'X-Baken-Timestamp': 'yesterday' }, body, now), { ok: false, reason: 'bad-timestamp' });
  // Several signatures (a receiver between two secrets, or a future v2 beside v1): any v1 that matches will do.
  const two = { ...headers, 'X-Baken-Signature': `v1=${'0'.repeat(64)}, ${headers['X-Baken-Signature']}` };
  assert.equal(verifyWebhookSignature(SECRET, two, body, now).ok, true);
});

test('without BAKEN_WEBHOOK_ALLOW_PRIVATE, calls to loopback and private addresses fail for good', async () => {
  const sender = createHttpWebhookSender();
  for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://[::1]:9/hook', 'http://169.254.169.254/latest']) {
    await assert.rejects(sender.send({ url, headers: {}, body: '{}' }), (err: Error) => err.name === 'PermanentDeliveryError' && /not a public address/.test(err.message), url);
  }
});

test('a name is checked as the connection resolves it: an inner address is refused, whatever it answered before', async () => {
  const receiver = await startWebhookReceiver({ secret: SECRET });
  try {
    const port = new URL(receiver.url).port;
    const body = '{"event":"ping"}';
    const headers = signedWebhookHeaders(SECRET, 'whd_dns', 'ping', body, new Date());
    let asked = 0;
    let answer: Array<{ address: string; family: number }> = [];
    const resolve = async (host: string) => {
      asked++;
      assert.equal(host, 'hooks.member.example');
      return answer;
    };
    const url = `http://hooks.member.example:${port}/hook`;
    // A name that now answers with this machine (DNS rebinding): refused when the socket would connect.
    answer = [{ address: '127.0.0.1', family: 4 }];
    await assert.rejects(createHttpWebhookSender({ resolve }).send({ url, headers, body }), (err: Error) => err.name === 'PermanentDeliveryError' && /127\.0\.0\.1, which is not a public address/.test(err.message));
    // One inner address among public ones is enough to refuse the name.
    answer = [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }];
    await assert.rejects(createHttpWebhookSender({ resolve }).send({ url, headers, body }), /10\.0\.0\.7, which is not a public address/);
    assert.equal(receiver.calls.length, 0, 'nothing reached the inner address');
    // Allowed, the call goes to exactly the address the resolver gave: the name exists nowhere else.
    answer = [{ address: '127.0.0.1', family: 4 }];
    asked = 0;
    await createHttpWebhookSender({ resolve, allowPrivate: true }).send({ url, headers, body });
    assert.equal(receiver.calls.length, 1);
    assert.ok(receiver.calls[0]!.verification.ok);
    assert.equal(asked, 1, 'one resolution, used for the connection; no separate check that could answer differently');
  } finally {
    await receiver.close();
  }
});

describeEachDatabase('webhook delivery through the outbox', (db) => {
  let a: TestWebhookReceiver;
  let b: TestWebhookReceiver;
  before(async () => {
    a = await startWebhookReceiver({ secret: SECRET, now: () => db().clock.now() });
    b = await startWebhookReceiver({ secret: SECRET, now: () => db().clock.now() });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const worker = (extra: Partial<ConstructorParameters<typeof DeliveryWorker>[1]> = {}) =>
    new DeliveryWorker(db().ctx, { mailer: null, webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 2000 }), webhookRatePerMinute: 600_000, ...extra });
  const queue = (url: string, key: string, body: unknown = { key }, extra: Record<string, unknown> = {}) =>
    enqueueWebhook(db().ctx.db.kysely, db().ctx.clock, { url, secret: SECRET, event: 'alert.published', body, idempotencyKey: key, refType: 'test-webhook', refId: key, ...extra });

  test('a call arrives once, signed, with its delivery id and event; queueing it again is a no-op', async () => {
    a.calls.length = 0;
    const body = { alert: { id: 1, title: 'Exploitation of CVE-2026-0001', tlp: 'AMBER' } };
    const first = await queue(`${a.url}/hooks/baken`, 'wh:1', body);
    const again = await queue(`${a.url}/hooks/baken`, 'wh:1', { different: true });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.messageId, first.messageId);
    const run = await worker().runOnce();
    assert.deepEqual(run, { sent: 1, failed: 0, retried: 0, recovered: 0 });
    assert.equal(a.calls.length, 1);
    const call = a.calls[0]!;
    assert.equal(call.path, '/hooks/baken');
    assert.deepEqual(JSON.parse(call.body), body);
    assert.equal(call.headers['content-type'], 'application/json');
    assert.equal(call.headers['x-baken-event'], 'alert.published');
    assert.equal(call.headers['x-baken-delivery'], first.messageId);
    assert.match(first.messageId, /^whd_/);
    assert.equal(call.verification.ok, true);
    assert.equal((await worker().runOnce()).sent, 0, 'nothing is sent twice');
    const [state] = await deliveryStates(db().ctx.db.kysely, 'test-webhook', ['wh:1']);
    assert.equal(state?.status, 'sent');
  });

  test('5xx, 408, 429 and timeouts are retried with backoff, with the same delivery id and a fresh signature', async () => {
    const { clock } = db();
    a.calls.length = 0;
    const q = await queue(`${a.url}/retry`, 'wh:retry');
    a.answerNext(1, 503);
    assert.equal((await worker().runOnce()).retried, 1);
    assert.equal((await worker().runOnce()).sent, 0, 'not before its time');
    clock.advance(60_000);
    a.answerNext(1, 429);
    assert.equal((await worker().runOnce()).retried, 1);
    clock.advance(120_000);
    a.answerNext(1, 408);
    assert.equal((await worker().runOnce()).retried, 1);
    clock.advance(10 * 60_000);
    a.delayMs = Infinity;
    assert.equal((await worker({ webhooks: createHttpWebhookSender({ allowPrivate: true, timeoutMs: 200 }) }).runOnce()).retried, 1, 'no answer in time');
    a.delayMs = 0;
    clock.advance(60 * 60_000);
    assert.equal((await worker().runOnce()).sent, 1);
    assert.equal(a.calls.length, 5);
    assert.deepEqual(new Set(a.calls.map((c) => c.headers['x-baken-delivery'])), new Set([q.messageId]), 'one delivery id on every attempt');
    const stamps = a.calls.map((c) => Number(c.headers['x-baken-timestamp']));
    assert.ok(stamps[4]! - stamps[0]! >= 60 * 60, 'the last attempt is signed when it is sent, not when it was queued');
    assert.equal(a.calls[4]!.verification.ok, true);
    const [s] = await deliveryStates(db().ctx.db.kysely, 'test-webhook', ['wh:retry']);
    assert.deepEqual([s?.status, s?.attempts, s?.lastError], ['sent', 5, null]);
  });

  test('other 4xx answers fail for good at once and show why; after the last attempt a call shows as failed', async () => {
    const { clock } = db();
    a.calls.length = 0;
    await queue(`${a.url}/gone`, 'wh:gone');
    a.answerNext(1, 410);
    assert.equal((await worker().runOnce()).failed, 1);
    await queue(`${a.url}/max`, 'wh:max', {}, { maxAttempts: 2 });
    a.answerNext(2, 500);
    await worker().runOnce();
    clock.advance(3600_000);
    await worker().runOnce();
    const states = await deliveryStates(db().ctx.db.kysely, 'test-webhook', ['wh:gone', 'wh:max']);
    assert.deepEqual(states.map((s) => [s.refId, s.status, s.attempts]), [['wh:gone', 'failed', 1], ['wh:max', 'failed', 2]]);
    assert.match(states[0]!.lastError ?? '', /HTTP 410/);
    clock.advance(6 * 3600_000);
    assert.equal((await worker().runOnce()).sent + a.calls.length, 3, 'failed calls are not tried again');
  });

  test('a call the journal saw delivered before a crash is recorded, not sent again', async () => {
    const { ctx, clock, dataDir } = db();
    a.calls.length = 0;
    const done = await queue(`${a.url}/crash`, 'wh:crash-done');
    const lost = await queue(`${a.url}/crash`, 'wh:crash-lost');
    await ctx.db.kysely.updateTable('outbox').set({ status: 'sending', lease_owner: 'dead', leased_until: new Date(clock.now().getTime() + 120_000).toISOString(), attempts: 1 }).where('id', 'in', [done.id, lost.id]).execute();
    appendFileSync(join(dataDir, 'outbox-journal.log'), `${done.id}\n`);
    assert.deepEqual(await worker().runOnce(), { sent: 0, failed: 0, retried: 0, recovered: 1 });
    clock.advance(121_000);
    assert.equal((await worker().runOnce()).sent, 1);
    assert.deepEqual(a.calls.map((c) => c.headers['x-baken-delivery']), [lost.messageId]);
  });

  test('a slow receiver holds up only itself: calls to other destinations go past it', async () => {
    a.calls.length = 0;
    b.calls.length = 0;
    a.delayMs = 600;
    for (let i = 0; i < 3; i++) await queue(`${a.url}/slow`, `wh:slow:${i}`);
    for (let i = 0; i < 40; i++) await queue(`${b.url}/fast/${i % 10}`, `wh:fast:${i}`);
    const started = Date.now();
    const run = await worker({ webhookConcurrency: 8 }).runOnce();
    a.delayMs = 0;
    assert.equal(run.sent, 43);
    const lastFast = Math.max(...b.calls.map((c) => c.answeredAt));
    assert.ok(lastFast - started < 600, `the fast receiver was done after ${lastFast - started} ms, before the slow one answered once`);
    assert.ok(a.calls.length === 3 && a.calls[2]!.arrivedAt >= a.calls[1]!.answeredAt, 'one call at a time to the slow destination');
    assert.ok(b.calls.every((c) => c.verification.ok));
  });

  test('calls to one destination keep to its rate', async () => {
    b.calls.length = 0;
    for (let i = 0; i < 4; i++) await queue(`${b.url}/rate`, `wh:rate:${i}`);
    const started = Date.now();
    await worker({ webhookRatePerMinute: 600 }).runOnce();
    assert.equal(b.calls.length, 4);
    assert.ok(Date.now() - started >= 280, 'four calls at ten a second take at least 0.3 s');
  });

  test('a rotated secret re-signs calls still waiting', async () => {
    const { ctx } = db();
    a.calls.length = 0;
    await queue(`${a.url}/rotate`, 'wh:rotate');
    assert.equal(await resecretPendingWebhooks(ctx.db.kysely, `${a.url}/rotate`, 'the new secret'), 1);
    a.secrets.set('/rotate', 'the new secret');
    assert.equal((await worker().runOnce()).sent, 1);
    assert.equal(a.calls[0]!.verification.ok, true);
  });

  test('a background worker delivers a call as soon as it is queued', async () => {
    b.calls.length = 0;
    const w = worker();
    w.start();
    try {
      await queue(`${b.url}/live`, 'wh:live');
      const until = Date.now() + 3000;
      while (b.calls.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(b.calls.length, 1);
    } finally {
      await w.stop();
    }
  });
});
