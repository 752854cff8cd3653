import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeEachDatabase } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';

describeEachDatabase('baken indicator', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('import FILE: bad lines on stderr by number; --strict lands nothing; list --json', async () => {
    const file = join(db().dataDir, 'iocs.txt');
    writeFileSync(file, 'evil[.]example\n10.0.0.1\nhxxp://evil[.]example/gate\n');
    const strict = await baken('indicator', 'import', file, '--strict');
    assert.equal(strict.code, 2, strict.stderr);
    assert.match(strict.stderr, /line 2/);
    const none = await baken('indicator', 'list', '--json');
    assert.equal(none.stdout.trim(), '');
    const r = await baken('indicator', 'import', file, '--tlp', 'GREEN', '--source', 'report-7');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported: 2 new, 0 updated/);
    assert.match(r.stderr, /line 2: .*private-use/);
    const list = await baken('indicator', 'list', '--json');
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((x) => [x.type, x.value, x.tlp, x.source]).sort(), [['domain', 'evil.example', 'GREEN', 'report-7'], ['url', 'http://evil.example/gate', 'GREEN', 'report-7']]);
    const table = await baken('indicator', 'list', '--type', 'url');
    assert.match(table.stdout, /http:\/\/evil\.example\/gate/);
  });
});
