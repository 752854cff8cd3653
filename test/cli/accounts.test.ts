import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticateApiKey } from '../../src/accounts/api-keys.js';
import { login } from '../../src/accounts/sessions.js';
import { runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';

const meta = { ip: null, userAgent: null, requestId: null };

describeEachDatabase('the baken command', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('--help everywhere', async () => {
    for (const args of [['--help'], ['org', '--help'], ['user', 'create', '--help'], ['apikey', 'revoke', '--help'], ['migrate', '--help'], ['serve', '--help']]) {
      const r = await baken(...args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Usage: baken/);
    }
  });

  test('migrate reports an up-to-date database', async () => {
    const r = await baken('migrate', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { applied: [], database: db().dialect });
    const s = await baken('migrate', '--status');
    assert.match(s.stdout, /0001_foundation\s+\d{4}-/);
  });

  test('org create and list, by name or id', async () => {
    const c = await baken('org', 'create', '--name', 'Drinkwater Noord', '--kind', 'member', '--sector', 'drinking-water', '--json');
    assert.equal(c.code, 0, c.stderr);
    const org = JSON.parse(c.stdout);
    assert.equal(org.sector, 'drinking-water');
    const op = await baken('org', 'create', '--name', 'Voorbeeld Telecom', '--kind', 'operator', '--language', 'nl');
    assert.match(op.stdout, /created organisation \d+: Voorbeeld Telecom \(operator\)/);
    const list = await baken('org', 'list', '--json');
    const names = list.stdout.trim().split('\n').map((l) => JSON.parse(l).name);
    assert.deepEqual(names.sort(), ['Drinkwater Noord', 'Voorbeeld Telecom']);
    const table = await baken('org', 'list');
    assert.match(table.stdout, /^ID\s+NAME\s+KIND\s+SECTOR/);
    assert.match(table.stdout, /Drinkwater Noord\s+member\s+drinking-water/);
  });

  test('user create, list and set-password', async () => {
    const { ctx } = db();
    const c = await baken('user', 'create', '--email', 'Piet@Drinkwater.example', '--role', 'member', '--org', 'drinkwater noord', '--json');
    assert.equal(c.code, 0, c.stderr);
    const u = JSON.parse(c.stdout);
    assert.equal(u.email, 'piet@drinkwater.example');
    assert.ok(u.generated_password.length >= 20);
    await login(ctx, 'piet@drinkwater.example', u.generated_password, meta);
    const sp = await baken('user', 'set-password', 'piet@drinkwater.example', '--password', 'a brand new password');
    assert.equal(sp.code, 0, sp.stderr);
    await login(ctx, 'piet@drinkwater.example', 'a brand new password', meta);
    const gen = await baken('user', 'set-password', String(u.id));
    assert.match(gen.stdout, /password: \S{20,}/);
    const analyst = await baken('user', 'create', '--email', 'ana@cert.example', '--role', 'analyst', '--password', 'analyst password!');
    assert.equal(analyst.code, 0, analyst.stderr);
    const list = await baken('user', 'list', '--org', 'Drinkwater Noord', '--json');
    assert.deepEqual(list.stdout.trim().split('\n').map((l) => JSON.parse(l).email), ['piet@drinkwater.example']);
    assert.ok(!list.stdout.includes('password'), 'no password material in listings');
  });

  test('apikey create prints the key once; list never does; revoke by id or prefix', async () => {
    const { ctx } = db();
    const c = await baken('apikey', 'create', '--org', 'Drinkwater Noord', '--role', 'member', '--label', 'SIEM', '--expires', '2099-01-01');
    assert.equal(c.code, 0, c.stderr);
    const secret = c.stdout.trim().split('\n').at(-1)!;
    assert.match(secret, /^bkn_/);
    assert.match(c.stderr, /shown once/);
    assert.equal((await authenticateApiKey(ctx, secret)).role, 'member');
    const list = await baken('apikey', 'list', '--json');
    assert.ok(!list.stdout.includes(secret.slice(12)), 'the key is not listed');
    const key = JSON.parse(list.stdout.trim().split('\n')[0]!);
    assert.equal(key.expires_at, '2099-01-01T23:59:59.999Z');
    const r = await baken('apikey', 'revoke', key.prefix);
    assert.equal(r.code, 0, r.stderr);
    await assert.rejects(authenticateApiKey(ctx, secret));
    const again = await baken('apikey', 'revoke', String(key.id));
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'baken: error: This API key has been revoked already.\n');
  });

  test('failures: one line on stderr and a non-zero exit', async () => {
    const cases: Array<[string[], RegExp, number]> = [
      [['org', 'create', '--name', 'X', '--kind', 'bank'], /--kind: must be one of coordinator, member, operator/, 2],
      [['org', 'create', '--name', 'X', '--kind', 'member'], /sector: is required/, 2],
      [['org', 'create', '--name', 'Drinkwater Noord', '--kind', 'member', '--sector', 'energy'], /exists already/, 1],
      [['user', 'create', '--email', 'a@b.example', '--role', 'member'], /--org: a member user needs/, 2],
      [['user', 'create', '--email', 'a@b.example', '--role', 'analyst', '--org', 'Nobody'], /neither an organisation id nor a name/, 1],
      [['apikey', 'create', '--org', 'Drinkwater Noord', '--role', 'admin'], /cannot belong/, 2],
      [['apikey', 'create', '--org', 'Drinkwater Noord', '--role', 'member', '--expires', 'tomorrow'], /not a date/, 2],
      [['apikey', 'revoke', '424242'], /No such API key/, 1],
      [['user', 'set-password', 'ghost@x.example'], /No such user/, 1],
    ];
    for (const [args, pattern, code] of cases) {
      const r = await baken(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, args.join(' '));
      assert.match(r.stderr, /^baken: error: [^\n]+\n$/, `one line: ${r.stderr}`);
    }
    const missing = await baken('org', 'create', '--kind', 'member');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /required option '--name <name>'/);
  });

  test('bad configuration stops with the setting named', async () => {
    const r = await runCli(['org', 'list'], { ...env(), BAKEN_PORT: 'eighty' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^baken: error: configuration: BAKEN_PORT \(environment variable BAKEN_PORT\) must be a whole number/);
  });
});

