import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IpParseError } from '../../src/net/ip-parse-error.js';
import { formatIpv6, ipv4FromMapped, parseIpv6, parseIpv6Into } from '../../src/net/ipv6.js';
import { formatIp, parseIp, unmapIpv4 } from '../../src/net/ip-address.js';

const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
/** Addresses with many zero groups, where compression choices matter. */
const groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 });
const fromGroups = (g: number[]) => g.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);

/** Writes the 8 groups in some valid non-canonical way: padding, case, any '::' choice, mixed dotted quad. */
const spelling = fc.record({
  g: groups,
  pad: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  upper: fc.boolean(),
  compress: fc.option(fc.tuple(fc.nat(7), fc.nat(7))),
  mixed: fc.boolean(),
});
function spell({ g, pad, upper, compress, mixed }: { g: number[]; pad: boolean[]; upper: boolean; compress: [number, number] | null; mixed: boolean }): string {
  let parts = g.map((x, i) => (pad[i] ? x.toString(16).padStart(4, '0') : x.toString(16)));
  if (upper) parts = parts.map((p) => p.toUpperCase());
  let tail: string[] = [];
  if (mixed) {
    const v4 = [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join('.');
    parts = parts.slice(0, 6);
    tail = [v4];
  }
  const all = [...parts, ...tail];
  if (compress) {
    // Compress a run of zero groups among the hex groups, if the chosen one is all zeros.
    const [a, len] = compress;
    const end = Math.min(parts.length, a + 1 + (len % 3));
    if (a < parts.length && g.slice(a, end).every((x) => x === 0)) {
      const head = all.slice(0, a).join(':');
      const rest = all.slice(end).join(':');
      return `${head}::${rest}`;
    }
  }
  return all.join(':');
}

test('format then parse gives the same value', () => {
  fc.assert(fc.property(u128, (v) => parseIpv6(formatIpv6(v)) === v));
  fc.assert(fc.property(groups, (g) => parseIpv6(formatIpv6(fromGroups(g))) === fromGroups(g)));
});

test('every valid spelling parses to the value, and formats canonically', () => {
  fc.assert(
    fc.property(spelling, (sp) => {
      const text = spell(sp);
      const v = parseIpv6(text);
      assert.equal(v, fromGroups(sp.g), text);
      const canonical = formatIpv6(v);
      assert.equal(formatIpv6(parseIpv6(canonical)), canonical);
      assert.equal(canonical, canonical.toLowerCase());
      assert.ok(!/(^|:)0[0-9a-f]/.test(canonical.replace(/::ffff:[0-9.]+$/, '')), `no leading zeros in ${canonical}`);
      return true;
    }),
  );
});

test('canonical form follows RFC 5952', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:c000:0201', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::c000:201'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['fe80::1:2:3:4', 'fe80::1:2:3:4'],
  ];
  for (const [input, canonical] of cases) assert.equal(formatIpv6(parseIpv6(input)), canonical, input);
});

test('IPv4-mapped addresses are recognised', () => {
  const ip = parseIp('::ffff:31.149.1.1');
  assert.equal(ip.kind, 'ipv6');
  assert.equal(ipv4FromMapped(ip.value as bigint), parseIp('31.149.1.1').value);
  assert.deepEqual(unmapIpv4(ip), { kind: 'ipv4', value: parseIp('31.149.1.1').value });
  assert.equal(ipv4FromMapped(parseIpv6('::1')), null);
  assert.equal(formatIp(ip), '::ffff:31.149.1.1');
});

test('every rejection says why', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['fe80::1%eth0', 'zone-id'],
    ['fe80::%1', 'zone-id'],
    ['[::1]', 'brackets'],
    ['2001:db8::/32', 'prefix-length-not-allowed'],
    [' ::1', 'whitespace'],
    ['::1 ', 'whitespace'],
    ['2001:db8::g', 'invalid-character'],
    ['12345::', 'group-too-long'],
    ['1:2:3:4:5:6:7', 'too-few-groups'],
    ['1:2:3:4:5:6:7:8:9', 'too-many-groups'],
    ['1:2:3:4:5:6:7:8::', 'too-many-groups'],
    ['::1:2:3:4:5:6:7:8', 'too-many-groups'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'too-many-groups'],
    ['1::2::3', 'multiple-double-colons'],
    [':1::2', 'leading-colon'],
    [':', 'leading-colon'],
    ['1::2:', 'trailing-colon'],
    ['1:2:3:4:5:6:7:8:', 'trailing-colon'],
    [':::', 'empty-group'],
    ['1:::2', 'empty-group'],
    ['1.2.3.4::', 'misplaced-ipv4'],
    ['::1.2.3.4:5', 'misplaced-ipv4'],
    ['::ffff:1.2.3.256', 'invalid-embedded-ipv4'],
    ['::ffff:1.2.3', 'invalid-embedded-ipv4'],
    ['::ffff:01.2.3.4', 'invalid-embedded-ipv4'],
  ];
  const out = new Uint32Array(4);
  for (const [input, reason] of cases) {
    assert.throws(
      () => parseIpv6(input),
      (e: unknown) => e instanceof IpParseError && e.reason === reason && e.message.includes('not a valid IPv6 address'),
      `${JSON.stringify(input)} should fail with ${reason}`,
    );
    assert.ok(parseIpv6Into(input, out, 0) < 0);
  }
});

test('parseIp picks the family and rejects garbage with a reason', () => {
  assert.equal(parseIp('192.0.2.1').kind, 'ipv4');
  assert.equal(parseIp('2001:db8::1').kind, 'ipv6');
  assert.throws(() => parseIp('example.org'), IpParseError);
  assert.throws(() => parseIp('fe80::1%eth0'), /zone id/);
});
