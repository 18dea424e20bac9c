import { newUser, readmeShot } from './helpers';
import { test, expect } from '@playwright/test';
import path from 'node:path';

const screenshots = path.resolve(__dirname, '../../docs/screenshots');

test('home page renders on the server and hydrates', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);

  // Server-rendered content is there before any script runs.
  await expect(page.locator('header .logo')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Ending soonest' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Most viewed' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Highest price' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  // The search box is an island: only hydrated code can show and use its clear button.
  const search = page.getByRole('combobox', { name: 'Search items' });
  await expect(page.getByRole('button', { name: 'Clear search' })).toHaveCount(0);
  await expect(async () => {
    await search.fill('');
    await search.pressSequentially('vintage');
    await expect(page.getByRole('button', { name: 'Clear search' })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Clear search' }).click();
  await expect(search).toHaveValue('');
  await expect(search).toBeFocused();
  await expect(page.getByRole('button', { name: 'Clear search' })).toHaveCount(0);

  await readmeShot(page, 'home.png');
});

test('search box works without hydration as a plain form', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Search items' }).fill('lamp');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/\/search\?q=lamp$/);
  await context.close();
});

test('unknown pages answer 404 with the site around them', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.locator('header .logo')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to the home page' })).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, 'not-found.png') });
});

test('phone width keeps the header usable', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/');
  const box = await page.locator('header').boundingBox();
  expect(box?.width).toBeLessThanOrEqual(375);
  await expect(page.getByRole('combobox', { name: 'Search items' })).toBeVisible();
  // Nothing overflows sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(overflow).toBe(false);
  await readmeShot(page, 'home-phone.png');
});

test('search results: a page past the last says so, and headings do not skip a level', async ({ page }) => {
  await page.goto('/search?q=braanvik');
  await expect(page.locator('.results-heading')).toHaveText(/\d+ results?/);
  const levels = await page.locator('main h1, main h2, main h3').evaluateAll((hs) => hs.map((h) => Number(h.tagName[1])));
  // The page's title, the results' hidden heading and at least one card's: a check with fewer
  // headings than that would compare nothing.
  expect(levels[0]).toBe(1);
  expect(levels).toContain(3);
  for (let i = 1; i < levels.length; i++) expect(levels[i] - levels[i - 1]).toBeLessThanOrEqual(1);
  await page.goto('/search?q=braanvik&page=999');
  await expect(page.getByText('This page is past the end of the results (1 page).')).toBeVisible();
  await page.getByRole('link', { name: 'Go to the last page' }).click();
  await expect(page).toHaveURL(/page=1$/);
  await expect(page.locator('a.card').first()).toBeVisible();
});

