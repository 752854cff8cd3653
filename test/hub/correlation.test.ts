/**
 * Correlation, triage and the sightings overview on both databases: one value in several spellings finds its
 * indicator, the networks that contain it, the alerts (under the TLP policy), analyses, sightings, observations,
 * hotline cases with that address (and with hosts inside a network, IPv4 and IPv6); the hub's indicators among a
 * case's hosts; other alerts sharing indicators as a member may see them; promotion moving sightings onto the
 * indicator, dismissal, repeats and bad input; the overview's numbers and the per-day series; the API and the
 * pages (en and nl) through the app.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { createAlert, publishAlert, readAlert } from '../../src/hub/alerts/index.js';
import { createAnalysis, publishAnalysis } from '../../src/hub/analyses/analyses.js';
import { hubIndicatorsOfCase } from '../../src/hub/correlation/case-links.js';
import { correlateValue } from '../../src/hub/correlation/correlate-value.js';
import { relatedAlerts } from '../../src/hub/correlation/indicator-links.js';
import { indicatorHistory, upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { dismissObservation, listObservations, periodOf, promoteObservation, reportSighting, sightingOverview, sightingsPerDay } from '../../src/hub/sightings/index.js';
import type { Viewer } from '../../src/hub/tlp.js';
import { storeHosts } from '../../src/hotline/cases/case-hosts.js';
import { createCase } from '../../src/hotline/cases/cases.js';
import { listAudit } from '../../src/platform/audit.js';
import { SYSTEM } from '../../src/platform/context.js';
import { BakenError } from '../../src/platform/errors.js';
import type { Resolver } from '../../src/registry/resolver.js';
import { describeEachApp, signedIn, type Browser } from '../helpers/app.js';
import { fixtureResolver, host, intakeEvents } from '../hotline/hotline-fixtures.js';

const code = (c: string) => (e: unknown) => e instanceof BakenError && e.code === `BAKEN_E_${c}`;

describeEachApp('correlation, triage and the sightings overview', (t) => {
  const org: Record<string, number> = {};
  const ind: Record<string, number> = {};
  const alert: Record<string, number> = {};
  const keys: Record<string, string> = {};
  let caseId = '';
  let caseRowId = 0;
  let analysisId = 0;
  let resolver: Resolver;
  let analyst: Browser;
  let namedUserId = 0;
  const staff: Viewer = { kind: 'staff', role: 'analyst', userId: null };
  const member = (name: string, userId: number | null = null): Viewer => ({ kind: 'member', organisationId: org[name]!, userId });
  const sight = (name: string, value: string, count = 1) => reportSighting(t().ctx, SYSTEM, member(name), { value, count });

  before(async () => {
    const { ctx, app, dataDir } = t();
    resolver = await fixtureResolver(ctx, dataDir);
    for (const [name, sector] of [['A', 'energy'], ['B', 'health'], ['C', 'energy']] as const) {
      org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector })).id;
      keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
    }
    const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
    keys.analyst = (await createApiKey(ctx, SYSTEM, { organisationId: coordinator, role: 'analyst' })).secret;
    await createUser(ctx, SYSTEM, { email: 'analyst@coordinator.example', role: 'analyst', organisationId: coordinator, password: 'an analyst password' });
    namedUserId = (await createUser(ctx, SYSTEM, { email: 'soc@a.example', role: 'member', organisationId: org.A!, password: 'a member password' })).user.id;
    await createUser(ctx, SYSTEM, { email: 'soc@b.example', role: 'member', organisationId: org.B!, password: 'b member password' });
    for (const [v, tlp] of [['185.220.101.7', 'AMBER'], ['185.220.100.0/22', 'GREEN'], ['evil.example', 'AMBER'], ['2a00:1450::/32', 'GREEN'], ['secret.example', 'RED']] as const) {
      ind[v] = (await upsertIndicator(ctx, SYSTEM, { value: v, tlp }, { resolver })).indicator.id;
    }
    const publish = async (title: string, tlp: 'AMBER' | 'GREEN' | 'RED', ids: number[], named: number[] = []) => {
      const d = await createAlert(ctx, SYSTEM, { title, severity: 'high', summary: 'Look for these.', tlp, audience: { kind: 'all' }, indicatorIds: ids, namedUserIds: named });
      return (await publishAlert(ctx, SYSTEM, d.id)).alert.id;
    };
    alert.amber = await publish('Tor exit scanning energy', 'AMBER', [ind['185.220.101.7']!, ind['evil.example']!]);
    alert.green = await publish('Scanner wave', 'GREEN', [ind['185.220.101.7']!]);
    alert.red = await publish('Named people only', 'RED', [ind['185.220.101.7']!], [namedUserId]);
    alert.other = await publish('Unrelated phishing', 'GREEN', [ind['2a00:1450::/32']!]);
    const a = await createAnalysis(ctx, SYSTEM, { title: 'Campaign Lantern', body: 'x', tlp: 'AMBER', severity: 'high', indicatorIds: [ind['185.220.101.7']!] });
    analysisId = (await publishAnalysis(ctx, SYSTEM, a.analysisId)).analysisId;
    const c = await createCase(ctx, SYSTEM, { title: 'Exposed routers' });
    caseId = c.caseId;
    caseRowId = c.id;
    await storeHosts(ctx, SYSTEM, caseId, intakeEvents([host('185.220.101.7', 443, 1), host('185.220.101.9', 22, 2), host('2a00:1450:4001:800::200e', 8080, 3), host('31.149.1.1', 80, 4)]), { resolver });
    analyst = await signedIn(app, 'analyst@coordinator.example', 'an analyst password');
  });

  test('a value in any spelling: indicator, networks, alerts under TLP, analyses, sightings, cases, registry', async () => {
    const { ctx } = t();
    await sight('A', '185.220.101.7', 3);
    for (const spelling of ['185.220.101[.]7', ' 185.220.101.7 ', '::ffff:185.220.101.7']) {
      const r = await correlateValue(ctx, staff, spelling, { resolver });
      assert.equal(r.value, '185.220.101.7');
      assert.deepEqual(r.indicators.map((m) => [m.indicator.value, m.match]), [['185.220.101.7', 'exact'], ['185.220.100.0/22', 'network']]);
      assert.deepEqual(r.indicators.map((m) => m.sightings), [1, 0]);
      // The alerts of the matched indicators; the RED one names people, and staff not named do not see it.
      assert.deepEqual(r.alerts.map((a) => a.id), [alert.green, alert.amber]);
      assert.deepEqual(r.analyses.map((a) => [a.id, a.title]), [[analysisId, 'Campaign Lantern']]);
      assert.deepEqual(r.sightings.map((s) => [s.organisationName, s.count]), [['Member A', 3]]);
      assert.deepEqual(r.cases.map((c) => [c.caseId, c.hosts, c.ports, c.state]), [[caseId, 1, [443], 'received']]);
    }
    // A URL on that address: the address through the host of the URL, and its cases.
    const url = await correlateValue(ctx, staff, 'hxxp://185.220.101[.]7/gate', { resolver });
    assert.equal(url.type, 'url');
    assert.deepEqual(url.indicators.map((m) => m.match), ['host', 'network']);
    assert.equal(url.cases[0]?.caseId, caseId);
    // A network finds the cases with hosts inside it (IPv4 by text ranges, IPv6 host by host).
    const net = await correlateValue(ctx, staff, '185.220.100.0/22', { resolver });
    assert.deepEqual(net.cases.map((c) => [c.caseId, c.hosts, c.ports]), [[caseId, 2, [22, 443]]]);
    const wide = await correlateValue(ctx, staff, '185.0.0.0/8', { resolver });
    assert.deepEqual(wide.cases.map((c) => c.hosts), [2]);
    assert.deepEqual(wide.indicators, []);
    const v6 = await correlateValue(ctx, staff, '2a00:1450::/32', { resolver });
    assert.deepEqual(v6.cases.map((c) => [c.caseId, c.hosts, c.ports]), [[caseId, 1, [8080]]]);
    assert.deepEqual(v6.alerts.map((a) => a.id), [alert.other]);
    const v6host = await correlateValue(ctx, staff, '2A00:1450:4001:0800::200E', { resolver });
    assert.deepEqual(v6host.indicators.map((m) => [m.indicator.value, m.match]), [['2a00:1450::/32', 'network']]);
    assert.equal(v6host.cases[0]?.hosts, 1);
    // Registry facts for an address in the fixture data.
    const kpn = await correlateValue(ctx, staff, '31.149.1.1', { resolver });
    assert.equal(kpn.enrichment?.asn, 1136);
    assert.deepEqual(kpn.cases.map((c) => c.ports), [[80]]);
    // Nothing known: an empty answer, not an error.
    const none = await correlateValue(ctx, staff, 'nothing-here.example', { resolver });
    assert.deepEqual([none.indicators, none.alerts, none.cases, none.enrichment], [[], [], [], null]);
    // Members do not correlate; bad values are refused with the normaliser's reason.
    await assert.rejects(correlateValue(ctx, member('A'), 'evil.example'), code('FORBIDDEN'));
    await assert.rejects(correlateValue(ctx, staff, '10.0.0.1'), (e: unknown) => code('INDICATOR_INVALID')(e) && /special-purpose/.test((e as Error).message));
    await assert.rejects(correlateValue(ctx, staff, 'not a value at all'), code('INDICATOR_INVALID'));
  });

  test('hotline case: the hub indicators among its hosts; alerts sharing indicators, as each viewer may see them', async () => {
    const { ctx } = t();
    const matches = await hubIndicatorsOfCase(ctx, caseRowId);
    assert.deepEqual(matches.map((m) => [m.indicator.value, m.hosts]), [['185.220.100.0/22', 2], ['185.220.101.7', 1], ['2a00:1450::/32', 1]]);
    const related = async (viewer: Viewer, id: number) => {
      const a = await readAlert(ctx, viewer, id);
      return (await relatedAlerts(ctx.db.kysely, viewer, id, a.indicators)).map((r) => r.id);
    };
    assert.deepEqual(await related(staff, alert.amber!), [alert.green]);
    // The member named in the RED alert sees it linked; another member does not.
    assert.deepEqual(await related(member('A', namedUserId), alert.amber!), [alert.red, alert.green]);
    assert.deepEqual(await related(member('B'), alert.amber!), [alert.green]);
    assert.deepEqual(await related(member('B'), alert.green!), [alert.amber]);
  });

  test('triage: promote moves the sightings onto the indicator; dismiss with a reason; repeats change nothing; bad input changes nothing', async () => {
    const { ctx } = t();
    await sight('B', 'hxxps://unknown[.]example/x', 2);
    await sight('A', 'https://unknown.example/x');
    await sight('B', 'https://unknown.example/x');
    await sight('C', 'noise.example');
    const open = await listObservations(ctx);
    const obs = open.find((o) => o.value === 'https://unknown.example/x')!;
    assert.deepEqual([obs.type, obs.sightings, obs.organisations, obs.count, obs.state], ['url', 3, 2, 4, 'open']);
    const noise = open.find((o) => o.value === 'noise.example')!;

    await assert.rejects(promoteObservation(ctx, SYSTEM, obs.id, { tlp: 'PURPLE', confidence: 50 }), code('VALIDATION'));
    await assert.rejects(promoteObservation(ctx, SYSTEM, obs.id, { tlp: 'AMBER', confidence: 101 }), code('VALIDATION'));
    await assert.rejects(promoteObservation(ctx, SYSTEM, obs.id, { tlp: 'AMBER', confidence: 50, type: 'sha256' }), code('INDICATOR_INVALID'));
    await assert.rejects(promoteObservation(ctx, SYSTEM, 999999, { tlp: 'AMBER', confidence: 50 }), code('OBSERVATION_NOT_FOUND'));
    assert.equal((await ctx.db.kysely.selectFrom('indicators').select('id').where('value', '=', 'https://unknown.example/x').execute()).length, 0);

    const p = await promoteObservation(ctx, SYSTEM, obs.id, { tlp: 'GREEN', confidence: 80 }, { resolver });
    assert.deepEqual([p.changed, p.moved, p.indicator.value, p.indicator.tlp, p.indicator.confidence, p.observation.state, p.observation.sightings], [true, 3, 'https://unknown.example/x', 'GREEN', 80, 'promoted', 0]);
    const moved = await ctx.db.kysely.selectFrom('sightings').select(['indicator_id', 'observation_id']).where('indicator_id', '=', p.indicator.id).execute();
    assert.equal(moved.length, 3);
    assert.ok(moved.every((s) => s.observation_id === null));
    const history = await indicatorHistory(ctx, p.indicator.id);
    assert.equal(history.filter((e) => e.kind === 'sighting').length, 3);
    // Counted from now on: correlation and new sightings of the value land on the indicator.
    const c = await correlateValue(ctx, staff, 'hxxps://UNKNOWN[.]example/x#frag', { resolver });
    assert.deepEqual(c.indicators.map((m) => [m.match, m.sightings, m.organisations]), [['exact', 3, 2]]);
    assert.equal((await sight('C', 'https://unknown.example/x')).indicator?.id, p.indicator.id);

    const again = await promoteObservation(ctx, SYSTEM, obs.id, { tlp: 'RED', confidence: 10 });
    assert.deepEqual([again.changed, again.moved, again.indicator.tlp], [false, 0, 'GREEN']);
    await assert.rejects(dismissObservation(ctx, SYSTEM, obs.id, 'too late'), code('OBSERVATION_STATE'));

    await assert.rejects(dismissObservation(ctx, SYSTEM, noise.id, '   '), code('VALIDATION'));
    const d = await dismissObservation(ctx, SYSTEM, noise.id, 'Benign CDN host');
    assert.deepEqual([d.changed, d.observation.state, d.observation.reason, d.observation.sightings], [true, 'dismissed', 'Benign CDN host', 1]);
    assert.equal((await dismissObservation(ctx, SYSTEM, noise.id, 'again')).changed, false);
    assert.equal((await listObservations(ctx, { state: 'dismissed' }))[0]?.reason, 'Benign CDN host');
    await assert.rejects(listObservations(ctx, { state: 'gone' }), code('VALIDATION'));
    // Audited once each, not for the repeats.
    assert.equal((await listAudit(ctx.db, { action: 'observation.promote' })).length, 1);
    assert.equal((await listAudit(ctx.db, { action: 'observation.dismiss' })).length, 1);
  });

  test('overview: by sector, most-sighted indicators, newest, open observations; sightings per day', async () => {
    const { ctx, clock } = t();
    clock.advance(2 * 86_400_000);
    await sight('C', '185.220.101.7', 5);
    await sight('B', 'fresh-unknown.example');
    const o = await sightingOverview(ctx, staff, periodOf(clock.now(), { days: 30 }));
    // Every sighting of this suite so far: A 3 (ip), B 2+1, A 1, C 1 noise, C 1 url, C 5 ip, B 1 fresh.
    assert.deepEqual(o.totals, { sightings: 8, count: 15, organisations: 3, indicators: 2, observations: 2 });
    assert.deepEqual(o.bySector.map((s) => [s.sector, s.sightings, s.count, s.organisations]), [['energy', 5, 11, 2], ['health', 3, 4, 1]]);
    assert.deepEqual(o.topIndicators.map((i) => [i.value, i.organisations, i.sightings, i.count, i.sectors]), [['https://unknown.example/x', 3, 4, 5, 2], ['185.220.101.7', 2, 2, 8, 1]]);
    assert.equal(o.newest[0]?.observation?.value, 'fresh-unknown.example');
    assert.equal(o.openObservations, 1);
    // A period before any sighting is empty; a bad period is refused by field.
    const early = await sightingOverview(ctx, staff, periodOf(clock.now(), { since: '2020-01-01', until: '2020-02-01' }));
    assert.deepEqual([early.totals.sightings, early.bySector, early.topIndicators], [0, [], []]);
    assert.throws(() => periodOf(clock.now(), { since: '2026-05-01', until: '2026-04-01' }), (e: unknown) => code('VALIDATION')(e) && (e as BakenError).problems[0]?.field === 'since');
    assert.throws(() => periodOf(clock.now(), { days: 0 }), code('VALIDATION'));
    assert.throws(() => periodOf(clock.now(), { until: 'yesterday' }), code('VALIDATION'));
    await assert.rejects(sightingOverview(ctx, member('A'), periodOf(clock.now(), {})), code('FORBIDDEN'));

    const days = await sightingsPerDay(ctx, ind['185.220.101.7']!, periodOf(clock.now(), { days: 7 }));
    assert.equal(days.length, 8);
    const nonEmpty = days.filter((d) => d.sightings > 0).map((d) => [d.day, d.sightings, d.count]);
    assert.deepEqual(nonEmpty, [['2026-03-01', 1, 3], ['2026-03-03', 1, 5]]);
  });

  test('API: correlate, overview, series, observations, promote and dismiss; members refused', async () => {
    const { app } = t();
    const api = (key: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => app.inject({ method, url, headers: { authorization: `Bearer ${keys[key]}` }, ...(payload ? { payload } : {}) });
    const r = await api('analyst', 'GET', `/api/v1/correlate?value=${encodeURIComponent('185.220.101[.]7')}`);
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.value, '185.220.101.7');
    assert.deepEqual(body.cases.map((c: { case_id: string; ports: number[] }) => [c.case_id, c.ports]), [[caseId, [443]]]);
    assert.deepEqual(body.indicators.map((i: { match: string }) => i.match), ['exact', 'network']);
    assert.ok(body.sightings.every((s: { organisation: { name: string } }) => s.organisation.name.startsWith('Member ')));
    assert.equal((await api('A', 'GET', '/api/v1/correlate?value=evil.example')).statusCode, 403);
    const bad = await api('analyst', 'GET', '/api/v1/correlate?value=10.0.0.1');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'BAKEN_E_INDICATOR_INVALID');

    const ov = (await api('analyst', 'GET', '/api/v1/sightings/overview?days=30')).json();
    assert.equal(ov.open_observations, 1);
    assert.deepEqual(ov.by_sector.map((s: { sector: string }) => s.sector), ['energy', 'health']);
    assert.equal((await api('analyst', 'GET', '/api/v1/sightings/overview?since=2026-05-01&until=2026-04-01')).statusCode, 400);
    assert.equal((await api('B', 'GET', '/api/v1/sightings/overview')).statusCode, 403);
    const series = (await api('analyst', 'GET', `/api/v1/indicators/${ind['185.220.101.7']}/sightings-per-day?days=1`)).json();
    assert.deepEqual(series.filter((d: { sightings: number }) => d.sightings > 0).map((d: { day: string }) => d.day), ['2026-03-03']);

    const list = (await api('analyst', 'GET', '/api/v1/observations')).json();
    assert.deepEqual(list.map((o: { value: string }) => o.value), ['fresh-unknown.example']);
    const id = list[0].id;
    assert.equal((await api('analyst', 'POST', `/api/v1/observations/${id}/promote`, { tlp: 'AMBER' })).statusCode, 400);
    const promoted = await api('analyst', 'POST', `/api/v1/observations/${id}/promote`, { tlp: 'amber', confidence: 60, labels: ['triaged'] });
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.deepEqual([promoted.json().changed, promoted.json().moved, promoted.json().indicator.labels], [true, 1, ['triaged']]);
    assert.equal((await api('analyst', 'POST', `/api/v1/observations/${id}/promote`, { tlp: 'AMBER', confidence: 60 })).json().changed, false);
    const conflict = await api('analyst', 'POST', `/api/v1/observations/${id}/dismiss`, { reason: 'no' });
    assert.equal(conflict.statusCode, 409);
    assert.equal((await api('analyst', 'POST', '/api/v1/observations/999999/dismiss', { reason: 'no' })).statusCode, 404);
    assert.deepEqual((await api('analyst', 'GET', '/api/v1/observations')).json(), []);
  });

  test('pages: search, indicator with its series, overview, triage, alert, analysis and case links (en and nl)', async () => {
    const { app } = t();
    // The clock moved on by days: sign in again.
    analyst = await signedIn(app, 'analyst@coordinator.example', 'an analyst password');
    const search = await analyst.get(`/hub/search?q=${encodeURIComponent('hxxp://185.220.101[.]7/gate')}`);
    assert.equal(search.statusCode, 200);
    assert.match(search.body, /data-testid="cor-cases"[\s\S]*Exposed routers/);
    assert.match(search.body, /data-testid="cor-alerts"[\s\S]*Scanner wave[\s\S]*Tor exit scanning energy/);
    assert.doesNotMatch(search.body, /Named people only/);
    assert.match(search.body, /href="\/hub\/search"/);
    const badSearch = await analyst.get('/hub/search?q=10.0.0.1');
    assert.equal(badSearch.statusCode, 400);
    assert.match(badSearch.body, /special-purpose/);

    const page = await analyst.get(`/indicators/${ind['185.220.101.7']}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-testid="sighting-series"[\s\S]*<svg[\s\S]*data-day="2026-03-03" data-sightings="1"/);
    assert.match(page.body, /data-testid="indicator-networks"[\s\S]*185\.220\.100\.0\/22/);
    assert.match(page.body, new RegExp(`data-testid="indicator-cases"[\\s\\S]*${caseId}`));
    assert.match(page.body, /data-testid="indicator-alerts"[\s\S]*Scanner wave/);
    assert.doesNotMatch(page.body, /<script|style="/);

    const ov = await analyst.get('/hub/sightings?days=30');
    assert.match(ov.body, /data-testid="ov-sectors"[\s\S]*Energy[\s\S]*5[\s\S]*Health/i);
    assert.match(ov.body, /data-testid="ov-top"[\s\S]*unknown\.example/);
    assert.equal((await analyst.get('/hub/sightings?days=nope')).statusCode, 400);

    await sight('A', 'triage-me.example', 4);
    const tri = await analyst.get('/hub/observations');
    const id = /data-observation="(\d+)"/.exec(tri.body)?.[1];
    assert.ok(id, tri.body);
    assert.match(tri.body, /triage-me\.example/);
    const refused = await analyst.postForm(`/hub/observations/${id}/promote`, { tlp: 'PURPLE', confidence: '50' });
    assert.equal(refused.statusCode, 400);
    const ok = await analyst.postForm(`/hub/observations/${id}/promote`, { tlp: 'AMBER', confidence: '70' });
    assert.equal(ok.statusCode, 303);
    const after = await analyst.get(ok.headers.location as string);
    assert.match(after.body, /Promoted to indicator \d+; 1 sighting\(s\) moved onto it\./);

    const alertPage = await analyst.get(`/alerts/${alert.amber}`);
    assert.match(alertPage.body, /data-testid="related-alerts"[\s\S]*Scanner wave/);
    const memberB = await signedIn(app, 'soc@b.example', 'b member password');
    const memberView = await memberB.get(`/alerts/${alert.amber}`);
    assert.match(memberView.body, /data-testid="related-alerts"[\s\S]*Scanner wave/);
    assert.doesNotMatch(memberView.body, /Named people only/);
    assert.equal((await memberB.get('/hub/search?q=evil.example')).statusCode, 403);

    const analysis = await analyst.get(`/analyses/${analysisId}`);
    assert.match(analysis.body, /data-testid="analysis-alerts"[\s\S]*Tor exit scanning energy/);
    assert.match(analysis.body, new RegExp(`data-testid="analysis-cases"[\\s\\S]*${caseId}`));

    const admin = await signedIn(app, t().adminEmail, 'admin password for tests');
    const casePage = await admin.get(`/cases/${caseId}`);
    assert.match(casePage.body, /data-testid="case-hub-indicators"[\s\S]*185\.220\.100\.0\/22[\s\S]*185\.220\.101\.7/);

    await analyst.get('/language/nl?next=/hub/sightings');
    const nl = await analyst.get('/hub/search?q=evil.example');
    assert.match(nl.body, /Wat weet de hub\?/);
    assert.match(nl.body, /Zoeken/);
    assert.match((await analyst.get('/hub/observations')).body, /Te beoordelen observaties/);
  });
});
