import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIp } from '../../src/net/ip-address.js';
import { SYSTEM } from '../../src/platform/context.js';
import { BakenError } from '../../src/platform/errors.js';
import { cleanAbuseEmails } from '../../src/registry/abuse-emails.js';
import { loadBundledNetworkData } from '../../src/registry/load-bundled-network-data.js';
import { OperatorIndexCache } from '../../src/registry/operator-index.js';
import { createOperator, exportOperatorsCsv, getOperator, importOperatorsCsv, listOperators, updateOperator } from '../../src/registry/operators.js';
import { Resolver, type ContactHit, type RpslPort } from '../../src/registry/resolver.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { fixtureSources } from '../helpers/network-fixtures.js';

test('abuse addresses are cleaned: case, duplicates, lists, display names, trailing commas', () => {
  assert.deepEqual(cleanAbuseEmails('Abuse Desk <ABUSE@Example.net>, abuse@example.net; noc@example.net,'), { emails: ['abuse@example.net', 'noc@example.net'], invalid: [] });
  assert.deepEqual(cleanAbuseEmails(['mailto:Cert@Example.NL', 'a@b.example c@d.example', '"Doe, John" <john@x.example>']), {
    emails: ['cert@example.nl', 'a@b.example', 'c@d.example', 'john@x.example'],
    invalid: [],
  });
  assert.deepEqual(cleanAbuseEmails('not-an-address, @x.example, ok@x.example'), { emails: ['ok@x.example'], invalid: ['not-an-address', '@x.example'] });
});

