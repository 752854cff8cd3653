import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { formatIpRange } from '../../../src/net/ip-range.js';
import { isGzipFile, openRpslFile, readRpsl, rpslValue, rpslValues, type RpslEntry, type RpslObject, type RpslSkipped } from '../../../src/registry/rpsl/rpsl-reader.js';
import { rpslKey } from '../../../src/registry/rpsl/rpsl-primary-key.js';
import { isRipeNccAdministrative, isRipeNccMaintained } from '../../../src/registry/rpsl/ripe-ncc.js';

// Tests run from dist/test/registry/rpsl; the fixtures stay in the source tree.
const RPSL_FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/rpsl/', import.meta.url));
// The shared reference samples beside the checkout (not part of the repository).
const SAMPLES = fileURLToPath(new URL('../../../../../shared/samples/rpsl/', import.meta.url));

async function read(text: string | Buffer | string[], file = 'test.db'): Promise<RpslEntry[]> {
  const chunks = Array.isArray(text) ? text.map((t) => Buffer.from(t)) : [typeof text === 'string' ? Buffer.from(text) : text];
  const out: RpslEntry[] = [];
  for await (const e of readRpsl(Readable.from(chunks), { file })) out.push(e);
  return out;
}

const objects = (es: RpslEntry[]) => es.filter((e): e is RpslObject => e.kind === 'object');
const skips = (es: RpslEntry[]) => es.filter((e): e is RpslSkipped => e.kind === 'skipped');

