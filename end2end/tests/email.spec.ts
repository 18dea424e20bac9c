import { test, expect, Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { formHydrated, listItem, newUser, PASSWORD, readmeShot, uniqueName } from './helpers';

/** One message as scripts/mail_sink.py stored it. */
type Mail = { rcpt_tos: string[]; subject: string; text: string; html: string; headers: Record<string, string> };

const mailDir = process.env.RBAY_E2E_MAIL_DIR!;

/** The messages to `address` so far, oldest first. */
function mailTo(address: string): Mail[] {
  if (!fs.existsSync(mailDir)) return [];
  return fs
    .readdirSync(mailDir)
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(mailDir, name), 'utf8')) as Mail)
    .filter((mail) => mail.rcpt_tos.includes(address));
}

/** Waits until `address` has `n` messages; the newest. */
async function nthMail(address: string, n: number): Promise<Mail> {
  await expect.poll(() => mailTo(address).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(n);
  return mailTo(address)[n - 1];
}

/** The first link of a mail's text that contains `part`, as a path on this site. */
function link(mail: Mail, part: string): string {
  const url = mail.text.split(/\s+/).find((word) => word.startsWith('http') && word.includes(part));
  expect(url, `a link with ${part} in ${mail.text}`).toBeTruthy();
  const parsed = new URL(url!);
  return parsed.pathname + parsed.search;
}

async function signUpWithEmail(page: Page, name: string, address: string) {
  await page.goto('/auth/signup');
  await formHydrated(page);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat password').fill(PASSWORD);
  await page.getByLabel(/^Email/).fill(address);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('.nav-username')).toHaveText(name);
}

test('a saved search alerts live and by email, with a link that works and a one-click unsubscribe', async ({ browser }) => {
  test.setTimeout(90_000);
  const word = `astrolabe${Date.now().toString(36)}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const name = uniqueName('mann');
  const address = `${name}@example.com`;
  await signUpWithEmail(page, name, address);

  // The confirmation link, followed: the page asks, the button confirms.
  const confirmation = await nthMail(address, 1);
  expect(confirmation.subject).toBe('Confirm your email address for Rbay');
  await page.goto(link(confirmation, '/email/confirm?t='));
  await page.getByRole('button', { name: 'Confirm this address' }).click();
  await expect(page.getByTestId('email-confirmed')).toBeVisible();
  await page.goto('/my/email');
  await expect(page.getByTestId('email-status')).toHaveText(`Email goes to ${address}.`);
  await readmeShot(page, 'email-settings.png');

  // A saved search; another user lists a match: the bell counts it live, and the email comes.
  await page.goto(`/search?q=${word}`);
  await page.locator('.save-search > summary').click();
  await page.getByLabel('Name it').fill('Astrolabes');
  await page.getByRole('button', { name: 'Save and alert me' }).click();
  await expect(page).toHaveURL(/\/my\/searches$/);
  await page.goto('/');
  const bell = page.locator('.nav-notices');
  await expect(bell).toHaveAttribute('data-notices-connected', 'true', { timeout: 10_000 });
  const ben = await newUser(browser, 'mben');
  const id = await listItem(ben.page, `Brass <i>astrolabe</i> ${word}`, 'Persian, 1700s.');
  await expect(bell).toHaveAttribute('data-unread', '1', { timeout: 15_000 });

  const alert = await nthMail(address, 2);
  expect(alert.rcpt_tos).toEqual([address]);
  expect(alert.subject).toContain(`Brass <i>astrolabe</i> ${word}`);
  expect(alert.html).toContain('Brass &lt;i&gt;astrolabe&lt;/i&gt;');
  expect(alert.html).not.toContain('<i>astrolabe');
  expect(alert.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  await page.goto(link(alert, `/items/${id}`));
  await expect(page.locator('h1')).toHaveText(`Brass <i>astrolabe</i> ${word}`);

  // Unsubscribe from the footer's link: the page asks, the button does it, the settings agree.
  await page.goto(link(alert, '/email/unsubscribe?'));
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByTestId('unsubscribed')).toBeVisible();
  await page.goto('/my/email');
  await expect(page.getByLabel('New listings for your saved searches')).not.toBeChecked();
  await expect(page.getByLabel('Someone outbids you')).toBeChecked();
  await context.close();
  await ben.context.close();
});

test('a forgotten password is reset from the emailed link, and the old session ends', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const name = uniqueName('mreset');
  const address = `${name}@example.com`;
  await signUpWithEmail(page, name, address);
  await page.goto(link(await nthMail(address, 1), '/email/confirm?t='));
  await page.getByRole('button', { name: 'Confirm this address' }).click();
  await expect(page.getByTestId('email-confirmed')).toBeVisible();

  // From another browser: "Forgot your password?".
  const other = await browser.newContext();
  const lost = await other.newPage();
  await lost.goto('/auth/signin');
  await lost.getByRole('link', { name: 'Forgot your password?' }).click();
  await lost.getByLabel('Username').fill(name);
  await lost.getByRole('button', { name: 'Mail me a link' }).click();
  await expect(lost.getByTestId('reset-sent')).toBeVisible();
  await lost.goto(link(await nthMail(address, 2), '/auth/reset?t='));
  await lost.getByLabel('New password', { exact: true }).fill('a brand new password');
  await lost.getByLabel('Repeat the new password').fill('a brand new password');
  await lost.getByRole('button', { name: 'Set the new password' }).click();
  await expect(lost).toHaveURL(/\/auth\/signin$/);
  await expect(lost.getByText('Your password is changed')).toBeVisible();
  await formHydrated(lost);
  await lost.getByLabel('Username').fill(name);
  await lost.getByLabel('Password', { exact: true }).fill('a brand new password');
  await lost.getByRole('button', { name: 'Sign in' }).click();
  await expect(lost.locator('.nav-username')).toHaveText(name);

  // The first browser's session ended with the change.
  await page.goto('/my/email');
  await expect(page.locator('.nav-username')).toHaveCount(0);
  await context.close();
  await other.close();
});
