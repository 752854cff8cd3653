import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { IntakeError } from '../../../src/hotline/intake/intake-error.js';
import { readAllHosts, readHostBatches, readHosts } from '../../../src/hotline/intake/read-hosts.js';
import type { IntakeEvent } from '../../../src/hotline/intake/intake-types.js';
import { FIXTURES, keys, read, where } from './helpers.js';

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

test('ips: addresses, address:port, [IPv6]:port, bare IPv6, comments; every rejection with its line', async () => {
  const r = await readAllHosts(createReadStream(join(FIXTURES, 'hosts.txt')));
  assert.deepEqual(keys(r), ['31.149.1.1 -', '31.149.1.2 443', '2a02:58:1::5 8443', '2a02:58:1::6 -', '31.149.1.2 -', '145.97.0.1 -']);
  assert.deepEqual(r.hosts.map((h) => h.line), [2, 3, 5, 6, 16, 17]);
  assert.deepEqual(where(r), ['8 ip', '9 ip', '10 ip', '11 port', '12 ip', '13 ip', '14 ip', '15 ip']);
  assert.match(r.rejected[0]!.reason, /^10\.1\.2\.3 is in 10\.0\.0\.0\/8, private-use \(RFC 1918\)/);
  assert.match(r.rejected[1]!.reason, /^192\.0\.2\.44 is in 192\.0\.2\.0\/24, documentation/);
  assert.equal(r.rejected[2]!.reason, '"31.149.1.999" is not a valid IPv4 address: a part is greater than 255');
  assert.equal(r.rejected[3]!.reason, '"99999" is not a port: ports are whole numbers from 0 to 65535');
  assert.equal(r.rejected[3]!.text, '[2a02:58:1::7]:99999');
  assert.match(r.rejected[4]!.reason, /loopback/);
  assert.match(r.rejected[5]!.reason, /carrier-grade NAT/);
  assert.match(r.rejected[6]!.reason, /multicast/);
  assert.match(r.rejected[7]!.reason, /link-local/);
  assert.deepEqual(r.summary, {
    format: 'ips',
    lines: 17,
    hosts: 6,
    duplicates: 1,
    rejected: 8,
    flagged: 0,
    extraColumns: [],
    rejectedKept: 8,
    columns: null,
  });
});

test('ips: a bare IPv6 address is an address, never address:port; brackets are checked', async () => {
  const r = await read('2a02:58::1:80\n[2a02:58::1]:80\n[2a02:58::1]\n[2a02:58::1\n[2a02:58::1]80\n31.149.1.1:\n31.149.1.1,80\n', { format: 'ips' });
  assert.deepEqual(keys(r), ['2a02:58::1:80 -', '2a02:58::1 80', '2a02:58::1 -']);
  assert.deepEqual(where(r), ['4 ip', '5 ip', '6 port', '7 ip']);
  assert.match(r.rejected[0]!.reason, /does not close it/);
  assert.match(r.rejected[1]!.reason, /after "\]" only ":port" may follow/);
  assert.match(r.rejected[3]!.reason, /CSV needs a header line/);
});

test('csv: guessed mapping, quoted fields over two lines, every rejection with its line', async () => {
  const r = await readAllHosts(createReadStream(join(FIXTURES, 'hosts.csv')));
  assert.equal(r.summary.format, 'csv');
  assert.deepEqual(r.summary.columns, ['Address', 'Port', 'First_Seen', 'Product', 'Note']);
  assert.deepEqual(r.summary.extraColumns, ['Product', 'Note']);
  assert.deepEqual(r.hosts, [
    { ip: '31.149.1.1', port: 443, timestamp: '2026-11-20T10:11:12Z', extra: { Product: 'Citrix ADC', Note: 'first, with a comma' }, line: 2, warnings: [] },
    { ip: '31.149.1.2', port: 8443, timestamp: '2026-11-20T10:11:12Z', extra: { Product: 'Citrix ADC' }, line: 3, warnings: [] },
    { ip: '2a02:58:1::5', port: 443, timestamp: '2026-11-20T10:11:12Z', extra: { Product: 'Fortinet "FortiGate"', Note: 'two\nlines' }, line: 4, warnings: [] },
  ]);
  assert.deepEqual(where(r), ['6 ip', '7 port', '8 timestamp', '9 -']);
  assert.equal(r.rejected[3]!.reason, 'the line has 2 fields where the header has 5');
  assert.equal(r.rejected[2]!.text, '31.149.1.4,443,yesterday,Citrix ADC,bad time');
  assert.equal(r.summary.duplicates, 1);
  assert.equal(r.summary.lines, 10);
});

