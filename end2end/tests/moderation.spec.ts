import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { listItem, newUser, readmeShot, signUp } from './helpers';

/** Serious and critical axe findings (WCAG 2.1 AA) on the open page. */
async function axeFindings(page: import('@playwright/test').Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

test('a reported listing is hidden by a moderator: gone from search and its page for everyone else', async ({ browser }) => {
  test.setTimeout(90_000);
  const word = `zorblat${Date.now().toString(36)}`;
  const seller = await newUser(browser, 'mseller');
  const id = await listItem(seller.page, `Replica watch ${word}`, 'Swiss made, honest. <b>Really</b>.');

  // Anyone can find it, until it is hidden.
  const visitor = await (await browser.newContext()).newPage();
  await expect(async () => {
    await visitor.goto(`/search?q=${word}`);
    await expect(visitor.locator(`a[href="/items/${id}"]`).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });

  // A user reports it from its page.
  const reporter = await newUser(browser, 'mreporter');
  await reporter.page.goto(`/items/${id}`);
  await reporter.page.getByRole('link', { name: 'Report this listing' }).click();
  await expect(reporter.page.getByRole('heading', { name: 'Report a listing' })).toBeVisible();
  await expect(reporter.page.getByTestId('reported')).toContainText(`Replica watch ${word}`);
  await reporter.page.getByLabel('Fraud or a scam').check();
  await reporter.page.getByLabel(/Anything the moderators should know/).fill('Looks counterfeit <script>alert(1)</script>');
  expect(await axeFindings(reporter.page)).toEqual([]);
  await reporter.page.getByRole('button', { name: 'Send the report' }).click();
  await expect(reporter.page.getByText('Thank you: the moderators have your report.')).toBeVisible();

  // The moderation page is not there for the reporter; the moderator has the report, as text.
  const missing = await reporter.page.goto('/ops/moderation');
  expect(missing?.status()).toBe(404);
  const context = await browser.newContext();
  const moderator = await context.newPage();
  await signUp(moderator, 'e2e_moderator');
  await moderator.locator('.user-menu > summary').click();
  // An administrator's menu leads to the operations page, and from there to moderation.
  await moderator.locator('.user-menu').getByRole('link', { name: 'Operations' }).click();
  await expect(moderator).toHaveURL(/\/ops$/);
  await expect(moderator.getByRole('heading', { name: 'Operations' })).toBeVisible();
  await moderator.locator('.user-menu > summary').click();
  await moderator.locator('.user-menu').getByRole('link', { name: 'Moderation' }).click();
  const entry = moderator.locator(`.mod-entry[data-target="item:${id}"]`).first();
  await expect(entry).toContainText(`Replica watch ${word}`);
  await expect(entry).toContainText('Looks counterfeit <script>alert(1)</script>');
  await expect(entry).toContainText(reporter.name);
  expect(await axeFindings(moderator)).toEqual([]);
  await readmeShot(moderator, 'moderation.png');
  await entry.getByLabel('Why (kept in the audit log)').fill('Counterfeit goods');
  await entry.getByRole('button', { name: 'Hide listing' }).click();
  await expect(moderator.getByText('Done: it is hidden')).toBeVisible();
  await expect(moderator.getByTestId('audit-log')).toContainText('Counterfeit goods');
  // With lines in it, the audit log is a wide table: on a phone it scrolls sideways in a
  // region the keyboard reaches (axe: scrollable-region-focusable), and nothing else is wider
  // than the screen.
  await moderator.setViewportSize({ width: 390, height: 844 });
  const log = moderator.getByRole('region', { name: 'Audit log' });
  await expect(log).toHaveAttribute('tabindex', '0');
  expect(await log.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  expect(await axeFindings(moderator)).toEqual([]);
  expect(await moderator.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await moderator.setViewportSize({ width: 1280, height: 800 });
  await expect(moderator.locator(`.mod-entry[data-target="item:${id}"]`)).toHaveCount(0);

  // Gone for the visitor and the reporter: its page is not found, search does not list it.
  for (const page of [visitor, reporter.page]) {
    const response = await page.goto(`/items/${id}`);
    expect(response?.status()).toBe(404);
    await page.goto(`/search?q=${word}`);
    await expect(page.locator(`a[href="/items/${id}"]`)).toHaveCount(0);
  }
  // Its seller still sees it, and why.
  await seller.page.goto(`/items/${id}`);
  await expect(seller.page.getByTestId('removed')).toContainText('Counterfeit goods');
});

/** Places a maximum bid on the open item page and waits for the answer. */
async function bid(page: import('@playwright/test').Page, dollars: string, answer: string | RegExp) {
  await expect(page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel(/Your maximum bid/).fill(dollars);
  await page.getByRole('button', { name: /Place bid/ }).click();
  await expect(page.getByText(answer).first()).toBeVisible();
}

test('a seller blocks a bidder: their bid is cancelled, the lead and the reserve go back, and a new bid is refused', async ({ browser }) => {
  const seller = await newUser(browser, 'bseller');
  const id = await listItem(seller.page, 'Blocked-bid chair', { reserve: '30' });
  const pest = await newUser(browser, 'bpest');
  const fair = await newUser(browser, 'bfair');
  // fair bids $15, the pest outbids with a $40 maximum, which meets the $30 reserve: fair's
  // page hears it live.
  await fair.page.goto(`/items/${id}`);
  await bid(fair.page, '15', 'You have the highest bid.');
  const reserve = fair.page.locator('[data-live="reserve"]');
  await expect(reserve).toHaveText('Reserve not met');
  await pest.page.goto(`/items/${id}`);
  await bid(pest.page, '40', 'You have the highest bid.');
  await expect(fair.page.getByText('You were outbid.')).toBeVisible();
  await expect(reserve).toHaveText('Reserve met');

  await seller.page.locator('.user-menu > summary').click();
  await seller.page.getByRole('link', { name: 'Blocked bidders' }).click();
  await seller.page.getByLabel('Username to block').fill(pest.name);
  await seller.page.getByRole('button', { name: 'Block', exact: true }).click();
  await expect(seller.page.getByText('Blocked: they can no longer bid on or buy your listings.')).toBeVisible();
  await expect(seller.page.getByTestId('blocked-list')).toContainText(pest.name);
  expect(await axeFindings(seller.page)).toEqual([]);

  // The block cancels the pest's maximum: fair leads again at the start price, live, and
  // the history shows the cancelled bid struck through.
  await expect(fair.page.getByText('You have the highest bid.')).toBeVisible({ timeout: 10_000 });
  // fair's $15 is under the reserve: the open page says so again, before any reload.
  await expect(reserve).toHaveText('Reserve not met');
  await expect(fair.page.getByTestId('price')).toHaveText('$10.00');
  await fair.page.reload();
  await expect(fair.page.getByTestId('price')).toHaveText('$10.00');
  const cancelled = fair.page.locator('.bid-history tr.cancelled');
  await expect(cancelled).toHaveCount(1);
  await expect(cancelled).toContainText(pest.name);
  await expect(cancelled).toContainText('(cancelled)');
  await expect(cancelled.locator('td.num')).toHaveCSS('text-decoration-line', 'line-through');
  expect(await axeFindings(fair.page)).toEqual([]);

  await pest.page.goto(`/items/${id}`);
  await bid(pest.page, '50', 'The seller of this item does not accept your bids.');
});
