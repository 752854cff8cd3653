/** `baken observation list|promote|dismiss` against both databases: output, repeats, bad input (exit 2). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { reportSighting } from '../../src/hub/sightings/index.js';
import { SYSTEM } from '../../src/platform/context.js';
import { runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('baken observation', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('lists open observations, promotes one with its sightings, dismisses another', async () => {
    const { ctx } = db();
    const org = await createOrganisation(ctx, SYSTEM, { name: 'Waterschap Voorbeeld', kind: 'member', sector: 'waste-water' });
    const viewer = { kind: 'member' as const, organisationId: org.id, userId: null };
    await reportSighting(ctx, SYSTEM, viewer, { value: 'c2[.]unknown.example', count: 2 });
    await reportSighting(ctx, SYSTEM, viewer, { value: 'c2.unknown.example' });
    await reportSighting(ctx, SYSTEM, viewer, { value: 'cdn.unknown.example' });

    const list = await baken('observation', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; value: string; sightings: number; organisations: number });
    assert.deepEqual(rows.map((r) => [r.value, r.sightings, r.organisations]).sort(), [['c2.unknown.example', 2, 1], ['cdn.unknown.example', 1, 1]]);
    const c2 = rows.find((r) => r.value === 'c2.unknown.example')!.id;
    const cdn = rows.find((r) => r.value === 'cdn.unknown.example')!.id;
    assert.match((await baken('observation', 'list')).stdout, /ID\s+TYPE\s+VALUE[\s\S]*c2\.unknown\.example/);

    const bad = await baken('observation', 'promote', String(c2), '--tlp', 'PURPLE', '--confidence', '50');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^baken: error: .*tlp/);
    assert.equal((await baken('observation', 'promote', 'x', '--tlp', 'AMBER', '--confidence', '50')).code, 2);
    const promoted = await baken('observation', 'promote', String(c2), '--tlp', 'AMBER', '--confidence', '70');
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, /promoted observation \d+ to indicator \d+ \(domain c2\.unknown\.example, TLP:AMBER\); 2 sighting\(s\) moved/);
    assert.match((await baken('observation', 'promote', String(c2), '--tlp', 'AMBER', '--confidence', '70')).stdout, /already; nothing changed/);
    const moved = await ctx.db.kysely.selectFrom('sightings').innerJoin('indicators', 'indicators.id', 'sightings.indicator_id').select('indicators.value').execute();
    assert.deepEqual(moved.map((m) => m.value), ['c2.unknown.example', 'c2.unknown.example']);

    const dismissed = await baken('observation', 'dismiss', String(cdn), '--reason', 'Content delivery network', '--json');
    assert.equal(dismissed.code, 0, dismissed.stderr);
    assert.deepEqual([JSON.parse(dismissed.stdout).changed, JSON.parse(dismissed.stdout).observation.reason], [true, 'Content delivery network']);
    const refused = await baken('observation', 'dismiss', String(c2), '--reason', 'no');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /promoted/);
    assert.equal((await baken('observation', 'list', '--json')).stdout.trim(), '');
    assert.equal((await baken('observation', 'list', '--state', 'nope')).code, 2);
  });
});
