import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { describeEachDatabase } from '../../helpers/databases.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/rpsl/', import.meta.url));
const SPLIT = ['ripe.db.inetnum', 'ripe.db.inet6num', 'ripe.db.role', 'ripe.db.organisation', 'ripe.db.aut-num'].map((n) => join(FIXTURES, n));

describeEachDatabase('baken registry import-rpsl and status', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('status before any import', async () => {
    const r = await baken('registry', 'status');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RIPE database: not imported/);
    const j = await baken('registry', 'status', '--json');
    assert.deepEqual(JSON.parse(j.stdout), { rpsl: null });
  });

  test('imports good dumps and prints a summary; status shows the snapshot and its date', async () => {
    const r = await baken('registry', 'import-rpsl', ...SPLIT);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.match(r.stdout, /^imported RIPE database snapshot \d+, data of 2025-12-01\n/);
    assert.match(r.stdout, /\n {2}inetnum +11\n {2}inet6num +4\n {2}role +5 with an abuse-mailbox \(1 without, not kept\)\n {2}organisation +6\n {2}aut-num +4\n/);
    assert.match(r.stdout, /contacts: 6 distinct abuse address\(es\); 1 invalid address\(es\) dropped/);
    assert.match(r.stdout, /ripe\.db\.role:25: BAD-ABUSE: not an address: "not-an-address"/);
    assert.match(r.stdout, /skipped: none/);
    assert.match(r.stdout, /objects\/s\)/);

    const s = await baken('registry', 'status');
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /RIPE database: snapshot \d+, data of 2025-12-01/);
    assert.match(s.stdout, /inetnum 11, inet6num 4, role 5, organisation 6, aut-num 4/);
    const j = JSON.parse((await baken('registry', 'status', '--json')).stdout);
    assert.equal(j.rpsl.data_date, '2025-12-01T08:30:00.000Z');
    assert.equal(j.rpsl.inetnums, 11);
    assert.deepEqual(
      j.rpsl.files.map((f: { name: string }) => f.name),
      ['ripe.db.inetnum', 'ripe.db.inet6num', 'ripe.db.role', 'ripe.db.organisation', 'ripe.db.aut-num'],
    );
  });

  test('--json summary lists skipped objects with their lines, and replaces the snapshot', async () => {
    const before = JSON.parse((await baken('registry', 'status', '--json')).stdout).rpsl.id;
    const r = await baken('registry', 'import-rpsl', '--json', join(FIXTURES, 'malformed.db'));
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.skipped, 9);
    assert.deepEqual(s.replaced_snapshots, [before]);
    assert.deepEqual(s.imported, { inetnums: 1, inet6nums: 0, roles: 0, organisations: 1, aut_nums: 0 });
    assert.deepEqual(s.skipped_samples[1], {
      file: 'malformed.db',
      line: 11,
      error_line: 13,
      class: 'inetnum',
      reason: 'not-an-attribute',
      message: 'the line is neither an attribute nor a continuation: it has no "attribute:"',
    });
    const human = await baken('registry', 'import-rpsl', join(FIXTURES, 'malformed.db'));
    assert.match(human.stdout, /skipped: 9 malformed object\(s\)\n {2}malformed\.db:7: first-line-not-attribute: /);
    assert.match(human.stdout, /malformed\.db:13: not-an-attribute: .* \(object at line 11\)/);
  });

  test('bad input: a clear one-line error, exit 2, and the current snapshot stays', async () => {
    const before = JSON.parse((await baken('registry', 'status', '--json')).stdout).rpsl.id;
    const missing = await baken('registry', 'import-rpsl', SPLIT[0]!, join(db().dataDir, 'nope.db'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^baken: error: An RPSL dump cannot be read\. .*nope\.db: no such file\n$/);
    const junk = join(db().dataDir, 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n\nroute: 192.0.2.0/24\norigin: AS1\n');
    const nothing = await baken('registry', 'import-rpsl', junk);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /^baken: error: Nothing could be imported from these RPSL files; the previous snapshot stays\. .*1 malformed object\(s\) skipped\.\n$/);
    const none = await baken('registry', 'import-rpsl');
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /missing required argument/);
    assert.equal(JSON.parse((await baken('registry', 'status', '--json')).stdout).rpsl.id, before);
    const help = await baken('registry', '--help');
    assert.match(help.stdout, /import-rpsl/);
    assert.match(help.stdout, /status/);
  });
});
