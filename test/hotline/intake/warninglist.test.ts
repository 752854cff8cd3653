import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadWarninglist, loadWarninglistsFromDir, WarninglistError, WarninglistIndex } from '../../../src/hotline/intake/warninglist.js';
import { parseIpv4 } from '../../../src/net/ipv4.js';
import { FIXTURES, keys, read, SAMPLES } from './helpers.js';

const MISP = join(SAMPLES, 'misp/warninglists');

test('a cidr list: prefixes, bare addresses, host bits masked as MISP does; other entries ignored', () => {
  const list = loadWarninglist('{"name":"Scanners","type":"cidr","version":2,"list":["31.149.1.0/30","31.149.2.7/24","2a02:58::1","junk",""]}', 'scanners.json');
  assert.equal(list.name, 'Scanners');
  assert.equal(list.version, 2);
  assert.deepEqual(list.ipv4, [
    { first: parseIpv4('31.149.1.0'), last: parseIpv4('31.149.1.3') },
    { first: parseIpv4('31.149.2.0'), last: parseIpv4('31.149.2.255') },
  ]);
  assert.equal(list.ipv6.length, 1);
  assert.equal(list.ignoredEntries, 2);
});

test('a string list counts as addresses only when it matches IP attributes', () => {
  const hashes = loadWarninglist({ name: 'Empty hashes', type: 'string', list: ['3::', 'd41d8cd98f00b204e9800998ecf8427e'], matching_attributes: ['ssdeep', 'md5'] });
  assert.equal(hashes.ipv6.length, 0, 'the ssdeep hash 3:: is not an address');
  assert.equal(hashes.ignoredEntries, 2);
  const ips = loadWarninglist({ name: 'Resolvers', type: 'string', list: ['31.149.1.2', 'x'], matching_attributes: ['ip-dst'] });
  assert.equal(ips.ipv4.length, 1);
});

test('invalid list files fail with the file named', async () => {
  assert.throws(() => loadWarninglist('{"name": "x", "type": "cidr", "list": [', 'lists/x/list.json'), (e: unknown) => {
    assert.ok(e instanceof WarninglistError);
    assert.match(e.message, /^warninglist lists\/x\/list\.json: not valid JSON: /);
    return true;
  });
  assert.throws(() => loadWarninglist({ name: 'x', type: 'ip', list: [] }, 'a.json'), /warninglist a\.json: "type" must be one of cidr, string, hostname, substring, regex, got "ip"/);
  assert.throws(() => loadWarninglist({ name: 'x', type: 'cidr', list: [1] }, 'a.json'), /"list" must be an array of strings/);
  assert.throws(() => loadWarninglist({ type: 'cidr', list: [] }, 'a.json'), /"name" must be a non-empty string/);
  assert.throws(() => loadWarninglist([], 'a.json'), /not a JSON object/);
  const broken = join(FIXTURES, 'broken-warninglists');
  await assert.rejects(loadWarninglistsFromDir(broken), (e: unknown) => {
    assert.ok(e instanceof WarninglistError);
    assert.equal(e.source, join(broken, 'list.json'));
    assert.match(e.message, /broken-warninglists\/list\.json: not valid JSON/);
    return true;
  });
});

test('hosts on a list are kept and flagged with every list that holds them', async () => {
  const { lists, skipped } = await loadWarninglistsFromDir(join(FIXTURES, 'warninglists'));
  assert.deepEqual(lists.map((l) => l.name), ['Some resolvers', 'Our own scanners']);
  assert.deepEqual(skipped, []);
  const r = await read('31.149.1.1\n31.149.1.2:53\n31.149.1.9\n[2a02:58:1::6]:53\n2a02:58:2::1\n10.0.0.1\n', { warninglists: lists });
  assert.deepEqual(keys(r), ['31.149.1.1 -', '31.149.1.2 53', '31.149.1.9 -', '2a02:58:1::6 53', '2a02:58:2::1 -']);
  assert.deepEqual(r.hosts.map((h) => h.warnings), [['Our own scanners'], ['Some resolvers', 'Our own scanners'], [], ['Some resolvers', 'Our own scanners'], []]);
  assert.equal(r.summary.flagged, 3);
  assert.equal(r.summary.rejected, 1, 'special-purpose space is rejected, not flagged');
  // Each host gets its own array.
  assert.notEqual(r.hosts[1]!.warnings, r.hosts[3]!.warnings);
});

test('the index: nested and overlapping ranges of several lists, compiled once per array', () => {
  const a = loadWarninglist({ name: 'A', type: 'cidr', list: ['31.0.0.0/8', '0.0.0.0/0'] });
  const b = loadWarninglist({ name: 'B', type: 'cidr', list: ['31.149.0.0/16', '255.255.255.255', '::/0'] });
  const c = loadWarninglist({ name: 'A', type: 'cidr', list: ['31.149.1.0/24'] });
  const lists = [a, b, c];
  const index = WarninglistIndex.build(lists);
  assert.equal(WarninglistIndex.build(lists), index);
  assert.deepEqual(index.match4(parseIpv4('31.149.1.1')), ['A', 'B']);
  assert.deepEqual(index.match4(parseIpv4('31.149.2.1')), ['A', 'B']);
  assert.deepEqual(index.match4(parseIpv4('31.150.0.0')), ['A']);
  assert.deepEqual(index.match4(parseIpv4('255.255.255.255')), ['A', 'B']);
  assert.deepEqual(index.match4(0), ['A']);
  assert.deepEqual(index.match6(new Uint32Array([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff])), ['B']);
  assert.equal(WarninglistIndex.build([c]).match6(new Uint32Array(4)), null);
});

test('the reference MISP warninglists: every list parses; rfc1918 flags nothing because those are rejected first', { skip: existsSync(MISP) ? false : 'no ../shared/samples/misp/warninglists' }, async () => {
  const { lists, skipped } = await loadWarninglistsFromDir(MISP);
  const byName = new Map(lists.map((l) => [l.name, l]));
  for (const l of lists) assert.equal(l.ignoredEntries, 0, `${l.source}: every cidr entry parses`);
  assert.ok(byName.has('List of RFC 1918 CIDR blocks'));
  assert.ok(byName.get('List of known IPv4 public DNS resolvers')!.ipv4.length > 10_000);
  // Hash and domain lists hold no addresses (the ssdeep hash "3::" of empty-hashes must not become ::3 ...).
  assert.ok(skipped.some((s) => s.source.includes('empty-hashes')));
  assert.ok(skipped.some((s) => s.source.includes('rfc6761')));
  assert.equal(lists.length + skipped.length, 12);
  const rfc1918 = lists.filter((l) => l.name === 'List of RFC 1918 CIDR blocks');
  const r = await read('10.1.2.3\n172.16.0.1\n192.168.1.1\n31.149.1.1\n', { warninglists: rfc1918 });
  assert.equal(r.summary.flagged, 0);
  assert.equal(r.summary.rejected, 3);
  const all = await read('8.8.8.8\n9.9.9.9:53\n[2001:4860:4860::8888]:53\n31.149.1.1\n', { warninglists: lists });
  assert.deepEqual(all.hosts.map((h) => h.warnings.length > 0), [true, true, true, false]);
  assert.ok(all.hosts[0]!.warnings.includes('List of known IPv4 public DNS resolvers'));
});
