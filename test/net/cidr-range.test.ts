import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IpParseError } from '../../src/net/ip-parse-error.js';
import { parseIp } from '../../src/net/ip-address.js';
import { cidrContains, cidrLast, formatCidr, parseCidr } from '../../src/net/cidr.js';
import { cidrWithin, formatIpRange, parseIpRange, rangeOfCidr, rangeToCidrs } from '../../src/net/ip-range.js';
import type { IpRange } from '../../src/net/ip-range.js';

test('CIDR parsing and formatting', () => {
  assert.deepEqual(parseCidr('10.0.0.0/8'), { kind: 'ipv4', address: 167772160, prefixLength: 8 });
  assert.equal(formatCidr(parseCidr('2001:DB8:0::/32')), '2001:db8::/32');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  assert.equal(formatCidr(parseCidr('::/0')), '::/0');
  assert.equal(formatCidr(parseCidr('192.0.2.1/32')), '192.0.2.1/32');
  assert.equal(formatCidr(parseCidr('10.0.0.1/8', { lenient: true })), '10.0.0.0/8');
  assert.equal(formatCidr(parseCidr('2001:db8::1/32', { lenient: true })), '2001:db8::/32');
  assert.equal(formatCidr(parseCidr('192.0.2.1', { allowBareAddress: true })), '192.0.2.1/32');
  assert.equal(cidrLast(parseCidr('0.0.0.0/0')), 0xffffffff);
  assert.equal(cidrLast(parseCidr('2001:db8::/32')), parseIp('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff').value);
  assert.ok(cidrContains(parseCidr('10.0.0.0/8'), parseIp('10.255.0.1')));
  assert.ok(!cidrContains(parseCidr('10.0.0.0/8'), parseIp('11.0.0.0')));
  assert.ok(!cidrContains(parseCidr('::/0'), parseIp('10.0.0.1')));
});

test('CIDR rejections say why', () => {
  const cases: [string, string][] = [
    ['10.0.0.1/8', 'host-bits-set'],
    ['2001:db8::1/32', 'host-bits-set'],
    ['10.0.0.0', 'missing-prefix-length'],
    ['10.0.0.0/', 'invalid-prefix-length'],
    ['10.0.0.0/08', 'invalid-prefix-length'],
    ['10.0.0.0/8/8', 'invalid-prefix-length'],
    ['10.0.0.0/+8', 'invalid-prefix-length'],
    ['10.0.0.0/33', 'prefix-length-out-of-range'],
    ['::/129', 'prefix-length-out-of-range'],
    ['10.0.0/8', 'too-few-parts'],
    ['fe80::%eth0/64', 'zone-id'],
  ];
  for (const [input, reason] of cases) {
    assert.throws(() => parseCidr(input), (e: unknown) => e instanceof IpParseError && e.reason === reason, `${input} -> ${reason}`);
  }
  assert.throws(() => parseCidr('10.0.0.1/8'), /host bits are set; the network is 10\.0\.0\.0\/8/);
});

test('ranges parse in registry notation and format as CIDR when exact', () => {
  assert.deepEqual(parseIpRange('192.0.2.0 - 192.0.2.127'), { kind: 'ipv4', first: 3221225984, last: 3221226111 });
  assert.equal(formatIpRange(parseIpRange('10.0.0.0-10.255.255.255')), '10.0.0.0/8');
  assert.equal(formatIpRange(parseIpRange('10.0.0.1-10.0.0.2')), '10.0.0.1-10.0.0.2');
  assert.equal(formatIpRange(parseIpRange('2001:db8::/48')), '2001:db8::/48');
  assert.equal(formatIpRange(parseIpRange('192.0.2.7')), '192.0.2.7/32');
  assert.throws(() => parseIpRange('10.0.0.2-10.0.0.1'), (e: unknown) => e instanceof IpParseError && e.reason === 'range-reversed');
  assert.throws(() => parseIpRange('10.0.0.1-::1'), (e: unknown) => e instanceof IpParseError && e.reason === 'mixed-families');
  assert.throws(() => parseIpRange('1.1.1.1-2.2.2.2-3.3.3.3'), (e: unknown) => e instanceof IpParseError && e.reason === 'invalid-range');
});

