// The audit in Chromium against a real hub: an admin adds a user in Settings, finds that action on
// the Audit page (who, from where, what changed, never the password) and in its CSV download;
// only admins see the page.
import { readFileSync } from 'node:fs';
import { ADMIN, expect, signIn, test, VIEWER } from '../hub-fixture';

test('a user added in Settings is on the Audit page and in its CSV, without the password', async ({ page, deployment }) => {
  const name = 'audit-e2e-ines';
  const password = 'audit-e2e-first-password';
  await signIn(page, deployment.hub.url, ADMIN);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('User name').fill(name);
  await form.getByLabel('Role').selectOption('operator');
  await form.getByLabel('New user password').fill(password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(name) })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Admin actions' });
  const row = table.getByRole('row', { name: new RegExp(`user\\.create ${name}`) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell')).toHaveText([/\d/, ADMIN.name, '127.0.0.1', 'user.create', name, /role: operator/]);
  await expect(row.getByRole('listitem')).toHaveText(['role: operator', 'password set']);
  await expect(page.getByText(password)).toHaveCount(0);

  // The filter narrows the table on the hub and goes into the CSV link.
  await page.getByLabel('Filter').fill(name);
  await expect(page).toHaveURL(new RegExp(`filter=${name}`));
  await expect(table.getByRole('row')).toHaveCount(2);
  const link = page.getByRole('link', { name: 'Download CSV' });
  await expect(link).toHaveAttribute('href', `/api/audit.csv?filter=${name}`);

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('riohub-audit.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  const lines = csv.trimEnd().split('\n');
  expect(lines[0]).toBe('time,user,address,action,target,outcome,changes,error');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z,admin,127\\.0\\.0\\.1,user\\.create,${name},done,role: operator; password set,$`));
  expect(csv).not.toContain(password);
});

test('only admins see the Audit page', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, VIEWER);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Write log' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await page.goto(`${deployment.hub.url}/audit`);
  await expect(page.getByText('The audit is for admins.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Admin actions' })).toHaveCount(0);
});
