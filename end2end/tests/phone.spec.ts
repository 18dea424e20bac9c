import { test, expect, type Page } from '@playwright/test';
import { listItem, newUser } from './helpers';

const PHONE = { width: 390, height: 844 };

/** Bids `dollars` on item `id` through its page, once the bid form is hydrated. */
async function bid(page: Page, id: string, dollars: string) {
  await page.goto(`/items/${id}`);
  await expect(page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel(/Your maximum bid/).fill(dollars);
  await page.getByRole('button', { name: 'Place bid' }).click();
  await expect(page.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
}

/** Every cell of the page's item table lies inside the phone's width, and the page itself does
 * not scroll sideways. */
async function fitsThePhone(page: Page) {
  const cells = page.locator('table.items-table tbody td');
  expect(await cells.count()).toBeGreaterThan(0);
  for (const cell of await cells.all()) {
    const box = await cell.boundingBox();
    expect(box, await cell.innerText()).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, await cell.innerText()).toBeLessThanOrEqual(PHONE.width);
  }
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(PHONE.width);
}

/** The item's name is on at most two lines (not one word per line). */
async function nameReadable(page: Page, name: string) {
  const link = page.locator('table.items-table tbody td').getByRole('link', { name });
  const box = await link.boundingBox();
  const line = await link.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 24);
  expect(box!.height).toBeLessThanOrEqual(line * 2 + 2);
}

test('at phone width My bids and Your listings show every column, each under its label', async ({ browser }) => {
  const seller = await newUser(browser, 'phonetab');
  const bidder = await newUser(browser, 'phonebid');
  const name = `Brass desk lamp with green shade ${Date.now().toString(36)}`;
  const id = await listItem(seller.page, name);

  await bid(bidder.page, id, '25');

  // My bids: item, price, the bidder's maximum, status and time left, all on screen.
  await bidder.page.setViewportSize(PHONE);
  await bidder.page.goto('/my/bids');
  const row = bidder.page.locator('table.items-table tbody tr').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  for (const label of ['Price', 'Your maximum', 'Status', 'Time left']) {
    const cell = row.locator(`td[data-label="${label}"]`);
    await expect(cell).toBeInViewport();
  }
  await expect(row.locator('td[data-label="Status"]')).toContainText('Winning');
  await fitsThePhone(bidder.page);
  await nameReadable(bidder.page, name);

  // Your listings: the same, and the sort links stay reachable above the rows.
  await seller.page.setViewportSize(PHONE);
  await seller.page.goto('/dashboard/items');
  for (const label of ['Price', 'Time left', 'Bids', 'Views', 'Likes']) {
    await expect(seller.page.locator(`table.items-table tbody td[data-label="${label}"]`).first()).toBeInViewport();
  }
  await fitsThePhone(seller.page);
  await nameReadable(seller.page, name);
  const sortByPrice = seller.page.getByRole('link', { name: /^Price/ });
  await expect(sortByPrice).toBeInViewport();
  await sortByPrice.click();
  await expect(seller.page).toHaveURL(/sort=price/);

  // At desktop width they are tables again: one row, the heads on top.
  await seller.page.setViewportSize({ width: 1280, height: 900 });
  const head = await seller.page.locator('table.items-table thead').boundingBox();
  const first = await seller.page.locator('table.items-table tbody tr').first().boundingBox();
  expect(head!.height).toBeGreaterThan(10);
  expect(first!.height).toBeLessThan(80);

  await seller.context.close();
  await bidder.context.close();
});

/** The size on screen of every chart label of the page, in CSS pixels (an SVG label is drawn at
 * the scale of its chart's width). */
async function labelSizes(page: Page): Promise<number[]> {
  return page.locator('.chart svg .tick').evaluateAll((labels) =>
    labels.map((label) => {
      const svg = (label as SVGTextElement).ownerSVGElement!;
      return parseFloat(getComputedStyle(label).fontSize) * svg.getScreenCTM()!.a;
    }),
  );
}

