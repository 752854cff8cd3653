import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectType, IndicatorError, normalizeIndicator, refang } from '../../src/hub/indicators/normalize-indicator.js';
import { parseIndicatorLines } from '../../src/hub/indicators/parse-indicator-lines.js';

/** [input, given type or null, expected type, expected value] */
const GOOD: Array<[string, string | null, string, string]> = [
  // IPv4 and IPv6
  ['31.149.1.7', null, 'ipv4', '31.149.1.7'],
  ['  8.8.8.8  ', null, 'ipv4', '8.8.8.8'],
  ['8[.]8[.]8[.]8', null, 'ipv4', '8.8.8.8'],
  ['8(.)8(.)4(.)4', null, 'ipv4', '8.8.4.4'],
  ['8{.}8{.}4{.}4', null, 'ipv4', '8.8.4.4'],
  ['1[dot]1[dot]1[dot]1', null, 'ipv4', '1.1.1.1'],
  ['::ffff:31.149.1.1', null, 'ipv4', '31.149.1.1'],
  ['::ffff:31.149.1.1', 'ipv6', 'ipv4', '31.149.1.1'],
  ['2A02:A440:0000::0001', null, 'ipv6', '2a02:a440::1'],
  ['2a02[:]a440[:][:]1', null, 'ipv6', '2a02:a440::1'],
  ['[2a02:a440::1]', null, 'ipv6', '2a02:a440::1'],
  // CIDR
  ['31.149.0.0/16', null, 'cidr', '31.149.0.0/16'],
  ['31[.]149[.]0[.]0/16', null, 'cidr', '31.149.0.0/16'],
  ['2A02:A440::/29', null, 'cidr', '2a02:a440::/29'],
  ['31.149.1.1/32', null, 'ipv4', '31.149.1.1'],
  ['::ffff:31.149.0.0/112', 'cidr', 'cidr', '31.149.0.0/16'],
  // domains
  ['Evil.EXAMPLE.com', null, 'domain', 'evil.example.com'],
  ['evil[.]example[.]com', null, 'domain', 'evil.example.com'],
  ['evil(.)example{.}com.', null, 'domain', 'evil.example.com'],
  ['evil[dot]example[dot]com', null, 'domain', 'evil.example.com'],
  ['Bücher.example', null, 'domain', 'xn--bcher-kva.example'],
  ['_dmarc.example.org', 'domain', 'domain', '_dmarc.example.org'],
  // URLs
  ['hxxp://evil[.]example/x', null, 'url', 'http://evil.example/x'],
  ['hXXps://Evil.Example:443/a/../b?q=1#frag', null, 'url', 'https://evil.example/b?q=1'],
  ['hxxps[:]//evil[.]example', null, 'url', 'https://evil.example/'],
  ['HTTP://EVIL.example:8080/Path', null, 'url', 'http://evil.example:8080/Path'],
  ['http://evil.example:80/', null, 'url', 'http://evil.example/'],
  ['https://bücher.example/ä', null, 'url', 'https://xn--bcher-kva.example/%C3%A4'],
  ['http://31.149.1.1/gate.php', null, 'url', 'http://31.149.1.1/gate.php'],
  ['ftp://files.evil.example/payload.bin', null, 'url', 'ftp://files.evil.example/payload.bin'],
  // email
  ['Phisher@Evil.Example', null, 'email', 'phisher@evil.example'],
  ['phisher[@]evil[.]example', null, 'email', 'phisher@evil.example'],
  ['phisher[at]evil[dot]example', null, 'email', 'phisher@evil.example'],
  ['mailto:ceo@evil.example', 'email', 'email', 'ceo@evil.example'],
  // hashes
  ['D41D8CD98F00B204E9800998ECF8427E', null, 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['da39a3ee5e6b4b0d3255bfef95601890afd80709', null, 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', null, 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
];

for (const [input, type, wantType, wantValue] of GOOD) {
  test(`normalises ${JSON.stringify(input)}${type ? ` as ${type}` : ''} to ${wantType} ${wantValue}`, () => {
    const got = normalizeIndicator(input, type ? { type } : {});
    assert.equal(got.type, wantType);
    assert.equal(got.value, wantValue);
  });
}

/** [input, given type or null, a piece of the message] */
const BAD: Array<[string, string | null, RegExp]> = [
  ['', null, /empty/],
  ['10.1.2.3', null, /special-purpose.*private-use/],
  ['127.0.0.1', null, /special-purpose.*loopback/i],
  ['192.0.2.1', null, /special-purpose.*documentation/i],
  ['::1', null, /special-purpose/],
  ['fe80::1', null, /special-purpose/],
  ['::ffff:192.168.1.1', null, /special-purpose/],
  ['10.0.0.0/8', null, /special-purpose/],
  ['0.0.0.0/0', null, /special-purpose/],
  ['31.149.1.0/16', null, /host bits are set.*31\.149\.0\.0\/16.*leniently/],
  ['31.149.0.0/33', null, /at most 32/],
  ['31.149.0.0/', null, /length/],
  ['256.1.1.1', null, /not a valid IPv4/],
  ['1.2.3', null, /IPv4/],
  ['31.149.01.1', null, /leading zero/],
  ['2001:db8::g', null, /IPv6|invalid/i],
  ['31.149.1.1', 'ipv6', /IPv4 address, not IPv6/],
  ['2a02:a440::1', 'ipv4', /IPv6 address, not IPv4/],
  ['localhost', null, /no dot/],
  ['evil..example', null, /empty label/],
  ['-evil.example', null, /label "-evil"/],
  ['evil example.com', null, /white space/],
  ['evil.example/path', null, /has a path.*URL/],
  ['evil.example:8080', null, /has a port/],
  ['1.2.3.999', 'domain', /last label is a number/],
  ['http://', null, /not a valid URL|no host/],
  ['http://10.0.0.1/x', null, /special-purpose/],
  ['http://intranet/x', null, /no dot/],
  ['@evil.example', null, /nothing before the @/],
  ['a b@evil.example', null, /white space/],
  ['phisher@localhost', null, /no dot/],
  ['d41d8cd98f00b204e9800998ecf8427', 'md5', /31 hex digits, a md5 has 32/],
  ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'md5', /40 hex digits.*length of a sha1/],
  ['zz39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1', /hexadecimal/],
  ['x', 'hash', /not an indicator type/],
  ['a'.repeat(5000), null, /too long/],
];

for (const [input, type, message] of BAD) {
  test(`refuses ${JSON.stringify(input.slice(0, 40))}${type ? ` as ${type}` : ''} saying ${message}`, () => {
    assert.throws(
      () => normalizeIndicator(input, type ? { type } : {}),
      (err: unknown) => err instanceof IndicatorError && message.test(err.message),
    );
  });
}

test('lenient CIDRs have their host bits masked', () => {
  assert.deepEqual(normalizeIndicator('31.149.1.7/16', { lenient: true }).value, '31.149.0.0/16');
});

test('refang undoes the usual defanging and leaves plain text alone', () => {
  assert.equal(refang('hxxps://evil[.]example[:]8443/x'), 'https://evil.example:8443/x');
  assert.equal(refang('user[at]evil(dot)example'), 'user@evil.example');
  assert.equal(refang('plain.example'), 'plain.example');
  assert.equal(detectType('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'), 'sha256');
});

test('bulk lines: bare values and CSV, comments, per-line errors with line numbers', () => {
  const text = [
    '# indicators of campaign X',
    'evil[.]example',
    '31.149.1.7  # C2',
    '',
    '10.0.0.1',
    'url,hxxp://evil[.]example/gate,GREEN,80,c2;campaign x,feed-a,2026-03-01,2026-04-01',
    'md5,xyz',
    'domain,good.example,PURPLE',
    'domain,"quoted,comma.example"',
    'sha1,da39a3ee5e6b4b0d3255bfef95601890afd80709,amber+strict,101',
  ].join('\n');
  const r = parseIndicatorLines(text);
  assert.equal(r.lines, 10);
  assert.deepEqual(
    r.entries.map((e) => [e.line, e.type, e.value]),
    [
      [2, 'domain', 'evil.example'],
      [3, 'ipv4', '31.149.1.7'],
      [6, 'url', 'http://evil.example/gate'],
    ],
  );
  const url = r.entries[2]!;
  assert.equal(url.tlp, 'GREEN');
  assert.equal(url.confidence, 80);
  assert.deepEqual(url.labels, ['c2', 'campaign x']);
  assert.equal(url.source, 'feed-a');
  assert.equal(url.validFrom, '2026-03-01T00:00:00.000Z');
  assert.deepEqual(
    r.rejected.map((x) => x.line),
    [5, 7, 8, 9, 10],
  );
  assert.match(r.rejected[0]!.reason, /special-purpose/);
  assert.match(r.rejected[1]!.reason, /md5/);
  assert.match(r.rejected[2]!.reason, /tlp: "PURPLE"/);
  assert.match(r.rejected[3]!.reason, /comma/);
  assert.match(r.rejected[4]!.reason, /confidence/);
});

test('bulk lines: a CSV header chooses and orders the columns', () => {
  const r = parseIndicatorLines('value,type,labels\nevil[.]example,domain,phishing\n31.149.1.7,ipv4,\nx,bogus,\n');
  assert.equal(r.format, 'csv');
  assert.deepEqual(r.entries.map((e) => [e.type, e.value, e.labels]), [['domain', 'evil.example', ['phishing']], ['ipv4', '31.149.1.7', []]]);
  assert.deepEqual(r.rejected.map((x) => x.line), [4]);
  assert.match(r.rejected[0]!.reason, /not an indicator type/);
});
