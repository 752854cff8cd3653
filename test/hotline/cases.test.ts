/** Cases: the state machine, ids under concurrency, the timeline, hosts stored whole or not at all, scope and recipients. */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createOperator, getOperator, listOperators } from '../../src/registry/operators.js';
import { SYSTEM, cliCaller } from '../../src/platform/context.js';
import { listAudit } from '../../src/platform/audit.js';
import { BakenError } from '../../src/platform/errors.js';
import type { Resolver } from '../../src/registry/resolver.js';
import { CASE_STATES, TRANSITIONS, assertTransition, canTransition } from '../../src/hotline/cases/case-states.js';
import { formatCaseId, normaliseCaseId } from '../../src/hotline/cases/case-ids.js';
import {
  addComment,
  addEvidence,
  assignHandler,
  caseTimeline,
  changeState,
  closeCase,
  createCase,
  getCase,
  getEvidence,
  listCases,
  mergeDuplicate,
  validateCase,
} from '../../src/hotline/cases/cases.js';
import { listHosts, listRejected, storeHosts, type HostEvent } from '../../src/hotline/cases/case-hosts.js';
import { assignContact, hostsOfRecipient, hostsWithoutContact, recipientsOf } from '../../src/hotline/cases/recipients.js';
import { outOfScopeReason } from '../../src/hotline/cases/scope.js';
import { createUser } from '../../src/accounts/users.js';
import { createOrganisation, findOrganisation } from '../../src/accounts/organisations.js';
import { bootstrap } from '../../src/accounts/bootstrap.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { fixtureResolver, host, intakeEvents } from './hotline-fixtures.js';

const by = cliCaller('test');

