/**
 * The TLP policy, level by level and viewer by viewer. Each row names a viewer and, per level, whether it may
 * see an item addressed to organisation 7 (and 9) with user 12 named; the test runs every cell.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canSee, mayGoInBulkFeed, mayGoInPublicFeed, mayPushToOrganisation, parseTlp, TLP_LEVELS, tlpLabel, viewerOf, type Audience, type Tlp, type Viewer } from '../../src/hub/tlp.js';

const item = (tlp: Tlp): Audience => ({ tlp, organisationIds: [7, 9], namedUserIds: [12, 30] });

const VIEWERS: Array<[string, Viewer, Record<Tlp, boolean>]> = [
  ['anonymous', { kind: 'anonymous' }, { CLEAR: true, GREEN: false, AMBER: false, 'AMBER+STRICT': false, RED: false }],
  ['analyst, not named', { kind: 'staff', role: 'analyst', userId: 2 }, { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: false }],
  ['admin, named', { kind: 'staff', role: 'admin', userId: 30 }, { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: true }],
  ['staff key (no person)', { kind: 'staff', role: 'handler', userId: null }, { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: false }],
  ['member user of the audience, named', { kind: 'member', organisationId: 7, userId: 12 }, { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: true }],
  ['member user of the audience, not named', { kind: 'member', organisationId: 7, userId: 13 }, { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: false }],
  ['member key of the audience', { kind: 'member', organisationId: 9, userId: null }, { CLEAR: true, GREEN: true, AMBER: true, 'AMBER+STRICT': true, RED: false }],
  ['member user outside the audience', { kind: 'member', organisationId: 8, userId: 14 }, { CLEAR: true, GREEN: true, AMBER: false, 'AMBER+STRICT': false, RED: false }],
  ['member key outside the audience', { kind: 'member', organisationId: 8, userId: null }, { CLEAR: true, GREEN: true, AMBER: false, 'AMBER+STRICT': false, RED: false }],
];

for (const [name, viewer, expected] of VIEWERS) {
  test(`canSee: ${name}`, () => {
    for (const tlp of TLP_LEVELS) assert.equal(canSee(viewer, item(tlp)), expected[tlp], `${name} × ${tlp}`);
  });
}

test('an empty audience fails closed: no member sees AMBER or AMBER+STRICT, nobody RED', () => {
  const member: Viewer = { kind: 'member', organisationId: 7, userId: 12 };
  for (const tlp of ['AMBER', 'AMBER+STRICT', 'RED'] as const) assert.equal(canSee(member, { tlp, organisationIds: [], namedUserIds: [] }), false, tlp);
  assert.equal(canSee({ kind: 'staff', role: 'analyst', userId: 2 }, { tlp: 'AMBER', organisationIds: [], namedUserIds: [] }), true);
});

test('bulk feeds: RED never; AMBER+STRICT only in a recipient’s own feed; AMBER in its audience’s feeds', () => {
  // [level, shared feed of everyone, own feed of org 7, own feed of org 8, feed shared by 7 and 9, feed shared by 7 and 8]
  const rows: Array<[Tlp, boolean, boolean, boolean, boolean, boolean]> = [
    ['CLEAR', true, true, true, true, true],
    ['GREEN', true, true, true, true, true],
    ['AMBER', false, true, false, true, false],
    ['AMBER+STRICT', false, true, false, false, false],
    ['RED', false, false, false, false, false],
  ];
  for (const [tlp, shared, own7, own8, group79, group78] of rows) {
    const i = item(tlp);
    assert.deepEqual(
      [mayGoInBulkFeed(i), mayGoInBulkFeed(i, 7), mayGoInBulkFeed(i, 8), mayGoInBulkFeed(i, [7, 9]), mayGoInBulkFeed(i, [7, 8])],
      [shared, own7, own8, group79, group78],
      tlp,
    );
    assert.equal(mayGoInPublicFeed(i), tlp === 'CLEAR');
  }
});

test('pushes to an organisation (webhook, contacts): its audience rights, never RED', () => {
  for (const tlp of TLP_LEVELS) {
    assert.equal(mayPushToOrganisation(item(tlp), 7), tlp !== 'RED', `${tlp} to an audience organisation`);
    assert.equal(mayPushToOrganisation(item(tlp), 8), tlp === 'CLEAR' || tlp === 'GREEN', `${tlp} outside the audience`);
  }
});

test('viewerOf maps every kind of actor', () => {
  assert.deepEqual(viewerOf({ kind: 'anonymous' }), { kind: 'anonymous' });
  assert.deepEqual(viewerOf({ kind: 'user', userId: 5, label: 'a', organisationId: 1, role: 'analyst' }), { kind: 'staff', role: 'analyst', userId: 5 });
  assert.deepEqual(viewerOf({ kind: 'user', userId: 6, label: 'm', organisationId: 7, role: 'member' }), { kind: 'member', organisationId: 7, userId: 6 });
  assert.deepEqual(viewerOf({ kind: 'api_key', apiKeyId: 1, label: 'k', organisationId: 7, role: 'member' }), { kind: 'member', organisationId: 7, userId: null });
  assert.deepEqual(viewerOf({ kind: 'api_key', apiKeyId: 2, label: 'k', organisationId: 1, role: 'metrics' }), { kind: 'anonymous' });
  assert.equal(viewerOf({ kind: 'system', label: 'cli' }).kind, 'staff');
});

test('labels parse in the ways people write them', () => {
  assert.equal(parseTlp('TLP:AMBER+STRICT'), 'AMBER+STRICT');
  assert.equal(parseTlp('amber_strict'), 'AMBER+STRICT');
  assert.equal(parseTlp('white'), 'CLEAR');
  assert.equal(parseTlp('tlp:red'), 'RED');
  assert.equal(parseTlp('purple'), null);
  assert.equal(tlpLabel('GREEN'), 'TLP:GREEN');
});
