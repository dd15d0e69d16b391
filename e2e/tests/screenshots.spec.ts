// Screenshots of every page for a person to look at: on a desktop (1366×900, light), and on a phone
// (390×844, dark; phones.spec.ts saves those as it checks each page). Each page is saved once it
// shows what it is for, and must fit the width.
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { ADMIN, expect, signIn, test } from '../hub-fixture';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

/** Every page: its link, the name its screenshot is saved under, and what it shows once loaded. */
const PAGES: readonly { link: string; file: string; loaded(page: Page): Promise<void> }[] = [
  { link: 'Overview', file: 'overview', loaded: (page) => expect(page.getByText('2 of 2 remotes online')).toBeVisible() },
  { link: 'Datapoints', file: 'datapoints', loaded: (page) => expect(page.getByRole('list', { name: 'Datapoints' }).getByLabel(/^Value of /).first()).toBeVisible() },
  { link: 'GUI panels', file: 'gui', loaded: (page) => expect(page.getByRole('article', { name: 'GUI panel lobby' }).getByLabel(/^Value of /).first()).toBeVisible() },
  { link: 'Loggers', file: 'loggers', loaded: (page) => expect(page.getByRole('table', { name: 'Replicated loggers' })).toBeVisible() },
  { link: 'Write log', file: 'write-log', loaded: (page) => expect(page.getByRole('table').getByRole('row').nth(1)).toBeVisible() },
  { link: 'Audit', file: 'audit', loaded: (page) => expect(page.getByRole('table', { name: 'Admin actions' })).toBeVisible() },
  { link: 'Settings', file: 'settings', loaded: (page) => expect(page.getByRole('heading', { name: 'Users' })).toBeVisible() },
];

test.describe('on a desktop, in the light', () => {
  test.use({ viewport: { width: 1366, height: 900 }, colorScheme: 'light' });

  test('every page, saved as a screenshot', async ({ page, deployment }) => {
    // Something in the write log to show.
    await deployment.admin.call('POST', '/api/writes', { name: 'lobby.virtual.1', value: 'shown in the write log' });
    await page.goto(deployment.hub.url);
    await expect(page.getByRole('form', { name: 'Sign in' })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/desktop-light-sign-in.png`, fullPage: true });
    await signIn(page, deployment.hub.url, ADMIN);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background, 'the light theme').toBe('rgb(255, 255, 255)');
    for (const { link, file, loaded } of PAGES) {
      await page.getByRole('link', { name: link }).click();
      await loaded(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect.soft(overflow, `${link} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}/desktop-light-${file}.png`, fullPage: true });
    }
  });
});
