import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IpParseError } from '../../src/net/ip-parse-error.js';
import { parseIp } from '../../src/net/ip-address.js';
import { loadBundledNetworkData, rebuildNetworkData } from '../../src/registry/load-bundled-network-data.js';
import { compileNetworkData, NetworkDataError } from '../../src/registry/compile-network-data.js';
import { dateOfDataVersion } from '../../src/registry/network-data-sources.js';
import type { NetworkDataSources } from '../../src/registry/network-data-sources.js';
import { decodeNetworkSnapshot, encodeNetworkSnapshot } from '../../src/registry/network-snapshot.js';
import { NetworkData } from '../../src/registry/network-data.js';

// Tests run from dist/test/registry; the fixtures stay in the source tree.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/registry/', import.meta.url));
const fixtureSources = (dir = FIXTURES): NetworkDataSources => ({
  asnIpv4: join(dir, 'asn-ipv4-num.csv'),
  asnIpv6: join(dir, 'asn-ipv6.csv'),
  countryIpv4: join(dir, 'country-ipv4-num.csv'),
  countryIpv6: join(dir, 'country-ipv6.csv'),
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'baken-registry-'));
}

function checkFixtureAnswers(data: NetworkData): void {
  assert.deepEqual(data.lookup('31.149.1.1'), {
    ip: '31.149.1.1',
    network: '31.149.0.0/16',
    range: '31.149.0.0/16',
    asn: 1136,
    asName: 'KPN B.V.',
    country: 'NL',
  });
  // The nested range wins inside it; the country still comes from the enclosing country range.
  assert.deepEqual(data.lookup('31.149.8.77'), {
    ip: '31.149.8.77',
    network: '31.149.8.0/24',
    range: '31.149.8.0/24',
    asn: 64500,
    asName: 'Nested Example',
    country: 'NL',
  });
  assert.equal(data.lookup('1.0.0.1')?.asName, 'Cloudflare, Inc.');
  assert.equal(data.lookup('2.26.200.1')?.asName, 'LLC "SPUTNIK"');
  // Country without ASN: the network comes from the country range.
  assert.deepEqual(data.lookup('5.0.0.9'), { ip: '5.0.0.9', network: '5.0.0.0/24', range: '5.0.0.0/24', asn: null, asName: null, country: 'DE' });
  assert.equal(data.lookup('10.0.0.1'), null);
  assert.equal(data.lookup('::ffff:31.149.1.1')?.asn, 1136);
  assert.equal(data.lookup('::ffff:31.149.1.1')?.ip, '31.149.1.1');
  assert.deepEqual(data.lookup('2a02:a440:1::1'), {
    ip: '2a02:a440:1::1',
    network: '2a02:a440::/26',
    range: '2a02:a440::/26',
    asn: 1136,
    asName: 'KPN B.V.',
    country: 'NL',
  });
  // Country range wider than the ASN range.
  assert.deepEqual(data.lookup('2a02:a400::1'), { ip: '2a02:a400::1', network: '2a02:a400::/22', range: '2a02:a400::/22', asn: null, asName: null, country: 'NL' });
  assert.equal(data.lookup('2001:200::1')?.country, 'JP');
  assert.equal(data.lookup(parseIp('2001:200::1'))?.asn, 2500);
  assert.equal(data.lookup(parseIp('31.149.1.1'))?.asn, 1136);
  assert.throws(() => data.lookup('31.149.1'), IpParseError);
  assert.throws(() => data.lookup('fe80::1%eth0'), /zone id/);
}

