// The API reference in Chromium: a signed-in user opens /api/docs and sees the routes of the
// OpenAPI document listed, the page running under the hub's content security policy (its own
// scripts only, nothing from a CDN) without a violation.
import { ADMIN, expect, signIn, test } from '../hub-fixture';

test('a signed-in user reads the API reference at /api/docs, under the content security policy', async ({ page, deployment }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(deployment.hub.url)) elsewhere.push(request.url());
  });

  // Signed out: the page is not served.
  const signedOut = await page.goto(`${deployment.hub.url}/api/docs`);
  expect(signedOut?.status()).toBe(401);

  await signIn(page, deployment.hub.url, ADMIN);
  await page.goto(`${deployment.hub.url}/api/docs`);
  await expect(page.getByRole('heading', { name: /riohub REST API/ })).toBeVisible();
  // Operations grouped by tag, each with its method and path.
  await expect(page.locator('.opblock-summary-path', { hasText: /^\/api\/remotes\/\{name\}\/trust$/ })).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: /^\/api\/writes$/ }).first()).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: /^\/api\/loggers\/\{id\}\/aggregates$/ })).toBeVisible();

  // An operation opens on its schema: the body of a new remote, as the route map declares it.
  await page.getByRole('button', { name: 'POST /api/remotes', exact: true }).click();
  const operation = page.locator('#operations-remotes-createRemote');
  await expect(operation.getByText('Request body')).toBeVisible();
  await expect(operation.getByText('"fingerprint"').first()).toBeVisible();

  expect(violations).toEqual([]);
  expect(elsewhere).toEqual([]);
});