test('csv: the same result wherever the input is split', async () => {
  const text = fixture('hosts.csv');
  const whole = await read(text);
  for (let i = 0; i <= text.length; i += 3) assert.deepEqual(await read(text, {}, [i]), whole, `split at ${i}`);
});

test('csv: an explicit mapping picks columns and extras; missing columns are named', async () => {
  const text = 'host;x,when,svc,comment\n31.149.1.1,1795169472,ssh,hello\n';
  const r = await read(text, { format: 'csv', mapping: { ip: 'host;x', timestamp: 'when', extra: ['comment'] } });
  assert.deepEqual(r.hosts, [{ ip: '31.149.1.1', port: null, timestamp: '2026-11-20T10:11:12Z', extra: { comment: 'hello' }, line: 2, warnings: [] }]);
  await assert.rejects(read(text, { format: 'csv', mapping: { ip: 'ip' } }), (e: unknown) => {
    assert.ok(e instanceof IntakeError);
    assert.equal(e.code, 'header');
    assert.equal(e.line, 1);
    assert.equal(e.message, `line 1: the mapping's ip column "ip" is not in the header ("host;x", "when", "svc", "comment")`);
    return true;
  });
});

test('csv: a header without an address column fails and names the header', async () => {
  await assert.rejects(read('# exported\nname,when\nfoo,2026-11-20\n', { format: 'csv' }), (e: unknown) => {
    assert.ok(e instanceof IntakeError);
    assert.equal(e.code, 'header');
    assert.equal(e.line, 2);
    assert.match(e.message, /^line 2: no column of the header holds IP addresses \("name", "when"\); name it one of ip, ip_address/);
    return true;
  });
});

test('csv: malformed quoting costs one line, an unclosed quote too', async () => {
  const r = await read('ip,note\n31.149.1.1,a"b\n31.149.1.2,"x"y\n31.149.1.3,"never closed\n31.149.1.4,ok\n', { format: 'csv' });
  // Line 4 opens a quote that never closes: at the end it is rejected and the lines after it read again.
  assert.deepEqual(keys(r), ['31.149.1.4 -']);
  assert.deepEqual(where(r), ['2 -', '3 -', '4 -']);
  assert.equal(r.rejected[0]!.reason, 'malformed CSV: a quote inside an unquoted field');
  assert.equal(r.rejected[1]!.reason, 'malformed CSV: unexpected text after a closing quote');
  assert.equal(r.rejected[2]!.reason, 'a quoted field is not closed before the end of the upload (a stray " ?)');
});

test('csv: a stray quote is given up after 100 lines and the lines after it still count', async () => {
  const lines = ['ip', '"31.149.0.1'];
  for (let i = 1; i <= 150; i++) lines.push(`31.149.1.${i}`);
  const r = await read(lines.join('\n'), { format: 'csv' });
  assert.deepEqual(where(r), ['2 -']);
  assert.match(r.rejected[0]!.reason, /not closed within 100 lines/);
  assert.equal(r.hosts.length, 150);
  assert.equal(r.hosts[0]!.line, 3);
  assert.equal(r.hosts[149]!.line, 152);
});

test('shadowserver: recognised by its header; everything but ip, port and time is an extra', async () => {
  const r = await readAllHosts(createReadStream(join(FIXTURES, 'shadowserver-scan.csv')));
  assert.equal(r.summary.format, 'shadowserver');
  assert.deepEqual(r.hosts[0], {
    ip: '31.149.1.1',
    port: 23,
    timestamp: '2026-11-20T10:11:12Z',
    extra: { protocol: 'tcp', hostname: 'host1.example.nl', tag: 'telnet', asn: '1136', geo: 'NL', region: 'NOORD-HOLLAND', city: 'AMSTERDAM', naics: '517311', sic: '0', banner: '|Login:' },
    line: 2,
    warnings: [],
  });
  assert.equal(r.hosts[1]!.extra.banner, 'multi\nline banner');
  assert.equal(r.hosts[1]!.extra.hostname, undefined, 'empty cells are left out');
  // A row written before the report gained its last columns is read with those cells empty.
  assert.deepEqual(r.hosts[2]!.extra, { protocol: 'tcp', tag: 'telnet', asn: '1136', geo: 'NL' });
  assert.equal(r.hosts[2]!.line, 7);
  assert.deepEqual(where(r), ['5 ip']);
  assert.equal(r.summary.duplicates, 1);
  assert.deepEqual(r.summary.extraColumns, ['protocol', 'hostname', 'tag', 'asn', 'geo', 'region', 'city', 'naics', 'sic', 'banner']);
});