test('fixture CSVs compile into a snapshot that loads back with the same answers', async () => {
  const dataDir = tempDir();
  try {
    const first = await loadBundledNetworkData({ dataDir, sources: fixtureSources() });
    assert.equal(first.compiled, true);
    assert.ok(existsSync(first.file));
    assert.match(first.file, /registry[/\\]custom-v1-1\.0\.2024010203\.bin$/);
    checkFixtureAnswers(first.data);
    assert.equal(first.data.meta.asnVersion, '1.0.2024010203');
    assert.equal(first.data.meta.dataDate, '2024-01-02T03:00:00.000Z');

    const second = await loadBundledNetworkData({ dataDir, sources: fixtureSources() });
    assert.equal(second.compiled, false);
    assert.equal(second.file, first.file);
    checkFixtureAnswers(second.data);
    assert.deepEqual(second.data.meta, first.data.meta);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('bulk lookups return an error in place of a bad address', async () => {
  const dataDir = tempDir();
  try {
    const { data } = await loadBundledNetworkData({ dataDir, sources: fixtureSources() });
    const out = data.lookupMany(['31.149.1.1', 'not an ip', '10.0.0.1', '2001:200::5']);
    assert.equal((out[0] as { asn: number }).asn, 1136);
    assert.ok(out[1] instanceof IpParseError);
    assert.equal(out[2], null);
    assert.equal((out[3] as { country: string }).country, 'JP');
    const asns = data.asnsOfIpv4(Uint32Array.from([parseIp('31.149.1.1').value as number, parseIp('10.0.0.1').value as number]));
    assert.deepEqual(Array.from(asns), [1136, -1]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('encode/decode snapshot round trip keeps every table', async () => {
  const tables = await compileNetworkData(fixtureSources());
  const copy = decodeNetworkSnapshot(encodeNetworkSnapshot(tables));
  assert.deepEqual(copy.meta, tables.meta);
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const [name, array] of Object.entries(tables[family])) {
      assert.deepEqual(Array.from(copy[family][name as keyof typeof copy.ipv4]), Array.from(array as Uint32Array), `${family}.${name}`);
    }
  }
  checkFixtureAnswers(new NetworkData(copy));
});

test('changed sources and damaged snapshots are recompiled', async () => {
  const dataDir = tempDir();
  const srcDir = tempDir();
  try {
    for (const f of ['asn-ipv4-num.csv', 'asn-ipv6.csv', 'country-ipv4-num.csv', 'country-ipv6.csv', 'package.json']) {
      copyFileSync(join(FIXTURES, f), join(srcDir, f));
    }
    const sources = fixtureSources(srcDir);
    const first = await loadBundledNetworkData({ dataDir, sources });
    assert.equal(first.compiled, true);
    // Same version, different content: the fingerprint notices.
    writeFileSync(sources.asnIpv4, '529858560,529924095,1136,KPN Renamed\n');
    utimesSync(sources.asnIpv4, new Date(), new Date(Date.now() + 5000));
    const second = await loadBundledNetworkData({ dataDir, sources });
    assert.equal(second.compiled, true);
    assert.equal(second.data.lookup('31.149.1.1')?.asName, 'KPN Renamed');
    // A truncated snapshot is not trusted.
    const bytes = readFileSync(second.file);
    writeFileSync(second.file, bytes.subarray(0, bytes.length >> 1));
    const third = await loadBundledNetworkData({ dataDir, sources });
    assert.equal(third.compiled, true);
    assert.equal(third.data.lookup('31.149.1.1')?.asName, 'KPN Renamed');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(srcDir, { recursive: true, force: true });
  }
});

test('a bad row fails the compile with file and line', async () => {
  const srcDir = tempDir();
  try {
    for (const f of ['asn-ipv4-num.csv', 'asn-ipv6.csv', 'country-ipv4-num.csv', 'country-ipv6.csv']) copyFileSync(join(FIXTURES, f), join(srcDir, f));
    const sources = fixtureSources(srcDir);
    writeFileSync(sources.countryIpv4, '16777216,16777471,AU\n16777472,16778239,Australia\n');
    await assert.rejects(compileNetworkData(sources), (e: unknown) => e instanceof NetworkDataError && /country-ipv4-num\.csv:2: "Australia"/.test(e.message));
    writeFileSync(sources.countryIpv4, '16777216,16777471,AU\n');
    writeFileSync(sources.asnIpv6, '2001:200::,2001:200::zz,2500,WIDE\n');
    await assert.rejects(compileNetworkData(sources), (e: unknown) => e instanceof NetworkDataError && /asn-ipv6\.csv:1: "2001:200::zz" is not an IPv6 address/.test(e.message));
    writeFileSync(sources.asnIpv6, '2001:200::,2001:200::ff\n');
    await assert.rejects(compileNetworkData(sources), /expected first,last,asn/);
  } finally {
    rmSync(srcDir, { recursive: true, force: true });
  }
});

test('the data date comes from the @ip-location-db version', () => {
  assert.equal(dateOfDataVersion('2.3.2026061719'), '2026-06-17T19:00:00.000Z');
  assert.equal(dateOfDataVersion('custom'), null);
});

test('the real bundled data: 31.149.1.1 is AS1136 (KPN) in NL; a rebuild from newer files takes over', async () => {
  const dataDir = tempDir();
  try {
    const { data, compiled } = await loadBundledNetworkData({ dataDir });
    assert.equal(compiled, true);
    const info = data.lookup('31.149.1.1');
    assert.equal(info?.asn, 1136);
    assert.match(info?.asName ?? '', /KPN/);
    assert.equal(info?.country, 'NL');
    assert.match(data.meta.asnVersion, /^\d+\.\d+\.\d{10}$/);
    assert.ok(data.meta.dataDate.startsWith('20'));

    // Rebuild from "newer" files (the fixtures, labelled with a later version): loads win from now on.
    const rebuilt = await rebuildNetworkData({ dataDir, sources: { ...fixtureSources(), asnVersion: '3.0.2099010100', countryVersion: '3.0.2099010100' } });
    assert.equal(rebuilt.data.meta.dataDate, '2099-01-01T00:00:00.000Z');
    const after = await loadBundledNetworkData({ dataDir });
    assert.equal(after.compiled, false);
    assert.equal(after.file, rebuilt.file);
    assert.equal(after.data.lookup('31.149.8.1')?.asn, 64500);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
