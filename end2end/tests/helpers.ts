import { Browser, expect, Page } from '@playwright/test';
import path from 'node:path';
import { gradientPng } from './image';

export const screenshots = path.resolve(__dirname, '../../docs/screenshots');
export const PASSWORD = 'correct horse battery';

let counter = 0;
/** A username no other test (or earlier run against the same Redis) has used. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}${counter}`.slice(0, 32);
}

/** Waits until the sign-in / sign-up form island is hydrated. */
export async function formHydrated(page: Page) {
  await expect(page.locator('form.auth-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
}

export async function signUp(page: Page, username: string, password = PASSWORD) {
  await page.goto('/auth/signup');
  await formHydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('.nav-username')).toHaveText(username);
}

export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A full-page screenshot for the README, taken from the top of the page: a page that a click
 * scrolled would otherwise have its sticky header drawn across the middle of the picture. */
export async function readmeShot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screenshots, name), fullPage: true });
}

/** A new signed-up user in a browser context of their own (on `baseURL` if given, e.g. the
 * second instance). */
export async function newUser(browser: Browser, prefix: string, baseURL?: string) {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  const name = uniqueName(prefix);
  await signUp(page, name);
  return { context, page, name };
}

/** Lists an item through the new-item form (starting at $10) and returns its id. */
/** What a test may set on a new listing; the rest gets plain defaults. */
export interface ListingOptions {
  description?: string;
  /** Starting price in dollars (default 10). */
  price?: string;
  /** A category's value (default `other`). */
  category?: string;
  /** A duration's label, such as `1 minute`. */
  duration?: string;
  condition?: 'new' | 'used' | 'parts';
  buyNow?: string;
  reserve?: string;
  /** Unchecks "Soft close" when false. */
  softClose?: boolean;
  /** Two photos, the first the cover. */
  photos?: boolean;
}

/** Lists an item through the hydrated form; returns its id. */
export async function listItem(page: Page, title: string, options: ListingOptions | string = {}): Promise<string> {
  const o: ListingOptions = typeof options === 'string' ? { description: options } : options;
  await fillListing(page, title, o);
  await page.getByRole('button', { name: 'List item' }).click();
  await expect(page).toHaveURL(/\/items\/\d+$/, { timeout: 10_000 });
  return page.url().split('/').pop()!;
}

/** Opens the new-item form, waits for it to hydrate and fills it in (not sent). */
export async function fillListing(page: Page, title: string, o: ListingOptions = {}) {
  await page.goto('/items/new');
  await expect(page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel('Name').fill(title);
  await page.getByLabel('Description').fill(o.description ?? 'A fine thing.');
  await page.getByLabel('Starting price ($)').fill(o.price ?? '10');
  await page.getByLabel('Category').selectOption(o.category ?? 'other');
  if (o.condition) await page.getByLabel('Condition').selectOption(o.condition);
  if (o.duration) await page.getByLabel('Duration').selectOption({ label: o.duration });
  if (o.buyNow) await page.getByLabel(/^Buy It Now price/).fill(o.buyNow);
  if (o.reserve) await page.getByLabel(/^Reserve price/).fill(o.reserve);
  if (o.softClose === false) await page.getByLabel(/^Soft close/).uncheck();
  if (o.photos) {
    await page.getByLabel(/^Photo/).setInputFiles([
      { name: 'cover.png', mimeType: 'image/png', buffer: gradientPng() },
      { name: 'side.png', mimeType: 'image/png', buffer: gradientPng(240, 180) },
    ]);
  }
}
