import { test, expect } from '@playwright/test';
import path from 'node:path';
import { PASSWORD, formHydrated, screenshots, signIn, signUp, uniqueName } from './helpers';

test('sign up, see your name, sign out, sign in again', async ({ page }) => {
  const name = uniqueName('alice');
  await signUp(page, name);
  // The form island submitted without a page load, then went to the dashboard.
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: `Hello, ${name}!` })).toBeVisible();

  // The session cookie is HttpOnly and SameSite=Lax.
  const cookie = (await page.context().cookies()).find((c) => c.name === 'rbay_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('.nav-username')).toHaveCount(0);

  await page.getByRole('link', { name: 'Sign in' }).click();
  await formHydrated(page);
  await signIn(page, name.toUpperCase()); // usernames are case-insensitive
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.locator('.nav-username')).toHaveText(name);
});

test('what was typed before the form came alive is kept and sent', async ({ page }) => {
  // A slow connection: the page's WebAssembly arrives 1.5 s late, and the user types meanwhile.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  const name = uniqueName('early');
  await page.goto('/auth/signup');
  await expect(page.locator('form.auth-form[data-hydrated="true"]')).toHaveCount(0);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat password').fill(PASSWORD);
  release();
  await formHydrated(page);
  await expect(page.getByLabel('Username')).toHaveValue(name);
  await expect(page.getByLabel('Repeat password')).toHaveValue(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('.nav-username')).toHaveText(name);
});

test('a page that needs an account sends you to sign in and back', async ({ page }) => {
  const name = uniqueName('bob');
  await signUp(page, name);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/auth\/signin\?next=%2Fdashboard$/);
  await formHydrated(page);
  await signIn(page, name);
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('sign-up errors are shown next to their fields', async ({ page }) => {
  const taken = uniqueName('carol');
  await signUp(page, taken);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.goto('/auth/signup');
  await formHydrated(page);
  const username = page.getByLabel('Username');
  const password = page.getByLabel('Password', { exact: true });
  const confirm = page.getByLabel('Repeat password');
  const submit = page.getByRole('button', { name: 'Create account' });

  await submit.click();
  await expect(page.locator('#username-error')).toHaveText('Enter a username.');
  await expect(page.locator('#password-error')).toHaveText('Enter a password.');

  await username.fill('ab');
  await password.fill('short');
  await confirm.fill('shorter');
  await submit.click();
  await expect(page.locator('#username-error')).toHaveText('Usernames are 3–32 characters long.');
  await expect(page.locator('#password-error')).toHaveText('Passwords are 8–256 characters long.');
  await expect(page.locator('#confirm-error')).toHaveText("The passwords don't match.");
  await expect(username).toHaveAttribute('aria-invalid', 'true');

  await username.fill('<b>bold</b>');
  await submit.click();
  await expect(page.locator('#username-error')).toHaveText('Use only letters a–z, digits 0–9, underscore and hyphen.');

  // Taken (checked by the server, case-insensitively).
  await username.fill(taken.toUpperCase());
  await password.fill(PASSWORD);
  await confirm.fill(PASSWORD);
  await submit.click();
  await expect(page.locator('#username-error')).toHaveText('That username is taken. Try another one.');
  await expect(page).toHaveURL(/\/auth\/signup$/); // handled in place, no reload
  await page.screenshot({ path: path.join(screenshots, 'signup-errors.png') });
});

test('sign-in errors: wrong password, unknown user, too many attempts', async ({ page }) => {
  const name = uniqueName('dave');
  await signUp(page, name);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await page.goto('/auth/signin');
  await formHydrated(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#username-error')).toHaveText('Enter a username.');

  await signIn(page, 'no_such_user_x', PASSWORD);
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  for (let i = 0; i < 5; i++) {
    await signIn(page, name, 'wrong password');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  }
  // Per-username limit is 5 a minute in this test server: the 6th try is refused, even with
  // the right password.
  await signIn(page, name, PASSWORD);
  await expect(page.getByRole('alert')).toContainText('Too many attempts. Please wait');
  await expect(page.locator('.nav-username')).toHaveCount(0);
});

test('with JavaScript off, the forms still work', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const name = uniqueName('erin');

  await page.goto('/auth/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat password').fill('not the same');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.locator('#confirm-error')).toHaveText("The passwords don't match.");
  await expect(page.getByLabel('Username')).toHaveValue(name);

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Repeat password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.locator('.nav-username')).toHaveText(name);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  await page.goto('/auth/signin');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password', { exact: true }).fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.locator('.nav-username')).toHaveText(name);
  await context.close();
});

test('screenshots of the account pages', async ({ page }) => {
  await page.goto('/auth/signin');
  await formHydrated(page);
  await page.screenshot({ path: path.join(screenshots, 'signin.png') });
  await page.goto('/auth/signup');
  await formHydrated(page);
  await page.screenshot({ path: path.join(screenshots, 'signup.png') });
});
