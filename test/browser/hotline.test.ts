/**
 * The hotline in a real browser: a researcher reports vulnerable hosts through
 * the public form; a handler validates the case, previews and starts the
 * notification round; the worker delivers it to a real SMTP server, and the
 * handler sees it delivered. The screen is kept as artifacts/browser/hotline-<dialect>.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { SYSTEM } from '../../src/platform/context.js';
import { createSmtpMailer } from '../../src/platform/delivery/mailer.js';
import { DeliveryWorker } from '../../src/platform/delivery/worker.js';
import { createOperator } from '../../src/registry/operators.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../helpers/app.js';
import { artifactPath, browserSkipReason, launchChromium } from '../helpers/browser.js';
import { DIALECTS, skipReason } from '../helpers/databases.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

for (const dialect of DIALECTS) {
  describe(`a report from received to notified, in a browser [${dialect}]`, { skip: skipReason(dialect) || browserSkipReason() }, () => {
    let t: TestApp;
    let smtp: TestSmtpServer;
    let browser: Browser;
    let base: string;

    before(async () => {
      smtp = await startSmtpServer();
      t = await createTestApp(dialect);
      await createOperator(t.ctx, SYSTEM, { name: 'KPN', language: 'nl', asns: [1136], contacts: ['abuse@kpn.example'] });
      base = await t.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await t?.close();
      await smtp?.close();
    });

    test('the researcher reports, the handler validates and notifies, the operator gets its hosts', async () => {
      // The researcher, without an account.
      const researcher = await browser.newPage();
      await researcher.goto(`${base}/report`);
      await researcher.fill('#title', 'Exposed Example Gateway admin interface');
      await researcher.selectOption('#classification', 'vulnerable/vulnerable-system');
      await researcher.fill('#description', 'The admin interface of the gateway is reachable without a password.');
      await researcher.fill('#hosts', '31.149.1.1:443\n31.149.2.2:8443\n10.0.0.1:443');
      await researcher.fill('#name', 'Ada Onderzoeker');
      await researcher.fill('#email', 'ada@research.example');
      await researcher.check('input[name=may_credit]');
      await researcher.click('form[action="/report"] button[type=submit]');
      const receipt = (await researcher.textContent('main')) ?? '';
      const caseId = /[A-Z]+-\d{4}-\d{5}/.exec(receipt)?.[0];
      assert.ok(caseId, receipt);
      assert.match(receipt, /10\.0\.0\.1/, 'the rejected line is shown to the researcher with its reason');

      // The handler.
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(`${base}/login?next=${encodeURIComponent(`/cases/${caseId}`)}`);
      await page.fill('#email', t.adminEmail);
      await page.fill('#password', ADMIN_PASSWORD);
      await page.click('button[type=submit]:has-text("Log in")');
      await page.waitForURL(`${base}/cases/${caseId}`);
      await page.click('button[name=state][value=validated]');
      await page.waitForSelector('[data-testid=notify-link]');
      await page.click('[data-testid=notify-link]');
      await page.waitForSelector('[data-testid=notify-count]');
      assert.match((await page.textContent('[data-testid=notify-count]')) ?? '', /^1 messages to 1 recipients, 2 hosts\./);
      assert.equal(smtp.received.filter((m) => (m.subject ?? '').includes(caseId)).length, 0, 'a preview sends nothing');
      await page.click('button:has-text("Send the notifications")');
      await page.waitForSelector('.notice.ok');
      assert.match((await page.textContent('.notice.ok')) ?? '', /Round 1 started: 1 messages queued/);

      // The worker delivers; the handler sees it.
      const run = await new DeliveryWorker(t.ctx, { mailer: createSmtpMailer(smtp.url), ratePerMinute: 60_000 }).runOnce();
      assert.ok(run.sent >= 1);
      await page.reload();
      assert.match((await page.textContent('[data-testid=round-1]')) ?? '', /abuse@kpn\.example\s*2\s*sent/);
      await page.screenshot({ path: artifactPath(`hotline-${dialect}.png`), fullPage: true });
      const mails = smtp.received.filter((m) => m.envelopeTo.includes('abuse@kpn.example'));
      assert.equal(mails.length, 1);
      const csv = mails[0]!.parsed.attachments[0]!.content.toString();
      assert.match(csv, /31\.149\.1\.1,443/);
      assert.match(csv, /31\.149\.2\.2,8443/);
      assert.doesNotMatch(csv, /10\.0\.0\.1/);
    });
  });
}
