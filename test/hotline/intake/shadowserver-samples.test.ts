import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IntakeError } from '../../../src/hotline/intake/intake-error.js';
import { readAllHosts } from '../../../src/hotline/intake/read-hosts.js';
import { SAMPLES } from './helpers.js';

const DIR = join(SAMPLES, 'shadowserver');
const skip = existsSync(DIR) ? false : 'no ../shared/samples/shadowserver';
const open = (name: string) => createReadStream(join(DIR, name));

test('every reference Shadowserver report is recognised', { skip }, async () => {
  for (const name of readdirSync(DIR).filter((n) => n.endsWith('.csv'))) {
    const r = await readAllHosts(open(name)).catch((e: unknown) => e);
    // scan_ntp holds only RFC 1918 addresses (anonymised): refused as a whole, which is right.
    if (r instanceof IntakeError) {
      assert.equal(name, 'scan_ntp.csv', `${name}: ${r.message}`);
      continue;
    }
    assert.ok(!(r instanceof Error), String(r));
    assert.equal((r as Awaited<ReturnType<typeof readAllHosts>>).summary.format, 'shadowserver', name);
  }
});

test('scan_telnet: one host (the second line is the same ip and port), no rejected line', { skip }, async () => {
  const r = await readAllHosts(open('scan_telnet.csv'));
  assert.deepEqual(r.rejected, []);
  assert.equal(r.summary.duplicates, 1);
  assert.deepEqual(r.hosts, [
    {
      ip: '198.123.245.145',
      port: 5678,
      timestamp: '2019-09-04T12:27:34Z',
      extra: { protocol: 'tcp', hostname: 'example.local', tag: 'telnet-alt', asn: '20255', geo: 'AA', region: 'LOCATION', city: 'LOCATION', naics: '0', sic: '0', banner: '|MikroTik v6.5|Login:' },
      line: 2,
      warnings: [],
    },
  ]);
});

test('scan_rdp: rows one column short of the header (jarm came later) are read, none rejected', { skip }, async () => {
  const r = await readAllHosts(open('scan_rdp.csv'));
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.hosts.map((h) => `${h.ip} ${h.port} ${h.timestamp}`), ['198.123.245.178 5678 2019-09-04T15:45:51Z', '198.123.245.233 5678 2019-09-04T15:45:51Z']);
  assert.equal(r.hosts[0]!.extra.subject_common_name, 'KABESRV.KABE.local');
  assert.equal(r.hosts[0]!.extra.jarm, undefined);
  assert.equal(r.summary.columns!.length, 32);
});

test('scan_ntp: its anonymised addresses are private space, every line rejected as such', { skip }, async () => {
  await assert.rejects(readAllHosts(open('scan_ntp.csv')), (e: unknown) => {
    assert.ok(e instanceof IntakeError);
    assert.equal(e.code, 'no-valid-host');
    assert.deepEqual(e.problems.map((p) => `${p.line} ${p.field}`), ['2 ip', '3 ip', '4 ip']);
    assert.match(e.problems[0]!.reason, /^192\.168\.0\.1 is in 192\.168\.0\.0\/16, private-use \(RFC 1918\)/);
    return true;
  });
});