describeEachDatabase('operator directory', (db) => {
  test('create with ASNs, prefixes and contacts; canonical forms; search by name, ASN, contact, prefix and address', async () => {
    const { ctx } = db();
    const kpn = await createOperator(ctx, SYSTEM, {
      name: 'KPN',
      language: 'nl',
      asns: ['AS1136', 286],
      prefixes: ['31.149.0.0/16', '2A02:A440::/29'],
      contacts: ['Abuse <ABUSE@kpn.example>', 'cert@kpn.example'],
    });
    assert.deepEqual(kpn.asns, [286, 1136]);
    assert.deepEqual(kpn.prefixes.sort(), ['2a02:a440::/29', '31.149.0.0/16']);
    assert.deepEqual(kpn.contacts, ['abuse@kpn.example', 'cert@kpn.example']);
    assert.equal(kpn.organisation.kind, 'operator');
    await createOperator(ctx, SYSTEM, { name: 'Example Hosting', asns: [64501], prefixes: ['31.149.8.0/24'] });
    assert.deepEqual((await listOperators(ctx, 'kpn')).map((o) => o.organisation.name), ['KPN']);
    assert.deepEqual((await listOperators(ctx, 'AS64501')).map((o) => o.organisation.name), ['Example Hosting']);
    assert.deepEqual((await listOperators(ctx, 'cert@kpn')).map((o) => o.organisation.name), ['KPN']);
    assert.deepEqual((await listOperators(ctx, '31.149.8.9')).map((o) => o.organisation.name), ['Example Hosting'], 'the most specific prefix');
    assert.deepEqual((await listOperators(ctx, '31.149.200.1')).map((o) => o.organisation.name), ['KPN']);
    assert.deepEqual(await listOperators(ctx, 'nothing like it'), []);
  });

  test('bad input names the field and changes nothing; an ASN or prefix has one owner', async () => {
    const { ctx } = db();
    const count = (await listOperators(ctx)).length;
    const bad = async (input: Parameters<typeof createOperator>[2], pattern: RegExp) =>
      assert.rejects(createOperator(ctx, SYSTEM, input), (e: unknown) => e instanceof BakenError && pattern.test(e.message));
    await bad({ name: 'X', asns: ['AS0'] }, /asns: "AS0" is not an AS number/);
    await bad({ name: 'X', asns: ['ASX'] }, /asns: "ASX"/);
    await bad({ name: 'X', prefixes: ['10.0.0.1/8'] }, /prefixes: .*host bits/);
    await bad({ name: 'X', prefixes: ['300.0.0.0/8'] }, /prefixes:/);
    await bad({ name: 'X', contacts: ['nobody'] }, /contacts: not an email address: "nobody"/);
    await bad({ name: 'X', asns: [1136] }, /AS1136 belongs to KPN/);
    await bad({ name: 'X', prefixes: ['31.149.0.0/16'] }, /31\.149\.0\.0\/16 belongs to KPN/);
    assert.equal((await listOperators(ctx)).length, count, 'nothing was created');
  });

  test('update replaces the lists that are given', async () => {
    const { ctx } = db();
    const [hosting] = await listOperators(ctx, 'Example Hosting');
    const u = await updateOperator(ctx, SYSTEM, hosting!.organisation.id, { contacts: ['abuse@hosting.example'], notes: 'reseller of KPN' });
    assert.deepEqual(u.contacts, ['abuse@hosting.example']);
    assert.deepEqual(u.asns, [64501], 'untouched');
    assert.equal(u.organisation.notes, 'reseller of KPN');
    await assert.rejects(updateOperator(ctx, SYSTEM, 999999, { notes: 'x' }), /no operator with id 999999/);
  });

  test('CSV export and import round trip; import updates by name; any bad line refuses the file', async () => {
    const { ctx } = db();
    const csv = await exportOperatorsCsv(ctx);
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'name,asns,prefixes,abuse_contacts,language,notes');
    assert.ok(lines.includes('KPN,AS286 AS1136,2a02:a440::/29 31.149.0.0/16,abuse@kpn.example cert@kpn.example,nl,'), csv);
    const result = await importOperatorsCsv(
      ctx,
      SYSTEM,
      'name,asns,prefixes,abuse_contacts,language,notes\nKPN,AS286 AS1136,31.149.0.0/16,noc@kpn.example,nl,\n"Ziggo, Inc.",AS33915,,"abuse@ziggo.example",en,"a note, with a comma"\n',
    );
    assert.deepEqual(result, { created: 1, updated: 1 });
    const kpn = (await listOperators(ctx, 'KPN'))[0]!;
    assert.deepEqual(kpn.contacts, ['noc@kpn.example']);
    assert.deepEqual(kpn.prefixes, ['31.149.0.0/16']);
    const ziggo = (await listOperators(ctx, 'ziggo'))[0]!;
    assert.equal(ziggo.organisation.notes, 'a note, with a comma');

    const before = await exportOperatorsCsv(ctx);
    await assert.rejects(
      importOperatorsCsv(ctx, SYSTEM, 'name,asns,abuse_contacts\nNew One,AS64999,new@one.example\nBroken,ASnope,x@y.example\n,AS1,\nTwo,AS2,not-mail\n'),
      (e: unknown) => {
        assert.ok(e instanceof BakenError);
        assert.deepEqual(
          e.problems.map((p) => p.field),
          ['line 3, asns', 'line 4, name', 'line 5, abuse_contacts'],
        );
        return true;
      },
    );
    await assert.rejects(importOperatorsCsv(ctx, SYSTEM, 'name,asns\nTaken,AS1136\n'), /line 2: .*AS1136 belongs to KPN/);
    await assert.rejects(importOperatorsCsv(ctx, SYSTEM, 'naam,asns\nX,AS1\n'), /no "name" column/);
    await assert.rejects(importOperatorsCsv(ctx, SYSTEM, 'name\n"unclosed\n'), /line 2: a quoted field is not closed/);
    assert.equal(await exportOperatorsCsv(ctx), before, 'a refused file changes nothing');
  });

  test('resolve: manual contacts win over RPSL, RPSL over RDAP; each answer says its source', async () => {
    const { ctx, dataDir } = db();
    const { data } = await loadBundledNetworkData({ dataDir, sources: fixtureSources() });
    const rpslHits = new Map<string, ContactHit>([
      ['31.149.1.1', { network: '31.149.0.0/20', abuseContacts: ['abuse@kpn-rpsl.example'], registryDate: '2026-11-01T00:00:00Z' }],
      ['31.149.8.8', { network: '31.149.8.0/24', abuseContacts: ['abuse@hosting-rpsl.example'], registryDate: '2026-11-01T00:00:00Z' }],
    ]);
    const rpsl: RpslPort = { lookup: (ip) => rpslHits.get(ip.kind === 'ipv4' ? [24, 16, 8, 0].map((s) => (ip.value >>> s) & 255).join('.') : '') ?? null };
    const rdapAsked: string[] = [];
    const resolver = new Resolver({
      network: data,
      operators: new OperatorIndexCache(ctx, 0),
      rpsl: { current: async () => rpsl },
      rdap: { lookup: async (ip) => (rdapAsked.push(JSON.stringify(ip.value.toString())), { network: '5.0.0.0/24', abuseContacts: ['abuse@de-rdap.example'], registryDate: '2026-11-20T00:00:00Z' }) },
    });
    const kpn = await resolver.resolve('31.149.1.1');
    assert.deepEqual(kpn, {
      ip: '31.149.1.1',
      network: '31.149.0.0/16',
      asn: 1136,
      as_name: 'KPN B.V.',
      country: 'NL',
      operator: { id: kpn.operator!.id, name: 'KPN', language: 'nl' },
      abuse_contacts: ['noc@kpn.example'],
      contact_source: 'manual',
      registry_date: data.meta.dataDate,
    });
    // Example Hosting holds 31.149.8.0/24 inside KPN's space: most specific prefix, its own manual contact.
    const hosting = await resolver.resolve('31.149.8.8');
    assert.equal(hosting.operator?.name, 'Example Hosting');
    assert.deepEqual(hosting.abuse_contacts, ['abuse@hosting.example']);
    // Without manual contacts the RPSL contact is used.
    await updateOperator(ctx, SYSTEM, hosting.operator!.id, { contacts: [] });
    const viaRpsl = await resolver.resolve('31.149.8.8');
    assert.deepEqual([viaRpsl.contact_source, viaRpsl.abuse_contacts, viaRpsl.registry_date], ['rpsl', ['abuse@hosting-rpsl.example'], '2026-11-01T00:00:00Z']);
    // Nothing known locally: RDAP answers.
    const de = await resolver.resolve('5.0.0.9');
    assert.deepEqual([de.contact_source, de.abuse_contacts, de.country, de.operator], ['rdap', ['abuse@de-rdap.example'], 'DE', null]);
    // Mapped IPv6 is its IPv4 host; bad input is an error that says why.
    assert.equal((await resolver.resolve('::ffff:31.149.1.1')).ip, '31.149.1.1');
    await assert.rejects(resolver.resolve('31.149.1'), /not a valid|IPv4/);
    const many = await resolver.resolveMany(['31.149.1.1', 'nonsense', '10.0.0.1']);
    assert.equal((many[0] as { asn: number }).asn, 1136);
    assert.match((many[1] as { error: string }).error, /nonsense/);
    assert.equal((many[2] as { network: string | null }).network, null);
    assert.ok(parseIp('10.0.0.1'));
  });
});
