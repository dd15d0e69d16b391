// The operator console while things change under it, in Chromium against a real hub and real
// simulators: a write confirmed after it timed out, another admin's change saved while a form is
// open, a remote deleted while the page loads, news from the socket before a REST answer, a
// search typed while values stream or after scrolling. A REST answer is held back (`page.route`)
// only to fix the order of two real connections, so that a race happens every time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf } from '@riohub/certificate';
import { FaultProxy, spawnHubOnTestStore } from '@riohub/testkit';
import { ADMIN, expect, HubApi, signIn, SIM_PASSWORD, startSite, test } from '../hub-fixture';

type WriteRecord = { id: number; name: string; newValue: string; status: string };

test('a write that timed out (504 no-answer) and was then confirmed is not still shown as failed', async ({ page }) => {
  test.setTimeout(150_000);
  const site = await startSite(['--name', 'site', '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '1']);
  const proxy = await FaultProxy.start({
    upstreamPort: Number(new URL(site.sim.url).port),
    tls: { cert: site.sim.certificate ?? '', key: readFileSync(join(site.sim.dataDir, 'key.pem'), 'utf8') },
  });
  const hub = await spawnHubOnTestStore(ADMIN.password);
  try {
    const admin = await HubApi.signIn(hub.url, ADMIN);
    await admin.call('POST', '/api/remotes', {
      name: 'site', host: '127.0.0.1', port: proxy.port, tls: 'pin', fingerprint: fingerprintOf(site.sim.certificate ?? ''), password: SIM_PASSWORD, options: {},
    });
    await expect.poll(async () => (await admin.call<{ status: { connection: string } }>('GET', '/api/remotes/site')).status.connection, { timeout: 30_000 }).toBe('online');
    expect(await site.value('dummy.light.1')).toBe('0');

    // Every message the page's socket receives, to show that write-confirmed reached it.
    const received: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))));
    await signIn(page, hub.url, ADMIN);
    await page.goto(`${hub.url}/datapoints?q=site.dummy.light.1`);
    const light = page.getByRole('switch', { name: 'site.dummy.light.1', exact: true });
    await expect(light).toHaveAttribute('aria-checked', 'false');

    // The remote's answers come back a byte a minute: the write reaches it, its answer does not.
    proxy.setMode({ kind: 'trickle', bytesPerTick: 1, intervalMs: 60_000 });
    await light.click();
    const alert = page.getByRole('alert').filter({ hasText: 'may have been applied' });
    await expect(alert).toBeVisible({ timeout: 30_000 });
    expect(await site.value('dummy.light.1')).toBe('1');

    // The link heals: the value comes back, the hub confirms the write (write-confirmed is sent).
    proxy.setMode({ kind: 'pass' });
    await expect
      .poll(async () => (await admin.call<WriteRecord[]>('GET', '/api/writes?limit=1'))[0]?.status, { timeout: 60_000 })
      .toBe('confirmed');
    await expect.poll(() => received.some((text) => text.includes('"write-confirmed"')), { timeout: 15_000 }).toBe(true);
    await expect(page.getByLabel('Value of site.dummy.light.1', { exact: true })).toHaveText('1', { timeout: 15_000 });
    await expect(light).toHaveAttribute('aria-checked', 'true');
    // The write is confirmed and the switch shows it on: the page must not still say it failed.
    await expect(alert).toHaveCount(0, { timeout: 5_000 });
  } finally {
    await hub.stop();
    await proxy.close();
    await site.direct.close();
    await site.sim.stop();
  }
});

/** A hub with one small simulator `alpha` added, pinned; `entry` overrides fields of the entry. */
async function startOne(entry: object = {}) {
  const site = await startSite(['--name', 'alpha', '--lights', '2', '--dimmers', '1', '--shutters', '0', '--sensors', '1', '--virtuals', '1']);
  const hub = await spawnHubOnTestStore(ADMIN.password);
  const admin = await HubApi.signIn(hub.url, ADMIN);
  const url = new URL(site.sim.url);
  await admin.call('POST', '/api/remotes', {
    name: 'alpha', host: url.hostname, port: Number(url.port), tls: 'pin', fingerprint: fingerprintOf(site.sim.certificate ?? ''), password: SIM_PASSWORD, options: {}, ...entry,
  });
  const remote = () => admin.call<{ enabled: boolean; host: string; options: Record<string, unknown>; status: { connection: string } }>('GET', '/api/remotes/alpha');
  return {
    site, hub, admin, remote,
    async close() {
      await hub.stop();
      await site.direct.close();
      await site.sim.stop();
    },
  };
}

