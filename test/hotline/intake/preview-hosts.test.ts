import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previewHosts } from '../../../src/hotline/intake/preview-hosts.js';

test('the first rows, every rejected line among the lines read, the format, columns and mapping', () => {
  const lines = ['Address,Port,seen,product'];
  for (let i = 1; i <= 40; i++) lines.push(i % 10 === 0 ? `10.0.0.${i},80,2026-11-20,x` : `31.149.1.${i},80,2026-11-20,x`);
  const p = previewHosts(lines.join('\n'), {}, { rows: 20 });
  assert.equal(p.format, 'csv');
  assert.deepEqual(p.columns, ['Address', 'Port', 'seen', 'product']);
  assert.deepEqual(p.mapping, { ip: 'Address', port: 'Port', timestamp: 'seen', extra: ['product'] });
  assert.equal(p.hosts.length, 20);
  assert.equal(p.hosts[19]!.ip, '31.149.1.22');
  assert.deepEqual(p.rejected.map((r) => r.line), [11, 21]);
  assert.equal(p.linesRead, 23);
  assert.equal(p.complete, false);
  assert.equal(p.error, null);
});

test('a header without an address column: the error and the columns, for the mapping form', () => {
  const p = previewHosts('"Adres, publiek",wanneer\n31.149.1.1,2026-11-20\n', {});
  assert.equal(p.format, 'ips', 'no ip-like column: auto reads it as a plain list');
  const q = previewHosts('"Adres, publiek",wanneer\n31.149.1.1,2026-11-20\n', { format: 'csv' });
  assert.equal(q.error?.code, 'header');
  assert.deepEqual(q.columns, ['Adres, publiek', 'wanneer']);
  assert.deepEqual(q.hosts, []);
  const m = previewHosts('"Adres, publiek",wanneer\n31.149.1.1,2026-11-20\n', { format: 'csv', mapping: { ip: 'Adres, publiek', timestamp: 'wanneer' } });
  assert.equal(m.error, null);
  assert.deepEqual(m.hosts.map((h) => `${h.ip} ${h.timestamp}`), ['31.149.1.1 2026-11-20T00:00:00Z']);
  assert.equal(m.complete, true);
});

test('partial text: the cut-off last line is not read; strict and an all-bad prefix do not throw', () => {
  const p = previewHosts('31.149.1.1\n10.0.0.1\n31.149.1.', { strict: true }, { partial: true });
  assert.deepEqual(p.hosts.map((h) => h.ip), ['31.149.1.1']);
  assert.deepEqual(p.rejected.map((r) => r.line), [2]);
  assert.equal(p.linesRead, 2);
  assert.equal(p.complete, false);
  const bad = previewHosts('nope\n', {});
  assert.deepEqual(bad.hosts, []);
  assert.equal(bad.rejected.length, 1);
  assert.equal(bad.complete, true);
});
