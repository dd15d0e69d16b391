// A page on another port of the same host, opened by a signed-in operator, tries what the attacker
// in issue 10 tried: frame the dashboard with its controls, and post to the API with the cookie.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN, expect, OPERATOR, signIn, test } from '../hub-fixture';

/** Serves one attacker page on a free loopback port. */
async function servePage(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

test('another site can neither frame the dashboard nor write through the signed-in browser', async ({ page, deployment }) => {
  const hubUrl = deployment.hub.url;
  const attacker = await servePage(`<!doctype html><title>prize</title>
    <iframe id="frame" title="dashboard" src="${hubUrl}/datapoints?q=lobby.dummy.light" width="800" height="600"></iframe>
    <script>
      document.getElementById('frame').addEventListener('load', () => document.title = 'framed');
      fetch('${hubUrl}/api/users', { method: 'POST', credentials: 'include', mode: 'no-cors',
        headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'mallory', role: 'admin', password: 'mallory-pass' }) })
        .finally(() => document.body.dataset.posted = 'yes');
    </script>`);
  try {
    await signIn(page, hubUrl, OPERATOR);
    // The hub refuses the post for where it comes from (403, proven against the hub itself in
    // cross-site.test.ts), and its answer carries Cross-Origin-Resource-Policy: the browser gives
    // the other site's page nothing back, not even an opaque answer.
    const posted = page.waitForEvent('requestfailed', (request) => request.url() === `${hubUrl}/api/users` && request.method() === 'POST');
    await page.goto(attacker.url);
    expect((await posted).failure()?.errorText).toContain('ERR_BLOCKED_BY_RESPONSE');
    await expect(page).toHaveTitle('framed');
    await expect(page.locator('body')).toHaveAttribute('data-posted', 'yes');
    // The browser refused to render the hub inside the other site's page: no control is there to click.
    const frame = page.frameLocator('#frame');
    await expect(frame.getByRole('switch')).toHaveCount(0);
    await expect(frame.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    const users = await deployment.admin.call<{ name: string }[]>('GET', '/api/users');
    expect(users.map((user) => user.name)).not.toContain('mallory');
  } finally {
    attacker.server.close();
  }
});

test('the dashboard runs under its own content security policy without a violation', async ({ page, deployment }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  await signIn(page, deployment.hub.url, ADMIN);
  for (const link of ['Overview', 'Datapoints', 'GUI panels', 'Loggers', 'Write log', 'Settings']) {
    await page.getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }
  await page.goto(`${deployment.hub.url}/loggers`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
});
