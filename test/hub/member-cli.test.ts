/** `baken member` against both databases: contacts, webhook (secret printed once), admins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser, getUser } from '../../src/accounts/users.js';
import { getMemberProfile } from '../../src/hub/members/index.js';
import { SYSTEM } from '../../src/platform/context.js';
import { runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('baken member', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('contacts, webhook and admins of a member organisation', async () => {
    const { ctx } = db();
    const org = await createOrganisation(ctx, SYSTEM, { name: 'Haven Rotterdam', kind: 'member', sector: 'transport', language: 'nl' });
    const { user } = await createUser(ctx, SYSTEM, { email: 'ciso@haven.example', role: 'member', organisationId: org.id, password: 'a member password for tests' });

    const add = await baken('member', 'contact', 'add', 'Haven Rotterdam', 'SOC@haven.example');
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /added contact \d+: soc@haven\.example \(nl\)/);
    assert.equal((await baken('member', 'contact', 'add', String(org.id), 'ciso@haven.example', '--language', 'en')).code, 0);
    const dup = await baken('member', 'contact', 'add', String(org.id), 'soc@haven.example');
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /CONTACT_EXISTS|already/);
    const list = await baken('member', 'contact', 'list', 'Haven Rotterdam', '--json');
    assert.deepEqual(list.stdout.trim().split('\n').map((l) => [JSON.parse(l).email, JSON.parse(l).language]), [['ciso@haven.example', 'en'], ['soc@haven.example', 'nl']]);
    assert.equal((await baken('member', 'contact', 'remove', 'Haven Rotterdam', 'ciso@haven.example')).code, 0);

    const set = await baken('member', 'webhook', 'set', 'Haven Rotterdam', 'https://soc.haven.example/baken', '--json');
    assert.equal(set.code, 0, set.stderr);
    const secret = JSON.parse(set.stdout).secret as string;
    assert.match(secret, /^whsec_/);
    const again = await baken('member', 'webhook', 'set', 'Haven Rotterdam', 'https://soc.haven.example/baken/v2');
    assert.match(again.stdout, /secret unchanged/);
    assert.ok(!again.stdout.includes(secret));
    const rotated = await baken('member', 'webhook', 'rotate', 'Haven Rotterdam');
    assert.match(rotated.stdout, /secret: whsec_\S+/);
    assert.ok(!rotated.stdout.includes(secret));
    const refused = await baken('member', 'webhook', 'set', 'Haven Rotterdam', 'http://127.0.0.1:8080/');
    assert.notEqual(refused.code, 0, 'private destinations are refused by default');
    assert.equal((await baken('member', 'webhook', 'clear', 'Haven Rotterdam')).code, 0);
    assert.notEqual((await baken('member', 'webhook', 'clear', 'Haven Rotterdam')).code, 0, 'nothing to clear');

    assert.equal((await baken('member', 'admin', 'grant', 'ciso@haven.example')).code, 0);
    assert.equal((await getUser(ctx, user.id)).orgAdmin, true);
    const profile = await getMemberProfile(ctx, org.id);
    assert.deepEqual([profile.contacts.map((c) => c.email), profile.webhook, profile.admins.map((a) => a.email)], [['soc@haven.example'], null, ['ciso@haven.example']]);
    const members = await baken('member', 'list');
    assert.match(members.stdout, /Haven Rotterdam\s+transport\s+1\s+1\s+immediate/);
    assert.notEqual((await baken('member', 'contact', 'list', 'Coordinator')).code, 0, 'the coordinator is no member');
  });
});
