import { test, expect, Page, Browser } from '@playwright/test';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { gradientPng } from './image';
import { fillListing, listItem, screenshots, signUp, uniqueName, readmeShot, newUser } from './helpers';

test('list with a photo, find it, bid on it, and watch the price and history change', async ({ browser }) => {
  test.setTimeout(90_000);
  const seller = await newUser(browser, 'seller');
  const tag = Date.now().toString(36);
  const title = `Brass telescope ${tag}`;

  // Listing errors are shown next to the fields and nothing is listed.
  await seller.page.goto('/items/new');
  await expect(seller.page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await seller.page.getByLabel('Name').fill('ab');
  await seller.page.getByLabel('Starting price ($)').fill('12.345');
  // No category is chosen for the seller: it is asked for, never "Other" by default.
  await expect(seller.page.getByLabel('Category')).toHaveValue('');
  await seller.page.getByRole('button', { name: 'List item' }).click();
  await expect(seller.page.locator('#category-error')).toHaveText('Choose a category.');
  await expect(seller.page.locator('#name-error')).toHaveText('Names are 3–80 characters long.');
  await expect(seller.page.locator('#description-error')).toHaveText('Descriptions are 3–2000 characters long.');
  await expect(seller.page.locator('#price-error')).toHaveText('Use at most 2 decimals (cents).');
  // A fixed field is no longer marked: its message goes as it changes (the others stay).
  await seller.page.getByLabel('Name').fill(title);
  await expect(seller.page.locator('#name-error')).toHaveText('');
  await expect(seller.page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'false');
  await expect(seller.page.locator('#price-error')).toHaveText('Use at most 2 decimals (cents).');
  await seller.page.getByLabel('Description').fill('Restored 1920s brass telescope.');
  await seller.page.getByLabel('Starting price ($)').fill('25');
  await seller.page.getByLabel('Category').selectOption('other');
  await expect(seller.page.locator('#category-error')).toHaveText('');
  await seller.page.getByLabel(/^Photo/).setInputFiles({ name: 'notes.txt', mimeType: 'image/png', buffer: Buffer.from('not an image') });
  await seller.page.getByRole('button', { name: 'List item' }).click();
  await expect(seller.page.locator('#photo-error')).toHaveText('The photo must be a JPEG, PNG or WebP image.');
  await expect(seller.page).toHaveURL(/\/items\/new$/);

  const id = await listItem(seller.page, title, { description: 'Restored 1920s brass telescope, with its original case and tripod.', price: '25', duration: '10 minutes', photos: true, category: 'antiques' });
  // Its category links to every live auction in it, this one included.
  await seller.page.getByRole('link', { name: 'Antiques & collectibles' }).click();
  await expect(seller.page.getByRole('heading', { name: /^Antiques & collectibles: \d+ live auctions?$/ })).toBeVisible();
  await expect(seller.page.locator('.facets a[aria-current="page"]')).toContainText('Antiques & collectibles');
  // A category page can be sorted like any search.
  await expect(seller.page.getByLabel('Sort by')).toBeVisible();
  await expect(seller.page.getByRole('link', { name: title })).toBeVisible();
  await seller.page.goto(`/items/${id}`);
  const photo = seller.page.locator('#photo-1 .photo-link img');
  await expect(photo).toBeVisible();
  expect(await photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
  // Both photos are on the page; a thumbnail brings its photo into view in place.
  await expect(seller.page.locator('.photo-strip img')).toHaveCount(2);
  const second = seller.page.locator('#photo-2 .photo-link img');
  await expect(second).not.toBeInViewport({ ratio: 0.5 });
  await seller.page.locator('.photo-strip a').nth(1).click();
  await expect(seller.page).toHaveURL(new RegExp(`/items/${id}#photo-2$`));
  await expect(second).toBeInViewport({ ratio: 0.9 });
  await expect(photo).not.toBeInViewport({ ratio: 0.5 });
  await expect(seller.page.locator('#photo-2 .photo-nav')).toContainText('Photo 2 of 2');
  await expect(second).toHaveAttribute('src', `/items/${id}/image/2`);
  const full = await seller.page.request.get(`/items/${id}/image/2`);
  expect(full.headers()['content-type']).toBe('image/jpeg');
  await expect.poll(() => second.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
  await seller.page.locator('#photo-2').getByRole('link', { name: '← Previous' }).click();
  await expect(photo).toBeInViewport({ ratio: 0.9 });
  // The photo zooms in the page (no bare JPEG): a full-window view, closed by its link.
  await expect(seller.page.locator('#zoom-1')).toBeHidden();
  await photo.click();
  await expect(seller.page.locator('#zoom-1')).toBeVisible();
  await expect(seller.page.locator('#zoom-1 img')).toHaveAttribute('src', `/items/${id}/image`);
  await expect(seller.page.getByRole('link', { name: 'Open the photo on its own' })).toHaveAttribute('href', `/items/${id}/image`);
  await seller.page.getByRole('link', { name: 'Close ✕' }).click();
  await expect(seller.page.locator('#zoom-1')).toBeHidden();
  await seller.page.goto(`/items/${id}`);
  await expect(seller.page.getByTestId('price')).toHaveText('$25.00');
  await expect(seller.page.getByText("This is your item: you can't bid on it.")).toBeVisible();

  // A second listing, cheaper, for the dashboard.
  await listItem(seller.page, `Tin compass ${tag}`, { description: 'A small tin compass.', price: '5', duration: '3 days' });

  // It is on the home page.
  await seller.page.goto('/');
  await expect(seller.page.locator('#ending-soon').getByText(title)).toBeVisible();
  await readmeShot(seller.page, 'home.png');

  // Another user finds it through the header search (suggestions, then results).
  const buyer = await newUser(browser, 'buyer');
  await buyer.page.goto('/');
  const search = buyer.page.getByRole('combobox', { name: 'Search items' });
  const suggestions = buyer.page.getByRole('listbox', { name: 'Suggestions' });
  await expect(async () => {
    await search.fill('');
    await search.pressSequentially('telesc');
    await expect(suggestions.getByRole('option', { name: title })).toBeVisible({ timeout: 1500 });
  }).toPass({ timeout: 15_000 });
  await expect(search).toHaveAttribute('aria-expanded', 'true');
  // Arrow keys move through the suggestions; Escape closes the list.
  await search.press('ArrowDown');
  const first = suggestions.getByRole('option').first();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  // …and it is visibly highlighted, unlike the others.
  const background = (el: Element) => getComputedStyle(el.querySelector('a')!).backgroundColor;
  expect(await first.evaluate(background)).toBe('rgb(232, 238, 252)');
  if ((await suggestions.getByRole('option').count()) > 1) {
    expect(await suggestions.getByRole('option').nth(1).evaluate(background)).not.toBe('rgb(232, 238, 252)');
  }
  await expect(search).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id'))!);
  await search.press('Escape');
  await expect(suggestions).toBeHidden();
  await expect(search).toHaveAttribute('aria-expanded', 'false');
  // Enter with nothing highlighted searches.
  await search.press('Enter');
  await expect(buyer.page).toHaveURL(/\/search\?q=telesc/);
  await expect(buyer.page.getByRole('heading', { name: /result/ })).toBeVisible();
  await readmeShot(buyer.page, 'search.png');
  await buyer.page.getByRole('link', { name: title }).click();
  await expect(buyer.page).toHaveURL(new RegExp(`/items/${id}$`));

  // Bids: too low, bad input, then a good one.
  const bidForm = buyer.page.locator('form.bid-form[data-hydrated="true"]');
  await expect(bidForm).toBeAttached({ timeout: 10_000 });
  const amount = buyer.page.getByLabel(/Your maximum bid/);
  const place = buyer.page.getByRole('button', { name: 'Place bid' });
  await amount.fill('abc');
  await place.click();
  await expect(buyer.page.locator('#bid-message')).toHaveText('Enter an amount in dollars, like 12 or 12.50.');
  await amount.fill('24.99');
  await place.click();
  await expect(buyer.page.locator('#bid-message')).toHaveText('Bid at least $25.00.');
  // A maximum of $30: the price stays at the $25 start until someone else bids. The page is
  // not reloaded (a mark set on the window survives) and says the bid was placed.
  await buyer.page.evaluate(() => ((window as unknown as { rbayMark: number }).rbayMark = 7));
  await amount.fill('30');
  await place.click();
  await expect(buyer.page.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
  await expect(amount).toHaveValue('');
  await expect(amount).toHaveAttribute('placeholder', '30.01');
  expect(await buyer.page.evaluate(() => (window as unknown as { rbayMark?: number }).rbayMark)).toBe(7);
  await expect(buyer.page.getByTestId('price')).toHaveText('$25.00');
  await expect(buyer.page.getByTestId('bids')).toHaveText('1 bid');
  await expect(buyer.page.getByText('You have the highest bid. Your maximum: $30.00.')).toBeVisible();
  await expect(buyer.page.locator('.bid-history tbody tr')).toHaveCount(1);
  await expect(buyer.page.locator('.bid-history tbody tr').first()).toContainText(buyer.name);
  await expect(buyer.page.locator('.bid-history')).not.toContainText('$30.00');
  // Raising your own maximum must go above it, and does not move the price.
  await expect(buyer.page.getByLabel(/Your maximum bid/)).toBeVisible();
  await buyer.page.getByLabel(/Your maximum bid/).fill('29');
  await buyer.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(buyer.page.locator('#bid-message')).toHaveText('Bid at least $30.01.');
  await buyer.page.getByLabel(/Your maximum bid/).fill('40');
  await buyer.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(buyer.page.getByText('Your maximum: $40.00.')).toBeVisible();
  await expect(buyer.page.getByTestId('price')).toHaveText('$25.00');
  await expect(buyer.page.locator('.bid-history tbody tr')).toHaveCount(1);
  await expect(buyer.page.locator('.price-chart')).toBeVisible();

  // Like it; the count follows.
  await buyer.page.getByRole('button', { name: /Like/ }).click();
  await expect(buyer.page.locator('.like-count')).toHaveText('1 like');
  await buyer.page.reload();
  await expect(buyer.page.getByRole('button', { name: /Liked/ })).toBeVisible();
  await readmeShot(buyer.page, 'item.png');

  // The seller's dashboard sorts by each column.
  await seller.page.goto('/dashboard/items?sort=price&dir=desc');
  const firstRow = seller.page.locator('.items-table tbody tr').first();
  await expect(firstRow).toContainText(title);
  await expect(firstRow).toContainText('$25.00');
  await seller.page.getByRole('link', { name: /^Price/ }).click();
  await expect(seller.page).toHaveURL(/sort=price&dir=asc/);
  await expect(seller.page.locator('.items-table tbody tr').first()).toContainText('Tin compass');
  await seller.page.getByRole('link', { name: /^Bids/ }).click();
  await expect(seller.page.locator('.items-table tbody tr').first()).toContainText(title);
  await readmeShot(seller.page, 'listings.png');

  // Sort keys outside the fixed list are refused with a message.
  const bad = await seller.page.goto('/dashboard/items?sort=password&dir=asc');
  expect(bad?.status()).toBe(400);
  await expect(seller.page.getByText(/Can't sort by "password"/)).toBeVisible();

  // The seller's profile lists both items.
  await seller.page.goto(`/items/${id}`);
  await seller.page.locator('.item-seller').getByRole('link', { name: seller.name }).click();
  await expect(seller.page).toHaveURL(/\/users\/\d+$/);
  await expect(seller.page.getByRole('heading', { name: seller.name })).toBeVisible();
  await expect(seller.page.getByText(title)).toBeVisible();
  await expect(seller.page.getByText(`Tin compass`)).toBeVisible();
  await seller.context.close();
  await buyer.context.close();
});

test('photos are put in order and taken out before sending; the gallery steps by key and by swipe', async ({ browser }) => {
  test.setTimeout(60_000);
  const seller = await newUser(browser, 'seller');
  const page = seller.page;
  await fillListing(page, `Three lenses ${Date.now().toString(36)}`, { description: 'Three lenses, photographed one by one.', price: '30', category: 'electronics' });
  // Three photos told apart by their widths: 320, 240 and 200 pixels.
  await page.getByLabel(/^Photo/).setInputFiles([
    { name: 'wide.png', mimeType: 'image/png', buffer: gradientPng(320, 240) },
    { name: 'middle.png', mimeType: 'image/png', buffer: gradientPng(240, 180) },
    { name: 'narrow.png', mimeType: 'image/png', buffer: gradientPng(200, 150) },
  ]);
  const previews = page.locator('.photo-preview img');
  await expect(previews).toHaveCount(3);
  await expect(page.locator('#photo-chosen')).toHaveText('3 photos chosen: the first is the cover.');
  await expect(previews.first()).toHaveAttribute('alt', 'Photo 1: wide.png');
  expect(await previews.first().evaluate((img: HTMLImageElement) => img.src.startsWith('blob:'))).toBe(true);
  await expect.poll(() => previews.nth(2).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(200);
  // The narrow one becomes the cover; the middle one goes.
  await page.getByRole('button', { name: 'Move photo 3 (narrow.png) earlier' }).click();
  await page.getByRole('button', { name: 'Move photo 2 (narrow.png) earlier' }).click();
  await expect(page.getByRole('button', { name: 'Move photo 1 (narrow.png) earlier' })).toBeDisabled();
  await page.getByRole('button', { name: 'Remove photo 3 (middle.png)' }).click();
  await expect(previews).toHaveCount(2);
  await expect(previews.nth(0)).toHaveAttribute('alt', 'Photo 1: narrow.png');
  await expect(previews.nth(1)).toHaveAttribute('alt', 'Photo 2: wide.png');
  await expect(page.locator('#photo-chosen')).toHaveText('2 photos chosen: the first is the cover.');
  // The input itself holds that order: it is what the form sends.
  expect(await page.locator('#item-photo').evaluate((el: HTMLInputElement) => Array.from(el.files ?? []).map((f) => f.name))).toEqual(['narrow.png', 'wide.png']);
  const results = await new AxeBuilder({ page }).include('form.item-form').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
  await page.getByRole('button', { name: 'List item' }).click();
  await expect(page).toHaveURL(/\/items\/\d+$/, { timeout: 10_000 });
  const id = page.url().split('/').pop()!;

  // Sent in that order: the cover is the narrow photo, then the wide one.
  const width = (n: number) => page.locator(`#photo-${n} .photo-link img`).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth);
  await expect(page.locator('.photo-strip img')).toHaveCount(2);
  await expect.poll(() => width(1)).toBe(200);
  const cover = page.locator('#photo-1 .photo-link img');
  const next = page.locator('#photo-2 .photo-link img');
  await expect(next).not.toBeInViewport({ ratio: 0.5 });
  // The arrow keys step through the photos once the row has the focus.
  await page.getByRole('list', { name: 'Photos: swipe, or use the arrow keys' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(next).toBeInViewport({ ratio: 0.9 });
  await expect.poll(() => width(2)).toBe(320);
  await page.keyboard.press('ArrowLeft');
  await expect(cover).toBeInViewport({ ratio: 0.9 });

  // On a phone a finger swipes from one photo to the next, and back.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const visitor = await phone.newPage();
  await visitor.goto(`/items/${id}`);
  const slide = visitor.locator('#photo-1 .photo-link img');
  await expect(slide).toBeInViewport({ ratio: 0.9 });
  const box = (await slide.boundingBox())!;
  const cdp = await phone.newCDPSession(visitor);
  // A finger on the photo moving sideways past half its width, in small steps, then lifted.
  const swipe = async (from: number, to: number) => {
    const y = Math.round(box.y + box.height / 2);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from, y }] });
    for (let i = 1; i <= 10; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from + ((to - from) * i) / 10, y }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  const [right, left] = [Math.round(box.x + box.width * 0.85), Math.round(box.x + box.width * 0.15)];
  await swipe(right, left);
  await expect(visitor.locator('#photo-2 .photo-link img')).toBeInViewport({ ratio: 0.9 });
  await expect(visitor.locator('#zoom-2')).toBeHidden();
  await swipe(left, right);
  await expect(slide).toBeInViewport({ ratio: 0.9 });
  // A tap zooms in.
  await slide.tap();
  await expect(visitor.locator('#zoom-1')).toBeVisible();
  await phone.close();
  await seller.context.close();
});

test('Buy It Now asks for a confirmation before it buys', async ({ browser }) => {
  const seller = await newUser(browser, 'bnseller');
  const name = `Brass compass ${Date.now().toString(36)}`;
  const id = await listItem(seller.page, name, { description: 'Points north.', duration: '1 day', buyNow: '50' });

  // The seller and visitors see the price; only a bidder gets the button.
  await seller.page.goto(`/items/${id}`);
  await expect(seller.page.locator('.buy-now-price')).toHaveText('Buy It Now: $50.00');
  await expect(seller.page.locator('.buy-now')).toHaveCount(0);
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/items/${id}`);
  await expect(visitor.locator('.buy-now-price')).toHaveText('Buy It Now: $50.00');
  await expect(visitor.getByRole('link', { name: 'Sign in to bid' })).toBeVisible();
  await visitorContext.close();

  const buyer = await newUser(browser, 'bnbuyer');
  await buyer.page.goto(`/items/${id}`);
  // The account menu opens on click and closes on Escape, focus back on its button.
  await expect(buyer.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  const myBids = buyer.page.getByRole('link', { name: 'My bids' });
  // (The menus' key handler comes with the main bundle's page ticker, which may hydrate after
  // the bid form: until it has, Escape does nothing, so open and press again.)
  await expect(async () => {
    if (!(await myBids.isVisible())) await buyer.page.locator('.nav-user').click();
    await expect(myBids).toBeVisible();
    await buyer.page.keyboard.press('Escape');
    await expect(myBids).toBeHidden({ timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(buyer.page.locator('.nav-user')).toBeFocused();
  // And a click elsewhere closes it.
  await buyer.page.locator('.nav-user').click();
  await expect(myBids).toBeVisible();
  await buyer.page.mouse.click(5, 600);
  await expect(myBids).toBeHidden();
  const buy = buyer.page.locator('.buy-now > summary');
  await expect(buy).toHaveText('Buy It Now for $50.00');
  // The first click only asks.
  await buy.click();
  const confirm = buyer.page.getByRole('button', { name: 'Confirm purchase' });
  await expect(confirm).toBeVisible();
  await expect(buyer.page.locator('.buy-now-confirm')).toContainText('Buy it now for $50.00?');
  await buyer.page.reload();
  await expect(buyer.page.getByTestId('status')).toHaveText('');
  await expect(buyer.page.getByRole('button', { name: 'Confirm purchase' })).toBeHidden();
  // Asked and confirmed: bought.
  await buyer.page.locator('.buy-now > summary').click();
  await buyer.page.getByRole('button', { name: 'Confirm purchase' }).click();
  await expect(buyer.page.getByTestId('status')).toHaveText(`Bought now by ${buyer.name} for $50.00`, { timeout: 10_000 });
  await expect(buyer.page.locator('.buy-now')).toHaveCount(0);
  await seller.context.close();
  await buyer.context.close();
});

test('an ended auction shows its result live and refuses a bid', async ({ browser }) => {
  test.setTimeout(120_000);
  const seller = await newUser(browser, 'shortseller');
  const name = `Egg timer ${Date.now().toString(36)}`;
  const id = await listItem(seller.page, name, { description: 'Runs for one minute only.', price: '1', duration: '1 minute' });

  const buyer = await newUser(browser, 'latebuyer');
  await buyer.page.goto(`/items/${id}`);
  await expect(buyer.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await expect(buyer.page.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  // The countdown ticks down to "Ended", and the result arrives live: no reload.
  await expect(buyer.page.locator('.countdown')).toHaveText('Ended', { timeout: 75_000 });
  await expect(buyer.page.getByTestId('status')).toHaveText('Ended without bids', { timeout: 10_000 });
  await expect(buyer.page.getByText('Bidding is closed.')).toBeVisible();

  // A late bid sent anyway is refused by the server.
  const late = await buyer.page.request.post('/api/items/bid', {
    form: { item_id: id, amount: '5' },
    headers: { Accept: 'application/json', Origin: new URL(buyer.page.url()).origin },
  });
  expect(late.status()).toBe(200);
  expect(await late.text()).toContain('This auction has ended; no more bids.');

  await buyer.page.reload();
  await expect(buyer.page.getByTestId('status')).toHaveText('Ended without bids');
  await expect(buyer.page.getByText('Bidding is closed.')).toBeVisible();
  await seller.context.close();
  await buyer.context.close();
});

test('with JavaScript off, listing and bidding still work', async ({ browser }) => {
  const seller = await newUser(browser, 'nojsseller');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const name = uniqueName('nojsbuyer');
  await page.goto('/auth/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Repeat password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('.nav-username')).toHaveText(name);

  // Listing without JavaScript: errors come back with the text kept, then it works.
  const title = `Plain lantern ${Date.now().toString(36)}`;
  const sellerNoJs = await browser.newContext({ javaScriptEnabled: false, storageState: await seller.context.storageState() });
  const sp = await sellerNoJs.newPage();
  await sp.goto('/items/new');
  await sp.getByLabel('Name').fill(title);
  await sp.getByLabel('Description').fill('Oil lantern.');
  await sp.getByLabel('Starting price ($)').fill('-3');
  await sp.getByLabel('Category').selectOption('other');
  await sp.getByRole('button', { name: 'List item' }).click();
  await expect(sp.locator('#price-error')).toHaveText("The amount can't be negative.");
  await expect(sp.getByLabel('Name')).toHaveValue(title);
  await sp.getByLabel('Starting price ($)').fill('8');
  await sp.getByLabel(/^Photo/).setInputFiles({ name: 'lantern.png', mimeType: 'image/png', buffer: gradientPng(200, 150) });
  await sp.getByRole('button', { name: 'List item' }).click();
  await expect(sp).toHaveURL(/\/items\/\d+$/);
  const url = sp.url();
  await sellerNoJs.close();

  // Bidding without JavaScript.
  await page.goto(url);
  await page.getByLabel(/Your maximum bid/).fill('1.234');
  await page.getByRole('button', { name: 'Place bid' }).click();
  await expect(page.locator('#bid-message')).toHaveText('Use at most 2 decimals (cents).');
  await page.getByLabel(/Your maximum bid/).fill('8');
  await page.getByRole('button', { name: 'Place bid' }).click();
  await expect(page.locator('#bid-message')).toHaveText('Your maximum bid was placed.');
  await expect(page.getByTestId('price')).toHaveText('$8.00');
  await expect(page.getByText('You have the highest bid.')).toBeVisible();
  // Redirect-after-post: a reload does not say it again.
  expect(page.url()).not.toContain('?');
  await page.reload();
  await expect(page.getByText('You have the highest bid.')).toBeVisible();
  await expect(page.locator('#bid-message')).toBeEmpty();
  await page.getByRole('button', { name: /Like/ }).click();
  await expect(page.locator('.like-count')).toHaveText('1 like');
  await context.close();
  await seller.context.close();
});

test('at phone width a refused form moves to its first problem, below the sticky header', async ({ browser }) => {
  const seller = await newUser(browser, 'phoneseller');
  await seller.page.setViewportSize({ width: 390, height: 844 });
  await seller.page.goto('/items/new');
  await expect(seller.page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  // Price filled, name empty: the button is far below the name field.
  await seller.page.getByLabel('Description').fill('A lamp.');
  await seller.page.getByLabel('Starting price ($)').fill('5');
  await seller.page.getByLabel('Category').selectOption('other');
  await seller.page.getByRole('button', { name: 'List item' }).click();
  const name = seller.page.getByLabel('Name');
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(seller.page.locator('#name-error')).toBeInViewport();
  const header = await seller.page.locator('.site-header').boundingBox();
  const field = await name.boundingBox();
  expect(field!.y).toBeGreaterThanOrEqual(header!.y + header!.height);
  // The soft-close checkbox sits beside its label, on its first line, not above it.
  const box = (await seller.page.getByLabel(/^Soft close/).boundingBox())!;
  const label = (await seller.page.locator('label[for="item-soft-close"]').boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(label.x);
  expect(box.y).toBeLessThan(label.y + 24);
  expect(box.y + box.height).toBeGreaterThan(label.y);

  // Without JavaScript the page comes back with the first problem focused.
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, storageState: await seller.context.storageState() });
  const plain = await noJs.newPage();
  await plain.goto('/items/new');
  await plain.getByLabel('Name').fill('Desk lamp');
  await plain.getByLabel('Description').fill('Brass.');
  await plain.getByLabel('Starting price ($)').fill('abc');
  await plain.getByLabel('Category').selectOption('other');
  await plain.getByRole('button', { name: 'List item' }).click();
  await expect(plain.locator('#price-error')).toHaveText('Enter an amount in dollars, like 12 or 12.50.');
  await expect(plain.getByLabel('Starting price ($)')).toBeFocused();
  await noJs.close();
  await seller.context.close();
});

test('a seller ends a listing nobody bid on, a watcher sees it end, and the seller relists it', async ({ browser }) => {
  const seller = await newUser(browser, 'ender');
  const name = `Cedar box ${Date.now().toString(36)}`;
  await listItem(seller.page, name, { description: 'A cedar box with a brass hinge.', price: '12', condition: 'new' });
  const page = seller.page.url();

  // Someone else has the page open: it closes live when the seller ends it.
  const watcher = await newUser(browser, 'endwatch');
  await watcher.page.goto(page);
  await expect(watcher.page.getByTestId('seller-controls')).toHaveCount(0);
  await expect(watcher.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await expect(watcher.page.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });

  await seller.page.getByText('End listing early').click();
  await seller.page.getByRole('button', { name: 'End it now' }).click();
  await expect(seller.page.getByText('Ended. It is no longer for sale; you can relist it.')).toBeVisible();
  await expect(seller.page.getByTestId('ended-early')).toBeVisible();
  await expect(watcher.page.getByTestId('status')).toHaveText('Ended without bids', { timeout: 10_000 });
  await expect(watcher.page.getByText('Bidding is closed.')).toBeVisible();

  await seller.page.getByRole('button', { name: 'Relist this item' }).click();
  await expect(seller.page.getByText('Relisted: this is the new listing.')).toBeVisible();
  expect(seller.page.url()).not.toBe(page);
  await expect(seller.page.locator('h1.item-title')).toHaveText(name);
  await expect(seller.page.getByTestId('item-terms')).toContainText('New');
  await expect(seller.page.getByText('End listing early')).toBeVisible();
  await seller.page.goto(page);
  await expect(seller.page.getByTestId('seller-controls')).toContainText('Relisted as a new listing.');
  for (const u of [seller, watcher]) await u.context.close();
});

test('a seller revises a listing before the first bid, and after it only adds to the description', async ({ browser }) => {
  const seller = await newUser(browser, 'reviser');
  const name = `Oak stool ${Date.now().toString(36)}`;
  const id = await listItem(seller.page, name, { description: 'Three legs.', price: '20', duration: '1 day' });
  await seller.page.getByTestId('revise-link').click();
  await expect(seller.page).toHaveURL(new RegExp(`/items/${id}/edit$`));
  const form = seller.page.locator('form.item-form[data-hydrated="true"]');
  await expect(form).toBeAttached({ timeout: 10_000 });
  await expect(seller.page.getByLabel('Name')).toHaveValue(name);
  await expect(seller.page.getByLabel('Starting price ($)')).toHaveValue('20.00');
  await expect(seller.page.getByLabel('Duration')).toHaveCount(0);
  // A problem is shown in place; fixed, the revision is saved and the page shows it.
  await seller.page.getByLabel('Starting price ($)').fill('twenty');
  await seller.page.getByRole('button', { name: 'Save changes' }).click();
  await expect(seller.page.locator('#price-error')).toHaveText('Enter an amount in dollars, like 12 or 12.50.');
  await seller.page.getByLabel('Name').fill(`${name}, waxed`);
  await seller.page.getByLabel('Starting price ($)').fill('25');
  await seller.page.getByLabel(/^Photos/).setInputFiles([
    { name: 'stool.png', mimeType: 'image/png', buffer: gradientPng() },
  ]);
  await seller.page.getByRole('button', { name: 'Save changes' }).click();
  await expect(seller.page).toHaveURL(new RegExp(`/items/${id}$`), { timeout: 10_000 });
  await expect(seller.page.locator('h1.item-title')).toHaveText(`${name}, waxed`);
  await expect(seller.page.locator('#photo-1 .photo-link img')).toHaveAttribute('src', `/items/${id}/image?v=1`);

  // A bid: from now on the listing stays as the bidder saw it.
  const bidder = await newUser(browser, 'revbidder');
  await bidder.page.goto(`/items/${id}`);
  await expect(bidder.page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await bidder.page.getByLabel(/Your maximum bid/).fill('25');
  await bidder.page.getByRole('button', { name: 'Place bid' }).click();
  await expect(bidder.page.locator('#bid-message')).toHaveText('Your maximum bid was placed.');

  await seller.page.goto(`/items/${id}`);
  await seller.page.getByTestId('add-link').click();
  await expect(seller.page.getByTestId('add-description')).toBeVisible();
  await expect(seller.page.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
  await seller.page.getByLabel('Add to the description').fill('The seat was re-oiled last week.');
  await seller.page.getByRole('button', { name: 'Add to the description' }).click();
  await expect(seller.page.getByText('Added to the description.')).toBeVisible();
  await expect(seller.page.getByTestId('addition')).toContainText('The seat was re-oiled last week.');
  // The bidder sees it too (after a reload: additions are not live).
  await expect(async () => {
    await bidder.page.reload();
    await expect(bidder.page.getByTestId('addition')).toContainText('re-oiled', { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  for (const u of [seller, bidder]) await u.context.close();
});
