import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IpParseError } from '../../src/net/ip-parse-error.js';
import { formatIpv4, parseIpv4, parseIpv4Fast } from '../../src/net/ipv4.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

test('format then parse gives the same uint32', () => {
  fc.assert(fc.property(u32, (v) => parseIpv4(formatIpv4(v)) === v));
});

test('parse then format gives the same text for canonical dotted quads', () => {
  const quad = fc.tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 0, max: 255 }))).map((p) => p.join('.'));
  fc.assert(fc.property(quad, (s) => formatIpv4(parseIpv4(s)) === s));
});

test('the fast parser agrees with the strict one on arbitrary text', () => {
  const chars = fc.constantFrom('0', '1', '2', '5', '9', '.', '.', 'a', ' ', '/', ':');
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 18 }).map((a) => a.join('')), (s) => {
      const fast = parseIpv4Fast(s);
      try {
        return parseIpv4(s) === fast;
      } catch (e) {
        return e instanceof IpParseError && fast < 0;
      }
    }),
  );
});

test('known values', () => {
  assert.equal(parseIpv4('0.0.0.0'), 0);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('10.0.0.1'), 167772161);
  assert.equal(parseIpv4('31.149.1.1'), (31 * 2 ** 24) + (149 << 16) + (1 << 8) + 1);
  assert.equal(formatIpv4(3221225985), '192.0.2.1');
});

test('every rejection says why', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['1.2.3', 'too-few-parts'],
    ['1.2.3.4.5', 'too-many-parts'],
    ['1..2.3', 'empty-part'],
    ['.1.2.3', 'empty-part'],
    ['1.2.3.', 'empty-part'],
    ['01.2.3.4', 'leading-zero'],
    ['1.2.3.00', 'leading-zero'],
    ['1.2.3.256', 'octet-out-of-range'],
    ['1.2.3.1000', 'octet-out-of-range'],
    ['1.2.3.a', 'invalid-character'],
    ['0x1.2.3.4', 'invalid-character'],
    [' 1.2.3.4', 'whitespace'],
    ['1.2.3.4\n', 'whitespace'],
    ['10.0.0.0/8', 'prefix-length-not-allowed'],
    ['-1.2.3.4', 'invalid-character'],
    ['１.2.3.4', 'invalid-character'],
  ];
  for (const [input, reason] of cases) {
    assert.throws(
      () => parseIpv4(input),
      (e: unknown) => e instanceof IpParseError && e.reason === reason && e.message.includes('not a valid IPv4 address') && e.input === input,
      `${JSON.stringify(input)} should fail with ${reason}`,
    );
    assert.ok(parseIpv4Fast(input) < 0);
  }
});

test('a long input is cut short in the message', () => {
  const input = '1'.repeat(10_000);
  assert.throws(() => parseIpv4(input), (e: unknown) => e instanceof Error && e.message.length < 200);
});
