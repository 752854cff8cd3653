import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { INVALID_ADDRESS, Ipv4PrefixTable, NO_MATCH, overlayIpv4Tables } from '../../src/net/ipv4-prefix-table.js';
import { Ipv6PrefixTable, overlayIpv6Tables } from '../../src/net/ipv6-prefix-table.js';
import type { Ipv4Range } from '../../src/net/ipv4-prefix-table.js';
import type { Ipv6Range } from '../../src/net/ipv6-prefix-table.js';
import { formatIpv4, parseIpv4 } from '../../src/net/ipv4.js';
import { formatIpv6, parseIpv6 } from '../../src/net/ipv6.js';
import { IpParseError } from '../../src/net/ip-parse-error.js';

/** The slow reference: scan every range, the smallest containing one wins, of equal sizes the last given. */
function reference<K extends number | bigint>(ranges: readonly { first: K; last: K; value: number }[], ip: K): number {
  let best = -1;
  let bestSize: K | undefined;
  ranges.forEach((r, i) => {
    if (ip < r.first || ip > r.last) return;
    const size = ((r.last as bigint) - (r.first as bigint)) as K;
    if (bestSize === undefined || size <= bestSize) {
      best = i;
      bestSize = size;
    }
  });
  return best < 0 ? NO_MATCH : ranges[best]!.value;
}

// IPv4 ranges clustered around a few bases so that they nest and overlap, plus CIDR-shaped ones.
const base4 = fc.constantFrom(0, 0x0a000000, 0x1f950000, 0xc0000200, 0xfffff000);
const range4 = fc
  .tuple(base4, fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: 1 << 16 }), fc.boolean(), fc.integer({ min: 8, max: 32 }))
  .map(([base, off, len, cidr, plen]): Omit<Ipv4Range, 'value'> => {
    if (cidr) {
      const size = 2 ** (32 - plen);
      const start = Math.min(base + off, 0xffffffff);
      const first = start - (start % size);
      return { first, last: first + size - 1 };
    }
    const first = Math.min(base + off, 0xffffffff);
    return { first, last: Math.min(first + len, 0xffffffff) };
  });
const ranges4 = fc.array(range4, { maxLength: 40 }).map((rs) => rs.map((r, i) => ({ ...r, value: i * 3 })));

test('IPv4 table agrees with the slow reference on nested and overlapping ranges', () => {
  fc.assert(
    fc.property(ranges4, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 50 }), (ranges, randomIps) => {
      const table = Ipv4PrefixTable.fromRanges(ranges);
      const probes = [...randomIps, 0, 0xffffffff];
      for (const r of ranges) probes.push(r.first, r.last, Math.max(r.first - 1, 0), Math.min(r.last + 1, 0xffffffff), (r.first + r.last) >>> 1);
      const bulk = table.lookupMany(Uint32Array.from(probes));
      const bulkStrings = table.lookupManyStrings(probes.map(formatIpv4));
      probes.forEach((ip, i) => {
        const want = reference(ranges, ip);
        assert.equal(table.lookup(ip), want, `${formatIpv4(ip)}`);
        assert.equal(bulk[i], want);
        assert.equal(bulkStrings[i], want);
      });
      // Serialisation round trip answers the same.
      const copy = Ipv4PrefixTable.fromBuffer(table.toBuffer());
      for (const ip of probes) assert.equal(copy.lookup(ip), table.lookup(ip));
    }),
    { numRuns: 200 },
  );
});

test('IPv4 table on sorted disjoint ranges (the linear build path) agrees with the reference', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 40 }), (steps, ips) => {
      const ranges: Ipv4Range[] = [];
      let at = 0;
      steps.forEach((s, i) => {
        const first = at + (i % 3 === 0 ? s : 0); // some adjacent, some with gaps
        ranges.push({ first, last: first + s - 1, value: i % 4 });
        at = first + s;
      });
      const table = Ipv4PrefixTable.fromRanges(ranges);
      for (const ip of [...ips, ...ranges.flatMap((r) => [r.first, r.last, r.last + 1])]) assert.equal(table.lookup(ip), reference(ranges, ip));
    }),
  );
});

