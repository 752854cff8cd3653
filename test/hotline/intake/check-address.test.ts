import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAddress, checked, ipv4MaybeSpecial, ipv6MaybeSpecial, parsePort, portProblem } from '../../../src/hotline/intake/check-address.js';
import { classifyIp } from '../../../src/net/classify-ip.js';
import { parseIpv6 } from '../../../src/net/ipv6.js';

test('public addresses pass and come out canonical', () => {
  assert.equal(checkAddress('31.149.1.1'), null);
  assert.equal(checked.text, '31.149.1.1');
  assert.equal(checked.family, 4);
  assert.equal(checkAddress('2A02:0058:0001:0000:0000:0000:0000:0005'), null);
  assert.equal(checked.text, '2a02:58:1::5');
  assert.equal(checked.family, 6);
  // IPv4-mapped IPv6 is the IPv4 host.
  assert.equal(checkAddress('::ffff:31.149.1.1'), null);
  assert.equal(checked.text, '31.149.1.1');
  assert.equal(checked.family, 4);
});

test('special-purpose space is refused with the classification reason', () => {
  const cases: [string, RegExp][] = [
    ['10.1.2.3', /^10\.1\.2\.3 is in 10\.0\.0\.0\/8, private-use \(RFC 1918\)/],
    ['172.16.0.1', /private-use \(RFC 1918\)/],
    ['192.168.1.1', /private-use \(RFC 1918\)/],
    ['100.64.3.4', /shared address space \(carrier-grade NAT\) \(RFC 6598\)/],
    ['127.0.0.1', /loopback/],
    ['169.254.1.1', /link-local/],
    ['192.0.2.1', /documentation \(TEST-NET-1\)/],
    ['198.51.100.1', /documentation \(TEST-NET-2\)/],
    ['203.0.113.1', /documentation \(TEST-NET-3\)/],
    ['198.18.0.1', /benchmarking/],
    ['224.0.0.1', /multicast/],
    ['240.0.0.1', /reserved for future use/],
    ['255.255.255.255', /limited broadcast/],
    ['0.1.2.3', /"this network"/],
    ['192.0.0.9', /Port Control Protocol anycast/],
    ['::1', /loopback/],
    ['fe80::1', /link-local/],
    ['fc00::1', /unique local/],
    ['2001:db8::1', /documentation/],
    ['3fff::1', /documentation/],
    ['2002:1f95:101::1', /6to4.*embeds the IPv4 address 31\.149\.1\.1/],
    ['ff02::1', /multicast/],
    ['::ffff:10.0.0.1', /^10\.0\.0\.1 is in 10\.0\.0\.0\/8/],
  ];
  for (const [ip, re] of cases) {
    const reason = checkAddress(ip);
    assert.ok(reason !== null && re.test(reason), `${ip}: ${reason}`);
    assert.match(reason!, /special-purpose address space/);
  }
});

test('text that is no address says why', () => {
  assert.equal(checkAddress('31.149.1.999'), '"31.149.1.999" is not a valid IPv4 address: a part is greater than 255');
  assert.equal(checkAddress('31.149.01.1'), '"31.149.01.1" is not a valid IPv4 address: a part has a leading zero (ambiguous: octal or decimal?)');
  assert.equal(checkAddress('31.149.1'), '"31.149.1" is not a valid IPv4 address: it has fewer than 4 parts');
  assert.equal(checkAddress('31.149.1.0/24'), '"31.149.1.0/24" is not a valid IPv4 address: it has a prefix length; parse it as a CIDR prefix');
  assert.match(checkAddress('2a02:58::1::2')!, /IPv6/);
  assert.match(checkAddress('fe80::1%eth0')!, /zone/);
  assert.equal(checkAddress('mail.example.nl'), '"mail.example.nl" is a host name, not an IP address: resolve it to its addresses first');
  assert.equal(checkAddress(''), 'the address is empty');
});

test('the fast pre-filter never lets classifyIp special space through', () => {
  // Every /8 the filter calls plain global must be global at its edges and at spread-out points inside.
  for (let o = 0; o < 256; o++) {
    if (ipv4MaybeSpecial(o << 24)) continue;
    for (let k = 0; k < 4096; k++) {
      const v = ((o << 24) | Math.floor((k / 4095) * 0xffffff)) >>> 0;
      assert.equal(classifyIp({ kind: 'ipv4', value: v }).kind, 'global', `${o}.x: ${v}`);
    }
  }
  for (let g = 0; g < 0x10000; g++) {
    if (ipv6MaybeSpecial(g << 16)) continue;
    const base = BigInt(g) << 112n;
    for (const off of [0n, (1n << 112n) - 1n, 1n << 80n, 0xffffn << 96n, 1n << 64n]) {
      assert.equal(classifyIp({ kind: 'ipv6', value: base + off }).kind, 'global', `${g.toString(16)}::`);
    }
  }
  assert.equal(classifyIp({ kind: 'ipv6', value: parseIpv6('2a02:58::1') }).kind, 'global');
});

test('ports are whole numbers from 0 to 65535', () => {
  assert.equal(parsePort('0'), 0);
  assert.equal(parsePort('443'), 443);
  assert.equal(parsePort('65535'), 65535);
  assert.equal(parsePort('65536'), -1);
  assert.equal(parsePort('-1'), -1);
  assert.equal(parsePort('80.5'), -1);
  assert.equal(parsePort(''), -1);
  assert.equal(parsePort('http'), -1);
  assert.equal(portProblem('http'), '"http" is not a port: ports are whole numbers from 0 to 65535');
});