describe('RPSL reader', () => {
  test('objects, continuation lines, comments, repeated and upper-case attributes', async () => {
    const es = await read(
      [
        '% comment at the top\n# another\n\n',
        'inetnum:  192.0.2.0 - 192.0.2.255\nNetName: EXAMPLE-NET # trailing comment\ndescr: first\n+ second\n\tthird\n  # only a comment\n',
        'mnt-by: A-MNT\nMNT-BY: B-MNT\n%inside comment\nsource: RIPE\r\n\r\n',
        'role: Abuse Team\nnic-hdl: ab1-test\nabuse-mailbox: abuse@example.net\n',
      ],
      'ripe.db',
    );
    assert.equal(skips(es).length, 0);
    const [net, role] = objects(es);
    assert.ok(net && role);
    assert.equal(net.class, 'inetnum');
    assert.equal(net.line, 4);
    assert.equal(net.file, 'ripe.db');
    assert.equal(net.key.kind, 'range');
    assert.equal(net.key.text, '192.0.2.0 - 192.0.2.255');
    assert.equal(rpslValue(net, 'netname'), 'EXAMPLE-NET');
    assert.equal(rpslValue(net, 'descr'), 'first\nsecond\nthird');
    assert.deepEqual(rpslValues(net, 'mnt-by'), ['A-MNT', 'B-MNT']);
    assert.equal(rpslValue(net, 'source'), 'RIPE');
    assert.equal(role.class, 'role');
    assert.equal(role.key.text, 'AB1-TEST', 'the primary key of a role is its nic-hdl, upper case');
    assert.equal(role.line, 15);
    assert.equal(rpslValue(role, 'abuse-mailbox'), 'abuse@example.net');
  });

  test('lines split anywhere across chunks, multi-byte characters included', async () => {
    const text = 'organisation: ORG-X1-RIPE\norg-name: Société Générale Ünïcode\nsource: RIPE\n\naut-num: AS1\nas-name: ONE\n';
    const whole = await read(text);
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut += 3) {
      const parts: RpslEntry[] = [];
      for await (const e of readRpsl(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]), { file: 'test.db' })) parts.push(e);
      assert.deepEqual(parts, whole, `cut at ${cut}`);
    }
    assert.equal(rpslValue(objects(whole)[0]!, 'org-name'), 'Société Générale Ünïcode');
    assert.equal(objects(whole)[1]!.key.text, 'AS1');
  });

  test('every class Baken imports, from the fixtures', async () => {
    const byClass = new Map<string, RpslObject[]>();
    for (const name of ['ripe.db.inetnum', 'ripe.db.inet6num', 'ripe.db.role', 'ripe.db.organisation', 'ripe.db.aut-num']) {
      for await (const e of openRpslFile(join(RPSL_FIXTURES, name)).entries()) {
        assert.equal(e.kind, 'object', `${name}: ${e.kind === 'skipped' ? e.message : ''}`);
        if (e.kind === 'object') byClass.set(e.class, [...(byClass.get(e.class) ?? []), e]);
      }
    }
    assert.equal(byClass.get('inetnum')!.length, 11);
    assert.equal(byClass.get('inet6num')!.length, 4);
    assert.equal(byClass.get('role')!.length, 6);
    assert.equal(byClass.get('organisation')!.length, 6);
    assert.equal(byClass.get('aut-num')!.length, 4);
    const alloc = byClass.get('inetnum')!.find((o) => rpslValue(o, 'netname') === 'NL-VOORBEELD-20000101')!;
    assert.equal(alloc.line, 25);
    assert.equal(rpslValue(alloc, 'descr'), 'Voorbeeld Telecom B.V.\nUtrecht\nThe Netherlands');
    assert.equal(rpslValue(alloc, 'source'), 'RIPE', 'trailing comment removed');
    const v6 = byClass.get('inet6num')!.find((o) => rpslValue(o, 'netname') === 'VT-CUSTOMER-B-V6')!;
    assert.equal(v6.key.text, '2001:db8:ff::/48', 'inet6num keys are canonical');
    assert.equal(byClass.get('aut-num')!.at(-1)!.key.text, 'AS64503');
    assert.equal(byClass.get('organisation')!.find((o) => rpslValue(o, 'org-name') === 'Customer A')!.key.text, 'ORG-CA1-RIPE');
    const mp = byClass.get('aut-num')![0]!;
    assert.equal(rpslValue(mp, 'mp-import'), 'afi ipv6.unicast from AS64501\naccept ANY');
  });

  test('malformed objects are skipped with the line and the reason; reading goes on', async () => {
    const es: RpslEntry[] = [];
    for await (const e of openRpslFile(join(RPSL_FIXTURES, 'malformed.db')).entries()) es.push(e);
    assert.deepEqual(
      objects(es).map((o) => [o.class, o.key.text, o.line]),
      [
        ['inetnum', '192.0.2.0 - 192.0.2.255', 3],
        ['organisation', 'ORG-GOOD2-RIPE', 43],
      ],
    );
    assert.deepEqual(
      skips(es).map((s) => [s.line, s.errorLine, s.reason, s.class]),
      [
        [7, 7, 'first-line-not-attribute', null],
        [11, 13, 'not-an-attribute', 'inetnum'],
        [16, 17, 'not-an-attribute', 'inetnum'],
        [20, 20, 'bad-primary-key', 'inetnum'],
        [24, 24, 'bad-primary-key', 'inetnum'],
        [28, 28, 'bad-primary-key', 'inet6num'],
        [32, 32, 'bad-primary-key', 'aut-num'],
        [36, 36, 'bad-primary-key', 'role'],
        [40, 40, 'first-line-not-attribute', null],
      ],
    );
    for (const s of skips(es)) assert.equal(s.file, 'malformed.db');
    const msg = (line: number) => skips(es).find((s) => s.errorLine === line)!.message;
    assert.match(msg(13), /neither an attribute nor a continuation/);
    assert.match(msg(17), /malformed attribute name "\$\$\$-by"/);
    assert.match(msg(20), /first address is after the last/);
    assert.match(msg(24), /300/);
    assert.match(msg(32), /not an AS number/);
    assert.match(msg(36), /no nic-hdl/);
  });

  test('an absurdly large object is skipped, and the next one is read', async () => {
    const big = `inetnum: 192.0.2.0 - 192.0.2.255\n${'remarks: x\n'.repeat(10_001)}\naut-num: AS5\n`;
    const es = await read(big);
    assert.equal(skips(es)[0]!.reason, 'object-too-large');
    assert.equal(skips(es)[0]!.errorLine, 10_001);
    assert.equal(objects(es)[0]!.key.text, 'AS5');
    assert.equal(objects(es)[0]!.line, 10_004);
  });

  test('only the wanted classes and attributes when asked', async () => {
    const text = 'route: 192.0.2.0/24\norigin: AS1\n\ninetnum: 192.0.2.0 - 192.0.2.255\nnetname: N\ndescr: d\n+ more\nstatus: ASSIGNED PA\n';
    const out: RpslEntry[] = [];
    for await (const e of readRpsl(Readable.from([Buffer.from(text)]), { classes: new Set(['inetnum']), attributes: new Set(['netname', 'status']) })) out.push(e);
    assert.equal(out.length, 1);
    const o = out[0] as RpslObject;
    assert.deepEqual(o.attributes, [
      { name: 'netname', value: 'N' },
      { name: 'status', value: 'ASSIGNED PA' },
    ]);
  });

  test('gzip is detected by its magic bytes, not its name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baken-rpsl-'));
    try {
      const plain = readFileSync(join(RPSL_FIXTURES, 'ripe.db.role'));
      writeFileSync(join(dir, 'roles.txt'), gzipSync(plain));
      writeFileSync(join(dir, 'roles.gz'), plain);
      assert.equal(isGzipFile(join(dir, 'roles.txt')), true);
      assert.equal(isGzipFile(join(dir, 'roles.gz')), false);
      for (const name of ['roles.txt', 'roles.gz']) {
        const f = openRpslFile(join(dir, name));
        const es: RpslEntry[] = [];
        for await (const e of f.entries()) es.push(e);
        assert.equal(objects(es).length, 6, name);
        assert.equal(f.bytesRead(), f.size);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('primary keys: ranges, prefixes, AS numbers, handles', () => {
    const k = (cls: string, v: string) => rpslKey(cls, v);
    const r = k('inetnum', '192.0.2.0 - 192.0.02.255');
    assert.ok(typeof r !== 'string' && r.kind === 'range');
    assert.equal(formatIpRange(r.range), '192.0.2.0/24', 'zero-padded octets are decimal');
    assert.equal(typeof k('inetnum', '192.0.2.0/24'), 'string', 'inetnum is a range, not a prefix');
    assert.equal(typeof k('inetnum', '2001:db8:: - 2001:db8::ff'), 'string');
    assert.equal(typeof k('inetnum', ''), 'string');
    assert.deepEqual(k('aut-num', 'as065537'), { kind: 'asn', text: 'AS65537', asn: 65537 });
    assert.equal(typeof k('aut-num', 'AS4294967296'), 'string');
    assert.equal(typeof k('inet6num', '2001:db8::/129'), 'string');
    assert.equal(typeof k('inet6num', '192.0.2.0/24'), 'string');
    assert.deepEqual(k('organisation', 'org-x1-ripe'), { kind: 'handle', text: 'ORG-X1-RIPE' });
    assert.equal(typeof k('role', 'TWO WORDS'), 'string');
  });

  test('RIPE NCC maintained and administrative space', () => {
    assert.equal(isRipeNccMaintained(['VT-MNT', 'RIPE-NCC-HM-MNT']), true);
    assert.equal(isRipeNccMaintained(['RIPE-NCC-MNT']), false, 'the RIPE NCC as an operator of its own networks');
    assert.equal(isRipeNccAdministrative({ status: 'ALLOCATED   unspecified', org: null, mntBy: ['X-MNT'] }), true);
    assert.equal(isRipeNccAdministrative({ status: 'ALLOCATED-BY-RIR', org: 'ORG-IANA1-RIPE', mntBy: ['RIPE-NCC-HM-MNT'] }), true);
    assert.equal(isRipeNccAdministrative({ status: 'ALLOCATED-BY-RIR', org: 'ORG-VT1-RIPE', mntBy: ['RIPE-NCC-HM-MNT'] }), false);
    assert.equal(isRipeNccAdministrative({ status: 'ASSIGNED PA', org: null, mntBy: [] }), false);
  });

  test('the reference samples beside the checkout', { skip: existsSync(SAMPLES) ? false : 'no ../shared/samples/rpsl' }, async () => {
    const results = new Map<string, RpslEntry[]>();
    for (const name of readdirSync(SAMPLES).filter((n) => n.startsWith('sample_'))) {
      const es: RpslEntry[] = [];
      for await (const e of openRpslFile(join(SAMPLES, name)).entries()) es.push(e);
      results.set(name, es);
    }
    const one = (name: string) => {
      const es = results.get(name)!;
      assert.equal(es.length, 1, name);
      return es[0]!;
    };
    const inet = one('sample_inetnum.txt') as RpslObject;
    assert.equal(inet.kind, 'object');
    assert.equal(inet.key.text, '192.0.2.0 - 192.0.2.255');
    assert.equal((one('sample_inet6num.txt') as RpslObject).key.text, '2001:db8::/48');
    assert.equal((one('sample_aut_num.txt') as RpslObject).key.text, 'AS65537');
    assert.equal(rpslValue(one('sample_aut_num.txt') as RpslObject, 'descr'), 'description\nfoo');
    assert.equal((one('sample_role.txt') as RpslObject).key.text, 'ROLE-TEST');
    assert.equal((one('sample_organisation.txt') as RpslObject).key.text, 'TEST-ORG');
    assert.equal((one('sample_mntner.txt') as RpslObject).kind, 'object');
    assert.equal((one('sample_key_cert.txt') as RpslObject).kind, 'object', 'white-space-only lines continue the object');
    assert.equal((one('sample_domain.txt') as RpslObject).kind, 'object');
    assert.equal((one('sample_line_neither_continuation_nor_attr.txt') as RpslSkipped).reason, 'not-an-attribute');
    assert.equal((one('sample_line_neither_continuation_nor_attr.txt') as RpslSkipped).errorLine, 4);
    assert.equal((one('sample_malformed_attribute_name.txt') as RpslSkipped).reason, 'not-an-attribute');
    assert.equal((one('sample_legacy_irrd_artifact.txt') as RpslSkipped).reason, 'first-line-not-attribute');
    // An empty line ends an object: the rest is a second object, of class "changed".
    assert.deepEqual(results.get('sample_malformed_empty_line.txt')!.map((e) => (e.kind === 'object' ? e.class : e.reason)), ['route', 'changed']);
    for (const [name, es] of results) for (const e of es) if (e.kind === 'skipped') assert.ok(e.line >= 1 && e.message.length > 0, name);
  });
});