test('Enable in the settings list: the row ends up showing the remote online, whichever answer arrives first', async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne({ enabled: false });
  try {
    await signIn(page, one.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Settings' }).click();
    const row = page.getByRole('table', { name: 'Remotes' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'alpha', exact: true }) });
    await expect(row.getByText('disabled', { exact: true })).toBeVisible();
    // The REST answer to the change takes a moment longer than the socket's news (another
    // connection, another path): it is handed to the page once the remote is online.
    let answered!: () => void;
    const fulfilled = new Promise<void>((resolve) => (answered = resolve));
    await page.route('**/api/remotes/alpha', async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      const response = await route.fetch();
      await expect.poll(async () => (await one.remote()).status.connection, { timeout: 30_000 }).toBe('online');
      // The socket has told the page already: the row says online before the answer lands.
      await expect(row.getByText('online', { exact: true })).toBeVisible();
      await route.fulfill({ response });
      answered();
    });
    await page.getByRole('button', { name: 'Enable alpha' }).click();
    await fulfilled;
    await expect(page.getByRole('button', { name: 'Disable alpha' })).toBeVisible();
    expect((await one.remote()).status.connection).toBe('online');
    // The hub says online, and nothing about the remote changes any more: the page must say so too.
    await expect(row.getByText('online', { exact: true })).toBeVisible({ timeout: 10_000 });
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'remotes online' })).toHaveText('1 of 1 remotes online');
  } finally {
    await one.close();
  }
});

test("saving the remote form does not silently undo another admin's change made while it was open", async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    await expect.poll(async () => (await one.remote()).status.connection, { timeout: 30_000 }).toBe('online');
    await signIn(page, one.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Edit alpha' }).click();
    const form = page.getByRole('form', { name: 'Remote', exact: true });
    await expect(form.getByLabel('drift')).toHaveValue('4');

    // Another admin, elsewhere, sets the drift to 60.
    const other = await HubApi.signIn(one.hub.url, ADMIN);
    const current = await one.remote();
    await other.call('PUT', '/api/remotes/alpha', { host: current.host, options: { ...current.options, drift: 60 } });
    expect((await one.remote()).options['drift']).toBe(60);
    // The page has heard of it (the list shows the entry as the socket brought it) ...
    await expect.poll(() => page.evaluate(() => document.body.textContent?.includes('alpha'))).toBe(true);
    await page.waitForTimeout(1_000);

    // ... and this admin changes something else, the answer cap, and saves.
    await form.getByLabel('maxanswermb').fill('32');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form).toHaveCount(0);
    const after = await one.remote();
    expect(after.options['maxanswermb']).toBe(32);
    // The other admin's drift is kept (or the save was refused and said why): not silently reverted to 4.
    expect(after.options['drift']).toBe(60);
  } finally {
    await one.close();
  }
});

test('a remote deleted by another admin while Settings loads does not come back as a ghost', async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    await expect.poll(async () => (await one.remote()).status.connection, { timeout: 30_000 }).toBe('online');
    await signIn(page, one.hub.url, ADMIN);
    await expect(page.getByRole('region', { name: 'alpha' })).toBeVisible();
    const other = await HubApi.signIn(one.hub.url, ADMIN);
    let deleted: Promise<unknown> | undefined;
    const deleteAlpha = () => (deleted ??= other.call('DELETE', '/api/remotes/alpha'));
    // A list Settings may read is held on its way back until alpha is deleted and the socket has
    // said so: a page that read it would then show an entry the hub no longer has.
    await page.route('**/api/remotes', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      await deleteAlpha();
      await expect(page.getByText('No remotes yet.')).toBeVisible();
      await route.fulfill({ response });
    });
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Remotes', exact: true })).toBeVisible();
    await deleteAlpha();
    await expect.poll(async () => (await one.admin.call<unknown[]>('GET', '/api/remotes')).length).toBe(0);
    // The page has had time to take any answer in.
    await page.waitForTimeout(2_000);
    // alpha is gone from the hub: neither Settings nor the Overview may list it again.
    const table = page.getByRole('table', { name: 'Remotes' });
    await expect(table.getByRole('rowheader', { name: 'alpha', exact: true })).toHaveCount(0, { timeout: 5_000 });
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'remotes online' })).toHaveText('0 of 0 remotes online');
    await expect(page.getByRole('region', { name: 'alpha' })).toHaveCount(0);
  } finally {
    await one.close();
  }
});

