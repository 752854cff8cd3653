/**
 * MISP import on both databases: events with objects, tags and sightings; bad input refused whole with clear
 * problems; a feed directory with an update; a feed over real HTTP fetched incrementally; warninglist flags.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { findIndicator, indicatorHistory } from '../../src/hub/indicators/indicators.js';
import { importMispEvents } from '../../src/interop/misp/import-misp-events.js';
import { importMispFeed } from '../../src/interop/misp/import-misp-feed.js';
import { SYSTEM } from '../../src/platform/context.js';
import { BakenError } from '../../src/platform/errors.js';
import type { Resolver } from '../../src/registry/resolver.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { fixtureResolver } from '../hotline/hotline-fixtures.js';
import { ATTR, EVENT_UUID, feedEvent, OBJ_SHA256, richEvent, SHA256, writeFeed, writeWarninglists } from './misp-fixtures.js';

const analyst = { actor: { kind: 'system' as const, label: 'analyst@cert.example' }, meta: { ip: null, userAgent: null, requestId: null } };
const SAMPLES = new URL('../../../../shared/samples/misp/events/', import.meta.url);
const warninglistsDir = writeWarninglists();

const U = (n: number) => `9d000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describeEachDatabase(
  'MISP import',
  (db) => {
    let resolver: Resolver;
    let memberId: number;
    before(async () => {
      const { ctx, dataDir } = db();
      resolver = await fixtureResolver(ctx, dataDir);
      memberId = (await createOrganisation(ctx, SYSTEM, { name: 'Netbeheer Voorbeeld', kind: 'member', sector: 'energy' })).id;
      await createOrganisation(ctx, SYSTEM, { name: db().ctx.config.coordinatorName, kind: 'coordinator' }).catch(() => undefined);
    });
    const count = async (table: 'indicators' | 'sightings' | 'misp_feed_events') => Number((await db().ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    test('an event with objects, tags and sightings: to_ids attributes become indicators, the rest is skipped with a reason', async () => {
      const { ctx } = db();
      const r = await importMispEvents(ctx, analyst, JSON.stringify(richEvent()), { resolver });
      assert.equal(r.events, 1);
      assert.equal(r.attributes, 9);
      // ip, domain, ip|port, domain|ip (two), filename|sha256, object sha256
      assert.equal(r.created, 7);
      assert.deepEqual(r.skipped.map((s) => [s.attribute, s.reason.split(':')[0]!.split(' ').slice(0, 2).join(' ')]).sort(), [
        [ATTR.url, 'to_ids is'],
        [ATTR.text, 'type text'],
        [ATTR.objName, 'type filename'],
      ].sort());
      assert.match(r.skipped.find((s) => s.attribute === ATTR.objName)!.path, /Event\.Object\[0\]\.Attribute\[1\]/);

      const ip = (await findIndicator(ctx, '31.149.1.7'))!;
      assert.equal(ip.tlp, 'AMBER', 'the event tag');
      assert.equal(ip.confidence, 75, 'admiralty-scale credibility 2');
      assert.deepEqual(ip.labels, ['ecsirt:malicious-code:ransomware']);
      assert.equal(ip.source, `MISP event ${EVENT_UUID} "Phishing wave against energy companies" (CERT Example)`);
      assert.equal(ip.validFrom, new Date(1771800000 * 1000).toISOString(), 'the attribute timestamp');
      assert.equal(ip.asn, 1136, 'enriched by the registry like any indicator');

      const domain = (await findIndicator(ctx, 'login-portal.evil.example'))!;
      assert.equal(domain.tlp, 'RED', 'the attribute tag wins over the event tag');
      assert.equal(domain.confidence, 100);
      assert.equal(domain.validFrom, '2026-02-01T08:00:00.000Z', 'first_seen');
      assert.ok(domain.labels.includes('misp:false-positive'), 'a false-positive sighting marks it');

      assert.equal((await findIndicator(ctx, '185.12.64.3'))!.tlp, 'CLEAR', 'tlp:white is CLEAR');
      assert.ok(await findIndicator(ctx, 'c2.evil.example'));
      assert.ok(await findIndicator(ctx, '2001:200::1'));
      const hash = (await findIndicator(ctx, SHA256))!;
      assert.equal(hash.type, 'sha256');
      assert.equal(hash.validUntil, new Date(1772900000 * 1000).toISOString(), 'an expiration sighting ends its validity');
      assert.equal((await findIndicator(ctx, OBJ_SHA256))!.tlp, 'GREEN', 'object attributes count too, with their own tags');

      assert.deepEqual(r.sightings, { recorded: 2, falsePositives: 1, expirations: 1, alreadyImported: 0 });
      const rows = await ctx.db.kysely.selectFrom('sightings').innerJoin('organisations', 'organisations.id', 'sightings.organisation_id').select(['organisations.name', 'organisations.kind', 'sightings.first_seen', 'sightings.note', 'sightings.indicator_id']).orderBy('sightings.id').execute();
      assert.equal(rows.length, 2);
      assert.equal(rows[0]!.name, 'Netbeheer Voorbeeld', 'a member of the same name');
      assert.equal(rows[0]!.first_seen, new Date(1771850000 * 1000).toISOString());
      assert.equal(rows[1]!.kind, 'coordinator', 'unknown organisations: the importing one');
      assert.match(rows[1]!.note!, /Somebody Abroad/);
      assert.ok((await indicatorHistory(ctx, ip.id)).some((h) => h.kind === 'sighting'));

      // Again: nothing new, the sightings are not counted twice.
      const again = await importMispEvents(ctx, analyst, richEvent(), { resolver });
      assert.equal(again.created, 0);
      assert.equal(again.updated, 7);
      assert.equal(again.sightings.alreadyImported, 4);
      assert.equal(await count('sightings'), 2);
      void memberId;
    });

    test('bad input: a clear error naming event, attribute and field, and nothing changes; partial and strict', async () => {
      const { ctx } = db();
      const before = await count('indicators');
      const bad = richEvent({ extra: [{ uuid: U(1), type: 'ip-dst', value: 'not-an-address', to_ids: true }, { uuid: U(2), type: 'domain', to_ids: true }] });
      (bad.Event.Attribute[0] as { value: string }).value = '31.149.1.99';
      await assert.rejects(importMispEvents(ctx, analyst, bad, { resolver }), (e: unknown) => {
        assert.ok(e instanceof BakenError && e.code === 'BAKEN_E_MISP_INVALID');
        assert.match(e.message, new RegExp(`event ${EVENT_UUID}, attribute ${U(1)} \\(Event\\.Attribute\\[7\\]\\), value`));
        assert.deepEqual(e.problems.map((p) => p.field), ['Event.Attribute[7].value', 'Event.Attribute[8].value']);
        return true;
      });
      assert.equal(await count('indicators'), before, 'nothing imported');
      assert.equal(await findIndicator(ctx, '31.149.1.99'), null);

      await assert.rejects(importMispEvents(ctx, analyst, '{"Event": ', { resolver }), /not valid JSON/);
      await assert.rejects(importMispEvents(ctx, analyst, { something: 'else' }, { resolver }), /not MISP event JSON/);

      const partial = await importMispEvents(ctx, analyst, bad, { resolver, partial: true });
      assert.deepEqual(partial.problems.map((p) => p.attribute), [U(1), U(2)]);
      assert.ok(await findIndicator(ctx, '31.149.1.99'), 'partial: the good attributes land');

      await assert.rejects(importMispEvents(ctx, analyst, richEvent(), { resolver, strict: true }), (e: unknown) => e instanceof BakenError && /type text is not one the hub holds/.test(e.message) && /strict/.test(e.message));
    });

    test('the reference samples read as expected (when present beside the checkout)', { skip: !existsSync(SAMPLES) && 'samples not present' }, async () => {
      const { ctx } = db();
      const objects = await importMispEvents(ctx, analyst, readFileSync(new URL('event_obj_attr_tag.json', SAMPLES), 'utf8'), { resolver });
      assert.equal(objects.created + objects.updated, 1);
      assert.ok(await findIndicator(ctx, 'https://www.circl.lu'));
      assert.deepEqual(objects.skipped.map((s) => s.type), ['filename']);
      const plain = await importMispEvents(ctx, analyst, readFileSync(new URL('misp_event.json', SAMPLES), 'utf8'), { resolver });
      assert.equal(plain.indicators, 0);
      assert.deepEqual(plain.skipped.map((s) => s.reason.slice(0, 9)), ['to_ids is', 'to_ids is']);
    });

    test('a feed directory: first run imports every event, the next only changed ones', async () => {
      const { ctx } = db();
      const dir = mkdtempSync(join(tmpdir(), 'baken-feed-'));
      const events = [feedEvent(U(0x100), 1771000000, 'alpha', 5), feedEvent(U(0x200), 1771000000, 'beta', 5), feedEvent(U(0x300), 1771000000, 'gamma', 5)];
      writeFeed(dir, events);
      const first = await importMispFeed(ctx, analyst, dir, { resolver });
      assert.deepEqual([first.listed, first.fetched, first.unchanged, first.created], [3, 3, 0, 15]);
      assert.equal((await findIndicator(ctx, 'host0.alpha.example'))!.tlp, 'GREEN');
      const same = await importMispFeed(ctx, analyst, dir, { resolver });
      assert.deepEqual([same.fetched, same.unchanged, same.created, same.updated], [0, 3, 0, 0]);

      events[1] = feedEvent(U(0x200), 1771000500, 'beta', 6);
      writeFeed(dir, events);
      const update = await importMispFeed(ctx, analyst, dir, { resolver });
      assert.deepEqual([update.fetched, update.created, update.updated], [1, 1, 5]);
      assert.ok(await findIndicator(ctx, 'host5.beta.example'));

      // A feed whose event file is missing or wrong: nothing imported, nothing remembered.
      const before = [await count('indicators'), await count('misp_feed_events')];
      const broken = mkdtempSync(join(tmpdir(), 'baken-feed-'));
      writeFeed(broken, [feedEvent(U(0x400), 1771000000, 'delta', 2), feedEvent(U(0x500), 1771000000, 'epsilon', 2)]);
      writeFileSync(join(broken, `${U(0x500)}.json`), JSON.stringify(feedEvent(U(0x600), 1771000000, 'zeta', 1)));
      await assert.rejects(importMispFeed(ctx, analyst, broken, { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_MISP_INVALID' && e.message.includes(U(0x500)) && /not the one the manifest lists/.test(e.message));
      writeFileSync(join(broken, 'manifest.json'), JSON.stringify({ [U(0x400)]: { timestamp: 1771000000 }, [U(0x700)]: { timestamp: 1771000000 } }));
      await assert.rejects(importMispFeed(ctx, analyst, broken, { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_MISP_FEED_UNREACHABLE' && /no such file/.test(e.message));
      writeFileSync(join(broken, 'manifest.json'), JSON.stringify({ 'not-a-uuid': { timestamp: 1 } }));
      await assert.rejects(importMispFeed(ctx, analyst, broken, { resolver }), /manifest\.json.*not an event UUID/);
      assert.deepEqual([await count('indicators'), await count('misp_feed_events')], before);
    });

    test('a feed over HTTP: authorised with a header, and an update fetches only the changed event', async () => {
      const { ctx } = db();
      const dir = mkdtempSync(join(tmpdir(), 'baken-feed-'));
      const events = [feedEvent(U(0x1100), 1772000000, 'web-one', 3), feedEvent(U(0x1200), 1772000000, 'web-two', 3)];
      writeFeed(dir, events);
      const requested: string[] = [];
      const server: Server = createServer((req, res) => {
        if (req.headers.authorization !== 'Bearer feed-secret') {
          res.writeHead(401).end();
          return;
        }
        requested.push(req.url!);
        const file = join(dir, req.url!.replace('/misp/feed/', ''));
        if (!req.url!.startsWith('/misp/feed/') || !existsSync(file)) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(file));
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      after(() => new Promise<void>((ok) => server.close(() => ok())));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/misp/feed/`;
      await assert.rejects(importMispFeed(ctx, analyst, url, { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_MISP_FEED_UNREACHABLE' && /HTTP 401/.test(e.message));

      const headers = { Authorization: 'Bearer feed-secret' };
      const first = await importMispFeed(ctx, analyst, url, { resolver, headers });
      assert.deepEqual([first.fetched, first.created], [2, 6]);
      assert.equal(first.feed, url.replace(/\/$/, ''));
      assert.deepEqual(requested.sort(), ['/misp/feed/manifest.json', `/misp/feed/${U(0x1100)}.json`, `/misp/feed/${U(0x1200)}.json`].sort());

      requested.length = 0;
      events[0] = feedEvent(U(0x1100), 1772000900, 'web-one', 4);
      writeFeed(dir, events);
      const second = await importMispFeed(ctx, analyst, url, { resolver, headers });
      assert.deepEqual(requested, ['/misp/feed/manifest.json', `/misp/feed/${U(0x1100)}.json`], 'only the changed event is fetched');
      assert.deepEqual([second.fetched, second.unchanged, second.created], [1, 1, 1]);
    });

    test('warninglists: imported indicators on a list are flagged, each list matching the way its type says', async () => {
      const { ctx } = db();
      const r = await importMispEvents(
        ctx,
        analyst,
        {
          Event: {
            uuid: U(0x2000),
            info: 'Mixed bag',
            Attribute: [
              { type: 'ip-dst', value: '185.12.64.77', to_ids: true },
              { type: 'domain', value: 'www.popular.example', to_ids: true },
              { type: 'url', value: 'https://popular.example/x', to_ids: true },
              { type: 'sha256', value: OBJ_SHA256, to_ids: true },
              { type: 'domain', value: 'tracker42.example', to_ids: true },
              { type: 'url', value: 'https://files.example/cdn-static/app.js', to_ids: true },
              { type: 'domain', value: 'unpopular.example', to_ids: true },
            ],
          },
        },
        { resolver },
      );
      const flagged = Object.fromEntries(r.flagged.map((f) => [f.value, f.lists]));
      assert.deepEqual(flagged, {
        '185.12.64.77': ['Resolvers we run'],
        'www.popular.example': ['Big sites'],
        'https://popular.example/x': ['Big sites'],
        [OBJ_SHA256]: ['Hashes of empty files'],
        'tracker42.example': ['Trackers'],
        'https://files.example/cdn-static/app.js': ['CDN paths'],
      });
      assert.equal(r.flaggedCount, 6);
    });
  },
  { config: { warninglistsDir } },
);
