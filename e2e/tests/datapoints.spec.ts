// The Datapoints page as an operator trusts it: editors that belong to their datapoint and follow
// its live value, controls for a remote added while the page is open, no editor on what cannot be
// written, a phone's width, natural order, distinct names, and no "0 datapoints" before the data.
import { ADMIN, expect, fillNewRemote, OPERATOR, signIn, startSite, test } from '../hub-fixture';

/** What these tests read of the hub's REST answers (e2e talks to the hub as any client would). */
type WriteRecord = { name: string; newValue: string };
type Point = { name: string; readOnly?: string };

const SCREENSHOTS = 'test-results/screenshots';

test('a value typed for one datapoint never shows in, nor is written to, another after a search change', async ({ page, deployment }) => {
  const { lobby, admin } = deployment;
  await lobby.write('virtual.2', 'two');
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.goto(`${deployment.hub.url}/datapoints?q=lobby.virtual.1`);
  const search = page.getByRole('searchbox', { name: 'Search' });
  await page.getByRole('textbox', { name: 'New value of lobby.virtual.1', exact: true }).fill('PROBE');

  await search.fill('lobby.virtual.2');
  const second = page.getByRole('textbox', { name: 'New value of lobby.virtual.2', exact: true });
  await expect(second).toHaveValue('two');
  await page.getByRole('button', { name: 'Set lobby.virtual.2', exact: true }).click();
  await expect
    .poll(async () => (await admin.call<WriteRecord[]>('GET', '/api/writes?limit=20')).find((record) => record.name === 'lobby.virtual.2')?.newValue)
    .toBe('two');
  expect(await lobby.value('virtual.2')).toBe('two');

  // The draft stayed with its own datapoint, still marked as being edited.
  await search.fill('lobby.virtual.1');
  const first = page.getByRole('textbox', { name: 'New value of lobby.virtual.1', exact: true });
  await expect(first).toHaveValue('PROBE');
  await expect(first).toHaveAccessibleDescription(/editing/);
  expect(await lobby.value('virtual.1')).not.toBe('PROBE');
});

test('without typing, every editor shows its own datapoint after a search change', async ({ page, deployment }) => {
  const { lobby } = deployment;
  await lobby.write('virtual.3', 'three');
  await lobby.write('virtual.5', 'five');
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.goto(`${deployment.hub.url}/datapoints?q=lobby.virtual.3`);
  await expect(page.getByRole('textbox', { name: 'New value of lobby.virtual.3', exact: true })).toHaveValue('three');
  await page.getByRole('searchbox', { name: 'Search' }).fill('lobby.virtual.5');
  await expect(page.getByRole('textbox', { name: 'New value of lobby.virtual.5', exact: true })).toHaveValue('five');
  await page.getByRole('searchbox', { name: 'Search' }).fill('lobby.dummy.light.2');
  await expect(page.getByRole('switch', { name: 'lobby.dummy.light.2', exact: true })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).fill('lobby.virtual.3');
  await expect(page.getByRole('textbox', { name: 'New value of lobby.virtual.3', exact: true })).toHaveValue('three');
});

test('an editor follows its live value until edited, then says the live value moved, until sent or abandoned', async ({ page, deployment }) => {
  const { lobby } = deployment;
  await lobby.write('virtual.4', 'first');
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.goto(`${deployment.hub.url}/datapoints?q=lobby.virtual.4`);
  const editor = page.getByRole('textbox', { name: 'New value of lobby.virtual.4', exact: true });
  const value = page.getByLabel('Value of lobby.virtual.4', { exact: true });
  await expect(editor).toHaveValue('first');

  await lobby.write('virtual.4', 'second');
  await expect(value).toHaveText('second');
  await expect(editor).toHaveValue('second');

  await editor.fill('mine');
  await expect(editor).toHaveAccessibleDescription(/editing/);
  await lobby.write('virtual.4', 'third');
  await expect(value).toHaveText('third');
  await expect(editor).toHaveValue('mine');
  await expect(editor).toHaveAccessibleDescription(/live value changed to "third"/);

  // Abandoned: the live value again.
  await editor.press('Escape');
  await expect(editor).toHaveValue('third');
  await expect(editor).not.toHaveAccessibleDescription(/editing/);

  // Sent: the editor shows the value written, then follows the point again.
  await editor.fill('final');
  await page.getByRole('button', { name: 'Set lobby.virtual.4', exact: true }).click();
  await expect.poll(() => lobby.value('virtual.4')).toBe('final');
  await expect(editor).toHaveValue('final');
  await expect(editor).not.toHaveAccessibleDescription(/editing/);
  await lobby.write('virtual.4', 'after');
  await expect(editor).toHaveValue('after');
});

