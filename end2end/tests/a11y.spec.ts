import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signUp, uniqueName } from './helpers';

/** axe-core on the page as it is now: its serious and critical violations, each one named. */
async function seriousViolations(page: Page, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

for (const width of [1280, 390]) {
  test(`every page passes axe at ${width} px`, async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    // Every page is checked; the test lists all that fail at once.
    const found: string[] = [];
    // Besides axe: nothing may be wider than the screen (no sideways scrolling on a phone).
    const overflow = async (label: string) => {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      return wide > 0 ? [`${label} at ${width}px: ${wide} px wider than the screen`] : [];
    };
    const check = async (label: string) =>
      found.push(...(await seriousViolations(page, `${label} at ${width}px`)), ...(await overflow(label)));

    // Visitors' pages. An item of the demo shop, found through the home page.
    await page.goto('/');
    const itemHref = await page.locator('a.card').first().getAttribute('href');
    expect(itemHref).toMatch(/^\/items\/\d+$/);
    const visitorPages = ['/', '/search', '/search?q=lamp', '/search?q=zzzznothing',
      '/search?q=lamp&condition=used&bin=1&min=5&max=500&ending=7d', '/search?min=abc', itemHref!, `${itemHref}/comments`,
      '/market', '/about', '/privacy', '/auth/signin', '/auth/signup', '/auth/forgot', '/auth/reset?t=x',
      '/email/unsubscribe?u=1&k=outbid&s=x', '/no-such-page', '/search?category=art%7Cbooks', '/search?q=camra',
      `${itemHref}#zoom-1`];
    for (const path of visitorPages) {
      await page.goto(path);
      await check(path);
    }

    // Signed-in pages, with one listing of the user's own, by a user whose name is as long as
    // names may be (32 characters, no spaces): it must not widen a phone's pages.
    await signUp(page, uniqueName('a11y_long_name_').padEnd(32, 'x'));
    // A new seller's dashboard, before they list anything.
    await page.goto('/dashboard');
    // It says what will be there, not seven empty charts.
    await expect(page.getByTestId('no-listings')).toBeVisible();
    await expect(page.locator('#live-panels svg')).toHaveCount(0);
    await check('/dashboard (new seller)');
    await page.goto('/items/new');
    await check('/items/new');
    await expect(page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
    await page.getByLabel('Name').fill(`Accessible lamp ${Date.now().toString(36)}`);
    await page.getByLabel('Description').fill('Bright and easy to find.');
    await page.getByLabel('Starting price ($)').fill('12');
    await page.getByLabel('Category').selectOption('other');
    await page.getByRole('button', { name: 'List item' }).click();
    await expect(page).toHaveURL(/\/items\/\d+$/, { timeout: 10_000 });
    const own = new URL(page.url()).pathname;
    // A long bid history on it: two more long-named bidders outbid each other eight times.
    const origin = new URL(page.url()).origin;
    const bidders = [];
    for (const prefix of ['a11y_bidder_one_', 'a11y_bidder_two_']) {
      const context = await browser.newContext();
      const bidderPage = await context.newPage();
      await signUp(bidderPage, uniqueName(prefix).padEnd(32, 'x'));
      bidders.push(bidderPage);
    }
    for (let i = 0; i < 8; i++) {
      const reply = await bidders[i % 2].request.post('/api/items/bid', {
        form: { item_id: own.split('/').pop()!, amount: String(13 + i) },
        headers: { Origin: origin, Accept: 'application/json' },
      });
      expect(await reply.text()).toContain('Accepted');
    }
    // A bid on the demo item, so its page has a history with a bidder's link in it (and My
    // bids a row).
    await page.goto(itemHref!);
    await expect(page.locator('form.bid-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
    await page.getByLabel(/Your maximum bid/).fill(width === 1280 ? '5000' : '6000');
    await page.getByRole('button', { name: 'Place bid' }).click();
    await expect(page.locator('#bid-message')).toHaveText(/^Your maximum bid was placed/);
    await expect(page.locator('.bid-history tbody a[href^="/users/"]').first()).toBeVisible();
    const profile = await page.locator('.item-seller a[href^="/users/"]').getAttribute('href');
    const signedInPages = [own, itemHref!, '/dashboard', '/dashboard/items', `/dashboard${own}`, '/my/bids',
      '/my/watching', '/my/won', '/my/purchases', '/my/sold', `${own}/edit`, '/notifications', '/my/email', '/dashboard/time-zone', profile!];
    for (const path of signedInPages) {
      await page.goto(path);
      await check(`${path} (signed in)`);
    }
    await page.goto(own);
    expect(await page.locator('.bid-history tbody tr').count()).toBeGreaterThanOrEqual(10);

    // The operators' pages, as a moderator (a name of RBAY_ADMINS in playwright.config.ts, one
    // per width: each run has its own namespace, so the names are free).
    const ops = await browser.newContext({ viewport: { width, height: 900 } });
    const opsPage = await ops.newPage();
    await signUp(opsPage, `e2e_a11y_ops_${width}`);
    for (const [path, heading] of [['/ops', 'Operations'], ['/ops/moderation', 'Moderation']]) {
      await opsPage.goto(path);
      await expect(opsPage.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      found.push(...(await seriousViolations(opsPage, `${path} (moderator) at ${width}px`)));
      const wide = await opsPage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (wide > 0) found.push(`${path} (moderator) at ${width}px: ${wide} px wider than the screen`);
    }
    await ops.close();
    expect(found, found.join('\n')).toEqual([]);
    for (const bidder of bidders) await bidder.context().close();
    await context.close();
  });
}