test('the Write log drops its "did not answer" alert once the hub answers again', async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    await expect.poll(async () => (await one.remote()).status.connection, { timeout: 30_000 }).toBe('online');
    await one.admin.call('POST', '/api/writes', { name: 'alpha.virtual.1', value: 'first' });
    await signIn(page, one.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Write log' }).click();
    await expect(page.getByRole('cell', { name: 'first', exact: true })).toBeVisible();

    // One refresh is lost on the way (a blip of the network, the hub restarting): the page says so.
    let dropped = false;
    await page.route('**/api/writes?*', async (route) => {
      if (dropped) return route.continue();
      dropped = true;
      await route.abort('connectionfailed');
    });
    const alert = page.getByRole('alert').filter({ hasText: 'did not answer' });
    await expect(alert).toBeVisible({ timeout: 10_000 });

    // The next refreshes come through: a new write shows in the table ...
    await one.admin.call('POST', '/api/writes', { name: 'alpha.virtual.1', value: 'second' });
    await expect(page.getByRole('cell', { name: 'second', exact: true })).toBeVisible({ timeout: 10_000 });
    // ... so the page must no longer say the hub does not answer.
    await expect(alert).toHaveCount(0, { timeout: 7_000 });
  } finally {
    await one.close();
  }
});

test('search typed while values stream: the text, caret, focus and scroll stay', async ({ page }) => {
  test.setTimeout(120_000);
  const site = await startSite(['--name', 'busy', '--lights', '300', '--dimmers', '100', '--shutters', '0', '--sensors', '100', '--virtuals', '0', '--changes-per-second', '400']);
  const hub = await spawnHubOnTestStore(ADMIN.password);
  try {
    const admin = await HubApi.signIn(hub.url, ADMIN);
    await admin.addSim('busy', site.sim);
    await expect.poll(async () => (await admin.call<{ status: { connection: string } }>('GET', '/api/remotes/busy')).status.connection, { timeout: 30_000 }).toBe('online');
    await signIn(page, hub.url, ADMIN);
    await page.getByRole('link', { name: 'Datapoints' }).click();
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.click();
    await search.pressSequentially('busy.dummy.light.1', { delay: 40 });
    await expect(search).toHaveValue('busy.dummy.light.1');
    await expect(search).toBeFocused();
    // Caret moved into the middle, a character typed there, while values stream.
    await search.press('Home');
    for (let i = 0; i < 5; i++) await search.press('ArrowRight');
    await search.pressSequentially('XY', { delay: 100 });
    await page.waitForTimeout(1_500);
    expect(await search.evaluate((input: HTMLInputElement) => [input.value, input.selectionStart])).toEqual(['busy.XYdummy.light.1', 7]);
    await search.fill('');
    await expect(page.getByRole('status').filter({ hasText: 'datapoints' })).toHaveText(/\d+ datapoints/);
    const list = page.getByRole('list', { name: 'Datapoints' });
    await list.evaluate((element) => (element.scrollTop = 5_000));
    await page.waitForTimeout(300);
    const before = await list.evaluate((element) => element.scrollTop);
    const firstShown = await list.getByRole('listitem').first().innerText();
    await page.waitForTimeout(3_000);
    expect(await list.evaluate((element) => element.scrollTop)).toBe(before);
    expect((await list.getByRole('listitem').first().innerText()).split('\n')[0]).toBe(firstShown.split('\n')[0]);
  } finally {
    await hub.stop();
    await site.direct.close();
    await site.sim.stop();
  }
});

