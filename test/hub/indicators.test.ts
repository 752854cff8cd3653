import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createAnalysis, getAnalysis, listAnalyses, listAnalysisVersions, publishAnalysis, updateAnalysis, analysesOfIndicator } from '../../src/hub/analyses/analyses.js';
import { appendIndicatorEvents, findIndicator, getIndicator, importIndicators, indicatorHistory, listIndicators, updateIndicator, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { SYSTEM } from '../../src/platform/context.js';
import { BakenError } from '../../src/platform/errors.js';
import type { Resolver } from '../../src/registry/resolver.js';
import { createOperator } from '../../src/registry/operators.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { fixtureResolver } from '../hotline/hotline-fixtures.js';

const analyst = { actor: { kind: 'system' as const, label: 'analyst@cert.example' }, meta: { ip: null, userAgent: null, requestId: null } };

describeEachDatabase('hub indicators and analyses', (db) => {
  let resolver: Resolver;
  before(async () => {
    const { ctx, dataDir } = db();
    await createOperator(ctx, SYSTEM, { name: 'KPN', asns: [1136], prefixes: [], contacts: ['abuse@kpn.example'] });
    resolver = await fixtureResolver(ctx, dataDir);
  });

  test('upsert: normalised, enriched from the registry, deduplicated on (type, value), with history', async () => {
    const { ctx, clock } = db();
    const first = await upsertIndicator(ctx, analyst, { value: '31[.]149[.]1[.]7', tlp: 'amber', confidence: 70, labels: ['C2'], source: 'own research' }, { resolver });
    assert.equal(first.created, true);
    const i = first.indicator;
    assert.deepEqual([i.type, i.value, i.tlp, i.confidence, i.labels, i.source], ['ipv4', '31.149.1.7', 'AMBER', 70, ['c2'], 'own research']);
    assert.deepEqual([i.asn, i.asName, i.country], [1136, 'KPN B.V.', 'NL']);
    assert.ok(i.operatorId !== null, 'the operator directory names KPN');
    clock.advance(60_000);
    const again = await upsertIndicator(ctx, analyst, { value: '::ffff:31.149.1.7', labels: ['botnet'], confidence: 90 }, { resolver });
    assert.equal(again.created, false);
    assert.equal(again.indicator.id, i.id);
    assert.deepEqual(again.indicator.labels, ['c2', 'botnet']);
    assert.equal(again.indicator.confidence, 90);
    assert.equal(again.indicator.tlp, 'AMBER', 'no TLP given: the old one stays');
    assert.equal(again.indicator.firstSeen, i.firstSeen);
    assert.ok(again.indicator.lastSeen > i.lastSeen);
    const history = await indicatorHistory(ctx, i.id);
    assert.deepEqual(history.map((h) => h.kind), ['created', 'updated']);
    assert.equal(history[0]!.actor, 'analyst@cert.example');
    assert.equal((await findIndicator(ctx, '31.149.1[.]7'))?.id, i.id);
    assert.equal(await findIndicator(ctx, 'unknown.example'), null);
  });

  test('upsert refuses bad values and fields, naming what is wrong', async () => {
    const { ctx } = db();
    await assert.rejects(upsertIndicator(ctx, analyst, { value: '192.168.1.1' }, { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_INDICATOR_INVALID' && /private-use/.test(e.message));
    await assert.rejects(upsertIndicator(ctx, analyst, { value: 'evil.example', tlp: 'PURPLE' }, { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_VALIDATION' && /tlp/.test(e.message));
    await assert.rejects(upsertIndicator(ctx, analyst, { value: 'evil.example', confidence: 101 }, { resolver }), (e: unknown) => e instanceof BakenError && /confidence/.test(e.message));
    await assert.rejects(upsertIndicator(ctx, analyst, { value: 'evil.example', validFrom: '2026-05-01', validUntil: '2026-04-01' }, { resolver }), /before valid_from/);
    assert.equal(await findIndicator(ctx, 'evil.example'), null);
  });

  test('bulk import: good lines land in one go, bad lines reported by number; duplicates merged; re-import updates', async () => {
    const { ctx } = db();
    const text = ['evil[.]example', 'hxxps://evil[.]example/login#x', '10.0.0.1', 'EVIL.example', '31.149.0.0/16', '2001:200::1', 'not a thing at all', 'email,ceo@evil.example,RED,90,bec'].join('\n');
    const r = await importIndicators(ctx, analyst, text, { tlp: 'GREEN', source: 'paste', labels: ['campaign-x'], resolver });
    assert.equal(r.created, 5);
    assert.equal(r.updated, 0);
    assert.equal(r.duplicates, 1);
    assert.deepEqual(r.rejected.map((x) => x.line), [3, 7]);
    const net = await findIndicator(ctx, '31.149.0.0/16');
    assert.deepEqual([net?.type, net?.asn, net?.country, net?.tlp, net?.source, net?.labels], ['cidr', 1136, 'NL', 'GREEN', 'paste', ['campaign-x']]);
    const v6 = await findIndicator(ctx, '2001:200::1');
    assert.equal(v6?.asn, 2500);
    const email = await findIndicator(ctx, 'ceo@evil.example');
    assert.deepEqual([email?.tlp, email?.confidence, email?.labels], ['RED', 90, ['campaign-x', 'bec']]);
    assert.equal((await findIndicator(ctx, 'evil.example'))?.asn, null, 'domains are not enriched');

    const again = await importIndicators(ctx, analyst, 'evil.example\nnew.example\n', { source: 'feed-b', resolver });
    assert.deepEqual([again.created, again.updated], [1, 1]);
    const evil = await findIndicator(ctx, 'evil.example');
    assert.equal(evil?.tlp, 'GREEN', 'a re-import without a TLP keeps the old one');
    assert.equal(evil?.source, 'feed-b');
    assert.deepEqual((await indicatorHistory(ctx, evil!.id)).map((h) => h.kind), ['created', 'updated']);
  });

  test('bulk import: strict refuses everything on a bad line; nothing valid is refused as empty', async () => {
    const { ctx } = db();
    await assert.rejects(importIndicators(ctx, analyst, 'strict-one.example\n127.0.0.1\n', { strict: true, resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_INDICATORS_REJECTED_STRICT' && e.problems[0]?.field === 'line 2');
    assert.equal(await findIndicator(ctx, 'strict-one.example'), null);
    await assert.rejects(importIndicators(ctx, analyst, '# nothing\n\n', { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_NO_INDICATORS');
    await assert.rejects(importIndicators(ctx, analyst, 'x\ny\n', { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_NO_INDICATORS' && e.problems.length === 2);
  });

  test('list: filters by type, TLP, label and text, newest first, with paging', async () => {
    const { ctx } = db();
    const all = await listIndicators(ctx, { limit: 1000 });
    assert.ok(all.indicators.length >= 7);
    assert.ok(all.indicators[0]!.id > all.indicators[1]!.id);
    assert.deepEqual((await listIndicators(ctx, { type: 'url' })).indicators.map((i) => i.value), ['https://evil.example/login']);
    assert.ok((await listIndicators(ctx, { tlp: 'red' })).indicators.every((i) => i.tlp === 'RED'));
    assert.deepEqual((await listIndicators(ctx, { label: 'BEC' })).indicators.map((i) => i.value), ['ceo@evil.example']);
    assert.deepEqual((await listIndicators(ctx, { label: 'campaign' })).indicators, [], 'a label matches whole');
    assert.ok((await listIndicators(ctx, { q: 'evil[.]EXAMPLE' })).indicators.length >= 3);
    const page1 = await listIndicators(ctx, { limit: 2 });
    const page2 = await listIndicators(ctx, { limit: 2, before: page1.next! });
    assert.equal(page2.indicators.length, 2);
    assert.ok(page2.indicators[0]!.id < page1.indicators[1]!.id);
    await assert.rejects(listIndicators(ctx, { type: 'bogus' }), /not an indicator type/);
  });

  test('update by id; alerts and sightings append to the history', async () => {
    const { ctx, clock } = db();
    const i = (await findIndicator(ctx, 'new.example'))!;
    const u = await updateIndicator(ctx, analyst, i.id, { tlp: 'AMBER+STRICT', labels: ['Phishing'], validUntil: '2026-12-31' });
    assert.deepEqual([u.tlp, u.labels, u.validUntil], ['AMBER+STRICT', ['phishing'], '2026-12-31T00:00:00.000Z']);
    await ctx.db.kysely.transaction().execute((trx) =>
      appendIndicatorEvents(trx, [
        { indicatorId: i.id, kind: 'alert', at: clock.now().toISOString(), actor: 'analyst', ref: { type: 'alert', id: 7 } },
        { indicatorId: i.id, kind: 'sighting', at: clock.now().toISOString(), ref: { type: 'sighting', id: 3 }, details: { sector: 'energy', count: 2 } },
      ]),
    );
    const h = await indicatorHistory(ctx, i.id);
    assert.deepEqual(h.map((e) => e.kind), ['created', 'updated', 'alert', 'sighting']);
    assert.deepEqual([h[2]!.refType, h[2]!.refId, h[3]!.details], ['alert', '7', { sector: 'energy', count: 2 }]);
    await assert.rejects(updateIndicator(ctx, analyst, 999_999, { tlp: 'RED' }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_INDICATOR_NOT_FOUND');
    await assert.rejects(getIndicator(ctx, 999_999), /No such indicator/);
  });

  test('analyses: a draft, published (frozen, history of its indicators), edited into a new draft version', async () => {
    const { ctx, clock } = db();
    const evil = (await findIndicator(ctx, 'evil.example'))!;
    const url = (await findIndicator(ctx, 'https://evil.example/login'))!;
    const a = await createAnalysis(ctx, analyst, { title: ' Campaign X ', body: '## Summary\n\n**Phishing** <script>alert(1)</script> [x](javascript:alert(1))', tlp: 'amber', severity: 'high', indicatorIds: [evil.id, url.id] });
    assert.deepEqual([a.title, a.status, a.version, a.tlp, a.publishedVersion], ['Campaign X', 'draft', 1, 'AMBER', null]);
    assert.match(a.bodyHtml, /<h2>Summary<\/h2>/);
    assert.ok(!a.bodyHtml.includes('<script>'));
    assert.ok(!/href="javascript/i.test(a.bodyHtml));
    assert.deepEqual(a.indicators.map((i) => i.id).sort(), [evil.id, url.id].sort());
    const edited = await updateAnalysis(ctx, analyst, a.analysisId, { severity: 'critical' });
    assert.deepEqual([edited.version, edited.severity], [1, 'critical'], 'a draft changes in place');
    clock.advance(1000);
    const pub = await publishAnalysis(ctx, analyst, a.analysisId);
    assert.deepEqual([pub.status, pub.publishedVersion, pub.publishedBy], ['published', 1, 'analyst@cert.example']);
    await assert.rejects(publishAnalysis(ctx, analyst, a.analysisId), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_ANALYSIS_STATE');
    assert.equal((await indicatorHistory(ctx, evil.id)).at(-1)?.kind, 'analysis');
    const v2 = await updateAnalysis(ctx, analyst, a.analysisId, { title: 'Campaign X, update', indicatorIds: [evil.id] });
    assert.deepEqual([v2.version, v2.status, v2.latestVersion, v2.publishedVersion, v2.indicators.length], [2, 'draft', 2, 1, 1]);
    const v1 = await getAnalysis(ctx, a.analysisId, 1);
    assert.deepEqual([v1.title, v1.status, v1.indicators.length], ['Campaign X', 'published', 2], 'the published version is frozen');
    assert.deepEqual((await listAnalysisVersions(ctx, a.analysisId)).map((v) => [v.version, v.status]), [[2, 'draft'], [1, 'published']]);
    assert.deepEqual((await listAnalyses(ctx)).map((s) => [s.id, s.title, s.status]), [[a.analysisId, 'Campaign X, update', 'draft']]);
    assert.deepEqual((await analysesOfIndicator(ctx, evil.id)).map((x) => x.id), [a.analysisId]);
    await assert.rejects(createAnalysis(ctx, analyst, { title: '', body: '', tlp: 'BLUE', severity: 'meh' }), (e: unknown) => e instanceof BakenError && e.problems.length === 3);
    await assert.rejects(createAnalysis(ctx, analyst, { title: 'x', body: '', tlp: 'RED', severity: 'low', indicatorIds: [999_999] }), /999999/);
    await assert.rejects(getAnalysis(ctx, 999_999), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_ANALYSIS_NOT_FOUND');
  });
});