test('shadowserver: event reports with src_ip and src_port; too many fields is still an error', async () => {
  const text = '"timestamp","src_ip","src_port","src_asn","src_geo","dst_ip"\n"2026-11-20 10:11:12","31.149.1.1",5060,1136,"NL","1.1.1.1"\n"2026-11-20 10:11:12","31.149.1.2",5060,1136,"NL","1.1.1.1","x"\n';
  const r = await read(text);
  assert.equal(r.summary.format, 'shadowserver');
  assert.deepEqual(keys(r), ['31.149.1.1 5060']);
  assert.deepEqual(r.hosts[0]!.extra, { src_asn: '1136', src_geo: 'NL', dst_ip: '1.1.1.1' });
  assert.deepEqual(where(r), ['3 -']);
  assert.equal(r.rejected[0]!.reason, 'the line has 7 fields where the header has 6');
});

test('intelmq: source.ip, source.port, time.source, extra.*; other keys are ignored; every rejection with its line', async () => {
  const r = await readAllHosts(createReadStream(join(FIXTURES, 'intelmq.jsonl')));
  assert.equal(r.summary.format, 'intelmq');
  assert.deepEqual(r.hosts, [
    { ip: '31.149.1.1', port: 443, timestamp: '2026-11-20T10:11:12Z', extra: { product: 'Citrix ADC', version: '13' }, line: 1, warnings: [] },
    { ip: '2a02:58:1::5', port: 8443, timestamp: '2026-11-20T10:11:13Z', extra: { tag: 'citrix' }, line: 2, warnings: [] },
    { ip: '31.149.1.5', port: 80, timestamp: '2026-11-20T10:11:12Z', extra: { product: 'nginx' }, line: 10, warnings: [] },
  ]);
  assert.deepEqual(where(r), ['3 ip', '4 port', '5 timestamp', '6 ip', '7 -', '8 -']);
  assert.match(r.rejected[0]!.reason, /documentation \(TEST-NET-2\)/);
  assert.equal(r.rejected[1]!.reason, '"source.port": "70000" is not a port: ports are whole numbers from 0 to 65535');
  assert.match(r.rejected[2]!.reason, /^"time.source": "20\/11\/2026" is not a valid timestamp/);
  assert.equal(r.rejected[3]!.reason, 'the event has no "source.ip"');
  assert.match(r.rejected[4]!.reason, /^not valid JSON: /);
  assert.match(r.rejected[5]!.reason, /^not a JSON object/);
  assert.deepEqual(r.summary.extraColumns, ['product', 'version', 'tag']);
  assert.equal(r.summary.duplicates, 1);
  assert.equal(r.summary.lines, 11);
});

test('auto: JSON is intelmq, a Shadowserver header shadowserver, an ip-like header csv, else ips', async () => {
  assert.equal((await read('\n\n{"source.ip":"31.149.1.1"}\n')).summary.format, 'intelmq');
  assert.equal((await read(fixture('shadowserver-scan.csv'))).summary.format, 'shadowserver');
  assert.equal((await read('IP_Address,seen\n31.149.1.1,2026-11-20\n')).summary.format, 'csv');
  assert.equal((await read('"src_ip","port"\n31.149.1.1,80\n')).summary.format, 'csv');
  assert.equal((await read('# list\n31.149.1.1\n')).summary.format, 'ips');
  assert.equal((await read('2a02:58::1\n')).summary.format, 'ips');
  assert.equal((await read('\ufeffip\r\n31.149.1.1\r\n')).summary.format, 'csv', 'a byte-order mark and CRLF');
  // An explicit format wins over what the first line looks like.
  const r = await read('ip\n31.149.1.1\n', { format: 'ips' });
  assert.deepEqual(where(r), ['1 ip']);
});

test('dedupe on (ip, port) across the upload: first occurrence wins, spellings of one host are one', async () => {
  const r = await read('31.149.1.1:80\n31.149.1.1:443\n31.149.1.1:80\n31.149.1.1\n[::ffff:31.149.1.1]:80\n2a02:58::1\n2A02:0058:0::1\n[2a02:58::1]:80\n');
  assert.deepEqual(keys(r), ['31.149.1.1 80', '31.149.1.1 443', '31.149.1.1 -', '2a02:58::1 -', '2a02:58::1 80']);
  assert.deepEqual(r.hosts.map((h) => h.line), [1, 2, 4, 6, 8]);
  assert.equal(r.summary.duplicates, 3);
});

