/**
 * A worker killed in the middle of a round and started again: every message
 * arrives, and none twice. The SMTP server drops the message in flight when the
 * worker dies, as a real one does when the client goes away before the end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { enqueueEmail } from '../../src/platform/delivery/outbox.js';
import { BAKEN_BIN, runCli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

describeEachDatabase('a delivery worker killed mid-round', (db) => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => smtp.close());

  test('resumes without duplicates or losses', async () => {
    const { ctx, dataDir, url } = db();
    const total = 30;
    for (let i = 0; i < total; i++) {
      await enqueueEmail(ctx.db.kysely, ctx.clock, { to: [`abuse@op${i}.example`], subject: `notification ${i}`, text: `hosts of operator ${i}`, idempotencyKey: `crash:${i}`, topic: 'test' });
    }
    const env = {
      PATH: process.env.PATH ?? '',
      BAKEN_DATA_DIR: dataDir,
      BAKEN_DATABASE_URL: url,
      BAKEN_SECRET: 'crash-test-secret-'.padEnd(40, 'x'),
      BAKEN_SMTP_URL: smtp.url,
      BAKEN_MAIL_RATE_PER_MINUTE: '60000',
      BAKEN_DELIVERY_LEASE_SECONDS: '1',
      BAKEN_LOG_LEVEL: 'silent',
    };
    const child = spawn(process.execPath, [BAKEN_BIN, 'worker'], { env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let seen = 0;
    smtp.onMessage = () => {
      seen++;
      if (seen === 12) {
        child.kill('SIGKILL');
        return false;
      }
      return true;
    };
    await exited;
    smtp.onMessage = null;
    assert.equal(smtp.received.length, 11, 'eleven answered before the kill; the twelfth was in flight');
    await new Promise((r) => setTimeout(r, 1100));
    const again = await runCli(['worker', '--once', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const ids = smtp.received.map((m) => m.messageId);
    assert.equal(ids.length, total, 'every message arrived');
    assert.equal(new Set(ids).size, total, 'none twice');
    assert.deepEqual(new Set(smtp.received.map((m) => m.envelopeTo[0])).size, total);
    const statuses = await ctx.db.kysely.selectFrom('outbox').select('status').where('topic', '=', 'test').execute();
    assert.ok(statuses.every((s) => s.status === 'sent'));
  });
});
