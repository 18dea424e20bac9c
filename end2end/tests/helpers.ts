import { Browser, expect, Page } from '@playwright/test';
import path from 'node:path';

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
export async function listItem(page: Page, title: string, description = 'A fine thing.'): Promise<string> {
  await page.goto('/items/new');
  await expect(page.locator('form.item-form[data-hydrated="true"]')).toBeAttached({ timeout: 10_000 });
  await page.getByLabel('Name').fill(title);
  await page.getByLabel('Description').fill(description);
  await page.getByLabel('Starting price ($)').fill('10');
  await page.getByLabel('Category').selectOption('other');
  await page.getByRole('button', { name: 'List item' }).click();
  await expect(page).toHaveURL(/\/items\/\d+$/);
  return page.url().split('/').pop()!;
}
