import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { listItem, newUser, readmeShot } from './helpers';

test('a saved search hears of a new matching listing live, and is managed on its page', async ({ browser }) => {
  test.setTimeout(60_000);
  const word = `quillon${Date.now().toString(36)}`;
  const ann = await newUser(browser, 'sann');

  // Saved from the search page (no result yet: that is the point of saving it).
  await ann.page.goto(`/search?q=${word}+sword`);
  await ann.page.locator('.save-search > summary').click();
  await ann.page.getByLabel('Name it').fill('Swords');
  await ann.page.getByRole('button', { name: 'Save and alert me' }).click();
  await expect(ann.page).toHaveURL(/\/my\/searches$/);
  await expect(ann.page.getByText('Saved. You will hear of every new listing it finds.')).toBeVisible();
  await expect(ann.page.getByTestId('saved-list')).toContainText('Swords');

  // Ann waits on the home page; Ben lists a matching sword: her bell counts it, live.
  await ann.page.goto('/');
  const bell = ann.page.locator('.nav-notices');
  await expect(bell).toHaveAttribute('data-notices-connected', 'true', { timeout: 10_000 });
  await expect(bell).toHaveAttribute('data-unread', '0');
  const ben = await newUser(browser, 'sben');
  const id = await listItem(ben.page, `Basket-hilt sword ${word}`, 'Steel, 1750s.');
  await expect(bell).toHaveAttribute('data-unread', '1', { timeout: 15_000 });
  await bell.click();
  const alert = ann.page.getByRole('link', { name: new RegExp(`New for your search “Swords”: Basket-hilt sword ${word}`) });
  await expect(alert).toBeVisible();
  await alert.click();
  await expect(ann.page).toHaveURL(new RegExp(`/items/${id}$`));

  // The saved searches page: what it found; pause, resume and delete.
  await ann.page.goto('/my/searches');
  await expect(ann.page.getByTestId('saved-list')).toContainText('1 new listing');
  const results = await new AxeBuilder({ page: ann.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await readmeShot(ann.page, 'saved-searches.png');
  await ann.page.getByRole('button', { name: 'Pause alerts' }).click();
  await expect(ann.page.getByText('Paused: no alerts until you resume it.')).toBeVisible();
  await ann.page.getByRole('button', { name: 'Resume alerts' }).click();
  await expect(ann.page.getByText('Resumed')).toBeVisible();
  await ann.page.getByRole('button', { name: 'Delete Swords' }).click();
  await expect(ann.page.getByTestId('no-saved')).toBeVisible();
});