const base6 = fc.constantFrom(0n, parseIpv6('2001:db8::'), parseIpv6('2a02:a440::'), parseIpv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:0'));
const max6 = (1n << 128n) - 1n;
const range6 = fc
  .tuple(base6, fc.bigInt({ min: 0n, max: 1n << 72n }), fc.bigInt({ min: 0n, max: 1n << 70n }), fc.boolean(), fc.integer({ min: 24, max: 128 }))
  .map(([base, off, len, cidr, plen]): Omit<Ipv6Range, 'value'> => {
    const start = base + off > max6 ? max6 : base + off;
    if (cidr) {
      const size = 1n << BigInt(128 - plen);
      const first = start - (start % size);
      return { first, last: first + size - 1n };
    }
    return { first: start, last: start + len > max6 ? max6 : start + len };
  });
const ranges6 = fc.array(range6, { maxLength: 30 }).map((rs) => rs.map((r, i) => ({ ...r, value: i })));

test('IPv6 table agrees with the slow reference on nested and overlapping ranges', () => {
  fc.assert(
    fc.property(ranges6, fc.array(fc.bigInt({ min: 0n, max: max6 }), { maxLength: 30 }), (ranges, randomIps) => {
      const table = Ipv6PrefixTable.fromRanges(ranges);
      const probes = [...randomIps, 0n, max6];
      for (const r of ranges) {
        probes.push(r.first, r.last, (r.first + r.last) / 2n);
        if (r.first > 0n) probes.push(r.first - 1n);
        if (r.last < max6) probes.push(r.last + 1n);
      }
      const bulkStrings = table.lookupManyStrings(probes.map(formatIpv6));
      probes.forEach((ip, i) => {
        const want = reference(ranges, ip);
        assert.equal(table.lookup(ip), want, formatIpv6(ip));
        assert.equal(bulkStrings[i], want);
      });
      const copy = Ipv6PrefixTable.fromBuffer(table.toBuffer());
      for (const ip of probes) assert.equal(copy.lookup(ip), table.lookup(ip));
    }),
    { numRuns: 200 },
  );
});

test('IPv6 table on sorted disjoint ranges (the word-based build path)', () => {
  const ranges: Ipv6Range[] = [
    { first: parseIpv6('2001:db8::'), last: parseIpv6('2001:db8:0:ffff:ffff:ffff:ffff:ffff'), value: 1 },
    { first: parseIpv6('2001:db8:1::'), last: parseIpv6('2001:db8:1:ffff:ffff:ffff:ffff:ffff'), value: 1 },
    { first: parseIpv6('2001:db8:2::'), last: parseIpv6('2001:db8:2::ffff'), value: 2 },
    { first: parseIpv6('ffff::'), last: max6, value: 3 },
  ];
  const table = Ipv6PrefixTable.fromRanges(ranges);
  for (const ip of ['::', '2001:db8::1', '2001:db8:1::5', '2001:db8:2::ffff', '2001:db8:2::1:0', 'ffff::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) {
    assert.equal(table.lookupString(ip), reference(ranges, parseIpv6(ip)), ip);
  }
});

test('string lookups: invalid text throws singly and gives INVALID_ADDRESS in bulk', () => {
  const t4 = Ipv4PrefixTable.fromRanges([{ first: parseIpv4('10.0.0.0'), last: parseIpv4('10.255.255.255'), value: 5 }]);
  assert.equal(t4.lookupString('10.1.2.3'), 5);
  assert.equal(t4.lookupString('11.1.2.3'), NO_MATCH);
  assert.throws(() => t4.lookupString('10.1.2'), IpParseError);
  assert.deepEqual(Array.from(t4.lookupManyStrings(['10.0.0.1', 'nonsense', '9.9.9.9'])), [5, INVALID_ADDRESS, NO_MATCH]);
  const t6 = Ipv6PrefixTable.fromRanges([{ first: parseIpv6('2001:db8::'), last: parseIpv6('2001:db8::ffff'), value: 7 }]);
  assert.equal(t6.lookupString('2001:DB8::1'), 7);
  assert.throws(() => t6.lookupString('fe80::1%eth0'), /zone id/);
  assert.deepEqual(Array.from(t6.lookupManyStrings(['2001:db8::2', '::1::'])), [7, INVALID_ADDRESS]);
});

test('build and load reject bad input', () => {
  assert.throws(() => Ipv4PrefixTable.fromRanges([{ first: 10, last: 5, value: 0 }]), RangeError);
  assert.throws(() => Ipv4PrefixTable.fromRanges([{ first: 1, last: 5, value: -3 }]), RangeError);
  assert.throws(() => Ipv4PrefixTable.fromSegments(new Uint32Array([0, 5, 5]), new Int32Array([0, 1, 2])), RangeError);
  assert.throws(() => Ipv4PrefixTable.fromSegments(new Uint32Array([1]), new Int32Array([0])), RangeError);
  const buf = Ipv4PrefixTable.fromRanges([{ first: 1, last: 5, value: 0 }]).toBuffer();
  assert.throws(() => Ipv6PrefixTable.fromBuffer(buf), /magic/);
  assert.throws(() => Ipv4PrefixTable.fromBuffer(buf.subarray(0, buf.length - 8)), /truncated/);
  assert.equal(Ipv4PrefixTable.fromRanges([]).lookup(123), NO_MATCH);
  assert.equal(Ipv6PrefixTable.fromRanges([]).lookup(123n), NO_MATCH);
});

test('a table loaded from an unaligned buffer still works', () => {
  const table = Ipv4PrefixTable.fromRanges([{ first: 100, last: 200, value: 4 }]);
  const buf = table.toBuffer();
  const shifted = new Uint8Array(buf.length + 1);
  shifted.set(buf, 1);
  assert.equal(Ipv4PrefixTable.fromBuffer(shifted.subarray(1)).lookup(150), 4);
});

test('overlay pairs up the values of two tables', () => {
  const ranges = [
    { first: 0, last: 99, value: 1 },
    { first: 200, last: 299, value: 2 },
  ];
  const other = [{ first: 50, last: 249, value: 9 }];
  const a = Ipv4PrefixTable.fromRanges(ranges);
  const b = Ipv4PrefixTable.fromRanges(other);
  const o = overlayIpv4Tables(a, b);
  for (const ip of [0, 49, 50, 99, 100, 199, 200, 249, 250, 299, 300, 0xffffffff]) {
    const seg = o.table.segmentOf(ip);
    assert.equal(o.left[seg], reference(ranges, ip), `left ${ip}`);
    assert.equal(o.right[seg], reference(other, ip), `right ${ip}`);
  }
  const r6 = ranges.map((r) => ({ first: BigInt(r.first), last: BigInt(r.last), value: r.value }));
  const o6r = other.map((r) => ({ first: BigInt(r.first), last: BigInt(r.last), value: r.value }));
  const o6 = overlayIpv6Tables(Ipv6PrefixTable.fromRanges(r6), Ipv6PrefixTable.fromRanges(o6r));
  for (const ip of [0n, 49n, 50n, 99n, 100n, 199n, 200n, 249n, 250n, 299n, 300n, max6]) {
    const seg = o6.table.lookup(ip);
    assert.equal(o6.left[seg], reference(r6, ip), `left ${ip}`);
    assert.equal(o6.right[seg], reference(o6r, ip), `right ${ip}`);
  }
});
