/**
 * Notification rounds end to end on a real SMTP server: every recipient gets
 * exactly one message with exactly its hosts; the portal link shows only those
 * hosts and takes answers; a follow-up after a re-scan notifies only hosts
 * still affected. Hosts are written straight into the case tables here, so
 * this test does not depend on the upload pipeline (tested on its own).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { SYSTEM } from '../../src/platform/context.js';
import type { Database } from '../../src/platform/db/schema.js';
import { createSmtpMailer } from '../../src/platform/delivery/mailer.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { listAudit } from '../../src/platform/audit.js';
import { caseTimeline, closeCase, createCase, getCase, validateCase } from '../../src/hotline/cases/cases.js';
import { runRetention } from '../../src/hotline/retention.js';
import { runCli } from '../helpers/cli.js';
import { caseRounds, previewRound, saveCaseTemplate, startRound } from '../../src/hotline/notifications/rounds.js';
import { publishCase, unpublishCase } from '../../src/hotline/publication/publication.js';
import { createOperator } from '../../src/registry/operators.js';
import { describeEachDialect } from '../helpers/databases.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import type { DialectName } from '../../src/platform/db/database.js';

interface Host {
  ip: string;
  port: number | null;
  recipient: string | null;
  operatorId?: number | null;
  country?: string;
  outOfScope?: string;
}

async function addUpload(db: Kysely<Database>, caseRowId: number, hosts: Host[]): Promise<number> {
  const upload = await db
    .insertInto('case_uploads')
    .values({ case_id: caseRowId, format: 'ips', source: 'test', lines: hosts.length, hosts: hosts.length, duplicates: 0, rejected: 0, flagged: 0, extra_columns: JSON.stringify(['tag']), added_by: 'test', created_at: new Date().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('case_hosts')
    .values(
      hosts.map((h, i) => ({
        case_id: caseRowId,
        upload_id: upload.id,
        ip: h.ip,
        port: h.port,
        seen_at: '2026-11-20T10:00:00.000Z',
        extra: JSON.stringify({ tag: `t${i}` }),
        line: i + 1,
        warnings: null,
        asn: 64500,
        country: h.country ?? 'NL',
        network: null,
        operator_id: h.operatorId ?? null,
        recipient: h.recipient,
        contact_source: h.recipient ? 'manual' : null,
        out_of_scope: h.outOfScope ?? null,
      })),
    )
    .execute();
  // The counters the upload pipeline keeps; a purge must leave them.
  await db.updateTable('cases').set((eb) => ({ hosts_total: eb('hosts_total', '+', hosts.length) })).where('id', '=', caseRowId).execute();
  return upload.id;
}

function csvIps(content: string): string[] {
  return content
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[1]!)
    .sort();
}

interface Fixture {
  t: TestApp;
  smtp: TestSmtpServer;
  close(): Promise<void>;
}

async function fixture(dialect: DialectName): Promise<Fixture> {
  const smtp = await startSmtpServer();
  const t = await createTestApp(dialect, { config: { publicUrl: 'https://baken.example' } });
  return { t, smtp, close: async () => (await t.close(), await smtp.close()) };
}

describeEachDialect('notification rounds, delivery and the operator portal', fixture, (f) => {
  let caseId = '';
  let caseRowId = 0;
  const deliver = () => new DeliveryWorker(f().t.ctx, { mailer: createSmtpMailer(f().smtp.url), ratePerMinute: 60_000 }).runOnce();

  before(async () => {
    const { ctx } = f().t;
    const kpn = await createOperator(ctx, SYSTEM, { name: 'KPN', language: 'nl', asns: [1136] });
    const c = await createCase(ctx, SYSTEM, { title: 'Exposed Example Gateway', description: 'The gateway allows remote code execution.', classification: 'vulnerable/vulnerable-system', cves: ['CVE-2026-1234'] });
    caseId = c.caseId;
    caseRowId = c.id;
    await addUpload(ctx.db.kysely, c.id, [
      { ip: '192.0.2.1', port: 443, recipient: 'abuse@kpn.example', operatorId: kpn.organisation.id },
      { ip: '192.0.2.2', port: 443, recipient: 'abuse@kpn.example', operatorId: kpn.organisation.id },
      { ip: '192.0.2.3', port: 8443, recipient: 'abuse@kpn.example', operatorId: kpn.organisation.id },
      { ip: '198.51.100.7', port: 443, recipient: 'noc@hoster.example' },
      { ip: '198.51.100.8', port: null, recipient: 'noc@hoster.example' },
      { ip: '203.0.113.9', port: 443, recipient: 'abuse@de-provider.example', country: 'DE' },
      { ip: '203.0.113.10', port: 443, recipient: null },
      { ip: '203.0.113.11', port: 443, recipient: 'abuse@elsewhere.example', country: 'US', outOfScope: 'outside the Netherlands (US)' },
    ]);
  });

  test('a case is notified only once validated; the preview counts messages and shows a sample, sending nothing', async () => {
    const { ctx } = f().t;
    await assert.rejects(previewRound(ctx, caseId), /notify validated cases only/);
    await validateCase(ctx, SYSTEM, caseId);
    const p = await previewRound(ctx, caseId);
    assert.equal(p.messages, 3);
    assert.equal(p.hosts, 6);
    assert.equal(p.hostsWithoutContact, 1);
    assert.deepEqual(p.recipients.map((r) => [r.recipient, r.language, r.hosts]), [
      ['abuse@de-provider.example', 'en', 1],
      ['abuse@kpn.example', 'nl', 3],
      ['noc@hoster.example', 'nl', 2],
    ]);
    assert.match(p.sample!.subject, new RegExp(`^\\[TLP:AMBER\\] ${caseId}: Exposed Example Gateway \\(1 hosts in your network\\)$`));
    assert.equal((await ctx.db.kysely.selectFrom('outbox').select('id').execute()).length, 0, 'a preview sends nothing');
  });

  test('every recipient gets exactly one message with exactly its hosts, in its language', async () => {
    const { ctx } = f().t;
    const round = await startRound(ctx, SYSTEM, caseId);
    assert.deepEqual([round.number, round.messages, round.hosts], [1, 3, 6]);
    assert.equal((await getCase(ctx, caseId)).state, 'notifying');
    await assert.rejects(startRound(ctx, SYSTEM, caseId), /notified already/);
    const run = await deliver();
    assert.equal(run.sent, 3);
    const mails = f().smtp.received;
    assert.deepEqual(mails.map((m) => m.envelopeTo.join()).sort(), ['abuse@de-provider.example', 'abuse@kpn.example', 'noc@hoster.example']);
    const byTo = new Map(mails.map((m) => [m.envelopeTo[0]!, m]));
    const kpn = byTo.get('abuse@kpn.example')!;
    assert.match(kpn.subject ?? '', new RegExp(`${caseId}: Exposed Example Gateway \\(3 systemen in uw netwerk\\)`));
    assert.match(kpn.text ?? '', /Beste abuse-afdeling van KPN/);
    assert.match(kpn.text ?? '', /CVE-2026-1234/);
    assert.match(kpn.text ?? '', /https:\/\/baken\.example\/portal\/[A-Za-z0-9_-]{43}/);
    const attachment = kpn.parsed.attachments[0]!;
    assert.equal(attachment.filename, `${caseId}-hosts.csv`);
    const csv = attachment.content.toString();
    assert.equal(csv.split('\n')[0], 'timestamp,ip,port,asn,tag');
    assert.deepEqual(csvIps(csv), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    assert.deepEqual(csvIps(byTo.get('noc@hoster.example')!.parsed.attachments[0]!.content.toString()), ['198.51.100.7', '198.51.100.8']);
    assert.match(byTo.get('abuse@de-provider.example')!.subject ?? '', /hosts in your network/);
    assert.equal(new Set(mails.map((m) => m.messageId)).size, 3);
    const rounds = await caseRounds(ctx, caseId);
    assert.deepEqual(rounds[0]!.recipients.map((r) => r.delivery?.status), ['sent', 'sent', 'sent']);
  });

  test('the portal shows only that recipient\'s hosts, offers downloads, takes answers, and is audited', async () => {
    const { app, ctx } = f().t;
    const kpn = f().smtp.received.find((m) => m.envelopeTo[0] === 'abuse@kpn.example')!;
    const path = new URL(/https:\/\/baken\.example(\/portal\/\S+)/.exec(kpn.text ?? '')![0]).pathname;
    const page = await app.inject({ url: path, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="nl">/, 'in the operator\'s language');
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) assert.ok(page.body.includes(ip), ip);
    for (const ip of ['198.51.100.7', '203.0.113.9', '203.0.113.10']) assert.ok(!page.body.includes(ip), `${ip} is someone else's`);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const csv = await app.inject({ url: `${path}/hosts.csv` });
    assert.deepEqual(csvIps(csv.body), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const json = (await app.inject({ url: `${path}/hosts.json` })).json();
    assert.deepEqual(json.hosts.map((h: { ip: string }) => h.ip).sort(), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    // An answer, with the CSRF token of the page the operator saw.
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const answer = await app.inject({
      method: 'POST',
      url: `${path}/feedback`,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, kind: 'fixed', comment: 'patched on 21 Nov' }).toString(),
    });
    assert.equal(answer.statusCode, 303);
    const forged = await app.inject({ method: 'POST', url: `${path}/feedback`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'kind=fixed' });
    assert.equal(forged.statusCode, 403);
    const timeline = await caseTimeline(ctx, caseId);
    assert.ok(timeline.some((e) => e.kind === 'feedback' && (e.details as { answer?: string }).answer === 'fixed'));
    const rounds = await caseRounds(ctx, caseId);
    assert.deepEqual(rounds[0]!.recipients.find((r) => r.recipient === 'abuse@kpn.example')!.feedback.map((x) => [x.kind, x.comment]), [['fixed', 'patched on 21 Nov']]);
    const audit = (await listAudit(ctx.db, { action: 'portal.' })).map((a) => a.action);
    assert.ok(audit.includes('portal.view') && audit.includes('portal.download') && audit.includes('portal.feedback'));
  });

  test('a wrong or expired link is refused', async () => {
    const { app, clock } = f().t;
    assert.equal((await app.inject({ url: '/portal/' + 'x'.repeat(43) })).statusCode, 404);
    assert.equal((await app.inject({ url: '/portal/short' })).statusCode, 404);
    const kpn = f().smtp.received.find((m) => m.envelopeTo[0] === 'abuse@kpn.example')!;
    const path = new URL(/https:\/\/baken\.example(\/portal\/\S+)/.exec(kpn.text ?? '')![0]).pathname;
    clock.advance(91 * 86400_000);
    const expired = await app.inject({ url: path });
    assert.equal(expired.statusCode, 404);
    assert.equal(expired.json().error.code, 'BAKEN_E_PORTAL_LINK');
    clock.advance(-91 * 86400_000);
  });

  test('a follow-up after a re-scan notifies only hosts still affected, and says so', async () => {
    const { ctx } = f().t;
    f().smtp.received.length = 0;
    const kpnId = (await ctx.db.kysely.selectFrom('organisations').select('id').where('name', '=', 'KPN').executeTakeFirstOrThrow()).id;
    // As the upload pipeline stores a re-scan: hosts the case has already are marked as seen again, new ones added.
    const rescan = await addUpload(ctx.db.kysely, caseRowId, [{ ip: '192.0.2.99', port: 443, recipient: 'abuse@kpn.example', operatorId: kpnId }]);
    await ctx.db.kysely.updateTable('case_hosts').set({ seen_again_upload_id: rescan }).where('case_id', '=', caseRowId).where('ip', '=', '192.0.2.2').execute();
    await saveCaseTemplate(ctx, SYSTEM, caseId, 'nl', { subject: '{{case_id}} opnieuw{{#followup}} (vervolg){{/followup}}: {{host_count}}', body: 'Nog steeds: {{host_count}} systemen. {{portal_url}}' });
    const round = await startRound(ctx, SYSTEM, caseId, { kind: 'followup' });
    assert.deepEqual([round.number, round.messages, round.hosts], [2, 1, 1]);
    await deliver();
    const [mail] = f().smtp.received;
    assert.equal(f().smtp.received.length, 1);
    assert.equal(mail!.subject, `${caseId} opnieuw (vervolg): 1`, 'the case\'s own template');
    assert.deepEqual(csvIps(mail!.parsed.attachments[0]!.content.toString()), ['192.0.2.2'], 'only the host notified before and still affected');
  });

  test('publication: a public page without addresses, the index, the Atom feed and the hall of fame', async () => {
    const { ctx, app } = f().t;
    for (const [name, credit] of [['Ada Onderzoeker', 1], ['Anonymous Finder', 0]] as const) {
      await ctx.db.kysely
        .insertInto('reports')
        .values({ case_id: caseRowId, title: 'x', description: 'x', classification: 'vulnerable/vulnerable-system', cves: '[]', product: null, versions: null, how_found: null, reporter_name: name, reporter_email: `${name.split(' ')[0]!.toLowerCase()}@research.example`, may_credit: credit, language: 'en', channel: 'api', status_token_hash: `hash-${name}`, submitted_at: new Date().toISOString() })
        .execute();
    }
    await assert.rejects(publishCase(ctx, SYSTEM, caseId, { summary: 'Hosts such as 8.8.8.8 were affected.' }), /mentions the address 8\.8\.8\.8/);
    await publishCase(ctx, SYSTEM, caseId, { summary: 'A **critical** flaw in version 1.2.3 <script>alert(1)</script>', recommendations: '- Update to 1.2.4\n- [Advisory](javascript:alert(1))' });
    const page = await app.inject({ url: `/published/${caseId}`, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<strong>critical<\/strong>/);
    assert.ok(!page.body.includes('<script>alert'), 'raw HTML is escaped');
    assert.ok(!page.body.includes('href="javascript:'), 'script links are refused');
    assert.match(page.body, /Ada Onderzoeker/);
    assert.ok(!page.body.includes('Anonymous Finder'), 'only researchers who agreed are named');
    assert.match(page.body, /6 hosts notified/);
    for (const ip of ['192.0.2.1', '198.51.100.7', '203.0.113.9']) assert.ok(!page.body.includes(ip), `${ip} on a public page`);
    const index = await app.inject({ url: '/published', headers: { accept: 'text/html' } });
    assert.match(index.body, new RegExp(`/published/${caseId}`));
    const atom = await app.inject({ url: '/published/feed.atom' });
    assert.match(String(atom.headers['content-type']), /application\/atom\+xml/);
    assert.match(atom.body, new RegExp(`<title>${caseId}: Exposed Example Gateway</title>`));
    const hof = await app.inject({ url: '/hall-of-fame', headers: { accept: 'text/html' } });
    assert.match(hof.body, /<strong>Ada Onderzoeker<\/strong> · 1 validated reports: <a href="\/published\/[^"]+">/);
    assert.ok(!hof.body.includes('Anonymous Finder'));
    await unpublishCase(ctx, SYSTEM, caseId);
    assert.equal((await app.inject({ url: `/published/${caseId}` })).statusCode, 404);
  });

  test('retention: host addresses go a set time after closing; the case keeps its counts', async () => {
    const { ctx, app, url, dataDir } = f().t;
    const kpn = f().smtp.received.length ? f().smtp.received[0]! : null;
    await closeCase(ctx, SYSTEM, caseId);
    assert.deepEqual(await runRetention(ctx, SYSTEM), [], 'not before BAKEN_RETENTION_DAYS have passed');
    // The command runs on the real clock, long after this test's clock closed the case.
    const r = await runCli(['retention', 'run', '--json'], { BAKEN_DATA_DIR: dataDir, BAKEN_DATABASE_URL: url, BAKEN_SECRET: 'retention-test-'.padEnd(40, 'x') });
    assert.equal(r.code, 0, r.stderr);
    const [purged] = JSON.parse(r.stdout).purged;
    assert.equal(purged.caseId, caseId);
    assert.equal(purged.hosts, 9);
    const left = await ctx.db.kysely.selectFrom('case_hosts').select('id').where('case_id', '=', caseRowId).execute();
    assert.equal(left.length, 0);
    const payloads = await ctx.db.kysely.selectFrom('outbox').select('payload').where('ref_type', '=', 'round_recipient').execute();
    assert.ok(payloads.every((p) => !p.payload.includes('192.0.2.') && p.payload.includes('purged')), 'no host list survives in sent messages');
    const c = await getCase(ctx, caseId);
    assert.equal(c.hosts.total > 0, true, 'the counts stay');
    if (kpn) {
      const path = new URL(/https:\/\/baken\.example(\/portal\/\S+)/.exec(kpn.text ?? '')![0]).pathname;
      assert.equal((await app.inject({ url: path })).statusCode, 404, 'portal links end');
    }
    assert.deepEqual(JSON.parse((await runCli(['retention', 'run', '--json'], { BAKEN_DATA_DIR: dataDir, BAKEN_DATABASE_URL: url, BAKEN_SECRET: 'retention-test-'.padEnd(40, 'x') })).stdout), { purged: [] });
  });
});