describe('case states', () => {
  test('every allowed transition passes and every other one is refused with CASE_TRANSITION', () => {
    for (const from of CASE_STATES) {
      for (const to of CASE_STATES) {
        const allowed = TRANSITIONS[from].includes(to);
        assert.equal(canTransition(from, to), allowed, `${from} -> ${to}`);
        if (allowed) assertTransition('BKN-2026-00001', from, to);
        else assert.throws(() => assertTransition('BKN-2026-00001', from, to), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_CASE_TRANSITION' && e.message.includes(`cannot become ${to}`));
      }
    }
    assert.deepEqual([...TRANSITIONS.received], ['triage', 'validated', 'rejected', 'duplicate']);
    assert.equal(canTransition('received', 'closed'), false);
    assert.equal(canTransition('duplicate', 'triage'), false, 'a duplicate is final');
    assert.throws(() => assertTransition('X-2026-00001', 'duplicate', 'closed'), /duplicate is final/);
  });

  test('case ids', () => {
    assert.equal(formatCaseId('BKN', 2026, 7), 'BKN-2026-00007');
    assert.equal(formatCaseId('BKN', 2026, 123456), 'BKN-2026-123456');
    assert.equal(normaliseCaseId(' bkn-2026-00007 '), 'BKN-2026-00007');
    assert.equal(normaliseCaseId('BKN-26-7'), null);
  });

  test('scope: directory operators anywhere, else the configured countries', () => {
    const op = { id: 1, name: 'X', language: 'en' as const };
    assert.equal(outOfScopeReason({ country: 'AU', operator: op }, { countries: ['NL'] }), null);
    assert.equal(outOfScopeReason({ country: 'NL', operator: null }, { countries: ['NL'] }), null);
    assert.equal(outOfScopeReason({ country: 'DE', operator: null }, { countries: ['NL'] }), 'country DE');
    assert.equal(outOfScopeReason({ country: null, operator: null }, { countries: ['NL'] }), 'country unknown');
    assert.equal(outOfScopeReason({ country: 'DE', operator: null }, { countries: ['*'] }), null);
  });
});

describeEachDatabase('cases', (db) => {
  let resolver: Resolver;
  before(async () => {
    resolver = await fixtureResolver(db().ctx, db().dataDir);
  });

  test('case ids are unique and consecutive under concurrent creation', async () => {
    const { ctx } = db();
    const made = await Promise.all(Array.from({ length: 25 }, (_, i) => createCase(ctx, by, { title: `Concurrent ${i}` })));
    const ids = made.map((c) => c.caseId).sort();
    assert.equal(new Set(ids).size, 25);
    assert.deepEqual(ids, Array.from({ length: 25 }, (_, i) => formatCaseId('BKN', 2026, i + 1)));
    // A new year starts at 1 again.
    db().clock.advance(365 * 24 * 3600_000);
    assert.equal((await createCase(ctx, by, { title: 'Next year' })).caseId, 'BKN-2027-00001');
  });

  test('states: allowed moves land with timeline and audit entries, refused ones change nothing', async () => {
    const { ctx } = db();
    const c = await createCase(ctx, by, { title: 'Open Redis', classification: 'vulnerable/vulnerable-system', cves: ['cve-2022-0543'] });
    assert.deepEqual([c.state, c.cves], ['received', ['CVE-2022-0543']]);
    await assert.rejects(closeCase(ctx, by, c.caseId), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_CASE_TRANSITION');
    assert.equal((await getCase(ctx, c.caseId)).state, 'received');
    await changeState(ctx, by, c.caseId, 'triage');
    await validateCase(ctx, by, c.caseId, 'reproduced on three hosts');
    await changeState(ctx, by, c.caseId, 'notifying');
    const closed = await closeCase(ctx, by, c.caseId);
    assert.equal(closed.state, 'closed');
    assert.ok(closed.closedAt);
    await assert.rejects(changeState(ctx, by, c.caseId, 'rejected'), /closed and cannot become rejected/);
    await assert.rejects(changeState(ctx, by, c.caseId, 'nonsense' as 'closed'), /not a state/);
    const timeline = await caseTimeline(ctx, c.caseId);
    assert.deepEqual(timeline.filter((e) => e.kind === 'state').map((e) => e.details.to), ['triage', 'validated', 'notifying', 'closed']);
    assert.equal(timeline.find((e) => e.details.to === 'validated')?.details.reason, 'reproduced on three hosts');
    const audits = await listAudit(ctx.db, { action: 'case.state', targetId: c.caseId });
    assert.equal(audits.length, 4);
    await assert.rejects(getCase(ctx, 'BKN-1999-00001'), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_CASE_NOT_FOUND');
    await assert.rejects(createCase(ctx, by, { title: ' ' }), /title: must not be empty/);
    await assert.rejects(createCase(ctx, by, { title: 'x', classification: 'bogus' }), /not a known classification/);
    await assert.rejects(createCase(ctx, by, { title: 'x', cves: ['CVE-22'] }), /not a CVE id/);
  });

  test('handlers, comments, evidence and merging duplicates', async () => {
    const { ctx } = db();
    await bootstrap(ctx);
    const coordinator = await findOrganisation(ctx, ctx.config.coordinatorName);
    const { user: handler } = await createUser(ctx, SYSTEM, { email: 'handler@cases.example', role: 'handler', organisationId: coordinator.id, password: 'a long password here' });
    const member = await createOrganisation(ctx, SYSTEM, { name: 'Member for cases', kind: 'member', sector: 'energy' });
    const { user: outsider } = await createUser(ctx, SYSTEM, { email: 'member@cases.example', role: 'member', organisationId: member.id, password: 'a long password here' });
    const c = await createCase(ctx, by, { title: 'Infected routers', classification: 'malicious-code/infected-system' });
    const assigned = await assignHandler(ctx, by, c.caseId, handler.id);
    assert.deepEqual(assigned.handlers.map((h) => h.email), ['handler@cases.example']);
    await assert.rejects(assignHandler(ctx, by, c.caseId, outsider.id), /cannot handle cases/);
    assert.deepEqual((await listCases(ctx, { handlerId: handler.id })).map((x) => x.caseId), [c.caseId]);
    await addComment(ctx, by, c.caseId, 'Looks real; asked the researcher for a pcap.');
    const ev = await addEvidence(ctx, by, c.caseId, { name: '../../etc/scan.txt', contentType: 'text/plain', data: Buffer.from('scan output') });
    assert.equal(ev.name, 'scan.txt');
    const file = await getEvidence(ctx, by, c.caseId, ev.id);
    assert.equal(file.data.toString(), 'scan output');
    assert.equal((await listAudit(ctx.db, { action: 'case.evidence_download' })).length, 1);
    await assert.rejects(addEvidence(ctx, by, c.caseId, { name: 'big.bin', data: Buffer.alloc(10 * 1024 * 1024 + 1) }), /too large/);

    const dup = await createCase(ctx, by, { title: 'Infected routers, again' });
    await assert.rejects(mergeDuplicate(ctx, by, dup.caseId, dup.caseId), /itself/);
    const merged = await mergeDuplicate(ctx, by, dup.caseId, c.caseId);
    assert.deepEqual([merged.state, merged.primaryCaseId], ['duplicate', c.caseId]);
    await assert.rejects(changeState(ctx, by, dup.caseId, 'triage'), /duplicate is final/);
    const kinds = (await caseTimeline(ctx, c.caseId)).map((e) => e.kind);
    assert.deepEqual(kinds, ['created', 'assigned', 'comment', 'evidence', 'merged']);
  });

  test('hosts: resolved, scoped, grouped per recipient; contacts assigned and saved to the directory', async () => {
    const { ctx } = db();
    await createOperator(ctx, SYSTEM, { name: 'KPN', language: 'nl', asns: [1136], contacts: ['abuse@kpn.example'] });
    await createOperator(ctx, SYSTEM, { name: 'Hosting Down Under', prefixes: ['1.0.0.0/25'], contacts: ['abuse@hosting.example'] });
    const c = await createCase(ctx, by, { title: 'Exposed admin panels' });
    const hosts = [
      host('31.149.1.1', null, 1, { product: 'panel' }),
      host('31.149.1.2', 443, 2),
      host('31.149.8.8', 8443, 3),
      host('1.0.0.5', 80, 4),
      host('1.0.0.200', 80, 5),
      host('5.0.0.1', null, 6),
      host('2.26.200.1', null, 7),
    ];
    const rejected = [{ line: 8, field: 'ip', reason: '10.0.0.1 is private address space (RFC 1918)', text: '10.0.0.1' }];
    const r = await storeHosts(ctx, by, c.caseId, intakeEvents(hosts, rejected), { resolver });
    assert.deepEqual([r.stored, r.inScope, r.outOfScope, r.noContact, r.recipients, r.rejected.length], [7, 4, 3, 1, 2, 1]);
    const groups = await recipientsOf(ctx, c.caseId);
    assert.deepEqual(
      groups.map((g) => [g.recipient, g.operator?.name ?? null, g.contactSource, g.hosts]),
      [
        ['abuse@kpn.example', 'KPN', 'manual', 2],
        ['abuse@hosting.example', 'Hosting Down Under', 'manual', 1],
      ],
    );
    const kpnHosts = [];
    for await (const h of hostsOfRecipient(ctx, c.caseId, 'abuse@kpn.example', { pageSize: 1 })) kpnHosts.push(h);
    assert.deepEqual(kpnHosts.map((h) => [h.ip, h.port, h.asn, h.country, h.extra]), [
      ['31.149.1.1', null, 1136, 'NL', { product: 'panel' }],
      ['31.149.1.2', 443, 1136, 'NL', {}],
    ]);
    const out = await listHosts(ctx, by, c.caseId, { filter: 'out' });
    assert.deepEqual(out.hosts.map((h) => [h.ip, h.outOfScope]), [['1.0.0.200', 'country AU'], ['5.0.0.1', 'country DE'], ['2.26.200.1', 'country RU']]);
    assert.equal((await listAudit(ctx.db, { action: 'case.hosts_view', targetId: c.caseId })).length, 1, 'viewing hosts is audited');
    assert.deepEqual((await listRejected(ctx, c.caseId)).lines.map((l) => [l.line, l.reason]), [[8, rejected[0]!.reason]]);

    const missing = await hostsWithoutContact(ctx, c.caseId);
    assert.deepEqual(missing.map((m) => [m.asn, m.operator, m.country, m.hosts]), [[64500, null, 'NL', 1]]);
    const assigned = await assignContact(ctx, by, c.caseId, { asn: 'AS64500', email: 'noc@nested.example', saveToDirectory: true, operatorName: 'Nested Example' });
    assert.equal(assigned.hosts, 1);
    assert.deepEqual(await hostsWithoutContact(ctx, c.caseId), []);
    const saved = await getOperator(ctx, assigned.operatorId!);
    assert.deepEqual([saved.organisation.name, saved.asns, saved.contacts], ['Nested Example', [64500], ['noc@nested.example']]);
    assert.equal((await recipientsOf(ctx, c.caseId)).find((g) => g.recipient === 'noc@nested.example')?.hosts, 1);
    const after = await getCase(ctx, c.caseId);
    assert.deepEqual(after.hosts, { total: 7, inScope: 4, outOfScope: 3, noContact: 0 });
    assert.equal(after.rejectedLines, 1);

    // A second upload adds only the hosts the case does not have yet.
    const again = await storeHosts(ctx, by, c.caseId, intakeEvents([host('31.149.1.1', null, 1), host('31.149.1.3', 22, 2)]), { resolver });
    assert.deepEqual([again.stored, again.alreadyInCase], [1, 1]);
    assert.ok((await listOperators(ctx, 'AS64500')).length === 1);
  });

  test('an upload lands whole or not at all', async () => {
    const { ctx } = db();
    const c = await createCase(ctx, by, { title: 'All or nothing' });
    const count = async () => {
      const k = ctx.db.kysely;
      const hosts = await k.selectFrom('case_hosts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const uploads = await k.selectFrom('case_uploads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return [Number(hosts.n), Number(uploads.n)];
    };
    const before = await count();
    const bad = { line: 3, field: 'ip', reason: '192.0.2.1 is documentation space (RFC 5737)', text: '192.0.2.1' };
    await assert.rejects(storeHosts(ctx, by, c.caseId, intakeEvents([host('31.149.1.1'), host('31.149.1.2')], [bad]), { resolver, strict: true }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_HOSTS_REJECTED_STRICT' && /line 3/.test(e.message));
    await assert.rejects(storeHosts(ctx, by, c.caseId, intakeEvents([], [bad]), { resolver }), (e: unknown) => e instanceof BakenError && e.code === 'BAKEN_E_NO_HOSTS' && e.problems[0]!.field === 'line 3, ip');
    // A stream that fails after 60,000 hosts were written leaves nothing behind.
    async function* failing(): AsyncGenerator<HostEvent> {
      const many = Array.from({ length: 60_000 }, (_, i) => host(`31.149.${(i >> 8) & 255}.${i & 255}`, 1000 + (i >> 16), i + 1));
      yield { kind: 'hosts', hosts: many };
      throw new Error('connection lost mid-upload');
    }
    await assert.rejects(storeHosts(ctx, by, c.caseId, failing(), { resolver }), /connection lost/);
    assert.deepEqual(await count(), before);
    assert.equal((await getCase(ctx, c.caseId)).hosts.total, 0);
  });
});