test('a search typed after scrolling down the list shows its first matches, not the end of them', async ({ page }) => {
  test.setTimeout(90_000);
  const site = await startSite(['--name', 'big', '--lights', '300', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
  const hub = await spawnHubOnTestStore(ADMIN.password);
  try {
    const admin = await HubApi.signIn(hub.url, ADMIN);
    await admin.addSim('big', site.sim);
    await expect.poll(async () => (await admin.call<{ status: { points: number } }>('GET', '/api/remotes/big')).status.points, { timeout: 30_000 }).toBeGreaterThan(300);
    await signIn(page, hub.url, ADMIN);
    await page.getByRole('link', { name: 'Datapoints' }).click();
    const list = page.getByRole('list', { name: 'Datapoints' });
    await expect(page.getByRole('switch', { name: 'big.dummy.light.1', exact: true })).toBeVisible();
    // The operator scrolls down the list, then looks for light 1 by its name.
    await list.hover();
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 800);
    await expect(page.getByRole('switch', { name: 'big.dummy.light.1', exact: true })).toHaveCount(0);
    await page.getByRole('searchbox', { name: 'Search' }).fill('big.dummy.light.1');
    await expect(page.getByRole('status').filter({ hasText: 'datapoints' })).toHaveText('111 datapoints');
    // The first match, the very name typed, is at the top of the results: it must be on screen.
    await expect(page.getByRole('switch', { name: 'big.dummy.light.1', exact: true })).toBeInViewport({ timeout: 5_000 });
  } finally {
    await hub.stop();
    await site.direct.close();
    await site.sim.stop();
  }
});

test("saving the served API form does not silently undo another admin's filter", async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    await signIn(page, one.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Remote I/O API of this hub' });
    await expect(form.getByRole('status')).toHaveText('Disabled: no password is set.');

    // Another admin turns the API on, exposing everything but the lights.
    const other = await HubApi.signIn(one.hub.url, ADMIN);
    await other.call('PUT', '/api/hub/served-api', { password: 'served-api-pw', ioFilter: '*,!*.light.*' });

    // This admin allows writes, and saves.
    await form.getByRole('checkbox', { name: 'RemoteServerControl' }).check();
    await form.getByRole('button', { name: 'Save API settings' }).click();
    await expect(form.getByText(/saved/i)).toBeVisible();
    const after = await one.admin.call<{ hasPassword: boolean; control: boolean; ioFilter: string }>('GET', '/api/hub/served-api');
    expect(after.control).toBe(true);
    expect(after.ioFilter).toBe('*,!*.light.*');
  } finally {
    await one.close();
  }
});

test('the users list on an open Settings page follows users deleted and added by another admin', async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    await one.admin.call('POST', '/api/users', { name: 'vera', password: 'viewer-pw', role: 'viewer' });
    await signIn(page, one.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Settings' }).click();
    const users = page.getByRole('table', { name: 'Users' });
    await expect(users.getByRole('rowheader', { name: 'vera', exact: true })).toBeVisible();

    const other = await HubApi.signIn(one.hub.url, ADMIN);
    await other.call('DELETE', '/api/users/vera');
    await other.call('POST', '/api/users', { name: 'nina', password: 'operator-pw', role: 'operator' });
    await expect(users.getByRole('rowheader', { name: 'vera', exact: true })).toHaveCount(0);
    await expect(users.getByRole('rowheader', { name: 'nina', exact: true })).toBeVisible();
  } finally {
    await one.close();
  }
});

test('an operator demoted to viewer while Datapoints is open gets the viewer\'s page, without its switches', async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    await expect.poll(async () => (await one.remote()).status.connection, { timeout: 30_000 }).toBe('online');
    await one.admin.call('POST', '/api/users', { name: 'otto', password: 'operator-pw', role: 'operator' });
    await signIn(page, one.hub.url, { name: 'otto', password: 'operator-pw' });
    await page.goto(`${one.hub.url}/datapoints?q=alpha.dummy.light.1`);
    const light = page.getByRole('switch', { name: 'alpha.dummy.light.1', exact: true });
    await expect(light).toBeVisible();
    await one.admin.call('PUT', '/api/users/otto', { role: 'viewer' });
    // The hub tells the open page (it checks the session every 5 s): it shows the viewer's page.
    await expect(page.getByRole('banner')).toContainText('otto (viewer)', { timeout: 15_000 });
    await expect(page.getByLabel('Value of alpha.dummy.light.1', { exact: true })).toBeVisible();
    await expect(light).toHaveCount(0);
  } finally {
    await one.close();
  }
});

test('saving one MQTT setting of a TLS broker keeps its pinned certificate and password', async ({ page }) => {
  test.setTimeout(90_000);
  const one = await startOne();
  try {
    const fingerprint = fingerprintOf(one.site.sim.certificate ?? '');
    // Off, so nothing connects: only the settings are at stake.
    await one.admin.call('PUT', '/api/mqtt', { enabled: false, url: 'mqtts://127.0.0.1:8883', username: 'bridge', password: 'mqtt-pw', fingerprint });
    await signIn(page, one.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'MQTT bridge' });
    await form.getByLabel('QoS').selectOption('2');
    await form.getByRole('button', { name: 'Save MQTT settings' }).click();
    await expect(form.getByText(/saved/i)).toBeVisible();
    const after = await one.admin.call<{ qos: number; fingerprint: string; hasPassword: boolean }>('GET', '/api/mqtt');
    expect(after).toMatchObject({ qos: 2, hasPassword: true });
    expect(after.fingerprint.replaceAll(':', '').toUpperCase()).toBe(fingerprint.replaceAll(':', '').toUpperCase());
  } finally {
    await one.close();
  }
});
