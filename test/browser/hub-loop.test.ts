/**
 * The detection-network loop in a real browser, on both databases: an analyst composes and publishes an alert; member
 * A signs in, finds it and reports a sighting through "we see this"; member B's alert page, open all along, updates
 * live over the stream (its session cookie authenticates it) without a reload: anonymous first, named once A shares
 * its name. Screens: artifacts/browser/hub-{analyst,member-a,member-b}-<dialect>.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createOrganisation } from '../../src/accounts/organisations.js';
import { createUser } from '../../src/accounts/users.js';
import { SYSTEM } from '../../src/platform/context.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { artifactPath, browserSkipReason, launchChromium } from '../helpers/browser.js';
import { DIALECTS, skipReason } from '../helpers/databases.js';

const PASSWORD = 'a password for the hub browser test';

for (const dialect of DIALECTS) {
  describe(`an alert out, a sighting back, another member's page updating live, in a browser [${dialect}]`, { skip: skipReason(dialect) || browserSkipReason() }, () => {
    let t: TestApp;
    let browser: Browser;
    let base: string;

    before(async () => {
      t = await createTestApp(dialect);
      const { ctx } = t;
      const coordinator = Number((await ctx.db.kysely.selectFrom('organisations').select('id').where('kind', '=', 'coordinator').executeTakeFirstOrThrow()).id);
      await createUser(ctx, SYSTEM, { email: 'analyst@cert.example', role: 'analyst', organisationId: coordinator, password: PASSWORD });
      for (const name of ['A', 'B']) {
        const org = (await createOrganisation(ctx, SYSTEM, { name: `Netbeheer ${name}`, kind: 'member', sector: 'energy' })).id;
        await createUser(ctx, SYSTEM, { email: `soc@${name.toLowerCase()}.example`, role: 'member', organisationId: org, password: PASSWORD });
      }
      base = await t.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await t?.close();
    });

    /** A fresh browser context (its own cookies), signed in and on `path`. */
    async function signIn(email: string, path: string): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/login?next=${encodeURIComponent(path)}`);
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await page.click('button[type=submit]:has-text("Log in")');
      await page.waitForURL(`${base}${path}`);
      return page;
    }

    test('publish, see, report; the other member sees it arrive', async () => {
      // The analyst composes and publishes.
      const analyst = await signIn('analyst@cert.example', '/alerts');
      await analyst.fill('#title', 'Phishing aimed at grid operators');
      await analyst.selectOption('#tlp', 'AMBER');
      await analyst.fill('#summary', 'Credential phishing against **energy** companies. Block and look for these.');
      await analyst.fill('#indicators', 'hxxps://login-grid[.]example/sso\nbad-grid.example');
      await analyst.click('form[action="/alerts"] button[type=submit]');
      await analyst.waitForURL(/\/alerts\/\d+\?done=saved$/);
      const alertId = Number(/\/alerts\/(\d+)/.exec(analyst.url())![1]);
      await analyst.click(`form[action="/alerts/${alertId}/publish"] button[type=submit]`);
      await analyst.waitForSelector('.notice.ok');
      assert.match((await analyst.textContent('main')) ?? '', /Netbeheer A[\s\S]*Netbeheer B/);
      await analyst.screenshot({ path: artifactPath(`hub-analyst-${dialect}.png`), fullPage: true });

      // Member B opens the alert and keeps it open; the stream connects with B's session cookie.
      const b = await signIn('soc@b.example', `/alerts/${alertId}`);
      await b.waitForSelector('[data-live-status]:has-text("Live")');
      assert.match((await b.textContent('[data-testid=alert-sightings]')) ?? '', /No sightings yet/);
      await b.evaluate(() => ((window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));

      // Member A finds it among its alerts and reports a sighting, without sharing its name.
      const a = await signIn('soc@a.example', '/alerts');
      await a.click(`[data-testid=alert-${alertId}] a`);
      await a.waitForURL(`${base}/alerts/${alertId}`);
      assert.match((await a.textContent('h1')) ?? '', /Phishing aimed at grid operators/);
      await a.selectOption('#sighting-indicator', { label: 'bad-grid.example (domain)' });
      await a.fill('#sighting-count', '3');
      await a.fill('#sighting-note', 'seen at our mail gateway');
      await a.click(`form[action="/alerts/${alertId}/sightings"] button[type=submit]`);
      await a.waitForSelector('.notice.ok');
      assert.match((await a.textContent('.notice.ok')) ?? '', /Sighting reported/);
      await a.screenshot({ path: artifactPath(`hub-member-a-${dialect}.png`), fullPage: true });

      // B's page changes by itself: one organisation, in the energy sector, anonymous.
      const first = b.locator('[data-testid=recent-sighting]').first();
      await first.waitFor({ timeout: 5000 });
      assert.match((await first.textContent()) ?? '', /bad-grid\.example · Energy · an organisation$/);
      const row = b.locator('tr[data-indicator]', { hasText: 'bad-grid.example' });
      assert.equal(await row.locator('[data-organisations]').textContent(), '1');
      assert.equal(await row.locator('[data-sightings]').textContent(), '1');
      assert.equal(await b.textContent('[data-testid=sighting-sectors]'), 'Energy');
      const text = (await b.textContent('main')) ?? '';
      assert.ok(!text.includes('Netbeheer A') && !text.includes('mail gateway'), 'B learns neither who nor the note');

      // A reports again and this time shares its name: B sees it named, still one organisation, two reports.
      await a.goto(`${base}/alerts/${alertId}`);
      await a.selectOption('#sighting-indicator', { label: 'bad-grid.example (domain)' });
      await a.check('input[name=share_name]');
      await a.click(`form[action="/alerts/${alertId}/sightings"] button[type=submit]`);
      await a.waitForSelector('.notice.ok');
      await b.waitForSelector('[data-testid=recent-sighting]:has-text("Netbeheer A")', { timeout: 5000 });
      assert.equal(await b.locator('[data-testid=recent-sighting]').count(), 2);
      assert.equal(await row.locator('[data-organisations]').textContent(), '1');
      assert.equal(await row.locator('[data-sightings]').textContent(), '2');
      assert.equal(await b.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage), true, 'updated without a reload');
      await b.screenshot({ path: artifactPath(`hub-member-b-${dialect}.png`), fullPage: true });

      // Without JavaScript the same page, loaded now, shows the same facts.
      const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await b.context().storageState() });
      const plain = await noJs.newPage();
      await plain.goto(`${base}/alerts/${alertId}`);
      assert.match((await plain.textContent('[data-testid=alert-sightings]')) ?? '', /bad-grid\.example\s*1\s*2\s*Energy/);
      assert.equal(await plain.locator('[data-testid=recent-sighting]').count(), 2);
      await noJs.close();
    });
  });
}