test('chart labels read at 10 to 16 px on a phone and on a desktop, the price scale in round steps', async ({ browser }) => {
  const seller = await newUser(browser, 'chartsize');
  const bidder = await newUser(browser, 'chartbid');
  const id = await listItem(seller.page, `Walnut tray ${Date.now().toString(36)}`);
  await bid(bidder.page, id, '25');

  for (const width of [390, 1280]) {
    // The seller's drill-down: seven small charts and the wide price chart; the item page's
    // price chart; the market board's small charts.
    for (const [page, path, charts] of [
      [seller.page, `/dashboard/items/${id}`, 8],
      [bidder.page, `/items/${id}`, 1],
      [bidder.page, '/market', 2],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      await expect(page.locator('.chart svg')).toHaveCount(charts);
      const sizes = await labelSizes(page);
      expect(sizes.length).toBeGreaterThan(0);
      for (const size of sizes) {
        expect(size, `${path} at ${width} px: ${sizes.map((s) => s.toFixed(1)).join(', ')}`).toBeGreaterThanOrEqual(10);
        expect(size, `${path} at ${width} px: ${sizes.map((s) => s.toFixed(1)).join(', ')}`).toBeLessThanOrEqual(16);
      }
    }
  }
  // The price scale is in round steps of whole dollars ($10.00, $11.00), not the price padded
  // by 50 cents either side ($9.50, $10.50).
  await seller.page.goto(`/dashboard/items/${id}`);
  const prices = (await seller.page.locator('[data-chart="item-price"] .tick').allTextContents()).filter((t) => t.startsWith('$'));
  expect(prices.length).toBeGreaterThanOrEqual(2);
  for (const price of prices) expect(price).toMatch(/^\$\d+\.00$/);
  await seller.context.close();
  await bidder.context.close();
});

test('card grids leave no holes: the home page\'s eight cards fill their rows at 390 and 1280 px', async ({ browser }) => {
  for (const width of [390, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto('/');
    const grids = page.locator('ul.card-grid');
    expect(await grids.count()).toBeGreaterThan(0);
    let full = 0;
    for (const grid of await grids.all()) {
      const lefts = await grid.locator(':scope > li').evaluateAll((cards) =>
        cards.map((card) => Math.round(card.getBoundingClientRect().left)),
      );
      const columns = new Set(lefts).size;
      if (lefts.length === 8) {
        full += 1;
        expect(8 % columns, `${columns} columns at ${width} px`).toBe(0);
      }
    }
    // The demo data fills at least one section of eight.
    expect(full).toBeGreaterThan(0);
    await context.close();
  }
});

test('card titles on a phone show two lines of a long name, not one cut short', async ({ browser }) => {
  const seller = await newUser(browser, 'phonecard');
  const stamp = Date.now().toString(36);
  const name = `Walnut writing bureau with brass fittings ${stamp}`;
  await listItem(seller.page, name);
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const title = page.locator('.card-title', { hasText: stamp });
  // Search finds a new listing once the index has it (a moment; the results cache half a second).
  await expect(async () => {
    await page.goto(`/search?q=${stamp}`);
    await expect(title).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const { height, line, width, scroll } = await title.evaluate((el) => ({
    height: el.getBoundingClientRect().height,
    line: parseFloat(getComputedStyle(el).lineHeight) || 24,
    width: el.getBoundingClientRect().width,
    scroll: document.documentElement.scrollWidth,
  }));
  // Two lines of the name (at ~17 characters a line, one line showed a third of it), never more.
  expect(height).toBeGreaterThan(line * 1.8);
  expect(height).toBeLessThanOrEqual(line * 2 + 2);
  expect(width).toBeLessThan(PHONE.width / 2);
  expect(scroll).toBeLessThanOrEqual(PHONE.width);
  // The whole name is still there for a pointer and for assistive technology.
  await expect(title).toHaveAttribute('title', name);
  await context.close();
  await seller.context.close();
});