test('read-only datapoints show their value and no editor, as the hub says', async ({ page, deployment }) => {
  const { admin } = deployment;
  const point = (name: string, kind = 'io') => admin.call<Point>('GET', `/api/points/${name}?kind=${kind}`);
  expect((await point('lobby.dummy.autom.1.pos')).readOnly).toBeTruthy();
  expect((await point('lobby.dummy.connection')).readOnly).toBeTruthy();
  expect((await point('lobby.connection', 'hub')).readOnly).toBeTruthy();
  expect((await point('lobby.dummy.light.1')).readOnly).toBeUndefined();
  expect((await point('lobby.virtual.1')).readOnly).toBeUndefined();

  await signIn(page, deployment.hub.url, OPERATOR);
  for (const name of ['lobby.dummy.autom.1.pos', 'lobby.dummy.connection', 'lobby.connection']) {
    await page.goto(`${deployment.hub.url}/datapoints?q=${name}`);
    const row = page.getByRole('listitem').filter({ has: page.getByLabel(`Value of ${name}`, { exact: true }) });
    await expect(row).toHaveCount(1);
    await expect(row.getByText('read only')).toBeVisible();
    await expect(row.getByRole('textbox')).toHaveCount(0);
    await expect(row.getByRole('button')).toHaveCount(0);
  }
  // The shutter itself keeps its buttons; its position is only shown.
  await page.goto(`${deployment.hub.url}/datapoints?q=lobby.dummy.autom.1`);
  await expect(page.getByRole('group', { name: 'lobby.dummy.autom.1', exact: true })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'New value of lobby.dummy.autom.1.pos' })).toHaveCount(0);
});

test('GUI variables of a remote that refuses control lose their editors once it has said so', async ({ page, deployment }) => {
  const locked = await startSite(['--name', 'locked', '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--control', 'false']);
  try {
    await deployment.admin.addSim('locked', locked.sim, { ui: true });
    await signIn(page, deployment.hub.url, OPERATOR);
    await page.getByRole('link', { name: 'GUI panels' }).click();
    const panel = page.getByRole('article', { name: 'GUI panel locked' });
    await panel.getByRole('textbox', { name: 'New value of locked.status.text' }).fill('let me');
    await panel.getByRole('button', { name: 'Set locked.status.text' }).click();
    // Told by the remote itself: from then on no editor offers what it will refuse, and each
    // variable says why.
    await expect(panel.getByRole('textbox')).toHaveCount(0);
    await expect(panel.getByRole('listitem').filter({ hasText: 'Welcome to locked' })).toContainText('read only: locked refuses control');
    // The remote's refusal makes its variables read only at once; the write's outcome is stored after.
    const refused = async () => (await deployment.admin.call<WriteRecord[]>('GET', '/api/writes?limit=20')).find((record) => record.name === 'locked.status.text');
    await expect.poll(refused).toMatchObject({ status: 'refused', error: expect.stringContaining('control disabled') });
  } finally {
    await deployment.admin.call('DELETE', '/api/remotes/locked');
    await locked.direct.close();
    await locked.sim.stop();
  }
});

test('a remote added in Settings while Datapoints is open gets its switches without a reload', async ({ page, deployment }) => {
  const annex = await startSite(['--name', 'annex', '--lights', '2', '--dimmers', '1', '--shutters', '0', '--sensors', '0']);
  try {
    await signIn(page, deployment.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Datapoints' }).click();
    await expect(page.getByRole('status').filter({ hasText: /datapoints/ })).toHaveText(/^\d+ datapoints$/);
    const form = await fillNewRemote(page, 'annex', annex);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form).toHaveCount(0);

    await page.getByRole('link', { name: 'Datapoints' }).click();
    await page.getByRole('searchbox', { name: 'Search', exact: true }).fill('annex.dummy');
    const light = page.getByRole('switch', { name: 'annex.dummy.light.2', exact: true });
    await expect(light).toBeVisible();
    await expect(page.getByRole('slider', { name: 'annex.dummy.dimmer.1', exact: true })).toBeVisible();
    await light.click();
    await expect.poll(() => annex.value('dummy.light.2')).toBe('1');
    await expect(light).toHaveAttribute('aria-checked', 'true');
  } finally {
    await deployment.admin.call('DELETE', '/api/remotes/annex').catch(() => undefined);
    await annex.direct.close();
    await annex.sim.stop();
  }
});

test('names are in natural order: light.2 before light.10', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.goto(`${deployment.hub.url}/datapoints?q=floor2.dummy.light.`);
  await expect(page.getByRole('switch', { name: 'floor2.dummy.light.12', exact: true })).toBeVisible();
  const order = await page.getByRole('switch').evaluateAll((switches) => switches.map((element) => element.getAttribute('aria-label')));
  expect(order).toEqual(Array.from({ length: 12 }, (_, index) => `floor2.dummy.light.${index + 1}`));
});

test('every shutter button has a name of its own', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.goto(`${deployment.hub.url}/datapoints?q=floor2.dummy.autom`);
  for (const shutter of ['floor2.dummy.autom.1', 'floor2.dummy.autom.2', 'floor2.dummy.autom.3']) {
    const group = page.getByRole('group', { name: shutter, exact: true });
    for (const command of ['Up', 'Stop', 'Down']) {
      await expect(group.getByRole('button', { name: command })).toHaveAccessibleName(`${command} ${shutter}`);
      await expect(page.getByRole('button', { name: `${command} ${shutter}`, exact: true })).toHaveCount(1);
    }
  }
});