test('range to prefixes: known decompositions', () => {
  const f = (s: string) => rangeToCidrs(parseIpRange(s)).map(formatCidr);
  assert.deepEqual(f('10.0.0.1-10.0.0.6'), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  assert.deepEqual(f('0.0.0.0-255.255.255.255'), ['0.0.0.0/0']);
  assert.deepEqual(f('255.255.255.255-255.255.255.255'), ['255.255.255.255/32']);
  assert.deepEqual(f('1.0.4.0-1.0.7.255'), ['1.0.4.0/22']);
  assert.deepEqual(f('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), ['::/0']);
  assert.deepEqual(f('2001:db8::1-2001:db8::2'), ['2001:db8::1/128', '2001:db8::2/128']);
  assert.equal(f('::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe').length, 254);
});

/** Checks that the prefixes tile the range exactly, in order, and that no two neighbours could merge. */
function checkTiling(range: IpRange): void {
  const cidrs = rangeToCidrs(range);
  const bits = range.kind === 'ipv4' ? 32 : 128;
  let next: bigint = BigInt(range.first);
  for (const c of cidrs) {
    const size = 1n << BigInt(bits - c.prefixLength);
    assert.equal(BigInt(c.address), next);
    assert.equal(BigInt(c.address) % size, 0n, 'aligned');
    next += size;
  }
  assert.equal(next - 1n, BigInt(range.last));
  for (let i = 1; i < cidrs.length; i++) {
    const a = cidrs[i - 1]!;
    const b = cidrs[i]!;
    const size = 1n << BigInt(bits - a.prefixLength);
    const mergeable = a.prefixLength === b.prefixLength && BigInt(a.address) % (2n * size) === 0n;
    assert.ok(!mergeable, 'minimal');
  }
}

test('range to prefixes tiles any IPv4 range exactly and minimally', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(
    fc.property(u32, u32, (a, b) => {
      checkTiling({ kind: 'ipv4', first: Math.min(a, b), last: Math.max(a, b) });
    }),
  );
});

test('range to prefixes tiles any IPv6 range exactly and minimally', () => {
  const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  fc.assert(
    fc.property(u128, u128, (a, b) => {
      checkTiling({ kind: 'ipv6', first: a < b ? a : b, last: a < b ? b : a });
    }),
    { numRuns: 50 },
  );
});

test('cidrWithin picks the largest prefix inside the range', () => {
  const r = parseIpRange('10.0.0.0-10.0.2.255');
  assert.equal(formatCidr(cidrWithin(r, parseIp('10.0.2.9'))!), '10.0.2.0/24');
  assert.equal(formatCidr(cidrWithin(r, parseIp('10.0.1.9'))!), '10.0.0.0/23');
  assert.equal(cidrWithin(r, parseIp('10.0.3.0')), null);
  assert.equal(formatCidr(cidrWithin(rangeOfCidr(parseCidr('2001:db8::/32')), parseIp('2001:db8::1'))!), '2001:db8::/32');
});

test('cidrWithin: the prefix holds the address, lies in the range, and one bit shorter would not', () => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(
    fc.property(u32, u32, u32, (a, b, c) => {
      const [first, ip, last] = [a, b, c].sort((x, y) => x - y) as [number, number, number];
      const range: IpRange = { kind: 'ipv4', first, last };
      const cidr = cidrWithin(range, { kind: 'ipv4', value: ip })!;
      const size = 2 ** (32 - cidr.prefixLength);
      assert.ok(cidr.address <= ip && ip < (cidr.address as number) + size);
      assert.ok(cidr.address >= first && (cidr.address as number) + size - 1 <= last);
      if (cidr.prefixLength > 0) {
        const bigger = 2 * size;
        const start = ip - (ip % bigger);
        assert.ok(start < first || start + bigger - 1 > last);
      }
    }),
  );
  const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  fc.assert(
    fc.property(u128, u128, u128, (a, b, c) => {
      const [first, ip, last] = [a, b, c].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)) as [bigint, bigint, bigint];
      const cidr = cidrWithin({ kind: 'ipv6', first, last }, { kind: 'ipv6', value: ip })!;
      const size = 1n << BigInt(128 - cidr.prefixLength);
      const address = cidr.address as bigint;
      assert.ok(address <= ip && ip < address + size && address >= first && address + size - 1n <= last);
      if (cidr.prefixLength > 0) {
        const start = ip - (ip % (2n * size));
        assert.ok(start < first || start + 2n * size - 1n > last);
      }
    }),
  );
});
