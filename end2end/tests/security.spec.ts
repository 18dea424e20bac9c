import { test, expect, Page } from '@playwright/test';
import { listItem, signUp, uniqueName } from './helpers';

/** Collects CSP violations and script errors of a page. */
function watchViolations(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (execute|load|apply|connect|compile|frame)/i.test(text)) {
      problems.push(`console: ${text}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

/** Counts `securitypolicyviolation` events seen by the document (set up before any script runs). */
async function countViolationsInPage(page: Page) {
  await page.addInitScript(() => {
    (window as any).__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as any).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

test('every page hydrates under the Content-Security-Policy with no violation', async ({ browser }) => {
  test.setTimeout(120_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await countViolationsInPage(page);
  const problems = watchViolations(page);
  const name = uniqueName('csp');
  await signUp(page, name);

  // An item of our own, and one of the demo shop's.
  await listItem(page, `CSP lamp ${Date.now().toString(36)}`, { description: 'A lamp that obeys the policy.', price: '5' });
  const own = page.url();
  await page.goto('/');
  const other = await page.locator('.card').first().getAttribute('href');

  const pages: [string, string | null][] = [
    ['/', null],
    [own, null],
    [other!, 'form.bid-form[data-hydrated="true"]'],
    [`${other}/comments`, 'form.comment-form[data-hydrated="true"]'],
    ['/search?q=lamp', null],
    ['/items/new', 'form.item-form[data-hydrated="true"]'],
    ['/dashboard', null],
    ['/dashboard/items', null],
    ['/about', null],
    ['/privacy', null],
    ['/no/such/page', null],
  ];
  for (const [path, hydrated] of pages) {
    const response = await page.goto(path);
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp, path).toContain("script-src 'nonce-");
    if (hydrated) {
      await expect(page.locator(hydrated), path).toBeAttached({ timeout: 10_000 });
    }
    // Islands hydrate on idle: give them the time to load every chunk.
    await page.waitForLoadState('networkidle');
    const seen = await page.evaluate(() => (window as any).__cspViolations as string[]);
    expect(seen, `${path}: CSP violations`).toEqual([]);
  }
  // Live updates connect (EventSource is allowed by connect-src 'self').
  await page.goto(other!);
  await expect(page.locator('[data-live-connected="true"]')).toBeAttached({ timeout: 10_000 });
  // The signed-out pages too.
  const visitor = await browser.newPage();
  await countViolationsInPage(visitor);
  const visitorProblems = watchViolations(visitor);
  for (const path of ['/auth/signin', '/auth/signup']) {
    await visitor.goto(path);
    await expect(visitor.locator('form.auth-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
    expect(await visitor.evaluate(() => (window as any).__cspViolations)).toEqual([]);
  }
  expect(problems).toEqual([]);
  expect(visitorProblems).toEqual([]);
  await visitor.close();
  await context.close();
});

test('a hostile item name is shown as text and runs nothing', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, uniqueName('xss'));
  const hostile = `</title><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
  await page.goto('/items/new');
  await expect(page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel('Name').fill(hostile.slice(0, 80));
  await page.getByLabel('Description').fill(hostile);
  await page.getByLabel('Starting price ($)').fill('5');
  await page.getByLabel('Category').selectOption('other');
  await page.getByRole('button', { name: 'List item' }).click();
  await expect(page).toHaveURL(/\/items\/\d+$/);
  for (const path of [page.url(), `${page.url()}/comments`, `/search?q=${encodeURIComponent(hostile)}`]) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => (window as any).__pwned), path).toBeUndefined();
    expect(await page.title(), path).toContain('</title><script>');
  }
  await expect(page.locator('h1.item-title')).toHaveCount(0); // on the search page now
  await page.goBack();
  await page.goBack();
  await expect(page.locator('h1.item-title')).toHaveText(hostile.slice(0, 80));
  await context.close();
});

test('metrics are scraped from each instance with the token, never through the proxy', async ({ playwright }) => {
  const token = process.env.RBAY_E2E_METRICS_TOKEN!;
  const port = Number(process.env.RBAY_E2E_PORT!);
  const fleet = process.env.RBAY_E2E_FLEET === '1';
  // In a fleet nginx listens on the first port and the instances after it.
  const instance = `http://127.0.0.1:${fleet ? port + 1 : port}`;
  const api = await playwright.request.newContext();
  const bearer = { Authorization: `Bearer ${token}` };
  const scraped = await api.get(`${instance}/metrics`, { headers: bearer });
  expect(scraped.status()).toBe(200);
  const text = await scraped.text();
  expect(text).toContain('# TYPE rbay_http_request_duration_seconds histogram');
  expect(text).toMatch(/^rbay_redis_node_up\{node="[^"]+"\} 1$/m);
  expect((await api.get(`${instance}/metrics`)).status()).toBe(401);
  if (fleet) {
    expect((await api.get(`http://127.0.0.1:${port}/metrics`, { headers: bearer })).status()).toBe(404);
  }
  await api.dispose();
});
