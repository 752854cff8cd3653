/** `baken alert list` and `baken alert publish` against both databases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createAlert } from '../../src/hub/alerts/index.js';
import { addContact } from '../../src/hub/members/index.js';
import { SYSTEM } from '../../src/platform/context.js';
import { runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('baken alert', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('lists alerts and publishes a draft, queueing its messages', async () => {
    const { ctx } = db();
    const org = await createOrganisation(ctx, SYSTEM, { name: 'Haven Rotterdam', kind: 'member', sector: 'transport', language: 'nl' });
    await addContact(ctx, SYSTEM, org.id, { email: 'soc@haven.example' });
    const draft = await createAlert(ctx, SYSTEM, { title: 'Ransomware at ports', severity: 'critical', summary: 'x', tlp: 'AMBER', audience: { kind: 'sectors', sectors: ['transport'] } });

    const list = await baken('alert', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n').map((l) => [JSON.parse(l).id, JSON.parse(l).state]), [[draft.id, 'draft']]);
    const table = await baken('alert', 'list');
    assert.match(table.stdout, /ID\s+STATE[\s\S]*Ransomware at ports/);

    const pub = await baken('alert', 'publish', String(draft.id));
    assert.equal(pub.code, 0, pub.stderr);
    assert.match(pub.stdout, new RegExp(`published alert ${draft.id} \\(TLP:AMBER\\) to 1 organisation\\(s\\): 1 email\\(s\\) and 0 webhook call\\(s\\) queued`));
    const queued = await ctx.db.kysely.selectFrom('outbox').select(['destination', 'topic']).where('ref_type', '=', 'alert').execute();
    assert.deepEqual(queued, [{ destination: 'soc@haven.example', topic: 'hub.alert' }]);
    const again = await baken('alert', 'publish', String(draft.id));
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /published already/);
    assert.deepEqual(JSON.parse((await baken('alert', 'list', '--state', 'published', '--json')).stdout).state, 'published');
    assert.equal((await baken('alert', 'list', '--state', 'nope')).code, 2);
  });
});