test('strict: the first rejected line throws an IntakeError with line and reason', async () => {
  await assert.rejects(read('31.149.1.1\n31.149.1.2\n10.1.2.3\n31.149.1.4\n', { strict: true }), (e: unknown) => {
    assert.ok(e instanceof IntakeError);
    assert.equal(e.code, 'strict');
    assert.equal(e.line, 3);
    assert.match(e.reason, /^10\.1\.2\.3 is in 10\.0\.0\.0\/8, private-use \(RFC 1918\)/);
    assert.match(e.message, /^line 3: 10\.1\.2\.3 is in/);
    assert.deepEqual(e.problems.map((p) => p.line), [3]);
    return true;
  });
  // Duplicates are not errors.
  const r = await read('31.149.1.1\n31.149.1.1\n', { strict: true });
  assert.equal(r.summary.duplicates, 1);
});

test('an upload without a valid host throws at the end, quoting the first problems', async () => {
  await assert.rejects(read('10.0.0.1\n\nnope\n192.168.0.1\n'), (e: unknown) => {
    assert.ok(e instanceof IntakeError);
    assert.equal(e.code, 'no-valid-host');
    assert.equal(e.line, null);
    assert.match(e.message, /^no valid host in 4 lines; first problems: line 1: 10\.0\.0\.1 is in 10\.0\.0\.0\/8, .*; line 3: "nope" is not a valid IPv4 address: .*; line 4: 192\.168\.0\.1 is in/);
    assert.deepEqual(e.problems.map((p) => p.line), [1, 3, 4]);
    return true;
  });
  await assert.rejects(read(''), /^IntakeError: no valid host in 0 lines; the upload is empty$/);
  await assert.rejects(read('# only a comment\n'), /no valid host in 1 lines; it has no address lines/);
  await assert.rejects(read('ip,port\n'), /no valid host in 1 lines/);
});

test('maxRejectedKept: the first N in full, the rest counted', async () => {
  const lines = ['31.149.1.1'];
  for (let i = 0; i < 50; i++) lines.push(`10.0.0.${i}`);
  const r = await read(lines.join('\n'), { maxRejectedKept: 5 });
  assert.deepEqual(where(r), ['2 ip', '3 ip', '4 ip', '5 ip', '6 ip']);
  assert.equal(r.summary.rejected, 50);
  assert.equal(r.summary.rejectedKept, 5);
});

test('a runaway line is rejected without holding it in memory', async () => {
  const long = 'x'.repeat(1_500_000);
  const r = await read(`31.149.1.1\n${long}\n31.149.1.2\n`, {}, [100, 600_000, 1_200_000]);
  assert.deepEqual(keys(r), ['31.149.1.1 -', '31.149.1.2 -']);
  assert.deepEqual(r.hosts.map((h) => h.line), [1, 3]);
  assert.deepEqual(where(r), ['2 -']);
  assert.match(r.rejected[0]!.reason, /longer than 1048576 characters/);
  assert.equal(r.rejected[0]!.text.length, 500);
});

test('bytes: UTF-8 split inside a character, gzip-compressed input', async () => {
  const text = 'ip,city\n31.149.1.1,Den Haag\n31.149.1.2,Zoë\n';
  const bytes = Buffer.from(text, 'utf8');
  const at = bytes.indexOf(0xc3) + 1; // between the two bytes of ë
  const r = await readAllHosts([bytes.subarray(0, at), bytes.subarray(at)]);
  assert.equal(r.hosts[1]!.extra.city, 'Zoë');
  const gz = gzipSync(bytes);
  const z = await readAllHosts([gz.subarray(0, 10), gz.subarray(10)]);
  assert.deepEqual(z.hosts, r.hosts);
});

test('readHosts yields one event per host and rejected line, in line order, then the summary', async () => {
  const events: IntakeEvent[] = [];
  for await (const e of readHosts(['31.149.1.1\n10.0.0.1\n', '31.149.1.2\nbad\n31.149.1.3\n'])) events.push(e);
  assert.deepEqual(
    events.map((e) => (e.kind === 'host' ? `host ${e.host.line}` : e.kind === 'rejected' ? `rejected ${e.rejected.line}` : 'summary')),
    ['host 1', 'rejected 2', 'host 3', 'rejected 4', 'host 5', 'summary'],
  );
  const batches: string[] = [];
  for await (const e of readHostBatches(['31.149.1.1\n10.0.0.1\n31.149.1.2\n'])) batches.push(`${e.kind} ${e.kind === 'summary' ? '' : e.kind === 'hosts' ? e.hosts.length : e.rejected.length}`.trim());
  assert.deepEqual(batches, ['rejected-lines 1', 'hosts 2', 'summary']);
});
