/**
 * Several nodes on one PostgreSQL database: hub events published on one node reach the live stream on every node
 * (LISTEN/NOTIFY, src/hub/hub-event-relay.ts), each once, with the TLP policy applied by the node that serves the
 * stream; messages over the 8000-byte NOTIFY limit arrive whole; a listener whose connection is killed comes back.
 * Two app instances run in this process on the same schema, each with its own HubEvents, as two processes would.
 * SQLite is one node by design (docs/hub-alerts.md), so these suites run on PostgreSQL only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { buildApp } from '../../src/app.js';
import { createAlert, publishAlert } from '../../src/hub/alerts/index.js';
import { startHubEventRelay } from '../../src/hub/hub-event-relay.js';
import { HubEvents } from '../../src/hub/hub-events.js';
import { upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { SYSTEM, type Context } from '../../src/platform/context.js';
import { channelName, ChannelListener, notifyChannel, asciiJson } from '../../src/platform/db/pg-channel.js';
import { openContext } from '../../src/platform/runtime.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { skipReason, testConfig } from '../helpers/databases.js';
import { openStream, waitFor } from '../helpers/event-stream.js';

/** A second node: its own context (pool, HubEvents) and app on node A's database and schema. */
async function secondNode(a: TestApp): Promise<{ ctx: Context; app: FastifyInstance; close(): Promise<void> }> {
  const ctx = await openContext(testConfig(a.dataDir, { databaseUrl: a.url }), { clock: a.clock, log: pino({ level: 'silent' }) });
  ctx.hubEvents = new HubEvents();
  const app = await buildApp({ ctx });
  await app.ready();
  return {
    ctx,
    app,
    async close() {
      await app.close();
      await ctx.db.destroy();
    },
  };
}