test('an empty search browses every live auction, in the order chosen', async ({ page }) => {
  await page.goto('/search?q=');
  await expect(page.getByRole('heading', { name: /^\d+ live auctions?$/ })).toBeVisible();
  const cards = page.locator('.card-grid .card');
  expect(await cards.count()).toBeGreaterThan(0);
  await expect(page.locator('.card-grid .ended')).toHaveCount(0);
  // Choosing an order applies it at once (no "Apply" press once the page is live).
  await expect(page.locator('[data-auto-apply="on"]')).toBeAttached({ timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Apply' })).toBeHidden();
  await page.getByLabel('Sort by').selectOption('price_desc');
  await expect(page).toHaveURL(/sort=price_desc/);
  // Highest price first: each card's price is at most the one before it.
  const prices = (await page.locator('.card-grid .card-price').allTextContents())
    .map((t) => Number(t.replace(/[$,]/g, '')));
  expect(prices.length).toBeGreaterThan(1);
  for (let i = 1; i < prices.length; i++) expect(prices[i]).toBeLessThanOrEqual(prices[i - 1]);
});

test('a misspelt search offers the word it meant, and suggestions forgive a typo', async ({ page }) => {
  await page.goto('/search?q=camra');
  const meant = page.getByTestId('did-you-mean');
  await expect(meant).toHaveText('Did you mean camera?');
  await meant.getByRole('link', { name: 'camera' }).click();
  await expect(page).toHaveURL(/[?&]q=camera(&|$)/);
  await expect(page.locator('a.card').first()).toBeVisible();
  await expect(page.getByTestId('did-you-mean')).toHaveCount(0);
  // The header's suggestions: from four letters, a typo still finds cameras.
  await page.goto('/');
  const search = page.getByRole('combobox', { name: 'Search items' });
  const suggestions = page.getByRole('listbox', { name: 'Suggestions' });
  await expect(async () => {
    await search.fill('');
    await search.pressSequentially('camra');
    await expect(suggestions.getByRole('option').first()).toContainText(/camera/i, { timeout: 1500 });
  }).toPass({ timeout: 15_000 });
});

test('a listing says its condition, shipping and returns, and search filters narrow to it', async ({ browser }) => {
  const { context, page } = await newUser(browser, 'terms');
  const word = `sextant${Date.now().toString(36)}`;
  await page.goto('/items/new');
  await expect(page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel('Name').fill(`Brass ${word}`);
  await page.getByLabel('Description').fill('A brass sextant in its case.');
  await page.getByLabel('Condition').selectOption('parts');
  await page.getByLabel('Starting price ($)').fill('10');
  await page.getByLabel('Category').selectOption('other');
  await page.getByLabel('Buy It Now price ($, optional)').fill('25');
  await page.getByLabel('Shipping', { exact: true }).selectOption('cost');
  await page.getByLabel('Shipping cost ($, when the buyer pays)').fill('6.50');
  await page.getByLabel('Returns').selectOption('30');
  await page.getByLabel('Item location (optional)').fill('Leeds, UK');
  await page.getByRole('button', { name: 'List item' }).click();
  await expect(page).toHaveURL(/\/items\/\d+$/);
  const terms = page.getByTestId('item-terms');
  await expect(terms).toContainText('For parts or not working');
  await expect(terms).toContainText('$6.50 shipping');
  await expect(terms).toContainText('30-day returns');
  await expect(terms).toContainText('Leeds, UK');

  // Search finds it (the index catches up within a moment), its card says the terms.
  const card = page.locator('a.card', { hasText: word });
  await expect(async () => {
    await page.goto(`/search?q=${word}`);
    await expect(card).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(card.getByTestId('card-terms')).toHaveText('For parts or not working · $6.50 shipping · 30-day returns · Leeds, UK');
  await expect(card.getByTestId('card-buy-now')).toContainText('$25.00');
  // A choice applies at once (once the page's filter form is live: each choice loads a new
  // page); another condition leaves it out, its own brings it back.
  const live = () => expect(page.locator('[data-auto-apply="on"]')).toBeAttached({ timeout: 10_000 });
  await live();
  await page.getByLabel('Condition').selectOption('new');
  await expect(page).toHaveURL(/condition=new/);
  await expect(page.getByText('Nothing matches these filters')).toBeVisible();
  await live();
  await page.getByLabel('Condition').selectOption('parts');
  await expect(page).toHaveURL(/condition=parts/);
  await expect(card).toBeVisible();
  await live();
  await page.getByLabel('Buy It Now').check();
  await expect(page).toHaveURL(/bin=1/);
  await expect(card).toBeVisible();
  // How it comes and whether it can go back: posted at a cost with returns, so "Pickup only"
  // leaves it out, and "Shipped" and "Returns accepted" keep it.
  await live();
  await page.getByLabel('Delivery').selectOption('pickup');
  await expect(page).toHaveURL(/delivery=pickup/);
  await expect(page.getByText('Nothing matches these filters')).toBeVisible();
  await live();
  await page.getByLabel('Delivery').selectOption('posted');
  await expect(page).toHaveURL(/delivery=posted/);
  await expect(card).toBeVisible();
  await live();
  await page.getByLabel('Returns accepted').check();
  await expect(page).toHaveURL(/returns=1/);
  await expect(page).toHaveURL(/bin=1/);
  await expect(card).toBeVisible();
  // Where it is: a place of its location ("Leeds, UK"), applied with Enter; another place
  // leaves it out.
  await page.getByLabel('Item location').fill('York');
  await page.getByLabel('Item location').press('Enter');
  await expect(page).toHaveURL(/location=York/);
  await expect(page.getByText('Nothing matches these filters')).toBeVisible();
  await page.getByLabel('Item location').fill('uk');
  await page.getByLabel('Item location').press('Enter');
  await expect(page).toHaveURL(/location=uk/);
  await expect(page).toHaveURL(/condition=parts/);
  await expect(card).toBeVisible();
  await readmeShot(page, 'search-filters.png');
  // A price range applies with Enter, and keeps the other filters.
  await page.getByLabel('Highest price').fill('5');
  await page.getByLabel('Highest price').press('Enter');
  await expect(page).toHaveURL(/max=5/);
  await expect(page).toHaveURL(/condition=parts/);
  await expect(card).toHaveCount(0);
  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(card).toBeVisible();
  await context.close();
});
