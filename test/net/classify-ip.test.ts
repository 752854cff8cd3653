import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '../../src/net/ip-address.js';
import { classifyIp, isGloballyReachable } from '../../src/net/classify-ip.js';

const TABLE: [address: string, kind: string, block: string | null, reachable: boolean][] = [
  ['0.1.2.3', 'this-network', '0.0.0.0/8', false],
  ['0.0.0.0', 'unspecified', '0.0.0.0/32', false],
  ['10.1.2.3', 'private', '10.0.0.0/8', false],
  ['172.16.0.1', 'private', '172.16.0.0/12', false],
  ['172.31.255.255', 'private', '172.16.0.0/12', false],
  ['172.32.0.0', 'global', null, true],
  ['192.168.1.1', 'private', '192.168.0.0/16', false],
  ['100.64.0.1', 'shared', '100.64.0.0/10', false],
  ['100.128.0.1', 'global', null, true],
  ['127.0.0.1', 'loopback', '127.0.0.0/8', false],
  ['169.254.10.20', 'link-local', '169.254.0.0/16', false],
  ['192.0.0.1', 'protocol-assignment', '192.0.0.0/29', false],
  ['192.0.0.100', 'protocol-assignment', '192.0.0.0/24', false],
  ['192.0.0.9', 'anycast-service', '192.0.0.9/32', true],
  ['192.0.2.1', 'documentation', '192.0.2.0/24', false],
  ['198.51.100.7', 'documentation', '198.51.100.0/24', false],
  ['203.0.113.200', 'documentation', '203.0.113.0/24', false],
  ['198.18.0.1', 'benchmarking', '198.18.0.0/15', false],
  ['198.19.255.255', 'benchmarking', '198.18.0.0/15', false],
  ['192.88.99.1', 'reserved', '192.88.99.0/24', false],
  ['224.0.0.1', 'multicast', '224.0.0.0/4', false],
  ['239.255.255.255', 'multicast', '224.0.0.0/4', false],
  ['240.0.0.1', 'reserved', '240.0.0.0/4', false],
  ['255.255.255.255', 'broadcast', '255.255.255.255/32', false],
  ['31.149.1.1', 'global', null, true],
  ['8.8.8.8', 'global', null, true],
  ['::', 'unspecified', '::/128', false],
  ['::1', 'loopback', '::1/128', false],
  ['::ffff:10.0.0.1', 'ipv4-mapped', '::ffff:0.0.0.0/96', false],
  ['64:ff9b::808:808', 'ipv4-translation', '64:ff9b::/96', true],
  ['64:ff9b:1::1', 'ipv4-translation', '64:ff9b:1::/48', false],
  ['100::1', 'discard-only', '100::/64', false],
  ['2001::1', 'teredo', '2001::/32', false],
  ['2001:2::1', 'benchmarking', '2001:2::/48', false],
  ['2001:db8::1', 'documentation', '2001:db8::/32', false],
  ['3fff::1', 'documentation', '3fff::/20', false],
  ['2002:c000:201::1', '6to4', '2002::/16', false],
  ['fc00::1', 'unique-local', 'fc00::/7', false],
  ['fd12:3456::1', 'unique-local', 'fc00::/7', false],
  ['fe80::1', 'link-local', 'fe80::/10', false],
  ['fec0::1', 'site-local', 'fec0::/10', false],
  ['ff02::1', 'multicast', 'ff00::/8', false],
  ['4000::1', 'reserved', '::/0', false],
  ['2a02:a440::1', 'global', null, true],
  ['2001:4860:4860::8888', 'global', null, true],
];

test('classification of special-purpose space', () => {
  for (const [address, kind, block, reachable] of TABLE) {
    const c = classifyIp(parseIp(address));
    assert.equal(c.kind, kind, address);
    assert.equal(c.block, block, address);
    assert.equal(c.globallyReachable, reachable, address);
    assert.equal(isGloballyReachable(parseIp(address)), reachable, address);
    assert.ok(c.reason.length > 0);
    if (kind !== 'global') {
      assert.ok(c.reason.includes(block!), `${address}: reason names the block`);
      assert.ok(c.rfc?.startsWith('RFC '), `${address}: names the RFC`);
    }
  }
});

test('reasons are readable and name the embedded IPv4 address', () => {
  assert.equal(classifyIp(parseIp('10.1.2.3')).reason, '10.1.2.3 is in 10.0.0.0/8, private-use (RFC 1918)');
  assert.equal(classifyIp(parseIp('::ffff:192.0.2.1')).embeddedIpv4, '192.0.2.1');
  assert.equal(classifyIp(parseIp('2002:c000:201::1')).embeddedIpv4, '192.0.2.1');
  assert.equal(classifyIp(parseIp('64:ff9b::8.8.8.8')).embeddedIpv4, '8.8.8.8');
  // RFC 4380's example: the client's public address is stored inverted.
  assert.equal(classifyIp(parseIp('2001:0:4136:e378:8000:63bf:3fff:fdd2')).embeddedIpv4, '192.0.2.45');
  assert.match(classifyIp(parseIp('2001:0:4136:e378:8000:63bf:3fff:fdd2')).reason, /Teredo.*192\.0\.2\.45/);
});
