/**
 * The TAXII 2.1 server on both databases, through the app: discovery, API root, collections per caller,
 * objects with every filter, pagination with `next` and with `added_after`, manifest, one object and its
 * versions, media types (406, 415), the size limit (413), TAXII error bodies, Basic and Bearer keys, rights
 * per collection and TLP level, POSTed sightings reaching the hub (and the live stream of another member),
 * status resources with per-object failures, analysts posting indicators, and no deletes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createAlert, publishAlert } from '../../src/hub/alerts/index.js';
import { findIndicator, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { listSightings } from '../../src/hub/sightings/sightings.js';
import { SYSTEM } from '../../src/platform/context.js';
import { TLP_MARKINGS } from '../../src/interop/stix/stix-ids.js';
import { alertStixId, indicatorStixId } from '../../src/interop/stix/to-stix.js';
import { validateStixObject } from '../../src/interop/stix/validate-stix.js';
import { describeEachApp } from '../helpers/app.js';
import { openStream, waitFor } from '../helpers/event-stream.js';

const TAXII = 'application/taxii+json;version=2.1';
const ROOT = '/taxii2/baken';
const IND = `${ROOT}/collections/indicators`;
const ALERTS = `${ROOT}/collections/alerts`;
const SIGHT = `${ROOT}/collections/sightings`;
const MAX = 4096;

type Obj = Record<string, unknown> & { id: string; type: string };

describeEachApp(
  'TAXII 2.1 server',
  (t) => {
    const org: Record<string, number> = {};
    const keys: Record<string, string> = {};
    const ind: Record<string, string> = {};
    let alertX = 0;
    let base = '';

    const get = (key: string | null, url: string, headers: Record<string, string> = {}) =>
      t().app.inject({ method: 'GET', url, headers: { accept: TAXII, ...(key ? { authorization: `Bearer ${keys[key]}` } : {}), ...headers } });
    const post = (key: string, url: string, body: unknown, headers: Record<string, string> = {}) =>
      t().app.inject({ method: 'POST', url, headers: { accept: TAXII, 'content-type': TAXII, authorization: `Bearer ${keys[key]}`, ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
    const json = (res: LightMyRequestResponse) => JSON.parse(res.body) as Record<string, unknown>;
    const objectsOf = (res: LightMyRequestResponse) => ((json(res).objects ?? []) as Obj[]);
    const namesOf = (res: LightMyRequestResponse) => objectsOf(res).filter((o) => o.type === 'indicator').map((o) => String(o.name)).sort();
    /** Every object of a collection, page by page with `next`. */
    const readAll = async (key: string, url: string, limit: number, extra = '') => {
      const seen: Obj[] = [];
      let next: string | null = null;
      let pages = 0;
      for (;;) {
        const res = await get(key, `${url}/objects/?limit=${limit}${extra}${next ? `&next=${next}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        const body = json(res);
        const objects = (body.objects ?? []) as Obj[];
        assert.ok(objects.length <= limit);
        seen.push(...objects);
        pages++;
        if (!body.more) return { objects: seen, pages };
        next = String(body.next);
      }
    };
    const assertTaxiiError = (res: LightMyRequestResponse, status: number, code?: string) => {
      assert.equal(res.statusCode, status, res.body);
      assert.match(String(res.headers['content-type']), /^application\/taxii\+json;version=2\.1/);
      const body = json(res);
      assert.equal(typeof body.title, 'string');
      assert.equal(body.http_status, String(status));
      if (code) assert.equal(body.error_code, code);
    };

    before(async () => {
      const { ctx, clock, app } = t();
      for (const [name, sector] of [['A', 'energy'], ['B', 'health'], ['C', 'energy']] as const) {
        org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector })).id;
        keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
      }
      const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
      for (const role of ['analyst', 'handler', 'metrics'] as const) keys[role] = (await createApiKey(ctx, SYSTEM, { organisationId: coordinator, role })).secret;
      const add = async (value: string, tlp: string) => {
        clock.advance(1000);
        const i = (await upsertIndicator(ctx, SYSTEM, { value, tlp })).indicator;
        ind[value] = indicatorStixId(i.type, i.value);
        return i.id;
      };
      const green = await add('green.example', 'GREEN');
      await add('185.220.101.7', 'CLEAR');
      await add('amber.example', 'AMBER');
      const alerted = await add('alerted.example', 'AMBER');
      const strict = await add('strict.example', 'AMBER+STRICT');
      await add('red.example', 'RED');
      clock.advance(1000);
      const draft = await createAlert(ctx, SYSTEM, { title: 'Campaign X', severity: 'high', summary: 'Look for these.', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.A!, org.C!] }, indicatorIds: [green, alerted, strict] });
      alertX = (await publishAlert(ctx, SYSTEM, draft.id)).alert.id;
      clock.advance(1000);
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });

    test('discovery and API root, with the TAXII media type', async () => {
      const d = await get('A', '/taxii2/');
      assert.equal(d.statusCode, 200);
      assert.equal(d.headers['content-type'], TAXII);
      const roots = json(d).api_roots as string[];
      assert.equal(roots.length, 1);
      assert.match(roots[0]!, /\/taxii2\/baken\/$/);
      const r = await get('A', `${ROOT}/`);
      assert.equal(r.statusCode, 200);
      assert.deepEqual(json(r).versions, [TAXII]);
      assert.equal(json(r).max_content_length, MAX);
      assertTaxiiError(await get('A', '/taxii2/elsewhere/'), 404, 'BAKEN_E_TAXII_API_ROOT_NOT_FOUND');
      assertTaxiiError(await get('A', '/taxii2/baken/nothing/here/'), 404);
    });

    test('authentication: Bearer and HTTP Basic with the key as password; TAXII error bodies for 401', async () => {
      const anon = await get(null, '/taxii2/');
      assertTaxiiError(anon, 401, 'BAKEN_E_UNAUTHENTICATED');
      assert.match(String(anon.headers['www-authenticate']), /Basic/);
      assertTaxiiError(await get(null, `${IND}/objects/`), 401);
      assertTaxiiError(await get(null, '/taxii2/', { authorization: 'Bearer bkn_nonsense' }), 401, 'BAKEN_E_KEY_INVALID');
      const basic = Buffer.from(`anyone:${keys.A}`).toString('base64');
      // Over real HTTP, as a TAXII client library sends it.
      const res = await fetch(`${base}${IND}/objects/?match[type]=indicator`, { headers: { accept: TAXII, authorization: `Basic ${basic}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { objects: Obj[] };
      assert.ok(body.objects.some((o) => o.name === 'alerted.example'));
    });

    test('content negotiation: 406 for other media types, TAXII without version and */* accepted', async () => {
      assertTaxiiError(await get('A', `${ROOT}/`, { accept: 'application/json' }), 406, 'BAKEN_E_TAXII_NOT_ACCEPTABLE');
      assertTaxiiError(await get('A', `${ROOT}/`, { accept: 'application/taxii+json;version=2.0' }), 406);
      assertTaxiiError(await get('A', `${IND}/objects/`, { accept: 'text/html' }), 406);
      for (const accept of ['application/taxii+json', 'application/taxii+json; version=2.1', '*/*', 'text/html, application/taxii+json;version=2.1;q=0.9']) {
        assert.equal((await get('A', `${ROOT}/`, { accept })).statusCode, 200, accept);
      }
    });

    test('collections and rights per caller', async () => {
      const list = async (key: string) => Object.fromEntries(((json(await get(key, `${ROOT}/collections/`)).collections ?? []) as Obj[]).map((c) => [c.alias, [c.can_read, c.can_write]]));
      assert.deepEqual(await list('A'), { indicators: [true, false], alerts: [true, false], sightings: [true, true] });
      assert.deepEqual(await list('analyst'), { indicators: [true, true], alerts: [true, false], sightings: [true, false] });
      assert.deepEqual(await list('handler'), {});
      const one = await get('A', `${IND}/`);
      assert.equal(json(one).id, '5c3f1b7e-8a0d-4c36-9a51-2f6b1d0e7a11');
      assert.deepEqual(json(one).media_types, ['application/stix+json;version=2.1']);
      // By id as well as by alias.
      assert.equal((await get('A', `${ROOT}/collections/5c3f1b7e-8a0d-4c36-9a51-2f6b1d0e7a11/objects/`)).statusCode, 200);
      assertTaxiiError(await get('handler', `${IND}/objects/`), 403, 'BAKEN_E_FORBIDDEN');
      assertTaxiiError(await get('metrics', `${SIGHT}/`), 403);
      assertTaxiiError(await get('A', `${ROOT}/collections/no-such/`), 404, 'BAKEN_E_TAXII_COLLECTION_NOT_FOUND');
    });

    test('the indicators collection follows the TLP policy per organisation', async () => {
      // A is in the alert's audience: GREEN and CLEAR, and AMBER and AMBER+STRICT through the alert; never RED.
      assert.deepEqual(namesOf(await get('A', `${IND}/objects/`)), ['185.220.101.7', 'alerted.example', 'green.example', 'strict.example']);
      // B is not: only what goes to every member.
      assert.deepEqual(namesOf(await get('B', `${IND}/objects/`)), ['185.220.101.7', 'green.example']);
      // Staff: every level but RED, which no bulk feed carries.
      assert.deepEqual(namesOf(await get('analyst', `${IND}/objects/`)), ['185.220.101.7', 'alerted.example', 'amber.example', 'green.example', 'strict.example']);
      const all = objectsOf(await get('A', `${IND}/objects/`));
      // What the objects refer to comes along: the TLP markings and the hub's identity.
      assert.ok(all.some((o) => o.id === TLP_MARKINGS.AMBER.id));
      const hub = all.find((o) => o.type === 'identity');
      assert.ok(hub);
      for (const o of all.filter((x) => x.type === 'indicator')) assert.equal(o.created_by_ref, hub.id);
      const strict = all.find((o) => o.name === 'strict.example')!;
      assert.deepEqual(strict.object_marking_refs, [TLP_MARKINGS['AMBER+STRICT'].id]);
    });

    test('filters: match[type], match[id], match[version], match[spec_version]; bad values are 400', async () => {
      const types = (res: LightMyRequestResponse) => [...new Set(objectsOf(res).map((o) => o.type))].sort();
      assert.deepEqual(types(await get('A', `${IND}/objects/?match[type]=indicator`)), ['indicator']);
      assert.deepEqual(types(await get('A', `${IND}/objects/?match[type]=marking-definition,identity`)), ['identity', 'marking-definition']);
      assert.deepEqual(types(await get('A', `${IND}/objects/?match[type]=malware`)), []);
      const one = await get('A', `${IND}/objects/?match[id]=${ind['green.example']}`);
      assert.deepEqual(namesOf(one), ['green.example']);
      const two = await get('A', `${IND}/objects/?match[id]=${ind['green.example']},${ind['alerted.example']}&match[id]=${ind['red.example']}`);
      assert.deepEqual(namesOf(two), ['alerted.example', 'green.example']);
      const modified = String(objectsOf(one)[0]!.modified);
      assert.deepEqual(namesOf(await get('A', `${IND}/objects/?match[id]=${ind['green.example']}&match[version]=${modified}`)), ['green.example']);
      assert.deepEqual(namesOf(await get('A', `${IND}/objects/?match[id]=${ind['green.example']}&match[version]=2000-01-01T00:00:00.000Z`)), []);
      for (const v of ['first', 'last', 'all']) assert.deepEqual(namesOf(await get('A', `${IND}/objects/?match[id]=${ind['green.example']}&match[version]=${v}`)), ['green.example'], v);
      assert.equal(objectsOf(await get('A', `${IND}/objects/?match[spec_version]=2.0`)).length, 0);
      assert.ok(objectsOf(await get('A', `${IND}/objects/?match[spec_version]=2.0,2.1`)).length > 0);
      assertTaxiiError(await get('A', `${IND}/objects/?limit=0`), 400, 'BAKEN_E_VALIDATION');
      assertTaxiiError(await get('A', `${IND}/objects/?limit=ten`), 400);
      assertTaxiiError(await get('A', `${IND}/objects/?next=garbage`), 400);
      assertTaxiiError(await get('A', `${IND}/objects/?added_after=yesterday`), 400);
      assertTaxiiError(await get('A', `${IND}/objects/?match[id]=not-an-id`), 400);
      assertTaxiiError(await get('A', `${IND}/objects/?match[version]=latest`), 400);
    });

    test('pagination with next, and with added_after from X-TAXII-Date-Added-Last', async () => {
      const whole = objectsOf(await get('A', `${IND}/objects/`));
      const paged = await readAll('A', IND, 2);
      assert.equal(paged.pages, Math.ceil(whole.length / 2));
      assert.deepEqual(paged.objects.map((o) => o.id), whole.map((o) => o.id));
      assert.equal(new Set(paged.objects.map((o) => o.id)).size, paged.objects.length);

      const first = await get('A', `${IND}/objects/?limit=7`);
      const body = json(first);
      assert.equal(body.more, true);
      assert.equal(typeof body.next, 'string');
      const last = String(first.headers['x-taxii-date-added-last']);
      assert.match(String(first.headers['x-taxii-date-added-first']), /^\d{4}-\d\d-\d\dT/);
      const rest = objectsOf(await get('A', `${IND}/objects/?added_after=${last}`));
      // date_added ascending; added_after continues after the last one seen (entries sharing that instant come with the page that had it).
      assert.deepEqual(rest.map((o) => o.id), whole.slice(7).filter((o) => !objectsOf(first).some((f) => f.id === o.id)).map((o) => o.id));
      const end = await get('A', `${IND}/objects/?added_after=2100-01-01T00:00:00Z`);
      assert.deepEqual(json(end), { more: false });
      assert.equal(end.headers['x-taxii-date-added-first'], undefined);
      // The server's maximum wins over a larger limit.
      assert.equal((await get('A', `${IND}/objects/?limit=100000`)).statusCode, 200);
    });

    test('an alert that reaches a member brings its indicators to that member’s poll at once', async () => {
      const { ctx, clock } = t();
      const before = await get('B', `${IND}/objects/`);
      const mark = String(before.headers['x-taxii-date-added-last']);
      assert.deepEqual(namesOf(await get('B', `${IND}/objects/?added_after=${mark}`)), []);
      clock.advance(1000);
      const amber = await findIndicator(ctx, 'amber.example');
      const draft = await createAlert(ctx, SYSTEM, { title: 'For B', severity: 'medium', summary: 'x', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.B!] }, indicatorIds: [amber!.id] });
      await publishAlert(ctx, SYSTEM, draft.id);
      clock.advance(1000);
      const polled = await get('B', `${IND}/objects/?added_after=${mark}`);
      assert.deepEqual(namesOf(polled), ['amber.example']);
      // A did not get it: not in its audience.
      assert.ok(!namesOf(await get('A', `${IND}/objects/`)).includes('amber.example'));
    });

    test('manifest, one object, its versions', async () => {
      const m = await get('A', `${IND}/manifest/?match[type]=indicator&limit=2`);
      assert.equal(m.statusCode, 200);
      const entries = json(m).objects as Array<Record<string, string>>;
      assert.equal(entries.length, 2);
      for (const e of entries) {
        assert.deepEqual(Object.keys(e).sort(), ['date_added', 'id', 'media_type', 'version']);
        assert.equal(e.media_type, 'application/stix+json;version=2.1');
      }
      assert.equal(json(m).more, true);
      const o = await get('A', `${IND}/objects/${ind['alerted.example']}/`);
      assert.equal(o.statusCode, 200);
      assert.deepEqual(namesOf(o), ['alerted.example']);
      assert.ok(o.headers['x-taxii-date-added-last']);
      const v = await get('A', `${IND}/objects/${ind['alerted.example']}/versions/`);
      assert.deepEqual(json(v).versions, [objectsOf(o)[0]!.modified]);
      // Not visible to B: as unknown as one that does not exist.
      assertTaxiiError(await get('B', `${IND}/objects/${ind['alerted.example']}/`), 404, 'BAKEN_E_TAXII_OBJECT_NOT_FOUND');
      assertTaxiiError(await get('B', `${IND}/objects/${ind['alerted.example']}/versions/`), 404);
      assertTaxiiError(await get('A', `${IND}/objects/${ind['red.example']}/`), 404);
      // An existing object with a version not kept: an empty envelope.
      const old = await get('A', `${IND}/objects/${ind['alerted.example']}/?match[version]=2000-01-01T00:00:00.000Z`);
      assert.equal(old.statusCode, 200);
      assert.equal(objectsOf(old).length, 0);
      const del = await t().app.inject({ method: 'DELETE', url: `${IND}/objects/${ind['alerted.example']}/`, headers: { accept: TAXII, authorization: `Bearer ${keys.analyst}` } });
      assertTaxiiError(del, 405, 'BAKEN_E_TAXII_READ_ONLY');
    });

    test('the alerts collection: reports of the alerts a member may read, with the indicators it may see', async () => {
      const a = objectsOf(await get('A', `${ALERTS}/objects/`));
      const report = a.find((o) => o.type === 'report' && o.name === 'Campaign X');
      assert.ok(report);
      assert.equal(report.id, alertStixId(alertX, { scope: t().ctx.config.publicUrl }));
      const names = a.filter((o) => o.type === 'indicator').map((o) => String(o.name)).sort();
      assert.deepEqual(names, ['alerted.example', 'green.example', 'strict.example']);
      assert.deepEqual([...(report.object_refs as string[])].sort(), [ind['alerted.example'], ind['green.example'], ind['strict.example']].sort());
      const b = objectsOf(await get('B', `${ALERTS}/objects/`));
      assert.ok(!b.some((o) => o.name === 'Campaign X'));
      assert.ok(b.some((o) => o.type === 'report' && o.name === 'For B'));
      assert.deepEqual(objectsOf(await get('A', `${ALERTS}/objects/?match[type]=report`)).map((o) => o.name), ['Campaign X']);
      assertTaxiiError(await post('analyst', `${ALERTS}/objects/`, { objects: [] }), 403);
    });

    test('POSTed sightings reach the hub and the rest of the audience; the status resource lists failures per object', async () => {
      const { ctx } = t();
      const streamC = await openStream(base, keys.C!);
      try {
        const known = { type: 'sighting', spec_version: '2.1', id: 'sighting--6b0e1a3a-2b9f-4a8e-9d6e-1c2f3a4b5c6d', created: '2026-03-01T09:00:00.000Z', modified: '2026-03-01T09:00:00.000Z', sighting_of_ref: ind['alerted.example'], count: 3, first_seen: '2026-03-01T08:00:00Z', last_seen: '2026-03-01T08:30:00Z' };
        const newIndicator = { type: 'indicator', spec_version: '2.1', id: 'indicator--0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', created: '2026-03-01T09:00:00.000Z', modified: '2026-03-01T09:00:00.000Z', pattern: "[domain-name:value = 'new.example']", pattern_type: 'stix', valid_from: '2026-03-01T09:00:00Z' };
        const ofNew = { type: 'sighting', spec_version: '2.1', id: 'sighting--7c1f2b4b-3ca0-4b9f-8e7f-2d3a4b5c6d7e', created: '2026-03-01T09:00:00.000Z', modified: '2026-03-01T09:00:00.000Z', sighting_of_ref: newIndicator.id, x_baken_share_name: true };
        const unknown = { type: 'sighting', spec_version: '2.1', id: 'sighting--8d2a3c5c-4db1-4ca0-9f80-3e4b5c6d7e8f', created: '2026-03-01T09:00:00.000Z', modified: '2026-03-01T09:00:00.000Z', sighting_of_ref: 'indicator--00000000-0000-4000-8000-000000000000' };
        const badCount = { ...known, id: 'sighting--9e3b4d6d-5ec2-4db1-8a91-4f5c6d7e8f90', count: 0 };
        const malware = { type: 'malware', spec_version: '2.1', id: 'malware--aa4c5e7e-6fd3-4ec2-9ba2-5a6d7e8f9a01', created: '2026-03-01T09:00:00.000Z', modified: '2026-03-01T09:00:00.000Z', name: 'x', is_family: false };
        const res = await post('A', `${SIGHT}/objects/`, { objects: [known, newIndicator, ofNew, unknown, badCount, malware] });
        assert.equal(res.statusCode, 202, res.body);
        const status = json(res);
        assert.equal(status.status, 'complete');
        assert.equal(status.total_count, 6);
        assert.equal(status.success_count, 3);
        assert.equal(status.failure_count, 3);
        assert.equal(status.pending_count, 0);
        const failures = status.failures as Array<{ id: string; message: string }>;
        assert.deepEqual(failures.map((f) => f.id).sort(), [badCount.id, malware.id, unknown.id].sort());
        assert.match(failures.find((f) => f.id === unknown.id)!.message, /sighting_of_ref/);
        assert.match(failures.find((f) => f.id === badCount.id)!.message, /count/);
        assert.deepEqual((status.successes as Array<{ id: string }>).map((s) => s.id).sort(), [known.id, newIndicator.id, ofNew.id].sort());

        // The status endpoint answers the same to A, and nobody else.
        const again = await get('A', `${ROOT}/status/${String(status.id)}/`);
        assert.deepEqual(json(again), status);
        assertTaxiiError(await get('B', `${ROOT}/status/${String(status.id)}/`), 404, 'BAKEN_E_TAXII_STATUS_NOT_FOUND');

        // In the hub: a sighting of the alerted indicator, and one of a value kept as an observation.
        const mine = await listSightings(ctx, { kind: 'member', organisationId: org.A!, userId: null });
        assert.deepEqual(mine.map((s) => s.indicator?.value ?? s.observation?.value).sort(), ['alerted.example', 'new.example']);
        assert.equal(mine.find((s) => s.indicator?.value === 'alerted.example')!.count, 3);
        assert.equal(mine.find((s) => s.observation?.value === 'new.example')!.shareName, true);
        // Re-broadcast: C, in the alert's audience, hears of it on its live stream, without A's name.
        assert.ok(await waitFor(() => streamC.events.some((e) => e.event === 'sighting.rebroadcast')), 'C got the re-broadcast');
        const e = streamC.events.find((x) => x.event === 'sighting.rebroadcast')!;
        assert.ok(!JSON.stringify(e.data).includes('Member A'));
      } finally {
        await streamC.close();
      }
    });

    test('the sightings collection: a member reads its own, staff all, other members none', async () => {
      const sightings = (res: LightMyRequestResponse) => objectsOf(res).filter((o) => o.type === 'sighting');
      const a = sightings(await get('A', `${SIGHT}/objects/`));
      assert.equal(a.length, 1, 'only the sighting of a known indicator has a STIX form');
      assert.equal(a[0]!.sighting_of_ref, ind['alerted.example']);
      assert.equal(a[0]!.count, 3);
      const whereA = (a[0]!.where_sighted_refs as string[])[0]!;
      assert.ok(objectsOf(await get('A', `${SIGHT}/objects/?match[type]=identity`)).some((o) => o.id === whereA && o.name === 'Member A'));
      assert.equal(sightings(await get('B', `${SIGHT}/objects/`)).length, 0);
      assert.equal(sightings(await get('analyst', `${SIGHT}/objects/`)).length, 1);
      assertTaxiiError(await post('analyst', `${SIGHT}/objects/`, { objects: [] }), 403);
    });

    test('every object of every collection, for every caller, is valid STIX 2.1', async () => {
      let checked = 0;
      for (const key of ['A', 'B', 'analyst']) {
        for (const url of [IND, ALERTS, SIGHT]) {
          const paged = (await readAll(key, url, 3)).objects;
          // Pages of 3 across the merged sources (markings, identities, reports, indicators, sightings) give what one page gives.
          assert.deepEqual(paged.map((o) => o.id), objectsOf(await get(key, `${url}/objects/`)).map((o) => o.id), `${key} ${url}`);
          for (const o of paged) {
            assert.deepEqual(validateStixObject(o), [], `${key} ${url} ${o.id}`);
            checked++;
          }
        }
      }
      assert.ok(checked > 30);
    });

    test('analysts post indicators; members may not', async () => {
      const { ctx } = t();
      const indicator = { type: 'indicator', spec_version: '2.1', id: 'indicator--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', created: '2026-03-01T09:00:00.000Z', modified: '2026-03-01T09:00:00.000Z', pattern: "[url:value = 'http://posted.example/gate']", pattern_type: 'stix', valid_from: '2026-03-01T09:00:00Z', confidence: 80, object_marking_refs: [TLP_MARKINGS.GREEN.id] };
      const bad = { ...indicator, id: 'indicator--2b3c4d5e-6f70-4b8c-9dae-1f2a3b4c5d6e', pattern: "[domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']" };
      const res = await post('analyst', `${IND}/objects/`, { objects: [indicator, bad] });
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(json(res).success_count, 1);
      assert.equal((json(res).failures as Array<{ id: string }>)[0]!.id, bad.id);
      const stored = await findIndicator(ctx, 'http://posted.example/gate');
      assert.equal(stored?.tlp, 'GREEN');
      assert.equal(stored?.confidence, 80);
      assertTaxiiError(await post('A', `${IND}/objects/`, { objects: [indicator] }), 403, 'BAKEN_E_FORBIDDEN');
    });

    test('POST: 415 for a wrong Content-Type, 413 over max_content_length, 400 for a body that is no envelope', async () => {
      assertTaxiiError(await post('A', `${SIGHT}/objects/`, { objects: [] }, { 'content-type': 'application/json' }), 415, 'BAKEN_E_TAXII_UNSUPPORTED_MEDIA');
      assertTaxiiError(await post('A', `${SIGHT}/objects/`, 'x', { 'content-type': 'text/plain' }), 415);
      assert.equal((await post('A', `${SIGHT}/objects/`, { objects: [] }, { 'content-type': 'application/taxii+json' })).statusCode, 202);
      const big = { objects: [{ type: 'note', id: 'note--00000000-0000-4000-8000-000000000000', content: 'x'.repeat(MAX) }] };
      assertTaxiiError(await post('A', `${SIGHT}/objects/`, big), 413, 'BAKEN_E_TAXII_TOO_LARGE');
      assertTaxiiError(await post('A', `${SIGHT}/objects/`, '{"objects": '), 400, 'BAKEN_E_BAD_INPUT');
      assertTaxiiError(await post('A', `${SIGHT}/objects/`, '[1, 2]'), 400, 'BAKEN_E_VALIDATION');
      assertTaxiiError(await post('A', `${SIGHT}/objects/`, { objects: 'none' }), 400);
    });

    after(async () => {
      // The stream and listen are closed with the app by the suite.
    });
  },
  { config: { taxiiMaxContentLength: MAX } },
);
