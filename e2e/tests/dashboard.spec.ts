// The dashboard in Chromium against a real hub with real simulators: sign-in, the overview,
// controls that change the building, live updates, roles, settings, outages, a large tree.
import { mkdirSync } from 'node:fs';
import { ADMIN, expect, fillNewRemote, OPERATOR, PAGES, signIn, SIM_PASSWORD, startSite, test, VIEWER } from '../hub-fixture';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

test('signs in, refusing a wrong password with a message', async ({ page, deployment }) => {
  await page.goto(deployment.hub.url);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('wrong name or password');
  await signIn(page, deployment.hub.url, ADMIN);
  for (const link of ['Overview', 'Datapoints', 'GUI panels', 'Loggers', 'Write log', 'Settings']) {
    await expect(page.getByRole('link', { name: link })).toBeVisible();
  }
});

test('the overview shows both remotes online', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, ADMIN);
  await expect(page.getByText('2 of 2 remotes online')).toBeVisible();
  for (const name of ['lobby', 'floor2']) await expect(page.getByRole('listitem', { name }).getByText('online', { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/overview.png`, fullPage: true });
});

test('a light switch changes the building, and a change in the building shows without reload', async ({ page, deployment }) => {
  const { lobby } = deployment;
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.getByRole('link', { name: 'Datapoints' }).click();
  // Exactly the Datapoints page's box: the Overview's "Search remotes" is still there until the page changes.
  await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('lobby.dummy.light');
  const light = page.getByRole('switch', { name: 'lobby.dummy.light.1', exact: true });
  await expect(light).toHaveAttribute('aria-checked', 'false');
  await light.click();
  await expect(light).toHaveAttribute('aria-checked', 'true');
  await expect.poll(() => lobby.value('dummy.light.1')).toBe('1');

  await lobby.write('dummy.light.2', '1');
  await expect(page.getByRole('switch', { name: 'lobby.dummy.light.2', exact: true })).toHaveAttribute('aria-checked', 'true');
  await page.screenshot({ path: `${SCREENSHOTS}/datapoints.png`, fullPage: true });
});

test('a dimmer and a shutter', async ({ page, deployment }) => {
  const { lobby } = deployment;
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.goto(`${deployment.hub.url}/datapoints?q=lobby.dummy`);
  await page.getByRole('slider', { name: 'lobby.dummy.dimmer.1', exact: true }).fill('40');
  await expect.poll(() => lobby.value('dummy.dimmer.1')).toBe('40');
  await page.getByRole('group', { name: 'lobby.dummy.autom.1', exact: true }).getByRole('button', { name: 'Up' }).click();
  await expect.poll(() => lobby.value('dummy.autom.1')).toBe('up');
  await expect(page.getByLabel('Value of lobby.dummy.autom.1.pos', { exact: true })).not.toHaveText('0');
});

test('a viewer sees values and no controls', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, VIEWER);
  await page.goto(`${deployment.hub.url}/datapoints?q=lobby.dummy`);
  await expect(page.getByLabel('Value of lobby.dummy.light.3', { exact: true })).toBeVisible();
  await expect(page.getByRole('switch')).toHaveCount(0);
  await expect(page.getByRole('slider')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Set / })).toHaveCount(0);
});

test('GUI variables show as a live panel', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.getByRole('link', { name: 'GUI panels' }).click();
  const panel = page.getByRole('article', { name: 'GUI panel lobby' });
  const text = panel.getByLabel('Value of lobby.status.text', { exact: true });
  await expect(text).toHaveText('Welcome to lobby');
  await deployment.lobby.direct.get(`/x/riouiset?1*${SIM_PASSWORD}*status.text*Closed%20today`);
  await expect(text).toHaveText('Closed today');
  await panel.getByRole('textbox', { name: 'New value of lobby.status.text' }).fill('Open at 9');
  await panel.getByRole('button', { name: 'Set lobby.status.text' }).click();
  await expect(text).toHaveText('Open at 9');
  await page.screenshot({ path: `${SCREENSHOTS}/gui-panels.png`, fullPage: true });
});

test('a remote added in the settings page brings its points', async ({ page, deployment }) => {
  const annex = await startSite(['--name', 'annex', '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  try {
    await signIn(page, deployment.hub.url, ADMIN);
    const form = await fillNewRemote(page, 'annex', annex);
    await page.screenshot({ path: `${SCREENSHOTS}/settings.png`, fullPage: true });
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form).toHaveCount(0);
    await page.goto(`${deployment.hub.url}/datapoints?q=annex.`);
    await expect(page.getByRole('switch', { name: 'annex.dummy.light.2', exact: true })).toBeVisible();
  } finally {
    await deployment.admin.call('DELETE', '/api/remotes/annex').catch(() => undefined);
    await annex.direct.close();
    await annex.sim.stop();
  }
});

test("the hub's own Remote I/O API is switched on in the settings page and serves the merged tree at once", async ({ page, deployment }) => {
  const password = 'served-by-the-hub';
  await signIn(page, deployment.hub.url, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('form', { name: 'Remote I/O API of this hub' });
  await expect(form.getByText('Disabled: no password is set.')).toBeVisible();
  await form.getByLabel('RemoteServerPassword').fill(password);
  await form.getByLabel('RemoteServerAddress').fill('127.0.0.0/8, ::1');
  await form.getByLabel('RemoteServerIOFilter').fill('lobby.*');
  await form.getByRole('button', { name: 'Save API settings' }).click();
  await expect(form.getByText('Enabled: a password is set.')).toBeVisible();
  await expect(form.getByLabel('RemoteServerPassword')).toHaveValue('');
  try {
    // A third-party client, straight away: only what the filter exposes.
    const response = await fetch(`${deployment.hub.url}/x/rioget?1*1*${password}`);
    const state = (await response.json()) as { hsycostate: { io: Record<string, string> } };
    expect(state.hsycostate.io['lobby.dummy.light.1']).toBeDefined();
    expect(Object.keys(state.hsycostate.io).every((name) => name.startsWith('lobby.'))).toBe(true);
    await form.getByLabel('RemoteServerAddress').fill('127.0.0.0/33');
    await form.getByRole('button', { name: 'Save API settings' }).click();
    await expect(form.getByText('must be addresses, CIDR ranges or *, separated by commas')).toBeVisible();
  } finally {
    await deployment.admin.call('PUT', '/api/hub/served-api', { password: '', ioFilter: '' });
  }
});

test('a stopped remote shows offline with stale points, refuses writes with a reason, and recovers', async ({ page, deployment }) => {
  const { floor2 } = deployment;
  await signIn(page, deployment.hub.url, OPERATOR);
  const port = new URL(floor2.sim.url).port;
  floor2.sim.child.kill('SIGKILL');
  await expect(page.getByText('1 of 2 remotes online')).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'floor2' }).getByText('offline', { exact: true })).toBeVisible();

  await page.goto(`${deployment.hub.url}/datapoints?q=floor2.dummy.light.1`);
  const light = page.getByRole('switch', { name: 'floor2.dummy.light.1', exact: true });
  const row = page.getByRole('listitem').filter({ has: light });
  await expect(row.getByText('stale')).toBeVisible();
  await light.click();
  await expect(row.getByRole('alert')).toContainText('floor2 is offline: nothing was sent');
  await expect(light).toHaveAttribute('aria-checked', 'false');

  const revived = await startSite(['--name', 'floor2', '--lights', '12', '--dimmers', '6', '--shutters', '3', '--sensors', '4', '--port', port], floor2.sim.dataDir);
  Object.assign(floor2, revived);
  await expect(row.getByText('stale')).toHaveCount(0, { timeout: 30_000 });
  await page.getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByText('2 of 2 remotes online')).toBeVisible();
});

test('lists 50,000 datapoints and finds one by search', async ({ page, deployment }) => {
  const big = await startSite(['--name', 'big', '--lights', '50000', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
  try {
    await deployment.admin.addSim('big', big.sim, { discovery: true });
    await signIn(page, deployment.hub.url, OPERATOR);
    await page.getByRole('link', { name: 'Datapoints' }).click();
    await expect(page.getByRole('status').filter({ hasText: /datapoints$/ })).toHaveText(/^5\d{4} datapoints$/, { timeout: 30_000 });
    await page.getByLabel('Search').fill('big.dummy.light.43210');
    await expect(page.getByRole('switch', { name: 'big.dummy.light.43210', exact: true })).toBeVisible();
    await expect(page).toHaveURL(/q=big.dummy.light.43210/);
    await expect(page.getByRole('status').filter({ hasText: /datapoints$/ })).toHaveText('1 datapoints');
  } finally {
    await deployment.admin.call('DELETE', '/api/remotes/big');
    await big.direct.close();
    await big.sim.stop();
  }
});

test.describe('on a tablet in a dark plant room', () => {
  test.use({ viewport: { width: 768, height: 1024 }, colorScheme: 'dark', hasTouch: true });

  test('every page fits the width, in the dark theme, with the navigation at hand', async ({ page, deployment }) => {
    await signIn(page, deployment.hub.url, ADMIN);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // The theme follows the system: a dark background, not the light one.
    const [red = 255, green = 255, blue = 255] = (background.match(/\d+/g) ?? []).map(Number);
    expect(red + green + blue).toBeLessThan(200);
    for (const [link, path] of PAGES) {
      await page.getByRole('link', { name: link }).click();
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${link} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}/tablet-dark-${path}.png` });
    }
  });
});