test('says it is loading, never "0 datapoints", until the first snapshot arrives', async ({ page, deployment }) => {
  let holding = true;
  const held: (string | Buffer)[] = [];
  let release = () => {};
  await page.routeWebSocket(/\/api\/ws$/, (browserSide) => {
    const hub = browserSide.connectToServer();
    hub.onMessage((message) => {
      if (holding && (held.length > 0 || String(message).startsWith('{"type":"snapshot"'))) held.push(message);
      else browserSide.send(message);
    });
    release = () => {
      holding = false;
      for (const message of held.splice(0)) browserSide.send(message);
    };
  });
  await signIn(page, deployment.hub.url, OPERATOR);
  await page.getByRole('link', { name: 'Datapoints' }).click();
  const status = page.getByRole('status').filter({ hasText: /datapoints/i });
  await expect(status).toHaveText('Loading datapoints…');
  await expect(page.getByText('0 datapoints')).toHaveCount(0);
  release();
  await expect(status).toHaveText(/^[1-9]\d* datapoints$/);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', hasTouch: true });

  test('Datapoints fits the width, and every row shows its whole name and a usable control', async ({ page, deployment }) => {
    const { floor2 } = deployment;
    await signIn(page, deployment.hub.url, OPERATOR);
    await page.goto(`${deployment.hub.url}/datapoints?q=floor2.dummy`);
    await expect(page.getByRole('slider', { name: 'floor2.dummy.dimmer.1', exact: true })).toBeVisible();
    const sideways = await page.evaluate(() => {
      const list = document.querySelector('[role="list"][aria-label="Datapoints"]') as HTMLElement;
      return [document.documentElement.scrollWidth - document.documentElement.clientWidth, list.scrollWidth - list.clientWidth];
    });
    expect(sideways, 'the page and the list scroll sideways by').toEqual([0, 0]);

    for (const name of ['floor2.dummy.dimmer.1', 'floor2.dummy.autom.1', 'floor2.dummy.autom.1.pos', 'floor2.dummy.light.10']) {
      await page.getByRole('searchbox', { name: 'Search' }).fill(name);
      const row = page.getByRole('listitem').filter({ has: page.getByLabel(`Value of ${name}`, { exact: true }) });
      const label = row.getByText(name, { exact: true });
      await expect(label).toBeVisible();
      // The whole name shows: wrapped or on a line of its own, never cut off.
      expect(await label.evaluate((element) => element.scrollWidth <= element.clientWidth + 1 && element.clientWidth > 0)).toBe(true);
    }
    for (const [role, name] of [
      ['slider', 'floor2.dummy.dimmer.1'],
      ['group', 'floor2.dummy.autom.1'],
      ['switch', 'floor2.dummy.light.10'],
    ] as const) {
      await page.getByRole('searchbox', { name: 'Search' }).fill(name);
      const box = await page.getByRole(role, { name, exact: true }).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390 && box.width >= 24, `${name}'s control is within the screen`).toBe(true);
    }
    const light = page.getByRole('switch', { name: 'floor2.dummy.light.10', exact: true });
    const before = await light.getAttribute('aria-checked');
    await light.tap();
    await expect.poll(() => floor2.value('dummy.light.10')).toBe(before === 'true' ? '0' : '1');
    await page.getByRole('searchbox', { name: 'Search' }).fill('floor2.dummy');
    await expect(page.getByRole('slider', { name: 'floor2.dummy.dimmer.1', exact: true })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/datapoints-phone-dark.png` });

    // A free-value editor with a draft, and the live value moved meanwhile, still fits.
    await page.getByRole('searchbox', { name: 'Search' }).fill('lobby.virtual');
    const editor = page.getByRole('textbox', { name: 'New value of lobby.virtual.5', exact: true });
    await editor.fill('a draft typed on a phone');
    await deployment.lobby.write('virtual.5', 'moved meanwhile');
    await expect(editor).toHaveAccessibleDescription(/live value changed to "moved meanwhile"/);
    await expect(page.getByRole('button', { name: 'Set lobby.virtual.5', exact: true })).toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.screenshot({ path: `${SCREENSHOTS}/datapoints-phone-editing.png` });
  });
});

test.describe('on a laptop in the light theme', () => {
  test.use({ viewport: { width: 1366, height: 900 }, colorScheme: 'light' });

  test('Datapoints lines names, values and controls up', async ({ page, deployment }) => {
    await signIn(page, deployment.hub.url, OPERATOR);
    await page.goto(`${deployment.hub.url}/datapoints?q=lobby.`);
    await expect(page.getByRole('switch', { name: 'lobby.dummy.light.1', exact: true })).toBeVisible();
    const name = page.getByRole('listitem').filter({ has: page.getByLabel('Value of lobby.dummy.light.1', { exact: true }) }).getByText('lobby.dummy.light.1', { exact: true });
    await expect(name).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/datapoints-laptop-light.png` });
  });
});
