/**
 * The hotline from the command line, on both databases and a real SMTP server:
 * a researcher's host list becomes a case, is validated, and turns into one
 * email per operator with exactly that operator's hosts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { uploadHosts } from '../../src/hotline/cases/upload-hosts.js';
import { SYSTEM } from '../../src/platform/context.js';
import { runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

describeEachDatabase('hotline through the CLI: upload, validate, notify, deliver', (db) => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => smtp.close());

  test('each operator gets exactly one message with exactly its hosts', async () => {
    const { dataDir, url } = db();
    const env = { BAKEN_DATA_DIR: dataDir, BAKEN_DATABASE_URL: url, BAKEN_SECRET: 'cli-flow-secret-'.padEnd(40, 'x'), BAKEN_SMTP_URL: smtp.url, BAKEN_MAIL_RATE_PER_MINUTE: '60000' };
    const baken = (...args: string[]) => runCli(args, env);
    const ops = await runCli(['operator', 'import', '-'], env, 'name,asns,abuse_contacts,language\nKPN,AS1136,abuse@kpn.example,nl\nSURF,AS1103,cert@surf.example,en\n');
    assert.equal(ops.code, 0, ops.stderr);
    const hosts = join(dataDir, 'hosts.txt');
    writeFileSync(hosts, ['31.149.1.1:443', '31.149.2.2:443', '145.97.1.1:80', '8.8.8.8:443', '10.0.0.1:443', 'not-a-host', '31.149.1.1:443', ''].join('\n'));
    const created = await baken('case', 'create', '--title', 'Exposed Example Gateway', '--classification', 'vulnerable/vulnerable-system', '--cve', 'CVE-2026-1234', '--hosts', hosts, '--json');
    assert.equal(created.code, 0, created.stderr);
    const caseId = JSON.parse(created.stdout).case_id as string;
    assert.match(caseId, /^BKN-\d{4}-\d{5}$/);
    assert.equal((await baken('case', 'validate', caseId)).code, 0);

    const dry = await baken('case', 'notify', caseId, '--dry-run', '--json');
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout);
    assert.deepEqual([plan.messages, plan.hosts], [2, 3], '8.8.8.8 is out of scope, 10.0.0.1 and the bad line were rejected, the duplicate counted once');
    assert.equal(smtp.received.length, 0, 'a dry run sends nothing');

    const notify = await baken('case', 'notify', caseId);
    assert.equal(notify.code, 0, notify.stderr);
    const worker = await baken('worker', '--once', '--json');
    assert.equal(worker.code, 0, worker.stderr);
    const notifications = smtp.received.filter((m) => (m.subject ?? '').includes(caseId));
    assert.deepEqual(notifications.map((m) => m.envelopeTo.join()).sort(), ['abuse@kpn.example', 'cert@surf.example']);
    const ipsOf = (to: string) =>
      notifications
        .find((m) => m.envelopeTo[0] === to)!
        .parsed.attachments[0]!.content.toString()
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(1, 3).join(':'))
        .sort();
    assert.deepEqual(ipsOf('abuse@kpn.example'), ['31.149.1.1:443', '31.149.2.2:443']);
    assert.deepEqual(ipsOf('cert@surf.example'), ['145.97.1.1:80']);
    assert.match(notifications.find((m) => m.envelopeTo[0] === 'abuse@kpn.example')!.subject ?? '', /systemen in uw netwerk/);
    const again = await baken('worker', '--once', '--json');
    assert.equal(JSON.parse(again.stdout).sent, 0, 'nothing twice');
    const show = JSON.parse((await baken('case', 'show', caseId, '--json')).stdout);
    assert.equal(show.state, 'notifying');

    // A re-scan: one KPN host still affected, one found for the first time; SURF's host is fixed.
    const rescan = await uploadHosts(db().ctx, SYSTEM, caseId, '31.149.1.1:443\n31.149.9.9:443\n', { format: 'ips', source: 'rescan' });
    assert.equal(rescan.alreadyInCase, 1);
    smtp.received.length = 0;
    const followup = await baken('case', 'notify', caseId, '--followup', '--json');
    assert.equal(followup.code, 0, followup.stderr);
    assert.deepEqual([JSON.parse(followup.stdout).messages, JSON.parse(followup.stdout).hosts], [1, 1]);
    await baken('worker', '--once');
    assert.deepEqual(smtp.received.map((m) => m.envelopeTo.join()), ['abuse@kpn.example']);
    assert.match(smtp.received[0]!.subject ?? '', /\(vervolg\)/);
    assert.match(smtp.received[0]!.parsed.attachments[0]!.content.toString(), /^timestamp,ip,port,asn\n[^\n]*,31\.149\.1\.1,443,1136\n$/);
  });
});
