/**
 * What a member's sighting answer says about a value, on both databases. The rule (docs/hub-sightings.md): it depends
 * only on the indicators the member may see. A sighting of an indicator the member may not see (TLP:RED, an AMBER one
 * of an alert for others, an AMBER one in no alert) answers exactly like a value the hub does not know, in the single
 * answer, in bulk and in the member's own list; staff see the match.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/api-keys.js';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { createAlert, publishAlert } from '../../src/hub/alerts/index.js';
import { upsertIndicator } from '../../src/hub/indicators/indicators.js';
import { SYSTEM } from '../../src/platform/context.js';
import { describeEachApp } from '../helpers/app.js';

type Answer = { id: number; indicator: { id: number; type: string; value: string } | null; observation: { id: number | null; type: string | null; value: string; state: string } | null; reported_at: string } & Record<string, unknown>;

/** An answer without what differs between any two reports (ids, times, the value itself). */
function shape(a: Answer) {
  const { id: _id, reported_at: _at, first_seen: _f, last_seen: _l, ...rest } = a;
  return { ...rest, indicator: a.indicator && { ...a.indicator, id: 0, value: '' }, observation: a.observation && { ...a.observation, value: '' } };
}

describeEachApp('sighting answers for indicators the member may not see', (t) => {
  const org: Record<string, number> = {};
  const keys: Record<string, string> = {};
  const ind: Record<string, number> = {};
  let alertForA = 0;
  const api = (key: string, method: string, url: string, payload?: unknown) =>
    t().app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${keys[key]}` }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  before(async () => {
    const { ctx } = t();
    for (const name of ['A', 'B']) {
      org[name] = (await createOrganisation(ctx, SYSTEM, { name: `Member ${name}`, kind: 'member', sector: 'energy' })).id;
      keys[name] = (await createApiKey(ctx, SYSTEM, { organisationId: org[name]!, role: 'member' })).secret;
    }
    const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
    keys.analyst = (await createApiKey(ctx, SYSTEM, { organisationId: coordinator, role: 'analyst' })).secret;
    const analyst = (await createUser(ctx, SYSTEM, { email: 'analyst@cert.example', role: 'analyst', organisationId: coordinator, password: 'a password for leak tests' })).user.id;
    for (const [v, tlp] of [['red.example', 'RED'], ['for-b.example', 'AMBER'], ['loose.example', 'AMBER'], ['green.example', 'GREEN'], ['for-a.example', 'AMBER']] as const) {
      ind[v] = (await upsertIndicator(ctx, SYSTEM, { value: v, tlp })).indicator.id;
    }
    const publish = async (input: Parameters<typeof createAlert>[2]) => publishAlert(ctx, SYSTEM, (await createAlert(ctx, SYSTEM, input)).id);
    await publish({ title: 'Named people only', severity: 'high', summary: '.', tlp: 'RED', audience: { kind: 'all' }, namedUserIds: [analyst], indicatorIds: [ind['red.example']!] });
    await publish({ title: 'For B', severity: 'high', summary: '.', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.B!] }, indicatorIds: [ind['for-b.example']!] });
    // A may read this alert, but not its RED indicator.
    alertForA = (await publish({ title: 'For A', severity: 'high', summary: '.', tlp: 'AMBER', audience: { kind: 'organisations', organisationIds: [org.A!] }, indicatorIds: [ind['for-a.example']!, ind['red.example']!] })).alert.id;
  });

  test('a hidden indicator answers like an unknown value; a visible one names the indicator', async () => {
    const report = async (value: string, alertId?: number) => {
      const res = await api('A', 'POST', '/api/v1/sightings', { value, count: 2, ...(alertId ? { alert_id: alertId } : {}) });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as Answer;
    };
    const unknown = await report('never-heard-of.example');
    assert.equal(unknown.indicator, null);
    assert.deepEqual(unknown.observation, { id: null, type: 'domain', value: 'never-heard-of.example', state: 'open' });
    for (const hidden of ['RED[.]example', 'for-b.example', 'loose.example']) {
      const a = await report(hidden);
      assert.deepEqual(shape(a), shape(unknown), `${hidden}: the same answer as for an unknown value`);
      assert.equal(a.observation?.value, hidden.replace('[.]', '.').toLowerCase(), 'the value normalised, as for an unknown one');
    }
    for (const visible of ['green.example', 'for-a.example']) {
      const a = await report(visible);
      assert.deepEqual(a.indicator, { id: ind[visible], type: 'domain', value: visible });
      assert.equal(a.observation, null);
    }
    // Reported again with the alert it came from, the RED indicator of an alert A reads stays hidden too.
    const again = await report('red.example', alertForA);
    assert.equal(again.indicator, null);
    assert.equal(again.alert_id, alertForA);
  });

  test('by indicator id, a hidden indicator is refused like one that does not exist', async () => {
    const hidden = await api('A', 'POST', '/api/v1/sightings', { indicator_id: ind['red.example'] });
    const missing = await api('A', 'POST', '/api/v1/sightings', { indicator_id: 999_999 });
    assert.equal(hidden.statusCode, missing.statusCode);
    assert.equal(hidden.statusCode, 400);
    const reason = (r: typeof hidden) => {
      const e = (r.json() as { error: { code: string; message: string; problems?: unknown } }).error;
      return JSON.stringify({ ...e, request_id: null }).replace(/\d+/g, 'N');
    };
    assert.equal(reason(hidden), reason(missing));
    assert.match(reason(hidden), /there is no indicator/);
  });

  test('bulk answers and the member’s own list follow the same rule; staff see the match', async () => {
    const res = await api('B', 'POST', '/api/v1/sightings/bulk', { items: [{ value: 'red.example' }, { value: 'also-unknown.example' }, { value: 'for-b.example' }, { value: 'for-a.example' }] });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { sightings: Answer[] };
    const [red, unknown, forB, forA] = body.sightings;
    assert.deepEqual(shape(red!), shape(unknown!));
    assert.deepEqual(shape(forA!), shape(unknown!), 'an AMBER indicator of an alert for A only is hidden from B');
    assert.deepEqual(forB!.indicator, { id: ind['for-b.example'], type: 'domain', value: 'for-b.example' });

    const mine = (await api('B', 'GET', '/api/v1/sightings')).json() as Answer[];
    assert.equal(mine.length, 4);
    assert.ok(mine.every((s) => s.observation === null || (s.observation.id === null && s.observation.state === 'open')));
    assert.deepEqual(mine.filter((s) => s.indicator).map((s) => s.indicator!.value), ['for-b.example']);

    const staff = (await api('analyst', 'GET', `/api/v1/sightings?indicator_id=${ind['red.example']}`)).json() as Answer[];
    assert.ok(staff.some((s) => s.id === red!.id && s.indicator?.value === 'red.example'), 'the coordinator sees what was matched');
    const observations = (await api('analyst', 'GET', '/api/v1/sightings?observations=true')).json() as Answer[];
    assert.ok(observations.some((s) => s.id === unknown!.id && typeof s.observation?.id === 'number'), 'staff see the observation’s id');
  });
});