describe('live stream across nodes [postgres]', { skip: skipReason('postgres') }, () => {
  let a: TestApp;
  let b: Awaited<ReturnType<typeof secondNode>>;
  let baseA = '';
  let baseB = '';
  const org: Record<string, number> = {};
  const keys: Record<string, string> = {};
  let indicatorId = 0;
  let alertId = 0;

  before(async () => {
    a = await createTestApp('postgres');
    b = await secondNode(a);
    const { ctx } = a;
    for (const [name, sector] of [['A', 'energy'], ['B', 'energy'], ['C', 'health']] as const) {
      org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector })).id;
      keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
    }
    const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
    keys.analyst = (await createApiKey(ctx, SYSTEM, { organisationId: coordinator, role: 'analyst' })).secret;
    indicatorId = (await upsertIndicator(ctx, SYSTEM, { value: 'evil.example', tlp: 'AMBER' })).indicator.id;
    baseA = await a.app.listen({ host: '127.0.0.1', port: 0 });
    baseB = await b.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  test('an alert published on node A reaches node B’s stream, only for those who may see it', async () => {
    const onB = { B: await openStream(baseB, keys.B!), C: await openStream(baseB, keys.C!) };
    const onA = await openStream(baseA, keys.B!);
    try {
      const draft = await createAlert(a.ctx, SYSTEM, { title: 'Energy phishing', severity: 'high', summary: '.', tlp: 'AMBER', audience: { kind: 'sectors', sectors: ['energy'] }, indicatorIds: [indicatorId] });
      alertId = (await publishAlert(a.ctx, SYSTEM, draft.id)).alert.id;
      assert.ok(await waitFor(() => onB.B.events.length === 1 && onA.events.length === 1), 'on both nodes');
      assert.equal(onB.B.events[0]!.event, 'alert.published');
      assert.equal(onB.B.events[0]!.data.alert_id, alertId);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(onA.events.length, 1, 'node A does not hear its own event twice');
      assert.equal(onB.C.events.length, 0, 'C is not in the AMBER audience: node B applies the TLP policy');
    } finally {
      await Promise.all([onB.B.close(), onB.C.close(), onA.close()]);
    }
  });

  test('a sighting made through node A’s API arrives on node B’s stream, anonymous to members, named to staff', async () => {
    const onB = { B: await openStream(baseB, keys.B!), C: await openStream(baseB, keys.C!), staff: await openStream(baseB, keys.analyst!) };
    const onA = await openStream(baseA, keys.B!);
    try {
      const started = Date.now();
      const res = await fetch(`${baseA}/api/v1/sightings`, { method: 'POST', headers: { authorization: `Bearer ${keys.A}`, 'content-type': 'application/json' }, body: JSON.stringify({ value: 'evil[.]example', count: 2 }) });
      assert.equal(res.status, 201, await res.text());
      assert.ok(await waitFor(() => onB.B.events.length === 1 && onB.staff.events.length === 1, 1000), 'on node B within a second');
      assert.ok(Date.now() - started < 1000);
      const seen = onB.B.events[0]!;
      assert.equal(seen.event, 'sighting.rebroadcast');
      assert.equal(seen.data.alert_id, alertId);
      assert.deepEqual(seen.data.indicator, { id: indicatorId, type: 'domain', value: 'evil.example' });
      assert.equal(seen.data.sector, 'energy');
      assert.equal(seen.data.reporter, null, 'members do not learn who');
      assert.equal(onB.staff.events[0]!.data.reporter, 'Member A', 'staff on node B see the name');
      assert.ok(await waitFor(() => onA.events.length === 1));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(onA.events.length, 1, 'exactly once on node A');
      assert.equal(onB.B.events.length, 1, 'exactly once on node B');
      assert.equal(onB.C.events.length, 0, 'the TLP filter applies on node B');
    } finally {
      await Promise.all([onB.B.close(), onB.C.close(), onB.staff.close(), onA.close()]);
    }
  });

  test('a message over the 8000-byte NOTIFY limit arrives whole, non-ASCII text intact', async () => {
    const channel = await channelName(b.ctx.db, 'pieces');
    const got: string[] = [];
    const listener = new ChannelListener(b.ctx.db, channel, (m) => got.push(m));
    await listener.start();
    try {
      const big = JSON.stringify({ title: 'Phishing op de Zuidas – “inloggen” 🚨', ids: Array.from({ length: 5000 }, (_, i) => i) });
      assert.ok(Buffer.byteLength(big) > 20_000);
      await notifyChannel(a.ctx.db, channel, [asciiJson(big), asciiJson('{"small":"é"}')]);
      assert.ok(await waitFor(() => got.length === 2));
      assert.deepEqual(JSON.parse(got[0]!), JSON.parse(big));
      assert.deepEqual(JSON.parse(got[1]!), { small: 'é' });
    } finally {
      await listener.stop();
    }
  });

  test('a node whose listening connection is killed listens again and hears later events', async () => {
    const ctx = { ...b.ctx, hubEvents: new HubEvents() };
    const relay = await startHubEventRelay(ctx);
    const heard: string[] = [];
    ctx.hubEvents.on((e) => heard.push(e.type));
    try {
      const pid = relay.listener!.backendPid;
      assert.ok(pid);
      await a.ctx.db.kysely.selectNoFrom((eb) => eb.fn<boolean>('pg_terminate_backend', [eb.val(pid)]).as('done')).execute();
      assert.ok(await waitFor(() => relay.listener!.connections === 2 && relay.listener!.backendPid !== null, 5000), 'reconnected');
      assert.notEqual(relay.listener!.backendPid, pid);
      const draft = await createAlert(a.ctx, SYSTEM, { title: 'After the reconnect', severity: 'low', summary: '.', tlp: 'GREEN', audience: { kind: 'all' }, indicatorIds: [] });
      await publishAlert(a.ctx, SYSTEM, draft.id);
      assert.ok(await waitFor(() => heard.includes('alert.published')));
    } finally {
      await relay.stop();
    }
  });
});
