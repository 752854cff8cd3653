import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeEachDatabase } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';
import { feedEvent, writeFeed } from './misp-fixtures.js';

const U = (n: number) => `9e000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describeEachDatabase('baken import misp', (db) => {
  const env = () => ({ BAKEN_DATA_DIR: db().dataDir, BAKEN_DATABASE_URL: db().url, BAKEN_SECRET: 'cli-test-secret-'.padEnd(40, 'x') });
  const baken = (...args: string[]) => runCli(args, env());

  test('a file: one-line error and exit 2 for bad input, nothing imported; then a summary; a feed directory, incrementally', async () => {
    const file = join(db().dataDir, 'event.json');
    writeFileSync(file, JSON.stringify(feedEvent(U(1), 1771000000, 'cli', 2, [{ uuid: U(99), type: 'domain', value: 'bad domain!', to_ids: true }])));
    const bad = await baken('import', 'misp', file);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, new RegExp(`^baken: error: .*event ${U(1)}, attribute ${U(99)} \\(Event\\.Attribute\\[2\\]\\), value`));
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.equal((await baken('indicator', 'list', '--json')).stdout.trim(), '');

    const partial = await baken('import', 'misp', file, '--partial');
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stdout, /imported: 1 events, 3 attributes: 2 new indicators/);
    assert.match(partial.stderr, /refused: event .*bad domain/);

    const dir = join(db().dataDir, 'feed');
    writeFeed(dir, [feedEvent(U(2), 1771000000, 'feed-a', 3), feedEvent(U(3), 1771000000, 'feed-b', 3)]);
    const first = await baken('import', 'misp', dir, '--json');
    assert.equal(first.code, 0, first.stderr);
    const r = JSON.parse(first.stdout);
    assert.deepEqual([r.listed, r.fetched, r.created], [2, 2, 6]);
    const again = await baken('import', 'misp', dir);
    assert.match(again.stdout, /0 of 2 events fetched \(2 unchanged\)/);
    assert.equal((await baken('import', 'misp', join(db().dataDir, 'nothing-here'))).code, 2);
  });
});
