import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostKeySet } from '../../../src/hotline/intake/host-key-set.js';

test('IPv4 keys: (address, port) pairs, no port a key of its own, through many growths', () => {
  const set = new HostKeySet();
  const reference = new Set<string>();
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 200_000; i++) {
    const address = rand() % 50_000 === 0 ? 0xffffffff : (rand() % 100_000) * 40_000;
    const r = rand() % 5;
    const port = r === 0 ? null : r === 1 ? 0 : r === 2 ? 65535 : 443;
    const key = `${address}|${port}`;
    assert.equal(set.add4(address >>> 0, port), !reference.has(key), key);
    reference.add(key);
  }
  assert.equal(set.size, reference.size);
});

test('IPv6 keys compare all four words and the port', () => {
  const set = new HostKeySet();
  const w = new Uint32Array([0x2a020058, 0, 0, 1]);
  assert.equal(set.add6(w, 0, 443), true);
  assert.equal(set.add6(w, 0, 443), false);
  assert.equal(set.add6(w, 0, null), true);
  assert.equal(set.add6(w, 0, 0), true);
  const many = new Uint32Array(4 * 10_000);
  for (let i = 0; i < 10_000; i++) many.set([0x2a020058, i, i * 7, i % 3], 4 * i);
  for (let i = 0; i < 10_000; i++) assert.equal(set.add6(many, 4 * i, 80), true);
  for (let i = 0; i < 10_000; i++) assert.equal(set.add6(many, 4 * i, 80), false);
  assert.equal(set.size, 10_003);
  // The same number as IPv4 and IPv6 are different hosts.
  assert.equal(set.add4(1, 443), true);
});
