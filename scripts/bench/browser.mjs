// What a browser downloads and how soon an item page is usable, measured in Chromium against a
// running server (scripts/bench.sh starts it). Prints numbers; asserts nothing.
//
//   node scripts/bench/browser.mjs http://127.0.0.1:PORT
//
// Slow 3G here is WebPageTest's "3G Slow": 400 ms round trip, 400 kbit/s each way, applied
// by Chromium's own network emulation to every request.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../end2end/package.json'));
const { chromium } = require('@playwright/test');

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});

/** Loads `url` in `page` and sums the JS and WASM bytes as sent (gzip) over the network. */
async function scripts(page, url) {
  const files = [];
  const done = [];
  page.on('requestfinished', (req) => {
    const p = new URL(req.url()).pathname;
    // Files served from the browser's cache report no body size: count only downloads.
    if (/\.(js|wasm)$/.test(p))
      done.push(req.sizes().then((s) => s.responseBodySize > 0 && files.push([p, s.responseBodySize])));
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await Promise.all(done);
  return { count: files.length, bytes: files.reduce((a, [, n]) => a + n, 0) };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const results = {};

// A signed-in buyer (items in the bench catalogue belong to the seeded sellers).
const context = await browser.newContext({ baseURL: base });
const page = await context.newPage();
const name = `bench${Date.now().toString(36)}`;
await page.goto('/auth/signup');
// Typing before the form has hydrated can be lost when it hydrates: wait for it.
await page.locator('form.auth-form[data-hydrated="true"]').waitFor({ timeout: 30_000 });
await page.getByLabel('Username').fill(name);
await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
await page.getByLabel('Repeat password').fill('correct horse battery');
await page.getByRole('button', { name: 'Create account' }).click();
await page.waitForURL((u) => !u.pathname.startsWith('/auth'));

// Home, cold and warm cache.
const home = await (await browser.newContext()).newPage();
results.home = await scripts(home, `${base}/`);
results.homeAgain = await scripts(home, `${base}/`);

// An item that is live for a while yet: the most viewed one.
await page.goto('/');
const href = await page.locator('#most-viewed a[href^="/items/"]').first().getAttribute('href');
const itemUrl = `${base}${href}`;
// Each measurement of the item page starts with an empty cache (the sign-up pages loaded
// chunks the item page shares).
const signedIn = await context.storageState();
const fresh = await (await browser.newContext({ storageState: signedIn })).newPage();
results.item = await scripts(fresh, itemUrl);

// Slow 3G, cold cache: when can the buyer place a bid?
const slowContext = await browser.newContext({ storageState: signedIn });
const slow = await slowContext.newPage();
const cdp = await slowContext.newCDPSession(slow);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
await cdp.send('Network.emulateNetworkConditions', {
  offline: false,
  latency: 400,
  downloadThroughput: (400 * 1000) / 8,
  uploadThroughput: (400 * 1000) / 8,
});
const start = Date.now();
await slow.goto(itemUrl, { waitUntil: 'commit' });
await slow.locator('form.bid-form button[type=submit]').waitFor({ state: 'visible', timeout: 60_000 });
results.slowFormShown = Date.now() - start;
await slow.locator('form.bid-form[data-hydrated="true"]').waitFor({ timeout: 60_000 });
results.slowHydrated = Date.now() - start;

await browser.close();
console.log(`home page JS+WASM (gzip, cold cache): ${kb(results.home.bytes)} in ${results.home.count} files`);
console.log(`home page again (warm cache):         ${kb(results.homeAgain.bytes)} in ${results.homeAgain.count} files`);
console.log(`item page JS+WASM (gzip, signed in, cold cache): ${kb(results.item.bytes)} in ${results.item.count} files`);
console.log(`slow 3G item page: bid form shown and working (plain form) ${results.slowFormShown} ms, hydrated ${results.slowHydrated} ms`);
console.log(`JSON ${JSON.stringify(results)}`);
