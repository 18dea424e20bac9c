import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { listItem, readmeShot, newUser } from './helpers';

test('after Buy It Now the buyer pays, the seller ships, the buyer confirms, each told', async ({ browser }) => {
  test.setTimeout(90_000);
  const seller = await newUser(browser, 'oseller');
  const name = `Walnut box ${Date.now().toString(36)}`;
  const id = await listItem(seller.page, name, { description: 'Dovetailed.', buyNow: '30' });

  // The buyer buys it now, and the item page sends them to pay.
  const buyer = await newUser(browser, 'obuyer');
  await buyer.page.goto(`/items/${id}`);
  await expect(buyer.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await buyer.page.locator('.buy-now > summary').click();
  await buyer.page.getByRole('button', { name: 'Confirm purchase' }).click();
  await expect(buyer.page.getByTestId('status')).toHaveText(`Bought now by ${buyer.name} for $30.00`, { timeout: 10_000 });
  await buyer.page.reload();
  await buyer.page.getByRole('link', { name: 'Pay now' }).click();
  await expect(buyer.page).toHaveURL(new RegExp(`/orders/${id}$`));
  await expect(buyer.page.getByTestId('order-state')).toHaveText('Awaiting payment');

  // Checkout: a declined payment says so and charges nothing; then it goes through.
  const fill = async () => {
    await buyer.page.getByLabel('Full name').fill('Bea Buyer');
    await buyer.page.getByLabel('Address', { exact: true }).fill('1 Long Road');
    await buyer.page.getByLabel('Town or city').fill('Leeds');
    await buyer.page.getByLabel('Postcode').fill('LS1 1AA');
    await buyer.page.getByLabel('Country').fill('United Kingdom');
  };
  await fill();
  await buyer.page.getByLabel('Decline this payment (test)').check();
  await buyer.page.getByRole('button', { name: 'Pay $30.00' }).click();
  await expect(buyer.page.getByRole('alert')).toHaveText('The payment was declined. Nothing was charged; please try again.');
  await expect(buyer.page.getByTestId('order-state')).toHaveText('Awaiting payment');
  await fill();
  await buyer.page.getByRole('button', { name: 'Pay $30.00' }).click();
  await expect(buyer.page.getByText('Paid. The seller has been told to ship it.')).toBeVisible();
  await expect(buyer.page.getByTestId('order-state')).toHaveText('Paid');
  await expect(buyer.page.locator('.order-address')).toContainText('1 Long Road');
  // A word to the seller, on the order page (the text is shown as typed, never as markup).
  await buyer.page.getByLabel(/^Message to /).fill('Please ring the bell <b>twice</b>.');
  await buyer.page.getByRole('button', { name: 'Send message' }).click();
  await expect(buyer.page.getByText('Sent. The other party has been told.')).toBeVisible();
  await expect(buyer.page.locator('.order-message.mine')).toContainText('Please ring the bell <b>twice</b>.');
  // The order page passes axe (serious and critical, WCAG 2.1 AA), as every page does.
  const results = await new AxeBuilder({ page: buyer.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The seller hears of it, finds the next step on Sold, and ships.
  await seller.page.goto('/notifications');
  await expect(seller.page.getByText(`${buyer.name} paid $30.00 for ${name}: ship it.`)).toBeVisible({ timeout: 10_000 });
  await seller.page.goto('/my/sold');
  await seller.page.getByRole('link', { name: 'Ship it' }).click();
  await expect(seller.page.locator('.order-address')).toContainText('Bea Buyer');
  await expect(seller.page.locator('.order-message')).toContainText('Please ring the bell <b>twice</b>.');
  // The buyer's order page is open: the seller's answer appears there by itself.
  await expect(buyer.page.locator('[data-notices-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await seller.page.getByLabel(/^Message to /).fill('Will do: it goes out tomorrow.');
  await seller.page.getByRole('button', { name: 'Send message' }).click();
  await expect(buyer.page.locator('.order-message', { hasText: 'Will do: it goes out tomorrow.' })).toBeVisible({ timeout: 10_000 });
  await seller.page.getByLabel('Carrier (optional)').fill('Royal Mail');
  await seller.page.getByLabel('Tracking number (optional)').fill('RM 1234 5678 GB');
  await readmeShot(seller.page, 'order.png');
  // And it moves on by itself when the seller ships.
  await expect(buyer.page.locator('[data-notices-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await seller.page.getByRole('button', { name: 'Mark as shipped' }).click();
  await expect(seller.page.getByText('Marked as shipped. The buyer has been told.')).toBeVisible();
  await expect(buyer.page.getByTestId('order-state')).toHaveText('Shipped', { timeout: 10_000 });

  // The buyer confirms receipt: the sale is complete for both. The seller's open order page
  // moves on by itself (it reloads when told; a reload of our own would race it).
  await expect(seller.page.locator('[data-notices-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await expect(buyer.page.getByText('RM 1234 5678 GB')).toBeVisible();
  await buyer.page.getByRole('button', { name: 'I received it' }).click();
  await expect(buyer.page.getByText('Received. This sale is complete.')).toBeVisible();
  await expect(seller.page.getByTestId('order-state')).toHaveText('Received', { timeout: 10_000 });

  // Feedback, once each: the seller's rating shows on their profile and their item's page.
  await buyer.page.getByLabel('Positive').check();
  await buyer.page.getByLabel('Comment (optional)').fill('Lovely box, well packed.');
  await buyer.page.getByRole('button', { name: 'Leave feedback' }).click();
  await expect(buyer.page.getByText('Thank you: your feedback was left.')).toBeVisible();
  await expect(buyer.page.getByText('Yours: Positive — Lovely box, well packed.')).toBeVisible();
  await expect(buyer.page.getByRole('button', { name: 'Leave feedback' })).toHaveCount(0);
  await buyer.page.goto(`/items/${id}`);
  await expect(buyer.page.locator('.item-seller [data-testid="rating"]')).toHaveText('100% positive · 1 rating');
  await buyer.page.locator('.item-seller a').first().click();
  await expect(buyer.page.getByTestId('rating')).toHaveText('100% positive · 1 rating');
  await expect(buyer.page.locator('.feedback-item').first()).toContainText('Lovely box, well packed.');
  await expect(buyer.page.locator('.feedback-item').first()).toContainText(`From ${buyer.name} (buyer)`);
  await readmeShot(buyer.page, 'profile-feedback.png');

  // Someone else is shown no order at all.
  const other = await newUser(browser, 'onosy');
  const response = await other.page.goto(`/orders/${id}`);
  expect(response!.status()).toBe(404);
  for (const u of [seller, buyer, other]) await u.context.close();
});

/** Fills the test checkout's address and pays. */
async function pay(page: import('@playwright/test').Page, price: string) {
  await page.getByLabel('Full name').fill('Ann Bidder');
  await page.getByLabel('Address', { exact: true }).fill('2 Short Lane');
  await page.getByLabel('Town or city').fill('York');
  await page.getByLabel('Postcode').fill('YO1 7HH');
  await page.getByLabel('Country').fill('United Kingdom');
  await page.getByRole('button', { name: `Pay ${price}` }).click();
  await expect(page.getByText('Paid. The seller has been told to ship it.')).toBeVisible();
}

/** Leaves positive feedback on the open order page. */
async function praise(page: import('@playwright/test').Page, comment: string) {
  await page.getByLabel('Positive').check();
  await page.getByLabel('Comment (optional)').fill(comment);
  await page.getByRole('button', { name: 'Leave feedback' }).click();
  await expect(page.getByText('Thank you: your feedback was left.')).toBeVisible();
}

test('two auctions to the end across two instances: a bid war won, paid, shipped, received and rated both ways; an unpaid win reminded, cancelled and offered to the next bidder', async ({ browser }) => {
  test.setTimeout(240_000);
  const second = `http://127.0.0.1:${Number(process.env.RBAY_E2E_PORT!) + 1}`;
  const seller = await newUser(browser, 'jseller');
  const ann = await newUser(browser, 'jann');
  const ben = await newUser(browser, 'jben', second);
  const tag = Date.now().toString(36);
  // Two one-minute auctions, listed together so they end together (no soft close).
  const ids: string[] = [];
  for (const name of [`Oak chest ${tag}`, `Pine chest ${tag}`]) {
    const listing = { description: 'Dovetailed, with its key.', category: 'home', softClose: false, duration: '1 minute' };
    ids.push(await listItem(seller.page, name, listing));
  }
  const [oak, pine] = ids;
  const bid = async (page: import('@playwright/test').Page, id: string, dollars: string) => {
    await page.goto(`/items/${id}`);
    await expect(page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
    await page.getByLabel(/Your maximum bid/).fill(dollars);
    await page.getByRole('button', { name: 'Place bid' }).click();
    await expect(page.locator('#bid-message')).toHaveText(/^Your maximum bid was placed/);
  };
  // The war: Ann on one instance, Ben on the other. Ann wins the oak chest, Ben the pine one.
  await bid(ann.page, oak, '11');
  await bid(ben.page, oak, '12');
  await bid(ann.page, oak, '14');
  await bid(ben.page, pine, '14');
  await bid(ann.page, pine, '12');

  // The end: each winner is sent to pay, at the second maximum plus one step.
  const orderOpen = async (page: import('@playwright/test').Page, id: string, price: string) => {
    await expect(async () => {
      await page.goto(`/orders/${id}`);
      await expect(page.getByRole('button', { name: `Pay ${price}` })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 120_000, intervals: [2_000] });
  };
  await orderOpen(ann.page, oak, '$12.50');
  await orderOpen(ben.page, pine, '$12.50');

  // Oak: paid, shipped, received, and feedback both ways.
  await pay(ann.page, '$12.50');
  await seller.page.goto(`/orders/${oak}`);
  await seller.page.getByLabel('Carrier (optional)').fill('Parcelforce');
  await seller.page.getByRole('button', { name: 'Mark as shipped' }).click();
  await expect(seller.page.getByText('Marked as shipped. The buyer has been told.')).toBeVisible();
  await ann.page.reload();
  await expect(ann.page.getByTestId('order-state')).toHaveText('Shipped');
  await ann.page.getByRole('button', { name: 'I received it' }).click();
  await expect(ann.page.getByText('Received. This sale is complete.')).toBeVisible();
  await praise(ann.page, 'Solid chest, quick post.');
  await seller.page.reload();
  await praise(seller.page, 'Paid at once. Thank you.');
  // Ann's profile carries the seller's word, from the bid history's link to her.
  await seller.page.goto(`/items/${oak}`);
  await seller.page.locator('.bid-history a', { hasText: ann.name }).first().click();
  await expect(seller.page.getByTestId('rating')).toHaveText('100% positive · 1 rating');
  await expect(seller.page.locator('.feedback-item').first()).toContainText('Paid at once. Thank you.');

  // Pine: Ben does not pay. He is reminded; once his time is over the seller cancels and
  // offers the chest to Ann at her highest bid; she takes it and pays.
  await expect(async () => {
    await ben.page.goto('/notifications');
    await expect(ben.page.getByText(`Payment of $12.50 for Pine chest ${tag} is due soon`, { exact: false }).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  await expect(async () => {
    await seller.page.goto(`/orders/${pine}`);
    await expect(seller.page.getByRole('button', { name: 'Cancel this sale' })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  await seller.page.getByRole('button', { name: 'Cancel this sale' }).click();
  await expect(seller.page.getByText('The sale is cancelled. The buyer has been told.')).toBeVisible();
  await seller.page.getByRole('button', { name: `Offer it to ${ann.name}` }).click();
  await expect(seller.page.getByText('Offered. The bidder has been told.')).toBeVisible();
  await ann.page.goto('/notifications');
  await ann.page.getByText(`offers you Pine chest ${tag} for $12.00: a second chance.`, { exact: false }).first().click();
  await expect(ann.page).toHaveURL(new RegExp(`/orders/${pine}$`));
  await ann.page.getByRole('button', { name: 'Buy it for $12.00' }).click();
  await expect(ann.page.getByText('It is yours: pay to complete the sale.')).toBeVisible();
  await pay(ann.page, '$12.00');
  const gone = await ben.page.goto(`/orders/${pine}`);
  expect(gone?.status()).toBe(404);

  // The seller's next listing shows the rating the oak chest earned.
  await listItem(seller.page, `Elm chest ${tag}`, { description: 'The last of three.', category: 'home' });
  const next = await ben.page.goto(seller.page.url());
  expect(next?.status()).toBe(200);
  await expect(ben.page.locator('.item-seller [data-testid="rating"]')).toHaveText('100% positive · 1 rating');

  for (const u of [seller, ann, ben]) await u.context.close();
});
