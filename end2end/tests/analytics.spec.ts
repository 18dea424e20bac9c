import { test, expect, Browser, Page } from '@playwright/test';
import path from 'node:path';
import { listItem, screenshots, signUp, uniqueName, readmeShot, newUser } from './helpers';

const second = `http://127.0.0.1:${Number(process.env.RBAY_E2E_PORT!) + 1}`;

async function bid(page: Page, id: string, dollars: string, base = '') {
  await page.goto(`${base}/items/${id}`);
  await expect(page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel(/Your maximum bid/).fill(dollars);
  await page.getByRole('button', { name: 'Place bid' }).click();
  await expect(page.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
  await expect(page.getByText(/You have the highest bid/)).toBeVisible();
}

const total = (page: Page, chart: string) => page.locator(`[data-chart="${chart}"] .chart-total`);

test('a bid on one instance moves the seller dashboard and the market board on the other, live', async ({ browser }) => {
  test.setTimeout(90_000);
  // The seller lists an item on instance 1 and watches the dashboard there.
  const seller = await newUser(browser, 'aseller');
  const title = `Chart clock ${Date.now().toString(36)}`;
  const id = await listItem(seller.page, title, 'Watched by its charts.');

  await seller.page.goto('/dashboard');
  await expect(seller.page.locator('.panels-head [data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await expect(total(seller.page, 'seller-b')).toHaveText('0');
  await expect(seller.page.locator('.stats-table')).toContainText(title);
  // The charts say whose clock they read: the browser's until the seller chooses (UTC here).
  await expect(seller.page.locator('.chart-zone')).toContainText('Times of day in UTC');

  // A visitor follows the market board on instance 2.
  const visitor = await browser.newContext({ baseURL: second });
  const board = await visitor.newPage();
  await board.goto('/market');
  await expect(board.locator('.panels-head [data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  const bidsTile = board.locator('[data-tile="bids"]');
  const bidsBefore = Number(await bidsTile.textContent());

  // A bidder on instance 2: the seller's chart moves within 2 s, without a reload.
  const bidder = await newUser(browser, 'abidder', second);
  await bid(bidder.page, id, '12', second);
  await expect(total(seller.page, 'seller-b')).toHaveText('1', { timeout: 2_000 });
  await expect(total(seller.page, 'seller-u')).toHaveText('1');
  await expect(seller.page.locator('[data-chart="seller-b"] rect[data-value="1"]')).toHaveCount(1);
  await expect(bidsTile).toHaveText(String(bidsBefore + 1), { timeout: 3_000 });
  // (Which items trend depends on the demo data's own bids: the Rust tests check the rankings.)
  await expect(board.locator('.rank-list')).toHaveCount(2);

  // A second bid, from another bidder on instance 1.
  const other = await newUser(browser, 'abidder2');
  await bid(other.page, id, '15');
  // Bids count as the item counts them: the new bid and the automatic bid it caused.
  await expect(total(seller.page, 'seller-b')).toHaveText('3', { timeout: 2_000 });
  // Bidders are people, counted once each: two, for three bids.
  await expect(total(seller.page, 'seller-u')).toHaveText('2');
  await expect(bidsTile).toHaveText(String(bidsBefore + 3), { timeout: 3_000 });

  // Other periods are plain links (no JavaScript needed) and include the same bids.
  await seller.page.getByRole('link', { name: '24 hours' }).click();
  await expect(seller.page).toHaveURL(/span=day/);
  await expect(total(seller.page, 'seller-b')).toHaveText('3');
  await seller.page.getByRole('link', { name: 'Last hour' }).click();
  await seller.page.setViewportSize({ width: 1280, height: 900 });
  await readmeShot(seller.page, 'dashboard.png');

  // The item's drill-down: the same charts for the item alone, and its price over time.
  await seller.page.getByRole('link', { name: title }).click();
  await expect(seller.page).toHaveURL(new RegExp(`/dashboard/items/${id}`));
  await expect(total(seller.page, 'item-b')).toHaveText('3');
  await expect(total(seller.page, 'item-u')).toHaveText('2');
  await expect(seller.page.locator('[data-chart="item-price"] .chart-total')).toHaveText(/\$1[0-9]\.\d\d/);
  await expect(seller.page.locator('[data-chart="item-price"] svg desc')).toContainText('From $10.00');
  // Both ends of its time axis give the date and the time of day.
  const ends = seller.page.locator('[data-chart="item-price"] svg > text.tick', { hasText: ':' });
  await expect(ends).toHaveCount(2);
  for (const end of await ends.allTextContents()) expect(end).toMatch(/^[A-Z][a-z]{2} \d{1,2} \d\d:\d\d$/);
  await readmeShot(seller.page, 'dashboard-item.png');

  // Another seller's item is not yours to look at.
  const response = await bidder.page.goto(`${second}/dashboard/items/${id}`);
  expect(response?.status()).toBe(404);

  await board.setViewportSize({ width: 1280, height: 900 });
  await readmeShot(board, 'market.png');
  await board.setViewportSize({ width: 390, height: 844 });
  await readmeShot(board, 'market-phone.png');
  await seller.page.goto('/dashboard');
  await seller.page.setViewportSize({ width: 390, height: 844 });
  await readmeShot(seller.page, 'dashboard-phone.png');

  // The seller chooses the clock of their charts: a plain form, kept with the account.
  await seller.page.setViewportSize({ width: 1280, height: 900 });
  const firstTick = () => seller.page.locator('[data-chart="seller-b"] svg > text.tick', { hasText: ':' }).first().textContent();
  const utcTick = (await firstTick())!;
  await seller.page.getByRole('link', { name: 'Choose your time zone' }).click();
  await expect(seller.page.getByLabel('Time zone')).toHaveValue('');
  await seller.page.getByLabel('Time zone').selectOption('Asia/Kolkata');
  await seller.page.getByRole('button', { name: 'Save' }).click();
  await expect(seller.page).toHaveURL(/\/dashboard$/);
  await expect(seller.page.locator('.chart-zone')).toContainText('Times of day in Asia/Kolkata');
  // The same minute, five and a half hours later on the axis (within the hour the test took).
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const shifted = (minutes((await firstTick())!) - minutes(utcTick) + 1440) % 1440;
  expect(Math.abs(shifted - 330)).toBeLessThanOrEqual(1);

  for (const c of [seller.context, bidder.context, other.context, visitor]) await c.close();
});

test("the item's price chart, the market board and a dashboard read the visitor's clock once the page runs, or the one they chose", async ({ browser }) => {
  test.setTimeout(90_000);
  const seller = await newUser(browser, 'zseller');
  const id = await listItem(seller.page, `Clock ${Date.now().toString(36)}`, 'Charted in Tokyo.');
  const bidder = await newUser(browser, 'zbidder');
  await bid(bidder.page, id, '12');

  // Without JavaScript the page cannot know the visitor's zone: UTC, and it says so.
  const plain = await browser.newContext({ timezoneId: 'Asia/Tokyo', javaScriptEnabled: false });
  const plainPage = await plain.newPage();
  await plainPage.goto(`/items/${id}`);
  const chartOf = (page: Page) => page.locator('[data-live="chart"]');
  await expect(chartOf(plainPage)).toContainText('Price over time (UTC)');
  const firstTick = async (page: Page) =>
    (await chartOf(page).locator('svg > text.tick', { hasText: ':' }).first().textContent())!;
  const utcTick = await firstTick(plainPage);

  // With it, the chart is fetched again in the browser's zone: the same start, 9 hours later.
  const tokyo = await browser.newContext({ timezoneId: 'Asia/Tokyo' });
  const page = await tokyo.newPage();
  await page.goto(`/items/${id}`);
  await expect(chartOf(page)).toContainText('Price over time (Asia/Tokyo)', { timeout: 10_000 });
  const minutes = (t: string) => Number(t.slice(-5, -3)) * 60 + Number(t.slice(-2));
  expect((minutes(await firstTick(page)) - minutes(utcTick) + 1440) % 1440).toBe(540);
  // A bid redraws it, in the same zone.
  const before = await chartOf(page).locator('svg desc').textContent();
  const other = await newUser(browser, 'zbidder2');
  await bid(other.page, id, '20');
  await expect(chartOf(page).locator('svg desc')).not.toHaveText(before!, { timeout: 5_000 });
  await expect(chartOf(page)).toContainText('Price over time (Asia/Tokyo)');

  // The comments page has no chart: nothing is fetched for it, even after a bid.
  const fetched: string[] = [];
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto(`/items/${id}/comments`);
  await expect(page.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await bid(bidder.page, id, '40');
  await page.waitForTimeout(1_500);
  expect(fetched.filter((u) => u.includes('/chart'))).toEqual([]);

  // The seller's dashboard, in a browser in Tokyo: its clock until the seller chooses one.
  const state = await seller.context.storageState();
  const tokyoSeller = await browser.newContext({ timezoneId: 'Asia/Tokyo', storageState: state });
  const desk = await tokyoSeller.newPage();
  await desk.goto('/dashboard');
  await expect(desk.locator('.chart-zone')).toHaveAttribute('data-zone', 'Asia/Tokyo', { timeout: 10_000 });
  await desk.goto('/dashboard/time-zone');
  await desk.getByLabel('Time zone').selectOption('UTC');
  await desk.getByRole('button', { name: 'Save' }).click();
  await expect(desk).toHaveURL(/\/dashboard$/);
  await expect(desk.locator('.panels-head [data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await desk.waitForTimeout(1_000);
  await expect(desk.locator('.chart-zone')).toHaveAttribute('data-zone', 'UTC');

  // The market board, likewise; a browser in UTC is not asked again.
  await page.goto('/market');
  await expect(page.locator('.chart-zone')).toHaveAttribute('data-zone', 'Asia/Tokyo', { timeout: 10_000 });
  await plainPage.goto('/market');
  await expect(plainPage.locator('.chart-zone')).toHaveAttribute('data-zone', 'UTC');
  const utc = await browser.newContext({ timezoneId: 'UTC' });
  const utcPage = await utc.newPage();
  const asked: string[] = [];
  utcPage.on('request', (r) => asked.push(r.url()));
  await utcPage.goto('/market');
  await expect(utcPage.locator('.panels-head [data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  expect(asked.filter((u) => u.includes('/market/panels'))).toEqual([]);
  await expect(utcPage.locator('.chart-zone')).toHaveAttribute('data-zone', 'UTC');

  // A clock chosen with the account is the server's to draw: the item page's chart and the
  // market board read it without JavaScript, and it wins over the browser's zone with it.
  const bidderState = await bidder.context.storageState();
  const plainChooser = await browser.newContext({ timezoneId: 'Asia/Tokyo', javaScriptEnabled: false, storageState: bidderState });
  const chooser = await plainChooser.newPage();
  await chooser.goto('/dashboard/time-zone');
  await chooser.getByLabel('Time zone').selectOption('Asia/Kolkata');
  await chooser.getByRole('button', { name: 'Save' }).click();
  await expect(chooser).toHaveURL(/\/dashboard$/);
  await chooser.goto(`/items/${id}`);
  await expect(chartOf(chooser)).toContainText('Price over time (Asia/Kolkata)');
  await chooser.goto('/market');
  await expect(chooser.locator('.chart-zone')).toHaveAttribute('data-zone', 'Asia/Kolkata');
  const liveChooser = await browser.newContext({ timezoneId: 'Asia/Tokyo', storageState: bidderState });
  const live = await liveChooser.newPage();
  const refetched = live.waitForResponse((r) => r.url().includes(`/items/${id}/chart?tz=Asia`));
  await live.goto(`/items/${id}`);
  await expect(chartOf(live)).toContainText('Price over time (Asia/Kolkata)');
  expect(await (await refetched).text()).toContain('Price over time (Asia/Kolkata)');

  for (const c of [seller.context, bidder.context, other.context, plain, tokyo, tokyoSeller, utc, plainChooser, liveChooser]) await c.close();
});
