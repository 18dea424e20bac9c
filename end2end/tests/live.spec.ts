import { Browser, Page, test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { PASSWORD, formHydrated, listItem, newUser, screenshots, signUp, uniqueName, readmeShot } from './helpers';

const second = `http://127.0.0.1:${Number(process.env.RBAY_E2E_PORT!) + 1}`;

test('a bid and a comment made through instance 1 show up live on instance 2', async ({ browser }) => {
  test.setTimeout(90_000);
  // Seller lists on instance 1.
  const sellerCtx = await browser.newContext();
  const seller = await sellerCtx.newPage();
  await signUp(seller, uniqueName('liveseller'));
  const title = `Live lamp ${Date.now().toString(36)}`;
  const id = await listItem(seller, title, 'Watched from two servers.');

  // The watcher signs up and watches on instance 2, and bids first there.
  const watcherCtx = await browser.newContext({ baseURL: second });
  const watcher = await watcherCtx.newPage();
  const watcherName = uniqueName('watcher');
  await watcher.goto(`${second}/auth/signup`);
  await formHydrated(watcher);
  await watcher.getByLabel('Username').fill(watcherName);
  await watcher.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await watcher.getByLabel('Repeat password').fill(PASSWORD);
  await watcher.getByRole('button', { name: 'Create account' }).click();
  await expect(watcher.locator('.nav-username')).toHaveText(watcherName);
  await watcher.goto(`${second}/items/${id}`);
  await expect(watcher.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await watcher.getByLabel(/Your maximum bid/).fill('10');
  await watcher.getByRole('button', { name: 'Place bid' }).click();
  await expect(watcher.getByText('You have the highest bid.')).toBeVisible();
  await expect(watcher.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });

  // A bidder on instance 1 outbids: instance 2's page changes within 2 s, without a reload.
  const bidderCtx = await browser.newContext();
  const bidder = await bidderCtx.newPage();
  const bidderName = uniqueName('bidder');
  await signUp(bidder, bidderName);
  await bidder.goto(`/items/${id}`);
  await expect(bidder.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await bidder.getByLabel(/Your maximum bid/).fill('15');
  const sentAt = Date.now();
  await bidder.getByRole('button', { name: 'Place bid' }).click();
  // Maximum bids: the watcher's $10 maximum is beaten by one increment.
  await expect(watcher.getByTestId('price')).toHaveText('$10.50', { timeout: 2_000 });
  expect(Date.now() - sentAt).toBeLessThan(4_000);
  await expect(watcher.getByTestId('bids')).toHaveText('2 bids');
  await expect(watcher.locator('.bid-history tbody tr').first()).toContainText(bidderName);
  // Times age on their own: a row said "just now"; two minutes on, it says so.
  const when = watcher.locator('.bid-history tbody tr').first().locator('time[data-ago]');
  await expect(when).toHaveText('just now');
  await when.evaluate((el) => el.setAttribute('data-ago', String(Number(el.getAttribute('data-ago')) - 120_000)));
  await expect(when).toHaveText('2 min ago', { timeout: 3_000 });
  await expect(watcher.getByText('You were outbid.')).toBeVisible();
  await expect(watcher.getByLabel(/Your maximum bid/)).toBeVisible();
  await expect(watcher.locator('label[for="bid-amount"]')).toHaveText('Your maximum bid ($11.00 or more)');

  // A new visitor on instance 1 bumps the view count on instance 2.
  const views = await watcher.getByTestId('views').textContent();
  const visitorCtx = await browser.newContext();
  await (await visitorCtx.newPage()).goto(`/items/${id}`);
  await expect(watcher.getByTestId('views')).not.toHaveText(views!, { timeout: 2_000 });

  // Comments: the watcher opens the comments page on instance 2; a comment posted through
  // instance 1 appears there, then disappears when its author deletes it.
  await watcher.goto(`${second}/items/${id}/comments`);
  await expect(watcher.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await bidder.goto(`/items/${id}/comments`);
  await expect(bidder.locator('form.comment-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await bidder.getByLabel('Add a comment').fill('Does it come with a bulb?\n<b>not bold</b>');
  await bidder.getByRole('button', { name: 'Post comment' }).click();
  const onWatcher = watcher.locator('.comment').filter({ hasText: 'Does it come with a bulb?' });
  await expect(onWatcher).toBeVisible({ timeout: 2_000 });
  await expect(onWatcher.locator('.comment-text')).toHaveText('Does it come with a bulb?\n<b>not bold</b>');
  await expect(watcher.locator('[data-live="comment-count"]')).toHaveText('1');
  await expect(bidder.locator('.comment').filter({ hasText: 'bulb' })).toBeVisible();
  await readmeShot(bidder, 'comments.png');

  // Only the author gets a delete button; deleting removes it everywhere.
  await expect(onWatcher.locator('.comment-delete')).toHaveCount(0);
  await bidder.reload();
  // Deleting asks first: "Delete" opens the question, nothing is gone yet.
  const mine = bidder.locator('.comment').filter({ hasText: 'bulb' });
  await mine.getByText('Delete', { exact: true }).click();
  await expect(mine.getByText('Delete this comment for good?')).toBeVisible();
  await expect(onWatcher).toHaveCount(1);
  await mine.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(onWatcher).toHaveCount(0, { timeout: 2_000 });
  await expect(watcher.locator('[data-live="comment-count"]')).toHaveText('0');

  for (const ctx of [sellerCtx, watcherCtx, bidderCtx, visitorCtx]) await ctx.close();
});

test('comment errors are shown, and without JavaScript commenting still works', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const name = uniqueName('commenter');
  await signUp(page, name);
  await page.goto('/');
  await page.locator('.card').first().click();
  const itemUrl = page.url();
  await page.getByRole('link', { name: /All comments/ }).click();
  await expect(page.locator('form.comment-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel('Add a comment').fill('   ');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await expect(page.locator('#comment-message')).toHaveText('Write something first.');

  const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await ctx.storageState() });
  const plain = await noJs.newPage();
  await plain.goto(`${itemUrl}/comments`);
  await plain.getByLabel('Add a comment').fill('Plain old form post');
  await plain.getByRole('button', { name: 'Post comment' }).click();
  await expect(plain.locator('.comment').first()).toContainText('Plain old form post');
  await plain.locator('.comment').first().getByText('Delete', { exact: true }).click();
  await plain.locator('.comment').first().getByRole('button', { name: 'Yes, delete' }).click();
  await expect(plain.locator('.comment').filter({ hasText: 'Plain old form post' })).toHaveCount(0);
  await noJs.close();
  await ctx.close();
});

test('an outbid bidder sees the notice count and the notice appear without a reload', async ({ browser }) => {
  test.setTimeout(60_000);
  const sellerCtx = await browser.newContext();
  const seller = await sellerCtx.newPage();
  await signUp(seller, uniqueName('nseller'));
  const title = `Notice clock ${Date.now().toString(36)}`;
  const id = await listItem(seller, title, 'Someone will be outbid.');

  // A bids through instance 2, then reads the home page there.
  const aCtx = await browser.newContext({ baseURL: second });
  const a = await aCtx.newPage();
  const aName = uniqueName('nbidder');
  await a.goto(`${second}/auth/signup`);
  await formHydrated(a);
  await a.getByLabel('Username').fill(aName);
  await a.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await a.getByLabel('Repeat password').fill(PASSWORD);
  await a.getByRole('button', { name: 'Create account' }).click();
  await expect(a.locator('.nav-username')).toHaveText(aName);
  await a.goto(`${second}/items/${id}`);
  await expect(a.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await a.getByLabel(/Your maximum bid/).fill('10');
  await a.getByRole('button', { name: 'Place bid' }).click();
  await expect(a.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
  await expect(a.getByText('You have the highest bid.')).toBeVisible();
  await a.goto(`${second}/`);
  const badge = a.locator('a.nav-notices');
  await expect(badge).toHaveAttribute('data-notices-connected', 'true', { timeout: 10_000 });
  await expect(badge).toHaveAttribute('data-unread', '0');
  await expect(badge.locator('.notice-count')).toBeHidden();

  // B outbids through instance 1: A's header counts it live.
  const bCtx = await browser.newContext();
  const b = await bCtx.newPage();
  await signUp(b, uniqueName('noutbid'));
  await b.goto(`/items/${id}`);
  await expect(b.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await b.getByLabel(/Your maximum bid/).fill('15');
  await b.getByRole('button', { name: 'Place bid' }).click();
  await expect(badge).toHaveAttribute('data-unread', '1', { timeout: 5_000 });
  await expect(badge.locator('.notice-count')).toHaveText('1');
  await expect(badge).toHaveAttribute('aria-label', 'Notifications, 1 unread');

  // The notice, marked new; once read, the count is gone.
  await badge.click();
  await expect(a).toHaveURL(/\/notifications$/);
  const notice = a.locator('.notice').filter({ hasText: `You were outbid on ${title}: now $10.50.` });
  await expect(notice).toBeVisible();
  await expect(notice.locator('.badge-new')).toHaveText('New');
  await expect(a.locator('a.nav-notices')).toHaveAttribute('data-unread', '0', { timeout: 5_000 });
  // A row, not a line of text: ruled off from the next, a new one tinted with its link bold.
  await expect(notice).toHaveCSS('border-bottom-style', 'solid');
  await expect(notice).toHaveCSS('background-color', 'rgb(255, 248, 230)');
  await expect(notice.getByRole('link').first()).toHaveCSS('font-weight', '600');
  await readmeShot(a, 'notifications.png');
  // Read, it is a plain row again on the next visit.
  await a.reload();
  await expect(notice).toBeVisible();
  await expect(notice.locator('.badge-new')).toHaveCount(0);
  await expect(notice).toHaveCSS('background-color', 'rgba(0, 0, 0, 0)');
  await expect(notice.getByRole('link').first()).toHaveCSS('font-weight', '400');
  await expect(a.locator('a.nav-notices')).toHaveAttribute('data-notices-connected', 'true', { timeout: 10_000 });

  // The open inbox is live: A leads again from another tab, B outbids, and the new notice
  // appears on the inbox without a reload (and is read there: the count goes back to zero).
  await a.evaluate(() => ((window as unknown as { rbayMark: number }).rbayMark = 9));
  const aTab = await aCtx.newPage();
  await aTab.goto(`/items/${id}`);
  await expect(aTab.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await aTab.getByLabel(/Your maximum bid/).fill('20');
  await aTab.getByRole('button', { name: 'Place bid' }).click();
  await expect(aTab.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
  await b.getByLabel(/Your maximum bid/).fill('30');
  await b.getByRole('button', { name: 'Place bid' }).click();
  const again = a.locator('.notice').filter({ hasText: `You were outbid on ${title} (2 times): now $20.50.` });
  await expect(again).toBeVisible({ timeout: 10_000 });
  await expect(again.locator('.badge-new')).toHaveText('New');
  await expect(a.locator('a.nav-notices')).toHaveAttribute('data-unread', '0', { timeout: 5_000 });
  expect(await a.evaluate(() => (window as unknown as { rbayMark?: number }).rbayMark)).toBe(9);

  for (const ctx of [sellerCtx, aCtx, bCtx]) await ctx.close();
});

test('through nginx: bids made on each instance reach every browser behind the load balancer', async ({ browser }) => {
  test.skip(process.env.RBAY_E2E_FLEET !== '1', 'needs the fleet: RBAY_E2E_FLEET=1');
  test.setTimeout(90_000);
  const port = Number(process.env.RBAY_E2E_PORT!);
  const instances = [1, 2, 3].map((k) => `http://127.0.0.1:${port + k}`);

  const seller = await newUser(browser, 'fleetseller');
  const id = await listItem(seller.page, `Fleet lamp ${Date.now().toString(36)}`, 'Watched through nginx.');
  // Three browsers through nginx: round-robin spreads their pages and streams over instances.
  const watchers = await watchThroughNginx(browser, id, 3);

  // Two bidders (signed up through nginx: their sessions work on every instance) outbid each
  // other, each bid sent straight to a different instance: whichever instance a watcher's
  // stream is on, at least two of the three bids were made elsewhere.
  const bidders = [await newUser(browser, 'fleetbid'), await newUser(browser, 'fleetbid')];
  for (let k = 0; k < 3; k++) {
    const { price, bids } = await bidOn(instances[k], bidders[k % 2].page, id, 10 + k);
    for (const watcher of watchers) {
      await expect(watcher.getByTestId('price')).toHaveText(price, { timeout: 2_000 });
      await expect(watcher.getByTestId('bids')).toHaveText(bids);
    }
  }
});

test('through nginx: when instances die, their browsers carry on through the others and miss nothing', async ({ browser }) => {
  test.skip(process.env.RBAY_E2E_FLEET !== '1', 'needs the fleet: RBAY_E2E_FLEET=1');
  test.setTimeout(90_000);
  const port = Number(process.env.RBAY_E2E_PORT!);
  const first = `http://127.0.0.1:${port + 1}`;
  const fleetDir = path.resolve(__dirname, '../../target/fleet-e2e');

  const seller = await newUser(browser, 'fleetseller');
  const id = await listItem(seller.page, `Sturdy lamp ${Date.now().toString(36)}`, 'Outlives its servers.');
  const watchers = await watchThroughNginx(browser, id, 3);
  const bidders = [await newUser(browser, 'fleetbid'), await newUser(browser, 'fleetbid')];
  const opening = await bidOn(first, bidders[0].page, id, 10);
  for (const watcher of watchers) {
    await expect(watcher.getByTestId('price')).toHaveText(opening.price, { timeout: 2_000 });
  }

  // kill -9 of instances 2 and 3: every browser whose page or stream was on them loses it.
  for (const n of [2, 3]) {
    process.kill(Number(fs.readFileSync(path.join(fleetDir, `instance-${n}.pid`), 'utf8')), 'SIGKILL');
  }
  // A bid while they reconnect (through nginx, to instance 1): the stream replays it to them.
  const during = await bidOn(first, bidders[1].page, id, 15);
  for (const watcher of watchers) {
    await expect(watcher.getByTestId('price')).toHaveText(during.price, { timeout: 10_000 });
    await expect(watcher.getByTestId('bids')).toHaveText(during.bids);
    await expect(watcher.locator('.bid-history tbody tr').first()).toContainText(bidders[1].name);
  }

  // The fleet's supervisor starts them again, so the rest of the run has all three.
  for (const n of [2, 3]) {
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${port + n}/healthz`).catch(() => null))?.status ?? 0, {
        timeout: 20_000,
      })
      .toBe(200);
  }
});

/** `count` fresh browsers on the item page through nginx, each with its live stream open. */
async function watchThroughNginx(browser: Browser, id: string, count: number): Promise<Page[]> {
  const watchers = [];
  for (let i = 0; i < count; i++) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`/items/${id}`);
    await expect(page.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
    watchers.push(page);
  }
  return watchers;
}

/** A bid sent straight to one instance (a session works on every instance); the price and
 * bid count it reports, as the page shows them. */
async function bidOn(instance: string, page: Page, id: string, dollars: number) {
  const reply = await page.request.post(`${instance}/api/items/bid`, {
    form: { item_id: id, amount: String(dollars) },
    headers: { Origin: instance, Accept: 'application/json' },
  });
  expect(reply.status()).toBe(200);
  const accepted = (await reply.json()).Accepted;
  expect(accepted, 'the bid was accepted').toBeTruthy();
  return {
    price: `$${(accepted.price_cents / 100).toFixed(2)}`,
    bids: accepted.bids === 1 ? '1 bid' : `${accepted.bids} bids`,
  };
}

test('an island whose code arrives after a bid still shows it, and keeps updating', async ({ browser }) => {
  test.setTimeout(90_000);
  const seller = await newUser(browser, 'lateseller');
  const id = await listItem(seller.page, `Late island ${Date.now().toString(36)}`);

  // The bid history's own code (its chunks no other island on the page needs) is held back
  // until released, as on a slow network: the live stream and the price box start first.
  const visitorCtx = await browser.newContext();
  const visitor = await visitorCtx.newPage();
  const manifest: Record<string, string[]> = await (await visitor.request.get('/pkg/__wasm_split_manifest.json')).json();
  const chunks = (island: string) =>
    Object.entries(manifest).filter(([k]) => k.replace(/_loader_.*$/, '') === island).flatMap(([, v]) => v);
  const others = new Set(['price_box', 'bid_box', 'like_button', 'comment_list', 'live_item'].flatMap(chunks));
  const held = chunks('bid_history').filter((m) => !others.has(m));
  expect(held.length, 'the bid history has chunks of its own').toBeGreaterThan(0);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await visitor.route(/\/pkg\/.*\.wasm$/, async (route) => {
    if (held.some((m) => route.request().url().endsWith(`/${m}.wasm`))) await released;
    await route.continue();
  });
  await visitor.goto(`/items/${id}`);
  await expect(visitor.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  await expect(visitor.getByText('No bids yet. Be the first!')).toBeVisible();

  // A bid is heard (the price moves) while the history's code is still on its way.
  const ann = await newUser(browser, 'lateann');
  await ann.page.goto(`/items/${id}`);
  await expect(ann.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await ann.page.getByLabel(/Your maximum bid/).fill('12');
  await ann.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(visitor.getByTestId('price')).toHaveText('$10.00', { timeout: 3_000 });
  await expect(visitor.getByTestId('bids')).toHaveText('1 bid', { timeout: 3_000 });

  // The code arrives: the history shows the bid it missed, and the next one live.
  release();
  const rows = visitor.locator('.bid-history tbody tr');
  await expect(rows.first()).toContainText(ann.name, { timeout: 5_000 });
  await expect(visitor.getByText('No bids yet. Be the first!')).toBeHidden();
  const ben = await newUser(browser, 'lateben');
  await ben.page.goto(`/items/${id}`);
  await expect(ben.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await ben.page.getByLabel(/Your maximum bid/).fill('20');
  await ben.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(visitor.getByTestId('price')).toHaveText('$12.50', { timeout: 3_000 });
  await expect(rows.first()).toContainText(ben.name);
  await expect(rows.filter({ hasText: '(automatic)' }).first()).toContainText(ann.name);
  await expect(rows).toHaveCount(3);

  for (const ctx of [seller.context, visitorCtx, ann.context, ben.context]) await ctx.close();
});
