import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { listAudit } from '../../../src/platform/audit.js';
import { BakenError } from '../../../src/platform/errors.js';
import { importRpsl, type RpslImportProgress } from '../../../src/registry/rpsl/import-rpsl.js';
import { RpslRegistry, RpslRegistryCache } from '../../../src/registry/rpsl/rpsl-registry.js';
import { currentRpslSnapshot, currentRpslSnapshotId } from '../../../src/registry/rpsl/rpsl-snapshots.js';
import { describeEachDatabase } from '../../helpers/databases.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/rpsl/', import.meta.url));
const SPLIT = ['ripe.db.inetnum', 'ripe.db.inet6num', 'ripe.db.role', 'ripe.db.organisation', 'ripe.db.aut-num'].map((n) => join(FIXTURES, n));

const VT = ['abuse@voorbeeld-telecom.example'];
const CA = ['abuse@customer-a.example', 'security@customer-a.example'];

describeEachDatabase('RPSL import and abuse contacts', (db) => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'baken-rpsl-import-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an empty database has no snapshot and an empty registry', async () => {
    const k = db().ctx.db.kysely;
    assert.equal(await currentRpslSnapshotId(k), null);
    const r = await RpslRegistry.load(k);
    assert.equal(r.snapshot, null);
    assert.equal(r.lookup('80.100.1.5'), null);
    assert.equal(await new RpslRegistryCache(k).current(), null);
  });

  test('imports the split dumps (some gzipped) into a current snapshot', async () => {
    const { ctx } = db();
    // Two of the files compressed, under names that do not say so.
    writeFileSync(join(dir, 'roles'), gzipSync(readFileSync(SPLIT[2]!)));
    writeFileSync(join(dir, 'inet6'), gzipSync(readFileSync(SPLIT[1]!)));
    const progress: RpslImportProgress[] = [];
    const s = await importRpsl(ctx, [SPLIT[0]!, join(dir, 'inet6'), join(dir, 'roles'), SPLIT[3]!, SPLIT[4]!], { onProgress: (p) => progress.push(p) });
    assert.deepEqual(s.imported, { inetnums: 11, inet6nums: 4, roles: 5, organisations: 6, autNums: 4 });
    assert.deepEqual(s.objectsByClass, { inetnum: 11, inet6num: 4, role: 6, organisation: 6, 'aut-num': 4 });
    assert.equal(s.rolesWithoutAbuseMailbox, 1);
    assert.equal(s.invalidEmails, 1);
    assert.deepEqual(s.invalidEmailSamples, [{ file: 'roles', line: 25, handle: 'BAD-ABUSE', value: 'not-an-address' }]);
    assert.equal(s.abuseAddresses, 6);
    assert.equal(s.skipped, 0);
    assert.equal(s.dataDate, '2025-12-01T08:30:00.000Z', 'the newest last-modified');
    assert.deepEqual(s.replacedSnapshots, []);
    assert.deepEqual(s.files.map((f) => [f.name, f.compressed, f.objects]), [
      ['ripe.db.inetnum', false, 11],
      ['inet6', true, 4],
      ['roles', true, 6],
      ['ripe.db.organisation', false, 6],
      ['ripe.db.aut-num', false, 4],
    ]);
    assert.equal(progress.length, 5, 'once per file at least');
    const last = progress.at(-1)!;
    assert.equal(last.objects, 31);
    assert.equal(last.bytesRead, last.totalBytes);

    const snap = (await currentRpslSnapshot(ctx.db.kysely))!;
    assert.equal(snap.id, s.snapshotId);
    assert.equal(snap.dataDate, s.dataDate);
    assert.deepEqual(snap.counts, { inetnums: 11, inet6nums: 4, roles: 5, organisations: 6, autNums: 4, skipped: 0, invalidEmails: 1 });
    const audit = await listAudit(ctx.db, { action: 'registry.import_rpsl' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.targetId, String(s.snapshotId));

    const net = await ctx.db.kysely.selectFrom('rpsl_networks').selectAll().where('netname', '=', 'VT-CUSTOMER-B').executeTakeFirstOrThrow();
    assert.equal(net.family, 'ipv4');
    assert.equal(net.first_key, '50640200');
    assert.equal(net.last_key, '5064027f');
    assert.deepEqual(JSON.parse(net.mnt_by), ['VT-MNT', 'VT2-MNT']);
    assert.equal(Number(net.ripe_maintained), 0);
    const v6 = await ctx.db.kysely.selectFrom('rpsl_networks').selectAll().where('netname', '=', 'VT-CUSTOMER-B-V6').executeTakeFirstOrThrow();
    assert.equal(v6.first_key, '20010db800ff00000000000000000000');
    assert.equal(v6.last_key, '20010db800ffffffffffffffffffffff');
    const alloc = await ctx.db.kysely.selectFrom('rpsl_networks').selectAll().where('netname', '=', 'NL-VOORBEELD-20000101').executeTakeFirstOrThrow();
    assert.equal(Number(alloc.ripe_maintained), 1);
    const role = await ctx.db.kysely.selectFrom('rpsl_roles').selectAll().where('handle', '=', 'CA-ABUSE').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(role.abuse_mailboxes), CA, 'lower case, display name removed, duplicates dropped');
    const noc = await ctx.db.kysely.selectFrom('rpsl_roles').selectAll().where('handle', '=', 'VT-NOC').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(noc.abuse_mailboxes), ['noc@voorbeeld-telecom.example'], 'trailing comma');
  });

  test('abuse contacts as the RIPE database defines them', async () => {
    const r = await RpslRegistry.load(db().ctx.db.kysely);
    assert.equal(r.stats.inetnums, 11);
    assert.equal(r.stats.overlapping, 0);
    const look = (ip: string) => {
      const hit = r.lookup(ip);
      return hit && { network: hit.network, netname: hit.netname, org: hit.org, contacts: hit.abuseContacts, via: hit.contactNetwork };
    };
    // The allocation: no abuse-c of its own, its org's abuse-c.
    assert.deepEqual(look('80.100.0.1'), { network: '80.100.0.0/15', netname: 'NL-VOORBEELD-20000101', org: 'ORG-VT1-RIPE', contacts: VT, via: '80.100.0.0/15' });
    // An assignment's own abuse-c (referenced in lower case) wins; the org is inherited for display.
    assert.deepEqual(look('80.100.1.5'), { network: '80.100.1.0/24', netname: 'VT-CUSTOMER-A', org: 'ORG-VT1-RIPE', contacts: CA, via: '80.100.1.0/24' });
    // Three levels: an org without abuse-c, so the parent assignment's abuse-c.
    assert.deepEqual(look('80.100.1.130'), { network: '80.100.1.128/26', netname: 'VT-CUSTOMER-A-LAB', org: 'ORG-NOABUSE-RIPE', contacts: CA, via: '80.100.1.0/24' });
    // No abuse-c, no org: inherited from the allocation.
    assert.deepEqual(look('80.100.2.5'), { network: '80.100.2.0/25', netname: 'VT-CUSTOMER-B', org: 'ORG-VT1-RIPE', contacts: VT, via: '80.100.0.0/15' });
    // Beside a nested network, the parent again.
    assert.equal(look('80.100.2.200')!.netname, 'NL-VOORBEELD-20000101');
    // A range that is not one prefix.
    assert.deepEqual(look('80.100.4.1'), { network: '80.100.3.0-80.100.5.255', netname: 'VT-RANGE', org: 'ORG-VT1-RIPE', contacts: ['noc@voorbeeld-telecom.example'], via: '80.100.3.0-80.100.5.255' });
    // abuse-c naming a role not in the dump: the org's abuse-c.
    assert.deepEqual(look('80.100.6.1')!.contacts, CA);
    // A RIPE NCC maintained PI assignment without contact: the search stops, the LIR above is not asked.
    assert.deepEqual(look('80.101.0.1'), { network: '80.101.0.0/24', netname: 'PI-NO-CONTACT', org: 'ORG-NOABUSE-RIPE', contacts: [], via: null });
    // Nothing up to the RIPE NCC's administrative block: nothing, although that block's org has an abuse-c.
    assert.deepEqual(look('80.150.0.1')!.contacts, []);
    assert.deepEqual(look('80.1.2.3'), { network: '80.0.0.0/8', netname: 'EU-ZZ-80', org: 'ORG-NCC1-RIPE', contacts: [], via: null });
    assert.deepEqual(look('8.8.8.8'), { network: '0.0.0.0/0', netname: 'IANA-BLK', org: 'ORG-IANA1-RIPE', contacts: [], via: null });
    // The RIPE NCC's own network (RIPE-NCC-MNT) is an operator like any other.
    assert.deepEqual(look('193.0.6.139')!.contacts, ['abuse@ripe.net']);
    // IPv6.
    assert.deepEqual(look('2001:db8::1'), { network: '2001:db8::/32', netname: 'NL-VOORBEELD-V6', org: 'ORG-VT1-RIPE', contacts: VT, via: '2001:db8::/32' });
    assert.deepEqual(look('2001:db8:1:2::3')!.contacts, CA);
    assert.deepEqual(look('2001:DB8:FF::1'), { network: '2001:db8:ff::/48', netname: 'VT-CUSTOMER-B-V6', org: 'ORG-VT1-RIPE', contacts: VT, via: '2001:db8::/32' });
    assert.deepEqual(look('2a00::1'), { network: '::/0', netname: 'ROOT', org: 'ORG-IANA1-RIPE', contacts: [], via: null });
    // An IPv4-mapped address is the IPv4 host.
    assert.deepEqual(look('::ffff:80.100.1.5')!.contacts, CA);
    const hit = r.lookup({ kind: 'ipv4', value: 0x50640105 })!;
    assert.equal(hit.source, 'rpsl');
    assert.equal(hit.registryDate, '2025-12-01T08:30:00.000Z');
    assert.equal(hit.orgName, 'Voorbeeld Telecom B.V.');
    assert.throws(() => r.lookup('80.100.1.300'), /not a valid|not an|300/);

    // Aut-nums: own abuse-c, else the org's.
    assert.deepEqual(r.lookupAsn(64500), { asn: 64500, asName: 'VOORBEELD-AS', org: 'ORG-VT1-RIPE', orgName: 'Voorbeeld Telecom B.V.', abuseContacts: VT, source: 'rpsl', registryDate: '2025-12-01T08:30:00.000Z' });
    assert.deepEqual(r.abuseContactsForAsn(64501), CA);
    assert.deepEqual(r.abuseContactsForAsn(64502), []);
    assert.deepEqual(r.abuseContactsForAsn(64503), ['noc@voorbeeld-telecom.example']);
    assert.equal(r.lookupAsn(1), null);
    assert.deepEqual(r.abuseContactsForAsn(1), []);
  });

  test('a second import replaces the first atomically; a failing one leaves it in place', async () => {
    const { ctx } = db();
    const k = ctx.db.kysely;
    const first = (await currentRpslSnapshotId(k))!;
    const cache = new RpslRegistryCache(k, { checkIntervalMs: 0 });
    const before = (await cache.current())!;
    assert.equal(before.snapshot!.id, first);
    assert.equal(await before.hasNewerSnapshot(k), false);

    // A missing file, a corrupt gzip and a file without any importable object all fail and change nothing.
    await assert.rejects(importRpsl(ctx, [SPLIT[0]!, join(dir, 'nope.db')]), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_RPSL_UNREADABLE' && /nope\.db: no such file/.test(e.message));
    const gz = gzipSync(readFileSync(SPLIT[0]!));
    writeFileSync(join(dir, 'broken.gz'), gz.subarray(0, gz.length - 40));
    writeFileSync(join(dir, 'garbage.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('definitely not deflate data'.repeat(10))]));
    await assert.rejects(importRpsl(ctx, [SPLIT[2]!, join(dir, 'garbage.gz')]), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_RPSL_UNREADABLE' && /garbage\.gz/.test(e.message));
    await assert.rejects(importRpsl(ctx, [join(dir, 'broken.gz')]), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_RPSL_UNREADABLE');
    writeFileSync(join(dir, 'routes.db'), 'route: 192.0.2.0/24\norigin: AS1\n\nthis is not rpsl\n');
    await assert.rejects(importRpsl(ctx, [join(dir, 'routes.db')]), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_RPSL_NOTHING_IMPORTED' && /1 malformed/.test(e.message));
    assert.equal(await currentRpslSnapshotId(k), first);
    const counts = await Promise.all(
      (['rpsl_snapshots', 'rpsl_networks', 'rpsl_roles', 'rpsl_organisations', 'rpsl_aut_nums'] as const).map(async (t) => Number((await k.selectFrom(t).select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)),
    );
    assert.deepEqual(counts, [1, 15, 5, 6, 4], 'nothing of the failed imports is left');
    assert.equal(await before.hasNewerSnapshot(k), false);

    // A new dump: the customer moved its abuse desk, the allocation is gone.
    const changed = readFileSync(SPLIT[0]!, 'utf8').replace('ABUSE-C:        ca-abuse', 'abuse-c:        VT-NOC');
    writeFileSync(join(dir, 'ripe.db.inetnum'), changed);
    const second = await importRpsl(ctx, [join(dir, 'ripe.db.inetnum'), ...SPLIT.slice(1)]);
    assert.deepEqual(second.replacedSnapshots, [first]);
    assert.equal(await currentRpslSnapshotId(k), second.snapshotId);
    assert.equal(await before.hasNewerSnapshot(k), true);
    assert.deepEqual(before.lookup('80.100.1.5')!.abuseContacts, CA, 'a loaded registry keeps answering from its snapshot');
    const stale = await cache.current(); // notices the newer snapshot and keeps serving the loaded one while it loads
    assert.equal(stale, before);
    await cache.reload();
    const now = (await cache.current())!;
    assert.equal(now.snapshot!.id, second.snapshotId);
    assert.deepEqual(now.lookup('80.100.1.5')!.abuseContacts, ['noc@voorbeeld-telecom.example']);
    const left = await k.selectFrom('rpsl_networks').select('snapshot_id').distinct().execute();
    assert.deepEqual(left.map((r) => Number(r.snapshot_id)), [second.snapshotId], 'the old snapshot is deleted');
  });

  test('malformed objects are skipped and reported, the rest imported', async () => {
    const { ctx } = db();
    const s = await importRpsl(ctx, [join(FIXTURES, 'malformed.db')]);
    assert.equal(s.skipped, 9);
    assert.deepEqual(s.skippedByReason, { 'first-line-not-attribute': 2, 'not-an-attribute': 2, 'bad-primary-key': 5, 'object-too-large': 0 });
    assert.deepEqual(s.skippedSamples.map((x) => x.errorLine), [7, 13, 17, 20, 24, 28, 32, 36, 40]);
    assert.deepEqual(s.imported, { inetnums: 1, inet6nums: 0, roles: 0, organisations: 1, autNums: 0 });
    const snap = (await currentRpslSnapshot(ctx.db.kysely))!;
    assert.equal(snap.counts.skipped, 9);
    assert.equal(snap.files[0]!.name, 'malformed.db');
    // No last-modified anywhere: the date of the file.
    assert.equal(s.dataDate, snap.files[0]!.modified);
  });
});