describeEachDatabase('baken lookup and baken operator', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });

  test('a fresh install says 31.149.1.1 is AS1136 (KPN) in NL; --json has exactly the promised fields', async () => {
    const r = await runCli(['lookup', '--json', '31.149.1.1'], env());
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(o), ['ip', 'network', 'asn', 'as_name', 'country', 'operator', 'abuse_contacts', 'contact_source', 'registry_date']);
    assert.deepEqual([o.asn, o.country], [1136, 'NL']);
    assert.match(o.as_name, /KPN/);
    const table = await runCli(['lookup', '31.149.1.1', '2a02:a440::1'], env());
    assert.match(table.stdout, /31\.149\.1\.1\s+31\.149\.0\.0\/16\s+AS1136 KPN/);
  });

  test('stdin with - : per-line errors name the line, good lines still answered, exit non-zero', async () => {
    const r = await runCli(['lookup', '--json', '-'], env(), '31.149.1.1\n# a comment\nnot-an-ip\n\n2a02:a440::1\n');
    assert.equal(r.code, 2);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.match(r.stderr, /^baken: line 3: "not-an-ip" is not a valid/m);
    assert.match(r.stderr, /baken: error: .*1 address\(es\) could not be read/);
  });

  test('operator import, list and export; a manual contact then shows in the lookup', async () => {
    const imported = await runCli(['operator', 'import', '-'], env(), 'name,asns,abuse_contacts,language\nKPN,AS1136,abuse@kpn.example,nl\n');
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(imported.stdout, 'imported: 1 new, 0 updated\n');
    const list = await runCli(['operator', 'list', '--json', 'AS1136'], env());
    assert.equal(JSON.parse(list.stdout).name, 'KPN');
    const exported = await runCli(['operator', 'export'], env());
    assert.equal(exported.stdout, 'name,asns,prefixes,abuse_contacts,language,notes\nKPN,AS1136,,abuse@kpn.example,nl,\n');
    const r = JSON.parse((await runCli(['lookup', '--json', '31.149.1.1'], env())).stdout);
    assert.deepEqual([r.operator.name, r.abuse_contacts, r.contact_source], ['KPN', ['abuse@kpn.example'], 'manual']);
    const bad = await runCli(['operator', 'import', '-'], env(), 'name,asns\nX,AS0\n');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^baken: error: .*line 2, asns: "AS0" is not an AS number/);
  });
});

describeEachDatabase('RIPE database import, then lookup', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const fixtures = ['inetnum', 'inet6num', 'organisation', 'role', 'aut-num'].map((c) => fileURLToPath(new URL(`../../../test/fixtures/rpsl/ripe.db.${c}`, import.meta.url)));

  test('an RPSL import gives abuse contacts that the lookup then shows, with source and data date; manual contacts win', async () => {
    const before = JSON.parse((await runCli(['lookup', '--json', '80.100.1.10'], env())).stdout);
    assert.equal(before.contact_source, null);
    const imported = await runCli(['registry', 'import-rpsl', ...fixtures], env());
    assert.equal(imported.code, 0, imported.stderr);
    const after = JSON.parse((await runCli(['lookup', '--json', '80.100.1.10'], env())).stdout);
    assert.equal(after.contact_source, 'rpsl');
    assert.deepEqual(after.abuse_contacts, ['abuse@customer-a.example', 'security@customer-a.example'], 'the customer assignment 80.100.1.0/24 has its own abuse-c');
    assert.match(after.registry_date, /^\d{4}-\d{2}-\d{2}/);
    const op = await runCli(['operator', 'import', '-'], env(), 'name,prefixes,abuse_contacts\nVoorbeeld Telecom,80.100.0.0/15,cert@voorbeeld-telecom.example\n');
    assert.equal(op.code, 0, op.stderr);
    const manual = JSON.parse((await runCli(['lookup', '--json', '80.100.1.10'], env())).stdout);
    assert.deepEqual([manual.contact_source, manual.abuse_contacts, manual.operator.name], ['manual', ['cert@voorbeeld-telecom.example'], 'Voorbeeld Telecom']);
  });
});

describeEachDatabase('rebuilding the network data from newer CSV files', (db) => {
  test('baken registry rebuild-network-data compiles the files and lookups use them', async () => {
    const env = { BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') };
    const f = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/registry/${name}`, import.meta.url));
    const r = await runCli(
      ['registry', 'rebuild-network-data', '--asn-ipv4', f('asn-ipv4-num.csv'), '--asn-ipv6', f('asn-ipv6.csv'), '--country-ipv4', f('country-ipv4-num.csv'), '--country-ipv6', f('country-ipv6.csv'), '--data-version', '2099.1', '--json'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).asn_version, '2099.1');
    const nested = JSON.parse((await runCli(['lookup', '--json', '31.149.8.77'], env)).stdout);
    assert.deepEqual([nested.asn, nested.as_name], [64500, 'Nested Example'], 'an AS only the fixture files know');
    const missing = await runCli(['registry', 'rebuild-network-data', '--asn-ipv4', '/nonexistent.csv', '--asn-ipv6', f('asn-ipv6.csv'), '--country-ipv4', f('country-ipv4-num.csv'), '--country-ipv6', f('country-ipv6.csv')], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /^baken: error: .*nonexistent\.csv/m);
  });
});
