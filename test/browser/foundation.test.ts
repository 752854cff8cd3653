/**
 * A person in a real browser: the bootstrap admin logs in, creates a member
 * organisation and a user for it, switches to Dutch, and the screen is kept as
 * an artefact (artifacts/browser/foundation-<dialect>.png).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { findUser } from '../../src/accounts/users.js';
import { findOrganisation } from '../../src/accounts/organisations.js';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../helpers/app.js';
import { artifactPath, browserSkipReason, launchChromium } from '../helpers/browser.js';
import { DIALECTS, skipReason } from '../helpers/databases.js';

for (const dialect of DIALECTS) {
  describe(`the admin in a browser [${dialect}]`, { skip: skipReason(dialect) || browserSkipReason() }, () => {
    let t: TestApp;
    let browser: Browser;
    let base: string;

    before(async () => {
      t = await createTestApp(dialect);
      base = await t.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    test('logs in, creates a member organisation and a user, switches to Dutch', async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));

      await page.goto(`${base}/admin/organisations`);
      assert.match(page.url(), /\/login\?next=%2Fadmin%2Forganisations$/);
      await page.fill('#email', t.adminEmail);
      await page.fill('#password', ADMIN_PASSWORD);
      await page.click('button[type=submit]:has-text("Log in")');
      await page.waitForURL(`${base}/admin/organisations`);

      await page.fill('#name', 'Waterschap Rivierenland');
      await page.selectOption('#kind', 'member');
      await page.selectOption('#sector', 'drinking-water');
      await page.selectOption('#language', 'nl');
      await page.click('button:has-text("Create organisation")');
      await page.waitForSelector('.notice.ok');
      assert.match(await page.textContent('.notice.ok') ?? '', /Waterschap Rivierenland/);
      const org = await findOrganisation(t.ctx, 'Waterschap Rivierenland');
      assert.equal(org.sector, 'drinking-water');
      assert.equal(org.language, 'nl');

      await page.click('nav.main a:has-text("Users")');
      await page.fill('#email', 'soc@rivierenland.example');
      await page.fill('#name', 'SOC Rivierenland');
      await page.selectOption('#organisation_id', String(org.id));
      await page.selectOption('#role', 'member');
      await page.click('button:has-text("Create user")');
      const generated = await page.textContent('[data-testid=generated-password]');
      assert.match(generated ?? '', /shown only now: \S{20,}/);
      const user = await findUser(t.ctx, 'soc@rivierenland.example');
      assert.equal(user.organisationId, org.id);

      await page.click('a[lang=nl]');
      await page.waitForSelector('h1:has-text("Gebruikers")');
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.ok(await page.isVisible('nav.main a:has-text("Organisaties")'));
      assert.ok(await page.isVisible('text=soc@rivierenland.example'));
      await page.screenshot({ path: artifactPath(`foundation-${dialect}.png`), fullPage: true });

      // The same screen on a phone stays usable: no sideways scrolling of the page itself.
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px on a phone`);
      await page.screenshot({ path: artifactPath(`foundation-${dialect}-phone.png`), fullPage: true });
      assert.deepEqual(problems, [], 'no errors in the browser console (CSP violations show up here)');
    });
  });
}
