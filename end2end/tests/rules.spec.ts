import { test, expect, Browser } from '@playwright/test';
import path from 'node:path';
import { screenshots, signUp, uniqueName, readmeShot, newUser } from './helpers';

const second = `http://127.0.0.1:${Number(process.env.RBAY_E2E_PORT!) + 1}`;

/** A signed-up user in a browser context of their own, on instance 1 or 2. */
test('a bidding war between maximums on two instances, a reserve, a watcher, and the end screens', async ({ browser }) => {
  test.setTimeout(150_000);
  // The seller lists with a hidden $30 reserve and soft close off (it ends in one minute).
  const seller = await newUser(browser, 'rseller');
  const title = `War clock ${Date.now().toString(36)}`;
  await seller.page.goto('/items/new');
  await expect(seller.page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await seller.page.getByLabel('Name').fill(title);
  await seller.page.getByLabel('Description').fill('Two bidders want it.');
  await seller.page.getByLabel('Starting price ($)').fill('10');
  await seller.page.getByLabel('Category').selectOption('other');
  // The listing options are checked like every field.
  await seller.page.getByLabel(/^Reserve price/).fill('5');
  await seller.page.getByRole('button', { name: 'List item' }).click();
  await expect(seller.page.locator('#reserve-error')).toHaveText('The reserve must be at least the starting price.');
  await seller.page.getByLabel(/^Reserve price/).fill('30');
  await seller.page.getByLabel(/^Soft close/).uncheck();
  await seller.page.getByLabel('Duration').selectOption({ label: '1 minute' });
  await seller.page.getByRole('button', { name: 'List item' }).click();
  await expect(seller.page).toHaveURL(/\/items\/\d+$/, { timeout: 10_000 });
  const id = seller.page.url().split('/').pop()!;

  // Ann, on instance 1: a $25 maximum. The price stays at the start; the reserve is not met.
  const ann = await newUser(browser, 'ann');
  await ann.page.goto(`/items/${id}`);
  await expect(ann.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await ann.page.getByLabel(/Your maximum bid/).fill('25');
  await ann.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(ann.page.getByText('You have the highest bid. Your maximum: $25.00.')).toBeVisible();
  await expect(ann.page.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
  await expect(ann.page.getByTestId('price')).toHaveText('$10.00');
  await expect(ann.page.locator('[data-live="reserve"]')).toHaveText('Reserve not met');
  await readmeShot(ann.page, 'item-reserve-not-met.png');
  await expect(ann.page.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });

  // Ben, on instance 2, with a $40 maximum: the reserve lifts the price to $30, live on Ann's page.
  const ben = await newUser(browser, 'ben', second);
  await ben.page.goto(`${second}/items/${id}`);
  await expect(ben.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await ben.page.getByLabel(/Your maximum bid/).fill('40');
  await ben.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(ben.page.getByText('You have the highest bid. Your maximum: $40.00.')).toBeVisible();
  await expect(ann.page.getByTestId('price')).toHaveText('$30.00', { timeout: 3_000 });
  await expect(ann.page.locator('[data-live="reserve"]')).toHaveText('Reserve met');
  await expect(ann.page.getByText('You were outbid.')).toBeVisible();
  // Never a green "placed" under an orange "outbid": the note goes when someone else leads.
  await expect(ann.page.getByText('Your maximum bid was placed.', { exact: true })).toHaveCount(0);
  const annAuto = ann.page.locator('.bid-history tbody tr').filter({ hasText: '(automatic)' });
  await expect(annAuto.first()).toContainText(ann.name);
  await expect(annAuto.first()).toContainText('$25.00');

  // Ann tries $35: Ben's earlier, higher maximum answers at once ($36), and Ann is told.
  await ann.page.reload();
  await expect(ann.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await ann.page.getByLabel(/Your maximum bid/).fill('35');
  await ann.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(ann.page.getByTestId('price')).toHaveText('$36.00');
  await expect(ann.page.getByText('You were outbid.')).toBeVisible();
  await expect(ann.page.locator('#bid-message')).toHaveText(
    "Your maximum bid was placed, but another bidder's earlier maximum is at least as high.",
  );
  await expect(ann.page.getByText('Your maximum bid was placed.', { exact: true })).toHaveCount(0);
  await expect(ben.page.getByTestId('price')).toHaveText('$36.00', { timeout: 3_000 });
  // The leader's form asks for more than their own maximum, and says the same when refused.
  await expect(ben.page.getByLabel(/Your maximum bid/)).toBeAttached();
  await expect(ben.page.locator('label[for="bid-amount"]')).toHaveText('Your maximum bid ($40.01 or more)');
  await ben.page.getByLabel(/Your maximum bid/).fill('38');
  await ben.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(ben.page.locator('#bid-message')).toHaveText('Bid at least $40.01.');
  // The time left says so, on the page and on the cards.
  await expect(ben.page.locator('p.time-left')).toHaveText(/^Time left: (1m )?\d+s$/, { useInnerText: true });
  await readmeShot(ann.page, 'item-live.png');

  // A watcher follows it.
  const cat = await newUser(browser, 'cat', second);
  await cat.page.goto(`${second}/items/${id}`);
  await cat.page.getByRole('button', { name: '☆ Watch' }).click();
  await expect(cat.page.getByRole('button', { name: '★ Watching' })).toBeVisible();
  await expect(cat.page.getByTestId('watchers')).toHaveText('1 watcher');
  await cat.page.goto(`${second}/search?q=${encodeURIComponent(title)}`);
  await expect(cat.page.locator('.card').filter({ hasText: title }).locator('.time-left')).toHaveText(/^(1m )?\d+s left$/, { useInnerText: true });
  await cat.page.goto(`${second}/my/watching`);
  await expect(cat.page.getByRole('link', { name: title })).toBeVisible();
  await readmeShot(cat.page, 'watching.png');

  // My bids, as each bidder sees it.
  await ann.page.goto('/my/bids');
  const annRow = ann.page.locator('.my-table tbody tr').filter({ hasText: title });
  await expect(annRow).toContainText('Outbid');
  await expect(annRow).toContainText('$35.00');
  await readmeShot(ann.page, 'my-bids.png');

  // My bids stays open in a second tab of each bidder: where they stand turns at the end, live.
  const annBids = await ann.context.newPage();
  await annBids.goto('/my/bids');
  const annLive = annBids.locator(`[data-my-status="${id}"]`);
  await expect(annLive).toHaveText('Outbid');
  const benBids = await ben.context.newPage();
  await benBids.goto(`${second}/my/bids`);
  const benLive = benBids.locator(`[data-my-status="${id}"]`);
  await expect(benLive).toHaveText('Winning');

  // The end: Ben wins, Ann lost; both pages say so live.
  await ann.page.goto(`/items/${id}`);
  await ben.page.goto(`${second}/items/${id}`);
  await expect(ben.page.locator('.countdown')).toHaveText('Ended', { timeout: 75_000 });
  await expect(ben.page.getByTestId('status')).toHaveText(`Sold to ${ben.name} for $36.00`, { timeout: 10_000 });
  // A sale is news, not an error: the status is in the text colour, and "Time left:" is gone.
  const colours = await ben.page.getByTestId('status').evaluate((el) => [
    getComputedStyle(el).color,
    getComputedStyle(document.body).color,
  ]);
  expect(colours[0]).toBe(colours[1]);
  await expect(ben.page.locator('p.time-left')).toHaveText('Ended', { useInnerText: true });
  await expect(ben.page.getByText('You won this auction!')).toBeVisible();
  await expect(ben.page.locator('.live-dot')).toHaveText('', { timeout: 5_000 });
  await expect(ann.page.getByText('Ended — you were outbid.')).toBeVisible({ timeout: 10_000 });
  await expect(benLive).toHaveText('Won', { timeout: 10_000 });
  await expect(benLive).toHaveClass('status-good');
  await expect(annLive).toHaveText('Lost', { timeout: 10_000 });
  await expect(annLive).toHaveClass('status-bad');
  await ben.page.reload();
  await expect(ben.page.getByText('You won this auction!')).toBeVisible();
  await readmeShot(ben.page, 'item-won.png');
  await ben.page.goto(`${second}/my/won`);
  await expect(ben.page.locator('.my-table tbody tr').filter({ hasText: title })).toContainText(`Won from ${seller.name}`);
  await seller.page.goto('/my/won');
  await expect(seller.page.locator('.my-table tbody tr').filter({ hasText: title })).toContainText(`Sold to ${ben.name}`);
  await readmeShot(seller.page, 'won-sold.png');

  for (const u of [seller, ann, ben, cat]) await u.context.close();
});
