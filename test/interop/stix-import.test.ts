/**
 * STIX import and export on both databases: a bundle's indicators through the API (markings to TLP, strict and
 * not, problems by index and path), a member's sightings by stable id and by an indicator of the same bundle,
 * what each caller may export, a round trip into a fresh database with the same ids, and `baken import stix`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createAlert, publishAlert } from '../../src/hub/alerts/index.js';
import { findIndicator, listIndicators, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { listSightings } from '../../src/hub/sightings/index.js';
import { exportStixIndicators } from '../../src/interop/stix/export-stix.js';
import { importStix } from '../../src/interop/stix/import-stix.js';
import { TLP_MARKINGS } from '../../src/interop/stix/stix-ids.js';
import type { StixBundle, StixIndicator } from '../../src/interop/stix/stix-types.js';
import { indicatorStixId, stixString } from '../../src/interop/stix/to-stix.js';
import { validateStixBundle } from '../../src/interop/stix/validate-stix.js';
import { SYSTEM } from '../../src/platform/context.js';
import { describeEachApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/databases.js';

const T = '2024-05-01T12:00:00.000Z';
let n = 0;
const uuid = () => `6f1e3c2a-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function ind(pattern: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'indicator', spec_version: '2.1', id: `indicator--${uuid()}`, created: T, modified: T, pattern, pattern_type: 'stix', valid_from: T, ...extra };
}
const doc = (objects: unknown[]) => ({ type: 'bundle', id: `bundle--${uuid()}`, objects });

describeEachApp('STIX import and export', (t) => {
  const keys: Record<string, string> = {};
  const org: Record<string, number> = {};
  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t().app.inject({ method, url, headers: { authorization: `Bearer ${keys[key]}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  before(async () => {
    const { ctx } = t();
    for (const [name, sector] of [['A', 'energy'], ['B', 'health']] as const) {
      org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector })).id;
      keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
    }
    const coordinator = (await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id;
    keys.analyst = (await createApiKey(ctx, SYSTEM, { organisationId: Number(coordinator), role: 'analyst' })).secret;
  });

  test('an analyst imports a bundle: every supported pattern, TLP from markings, other objects skipped with a note', async () => {
    const custom = { type: 'marking-definition', spec_version: '2.1', id: `marking-definition--${uuid()}`, created: T, name: 'TLP:RED', definition_type: 'tlp', definition: { tlp: 'red' } };
    const bundle = doc([
      { type: 'identity', spec_version: '2.1', id: `identity--${uuid()}`, created: T, modified: T, name: 'Peer CERT', identity_class: 'organization' },
      ind("[ipv4-addr:value = '185.220.101.7']", { object_marking_refs: [TLP_MARKINGS.GREEN.id], confidence: 90, labels: ['C2', 'tor'] }),
      ind("[ipv6-addr:value = '2a02:a440::1']"),
      ind("[ipv4-addr:value = '31.149.0.0/16']", { object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', TLP_MARKINGS['AMBER+STRICT'].id] }),
      ind("[domain-name:value = 'Evil.EXAMPLE']", { object_marking_refs: [custom.id], valid_until: '2025-01-01T00:00:00Z' }),
      ind(`[url:value = ${stixString("http://evil.example/a'b?x=\\")}]`),
      ind("[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']"),
      ind("[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"),
      ind("[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"),
      ind("[email-addr:value = 'boss@evil.example']"),
      custom,
      { type: 'report', spec_version: '2.1', id: `report--${uuid()}`, created: T, modified: T, name: 'r', published: T, object_refs: [`indicator--${uuid()}`] },
    ]);
    const res = await api('analyst', 'POST', '/api/v1/stix/bundles', bundle);
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.equal(r.objects, 12);
    assert.deepEqual(r.indicators, { received: 9, created: 9, updated: 0, duplicates: 0 });
    assert.equal(r.rejected_count, 0);
    assert.deepEqual(r.skipped.map((s: { type: string }) => s.type), ['identity', 'marking-definition', 'report']);
    const { ctx } = t();
    const tor = (await findIndicator(ctx, '185.220.101.7'))!;
    assert.equal(tor.tlp, 'GREEN');
    assert.equal(tor.confidence, 90);
    assert.deepEqual(tor.labels, ['c2', 'tor']);
    assert.equal((await findIndicator(ctx, '31.149.0.0/16'))!.tlp, 'AMBER+STRICT', 'the strictest marking wins');
    const domain = (await findIndicator(ctx, 'evil.example', 'domain'))!;
    assert.equal(domain.tlp, 'RED', 'a TLP marking definition of the bundle');
    assert.equal(domain.validUntil, '2025-01-01T00:00:00.000Z');
    assert.equal((await findIndicator(ctx, '2a02:a440::1'))!.tlp, 'AMBER', 'DEFAULT_TLP without a marking');
    assert.ok(await findIndicator(ctx, "http://evil.example/a'b?x=\\", 'url'));
    assert.ok(await findIndicator(ctx, 'd41d8cd98f00b204e9800998ecf8427e'));
  });

  test('patterns of one plain equality (read without the grammar) and the same patterns written otherwise agree', async () => {
    const { ctx } = t();
    const md5 = '0cc175b9c0f1b6a831c399e269772661';
    const pairs: Array<[string, string, string]> = [
      ["[domain-name:value = 'Plain-Pair.EXAMPLE']", "[ domain-name:value='plain-pair.example' ]", 'plain-pair.example'],
      [`[file:hashes.MD5 = '${md5.toUpperCase()}']`, `[file:hashes.'MD5' = '${md5}']`, md5],
      ["[ipv4-addr:value = '192.0.2.0/24']", "[ipv4-addr:value = '192.0.2.0/24' AND ipv4-addr:value = '192.0.2.0/24']", ''],
    ];
    for (const [plain, other, value] of pairs) {
      if (value) {
        const a = await importStix(ctx, SYSTEM, doc([ind(plain)]));
        const b = await importStix(ctx, SYSTEM, doc([ind(other)]));
        assert.deepEqual([a.indicators.created + a.indicators.updated, b.indicators.updated], [1, 1], `${plain} and ${other} are one indicator`);
        assert.ok(await findIndicator(ctx, value));
      } else {
        // A documentation network is refused by the shortcut's normalisation, two comparisons by the grammar.
        for (const [pattern, reason] of [[plain, /special-purpose/], [other, /one equality/]] as const) {
          await assert.rejects(importStix(ctx, SYSTEM, doc([ind(pattern)])), (err: { problems?: Array<{ field: string; message: string }> }) => {
            assert.equal(err.problems?.[0]?.field, 'objects[0].pattern');
            assert.match(err.problems[0]!.message, reason);
            return true;
          });
        }
      }
    }
  });

  test('bad objects: strict refuses everything with index and path; --no-strict lands the good ones', async () => {
    const { ctx } = t();
    const good = ind("[domain-name:value = 'strict-test.example']");
    const bad = [
      ind("[domain-name:value = 'x.example'] FOLLOWEDBY [url:value = 'http://x.example/']"),
      ind("[ipv4-addr:value = '10.0.0.1']"),
      ind("[domain-name:value = 'y.example']", { valid_until: '2000-01-01T00:00:00Z' }),
      { ...ind("[domain-name:value = 'z.example']"), id: 'indicator--nope' },
      ind("[process:pid = 4]"),
    ];
    const strict = await api('analyst', 'POST', '/api/v1/stix/bundles', doc([good, ...bad]));
    assert.equal(strict.statusCode, 400, strict.body);
    assert.equal(strict.json().error.code, 'BAKEN_E_STIX_REJECTED_STRICT');
    const fields = strict.json().error.problems.map((p: { field: string }) => p.field);
    assert.deepEqual(fields, ['objects[1].pattern', 'objects[2].pattern', 'objects[3].valid_until', 'objects[4].id', 'objects[5].pattern']);
    assert.equal(await findIndicator(ctx, 'strict-test.example'), null, 'nothing saved');

    const loose = await api('analyst', 'POST', '/api/v1/stix/bundles?strict=false', doc([good, ...bad]));
    assert.equal(loose.statusCode, 200, loose.body);
    assert.equal(loose.json().indicators.created, 1);
    assert.equal(loose.json().rejected_count, 5);
    assert.deepEqual(loose.json().rejected[1], { index: 2, id: bad[1]!.id, path: 'objects[2].pattern', message: loose.json().rejected[1].message });
    assert.match(loose.json().rejected[1].message, /special-purpose/);
    assert.ok(await findIndicator(ctx, 'strict-test.example'));

    const none = await api('analyst', 'POST', '/api/v1/stix/bundles?strict=false', doc(bad));
    assert.equal(none.json().error.code, 'BAKEN_E_STIX_NOTHING_IMPORTED');
    const notStix = await api('analyst', 'POST', '/api/v1/stix/bundles', { hello: 'world' });
    assert.equal(notStix.statusCode, 400);
    const stixType = await t().app.inject({ method: 'POST', url: '/api/v1/stix/bundles', headers: { authorization: `Bearer ${keys.analyst}`, 'content-type': 'application/stix+json;version=2.1' }, payload: '{"type": "bundle", "id": ' });
    assert.equal(stixType.statusCode, 400);
  });

  test('a member’s sightings: by stable id and by an indicator of the same bundle; indicators only resolve', async () => {
    const { ctx } = t();
    const known = (await upsertIndicator(ctx, SYSTEM, { value: 'known.example', tlp: 'GREEN' })).indicator;
    const local = ind("[domain-name:value = 'new-in-bundle.example']");
    const sighting = (ref: string, extra: Record<string, unknown> = {}) => ({ type: 'sighting', spec_version: '2.1', id: `sighting--${uuid()}`, created: T, modified: T, sighting_of_ref: ref, count: 3, first_seen: '2024-05-01T10:00:00Z', last_seen: '2024-05-01T11:00:00Z', ...extra });
    const res = await api('A', 'POST', '/api/v1/stix/bundles?strict=false', doc([sighting(indicatorStixId('domain', 'known.example')), sighting(String(local.id)), local, sighting(indicatorStixId('domain', 'never.example')), sighting(indicatorStixId('domain', 'known.example'), { count: 0 })]));
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.deepEqual(r.sightings, { received: 4, reported: 2 });
    assert.equal(r.indicators.created, 0, 'a member adds no indicators');
    assert.deepEqual(r.rejected.map((p: { path: string }) => p.path), ['objects[3].sighting_of_ref', 'objects[4].count']);
    const mine = await listSightings(ctx, { kind: 'member', organisationId: org.A!, userId: null }, {});
    const byValue = new Map(mine.map((s) => [s.indicator?.value ?? s.observation?.value, s]));
    assert.equal(byValue.get('known.example')!.indicator!.id, known.id);
    assert.equal(byValue.get('known.example')!.count, 3);
    assert.equal(byValue.get('known.example')!.organisationId, org.A);
    assert.ok(byValue.get('new-in-bundle.example')!.observation, 'a value the hub does not know is kept as an observation');
    // Staff report no sightings: skipped with a note, not an error.
    const staff = await api('analyst', 'POST', '/api/v1/stix/bundles', doc([sighting(indicatorStixId('domain', 'known.example'))]));
    assert.equal(staff.statusCode, 200, staff.body);
    assert.match(staff.json().skipped[0].note, /member organisations/);
  });

  test('export follows the TLP policy; one indicator by its STIX id', async () => {
    const { ctx } = t();
    const green = (await upsertIndicator(ctx, SYSTEM, { value: 'green-export.example', tlp: 'GREEN' })).indicator;
    const amber = (await upsertIndicator(ctx, SYSTEM, { value: 'amber-export.example', tlp: 'AMBER' })).indicator;
    const red = (await upsertIndicator(ctx, SYSTEM, { value: 'red-export.example', tlp: 'RED' })).indicator;
    const draft = await createAlert(ctx, SYSTEM, { title: 'For A', severity: 'high', summary: 'x', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.A!] }, indicatorIds: [amber.id] });
    await publishAlert(ctx, SYSTEM, draft.id);
    const values = async (key: string) => {
      const res = await api(key, 'GET', '/api/v1/stix/bundle?limit=100000');
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/stix\+json/);
      const b = res.json() as StixBundle;
      assert.deepEqual(validateStixBundle(b), []);
      return new Set(b.objects.filter((o): o is StixIndicator => o.type === 'indicator').map((o) => o.name));
    };
    const a = await values('A');
    const b = await values('B');
    const staff = await values('analyst');
    assert.ok(a.has(green.value) && a.has(amber.value) && !a.has(red.value));
    assert.ok(b.has(green.value) && !b.has(amber.value) && !b.has(red.value));
    assert.ok(staff.has(amber.value) && !staff.has(red.value), 'RED never goes into a bulk export');

    const id = indicatorStixId('domain', amber.value);
    assert.equal((await api('A', 'GET', `/api/v1/stix/indicators/${id}`)).statusCode, 200);
    assert.equal((await api('B', 'GET', `/api/v1/stix/indicators/${id}`)).statusCode, 404);
    const page = await api('analyst', 'GET', '/api/v1/stix/bundle?limit=2');
    assert.match(String(page.headers.link), /after=\d+&limit=2>; rel="next"/);
  });

  test('round trip: export, then import into a fresh database, gives the same indicators with the same ids', async () => {
    const { ctx } = t();
    await upsertIndicator(ctx, SYSTEM, { value: 'hxxp://round[.]example/p?q=1', tlp: 'CLEAR', confidence: 33, labels: ['phishing'], source: 'own research', validFrom: '2024-01-01', validUntil: '2030-01-01' });
    const first = await exportStixIndicators(ctx, { kind: 'staff', role: 'analyst' }, { limit: 100_000 });
    assert.deepEqual(validateStixBundle(first.bundle), []);
    const fresh = await createTestDatabase(ctx.db.dialect);
    try {
      const json = JSON.parse(JSON.stringify(first.bundle)) as unknown;
      const r = await importStix(fresh.ctx, SYSTEM, json);
      assert.equal(r.rejectedCount, 0, JSON.stringify(r.rejected));
      const second = await exportStixIndicators(fresh.ctx, { kind: 'staff', role: 'analyst' }, { limit: 100_000 });
      const pick = (b: StixBundle) =>
        b.objects
          .filter((o): o is StixIndicator => o.type === 'indicator')
          .map((o) => ({ id: o.id, pattern: o.pattern, markings: o.object_marking_refs, confidence: o.confidence, labels: o.labels, refs: o.external_references, until: o.valid_until, from: o.valid_from }))
          .sort((x, y) => x.id.localeCompare(y.id));
      assert.ok(pick(first.bundle).length >= 10);
      assert.deepEqual(pick(second.bundle), pick(first.bundle));
      const before = (await listIndicators(ctx, { limit: 1000 })).indicators.filter((i) => i.tlp !== 'RED').length;
      assert.equal((await listIndicators(fresh.ctx, { limit: 1000 })).indicators.length, before);
    } finally {
      await fresh.close();
    }
  });

  test('baken import stix FILE: problems on stderr, exit 2 when strict; --no-strict lands the good ones', async () => {
    const { ctx } = t();
    const db = t();
    const file = join(db.dataDir, 'bundle.json');
    writeFileSync(file, JSON.stringify(doc([ind("[domain-name:value = 'cli.example']"), ind("[ipv4-addr:value = '10.0.0.1']")])));
    const env = { BAKEN_DATA_DIR: db.dataDir, BAKEN_DATABASE_URL: db.url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') };
    const strict = await runCli(['import', 'stix', file], env);
    assert.equal(strict.code, 2, strict.stderr);
    assert.match(strict.stderr, /objects\[1\]\.pattern/);
    assert.equal(await findIndicator(ctx, 'cli.example'), null);
    const loose = await runCli(['import', 'stix', file, '--no-strict'], env);
    assert.equal(loose.code, 0, loose.stderr);
    assert.match(loose.stderr, /objects\[1\]\.pattern/);
    assert.match(loose.stdout, /1 new/);
    assert.equal((await findIndicator(ctx, 'cli.example'))!.source, 'bundle.json');
  });
});
