// The operator console for a fleet, in Chromium against a real hub and real simulators: the down
// site found first, errors that say what to do, Retry now, one point count, an option changed
// without an outage shown, what a delete takes with it, and times that say their zone.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { fingerprintOf } from '@riohub/certificate';
import { spawnHubOnTestStore, type HubProcess } from '@riohub/testkit';
import { ADMIN, expect, HubApi, signIn, SIM_PASSWORD, startSite, test as base, VIEWER, type Site } from '../hub-fixture';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

/** The fields of a remote's status this spec reads (e2e does not depend on @riohub/hub-api). */
interface RemoteFields {
  name: string;
  options: { api: string; io: boolean };
  status: {
    connection: string;
    points: number;
    error?: { code: string; message: string; detail?: string };
    offlineSince?: number;
    nextRetryAt?: number;
    lastAnswerAt?: number;
  };
}

/** A small simulator: a few points, so that several start quickly side by side. */
const SMALL = ['--lights', '2', '--dimmers', '1', '--shutters', '1', '--sensors', '1', '--virtuals', '1'];

/** A hub of its own with simulators added by name, all stopped after the test. */
interface Fleet {
  hub: HubProcess;
  admin: HubApi;
  sites: Map<string, Site>;
  /** Starts a simulator named `name` and adds it to the hub, pinned; `options` are the entry's options. */
  add(name: string, options?: object, entry?: object): Promise<Site>;
  /** Kills a simulator at once (as a crash), keeping its port and data folder for a restart. */
  kill(name: string): Promise<void>;
  /** Starts the simulator again on the same port and data folder (the same certificate). */
  restart(name: string): Promise<Site>;
  remote(name: string): Promise<RemoteFields>;
  /** Waits until the remote's status satisfies `check`, and returns it. */
  until(name: string, check: (remote: RemoteFields) => boolean, timeout?: number): Promise<RemoteFields>;
}

const test = base.extend<{ fleet: Fleet }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring; it needs none.
  fleet: async ({}, use) => {
    const hub = await spawnHubOnTestStore(ADMIN.password);
    const admin = await HubApi.signIn(hub.url, ADMIN);
    const sites = new Map<string, Site>();
    /** Killed simulators, by name: stopped last, since stopping them removes their data folders. */
    const killed = new Map<string, Site[]>();
    const fleet: Fleet = {
      hub,
      admin,
      sites,
      async add(name, options = {}, entry = {}) {
        const site = await startSite(['--name', name, ...SMALL]);
        sites.set(name, site);
        const url = new URL(site.sim.url);
        await admin.call('POST', '/api/remotes', {
          name, host: url.hostname, port: Number(url.port), tls: 'pin', fingerprint: fingerprintOf(site.sim.certificate ?? ''), password: SIM_PASSWORD, options, ...entry,
        });
        return site;
      },
      async kill(name) {
        const site = sites.get(name) as Site;
        const exited = once(site.sim.child, 'exit');
        site.sim.child.kill('SIGKILL');
        await exited;
        sites.delete(name);
        killed.set(name, [...(killed.get(name) ?? []), site]);
      },
      async restart(name) {
        const old = killed.get(name)?.at(-1) as Site;
        const site = await startSite(['--name', name, ...SMALL, '--port', new URL(old.sim.url).port], old.sim.dataDir);
        sites.set(name, site);
        return site;
      },
      remote: (name) => admin.call<RemoteFields>('GET', `/api/remotes/${name}`),
      async until(name, check, timeout = 30_000) {
        let last: RemoteFields | undefined;
        await expect.poll(async () => check((last = await fleet.remote(name))), { timeout, message: `${name}: ${JSON.stringify(last?.status)}` }).toBe(true);
        return last as RemoteFields;
      },
    };
    await use(fleet);
    await hub.stop();
    for (const site of [...sites.values(), ...[...killed.values()].flat()]) {
      await site.direct.close();
      await site.sim.stop();
    }
  },
});

/** A loopback port that nothing listens on: taken from the system, then let go. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const remoteList = (page: Page) => page.getByRole('list', { name: 'Remotes' });

test('the overview lists an offline remote first, names it, and tells since when and when it is retried', async ({ page, fleet, browser }) => {
  await Promise.all(['charlie', 'alpha', 'bravo'].map((name) => fleet.add(name)));
  await fleet.add('delta', {}, { enabled: false });
  for (const name of ['alpha', 'bravo', 'charlie']) await fleet.until(name, (remote) => remote.status.connection === 'online');
  await fleet.kill('bravo');
  await fleet.until('bravo', (remote) => remote.status.connection === 'offline' && remote.status.nextRetryAt !== undefined);

  await signIn(page, fleet.hub.url, ADMIN);
  await expect(page.getByRole('status').filter({ hasText: 'remotes online' })).toHaveText('2 of 4 remotes online; offline: bravo; disabled: delta');
  // Each remote a region named by it: the offline one first, then the disabled one, then by name.
  const regions = remoteList(page).getByRole('region');
  await expect(regions).toHaveCount(4);
  for (const [index, name] of ['bravo', 'delta', 'alpha', 'charlie'].entries()) await expect(regions.nth(index)).toHaveAccessibleName(name);

  const bravo = page.getByRole('region', { name: 'bravo' });
  await expect(bravo.getByText('offline', { exact: true })).toBeVisible();
  // Since when, with its zone, and when it is tried again.
  await expect(bravo.getByText(/^Offline since \d\d:\d\d:\d\d (UTC|GMT([+-][\d:]+)?)/)).toBeVisible();
  await expect(bravo.getByText(/^Next retry (in \d+ s|now)$/)).toBeVisible();
  await expect(bravo.getByRole('button', { name: 'Retry now' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'alpha' }).getByRole('button', { name: 'Retry now' })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/fleet-overview.png`, fullPage: true });

  // Filter by status, search by name.
  await page.getByRole('combobox', { name: 'Status' }).selectOption('offline');
  await expect(regions).toHaveCount(1);
  await expect(regions.first()).toHaveAccessibleName('bravo');
  await page.getByRole('combobox', { name: 'Status' }).selectOption('all');
  await page.getByRole('searchbox', { name: 'Search remotes' }).fill('char');
  await expect(regions).toHaveCount(1);
  await expect(regions.first()).toHaveAccessibleName('charlie');
  await expect(page).toHaveURL(/q=char/);

  // Settings lists them in the same order.
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('table', { name: 'Remotes' }).getByRole('rowheader')).toHaveText(['bravo', 'delta', 'alpha', 'charlie']);

  // A viewer sees the same, without Retry now.
  await fleet.admin.call('POST', '/api/users', { ...VIEWER, role: 'viewer' });
  const viewerContext = await browser.newContext();
  try {
    const viewer = await viewerContext.newPage();
    await signIn(viewer, fleet.hub.url, VIEWER);
    await expect(viewer.getByRole('region', { name: 'bravo' }).getByText(/^Offline since/)).toBeVisible();
    await expect(viewer.getByRole('button', { name: 'Retry now' })).toHaveCount(0);
  } finally {
    await viewerContext.close();
  }
});

test('the connection test says what to do about a self-signed certificate, a refused connection and a wrong password', async ({ page, fleet }) => {
  test.setTimeout(90_000);
  const site = await fleet.add('alpha');
  const url = new URL(site.sim.url);
  const closedPort = await freePort();
  await signIn(page, fleet.hub.url, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Add remote' }).click();
  const form = page.getByRole('form', { name: 'Remote', exact: true });
  await form.getByLabel('Name', { exact: true }).fill('beta');
  await form.getByLabel('Address', { exact: true }).fill(url.hostname);
  await form.getByLabel('Port', { exact: true }).fill(url.port);
  await form.getByLabel('Password', { exact: true }).fill(SIM_PASSWORD);
  const outcome = form.getByRole('status');

  // System CAs against a self-signed certificate.
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(outcome).toContainText(
    "The remote's certificate is self-signed, so no CA vouches for it: choose Pinned certificate and confirm its fingerprint.",
  );
  await expect(outcome.getByText(/^Details: connection-failed: DEPTH_ZERO_SELF_SIGNED_CERT/)).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/fleet-test-self-signed.png`, fullPage: true });

  // Nothing listens on the port.
  await form.getByLabel('Port', { exact: true }).fill(String(closedPort));
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(outcome).toContainText(
    `Nothing listens on 127.0.0.1:${closedPort}: check the address and port, and that the remote's Remote I/O API is running.`,
  );
  await expect(outcome.getByText(/^Details: connection-failed: ECONNREFUSED/)).toBeVisible();

  // Pinned, and a wrong password: the remote drops it silently after 10 s.
  await form.getByLabel('Port', { exact: true }).fill(url.port);
  await form.getByRole('radio', { name: 'Pinned certificate' }).check();
  await form.getByRole('button', { name: 'Test connection' }).click();
  await form.getByRole('button', { name: 'Use this fingerprint' }).click();
  await form.getByLabel('Password', { exact: true }).fill('not-the-password');
  await form.getByRole('button', { name: 'Test connection' }).click();
  await expect(form.getByText(/Testing the connection: a remote that refuses the password or this hub's address answers nothing for 10 s/)).toBeVisible();
  await expect(outcome).toContainText(
    "No answer in 10 s: a wrong password, or this hub's address is not in the remote's RemoteServerAddress (HSYCO drops both silently).",
    { timeout: 20_000 },
  );
  await expect(outcome.getByText(/^Details: no-answer: /)).toBeVisible();
});

test("a remote's status says what to do, in the overview and the settings, and the code stays in the API", async ({ page, fleet }) => {
  const site = await fleet.add('alpha');
  const url = new URL(site.sim.url);
  const closedPort = await freePort();
  const entry = { host: url.hostname, port: Number(url.port), password: SIM_PASSWORD };
  await fleet.admin.call('POST', '/api/remotes', { ...entry, name: 'selfsigned', tls: 'verify' });
  await fleet.admin.call('POST', '/api/remotes', { ...entry, name: 'refused', port: closedPort, tls: 'pin', fingerprint: fingerprintOf(site.sim.certificate ?? '') });
  await fleet.admin.call('POST', '/api/remotes', { ...entry, name: 'wrongpw', tls: 'pin', fingerprint: fingerprintOf(site.sim.certificate ?? ''), password: 'not-the-password' });
  const sentences = {
    selfsigned: "The remote's certificate is self-signed, so no CA vouches for it: choose Pinned certificate and confirm its fingerprint.",
    refused: `Nothing listens on 127.0.0.1:${closedPort}: check the address and port, and that the remote's Remote I/O API is running.`,
    wrongpw: "No answer in 10 s: a wrong password, or this hub's address is not in the remote's RemoteServerAddress (HSYCO drops both silently).",
  };
  const codes = { selfsigned: 'connection-failed', refused: 'connection-failed', wrongpw: 'no-answer' };
  for (const [name, sentence] of Object.entries(sentences)) {
    const remote = await fleet.until(name, (r) => r.status.error !== undefined, 30_000);
    expect(remote.status.error).toMatchObject({ code: codes[name as keyof typeof codes], message: sentence });
    expect(remote.status.error?.detail).toBeTruthy();
  }

  await signIn(page, fleet.hub.url, ADMIN);
  for (const [name, sentence] of Object.entries(sentences)) {
    const card = page.getByRole('region', { name });
    await expect(card.getByText(sentence)).toBeVisible();
    await expect(card.getByText(/^Details: (connection-failed|no-answer): /)).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'selfsigned' }).getByText(/DEPTH_ZERO_SELF_SIGNED_CERT/)).toBeVisible();
  await expect(page.getByRole('region', { name: 'refused' }).getByText(/ECONNREFUSED/)).toBeVisible();

  await page.getByRole('link', { name: 'Settings' }).click();
  const table = page.getByRole('table', { name: 'Remotes' });
  for (const [name, sentence] of Object.entries(sentences)) {
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
    await expect(row.getByText(sentence)).toBeVisible();
    await expect(row.getByText(/^Details: (connection-failed|no-answer): /)).toBeVisible();
  }
  await page.screenshot({ path: `${SCREENSHOTS}/fleet-settings-errors.png`, fullPage: true });
});

test('Retry now brings back a remote whose simulator was restarted, without waiting out the backoff', async ({ page, fleet }) => {
  // The backoff grows past 8 s after 8 to 16 s of failures (its sixth wait is 8 to 16 s).
  test.setTimeout(120_000);
  await fleet.add('alpha');
  await fleet.until('alpha', (remote) => remote.status.connection === 'online');
  await signIn(page, fleet.hub.url, ADMIN);
  const card = page.getByRole('region', { name: 'alpha' });
  await expect(card.getByText('online', { exact: true })).toBeVisible();

  // Down long enough for the backoff to grow past 8 s: time to restart the simulator and press the
  // button, which took about 1 s with both cores kept busy.
  await fleet.kill('alpha');
  await fleet.until('alpha', (remote) => (remote.status.nextRetryAt ?? 0) - Date.now() > 8_000, 60_000);
  await fleet.restart('alpha');
  await expect(card.getByText(/^Next retry in \d+ s$/)).toBeVisible();
  const waiting = await fleet.remote('alpha');
  const scheduled = waiting.status.nextRetryAt as number;
  expect(waiting.status.connection).toBe('offline');

  await card.getByRole('button', { name: 'Retry now' }).click();
  // Online again before the retry the backoff had scheduled: the button, not the wait, brought it
  // back (every answer since moves lastAnswerAt, so the moment it is seen online is what counts).
  const back = await fleet.until('alpha', (remote) => remote.status.connection === 'online', 30_000);
  expect(Date.now()).toBeLessThan(scheduled);
  await expect(card.getByText('online', { exact: true })).toBeVisible();
  expect(back.status.offlineSince).toBeUndefined();
  expect(back.status.nextRetryAt).toBeUndefined();
  // The retry is an admin action, in the audit.
  // Recorded once the retry was made: the remote may be back online before the record is stored.
  const audit = () => fleet.admin.call<{ action: string; target: string; outcome: string }[]>('GET', '/api/audit?filter=remote.retry');
  await expect.poll(async () => (await audit())[0]).toMatchObject({ action: 'remote.retry', target: 'alpha', outcome: 'done' });
});

test('one point count for a remote: the overview, the settings and the hub agree', async ({ page, fleet }) => {
  await fleet.add('lobby', { ui: true });
  const remote = await fleet.until('lobby', (r) => r.status.connection === 'online' && r.status.points > 0);
  // The definition: the remote's datapoints and GUI variables the hub holds, not the hub's own points.
  const tree = await fleet.admin.call<{ points: { kind: string }[] }>('GET', '/api/points?prefix=lobby&limit=10000');
  const count = tree.points.filter((point) => point.kind !== 'hub').length;
  expect(remote.status.points).toBe(count);

  await signIn(page, fleet.hub.url, ADMIN);
  const card = page.getByRole('region', { name: 'lobby' });
  await expect(card.getByLabel('Points of lobby')).toHaveText(String(count));
  await page.getByRole('link', { name: 'Settings' }).click();
  const row = page.getByRole('table', { name: 'Remotes' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'lobby', exact: true }) });
  await expect(row.getByLabel('Points of lobby')).toHaveText(String(count));
});

test("changing a remote's drift in the settings does not show it offline, not even for a moment", async ({ page, fleet }) => {
  await fleet.add('lobby');
  await fleet.until('lobby', (remote) => remote.status.connection === 'online');
  await signIn(page, fleet.hub.url, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  const row = page.getByRole('table', { name: 'Remotes' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'lobby', exact: true }) });
  await expect(row.getByText('online', { exact: true })).toBeVisible();
  // Every text the row shows from here on, kept by the page: a reconnection showed offline for a
  // fraction of a second, between two of Playwright's looks.
  await row.evaluate((element) => {
    const shown: string[] = [];
    Object.assign(window, { shownInRow: shown });
    new MutationObserver(() => shown.push(element.textContent ?? '')).observe(element, { subtree: true, childList: true, characterData: true });
  });

  await page.getByRole('button', { name: 'Edit lobby' }).click();
  const form = page.getByRole('form', { name: 'Remote', exact: true });
  await form.getByLabel('drift').fill('60');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toHaveCount(0);
  // Opened again, the form shows what the page now holds of the entry: the change and all the
  // news of it that came before.
  await page.getByRole('button', { name: 'Edit lobby' }).click();
  await expect(form.getByLabel('drift')).toHaveValue('60');
  const shown = await page.evaluate(() => (window as unknown as { shownInRow: string[] }).shownInRow);
  expect(shown.filter((text) => /offline|Retry now/.test(text))).toEqual([]);
  await expect(row.getByText('online', { exact: true })).toBeVisible();
  expect((await fleet.remote('lobby')).status.connection).toBe('online');
});

test('a remote switched to the public API with its datapoints off is refused at io, and keeps what it had', async ({ page, fleet }) => {
  await fleet.add('lobby');
  const before = await fleet.until('lobby', (remote) => remote.status.connection === 'online' && remote.status.points > 0);
  await signIn(page, fleet.hub.url, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Edit lobby' }).click();
  const form = page.getByRole('form', { name: 'Remote', exact: true });
  await form.getByLabel('api').selectOption('public');
  const io = form.getByRole('checkbox', { name: 'io', exact: true });
  await io.uncheck();
  await form.getByRole('checkbox', { name: 'ui', exact: true }).check();
  await form.getByRole('button', { name: 'Save' }).click();
  // Part A reads datapoints only: with io off such an entry would replicate nothing.
  await expect(io).toHaveAttribute('aria-invalid', 'true');
  await expect(io).toHaveAccessibleDescription(/must be on when api is public: part A reads datapoints only/);
  await expect(form).toBeVisible();
  const after = await fleet.remote('lobby');
  expect(after).toMatchObject({ options: { api: 'extended', io: true }, status: { connection: 'online', points: before.status.points } });
});

test('deleting a remote says how many points and logger samples go with it', async ({ page, fleet }) => {
  await fleet.add('lobby', { dataloggers: 'energy;temperature', dataloggerspollinterval: 1 });
  const remote = await fleet.until('lobby', (r) => r.status.connection === 'online');
  const samples = async () => {
    const loggers = await fleet.admin.call<{ remote: string; samples: number; replication: string }[]>('GET', '/api/loggers');
    const mine = loggers.filter((logger) => logger.remote === 'lobby');
    return { total: mine.reduce((sum, logger) => sum + logger.samples, 0), upToDate: mine.length === 2 && mine.every((l) => l.replication === 'up to date') };
  };
  await expect.poll(async () => (await samples()).upToDate).toBe(true);

  await signIn(page, fleet.hub.url, ADMIN);
  await page.getByRole('link', { name: 'Settings' }).click();
  const before = (await samples()).total;
  await page.getByRole('button', { name: 'Delete lobby' }).click();
  const question = page.getByText(/^Deleting lobby also deletes its [\d,]+ points and [\d,]+ logger samples \(2 loggers\)\.$/);
  await expect(question).toBeVisible();
  const after = (await samples()).total;
  const [, points = '', shown = ''] = /its ([\d,]+) points and ([\d,]+) logger samples/.exec((await question.textContent()) ?? '') ?? [];
  expect(Number(points.replaceAll(',', ''))).toBe(remote.status.points);
  // Samples keep arriving: what it said is what the hub held while it asked.
  expect(Number(shown.replaceAll(',', ''))).toBeGreaterThanOrEqual(before);
  expect(Number(shown.replaceAll(',', ''))).toBeLessThanOrEqual(after);
  await expect(page.getByRole('button', { name: 'Confirm delete lobby' })).toHaveAccessibleDescription(/logger samples/);
  await page.screenshot({ path: `${SCREENSHOTS}/fleet-delete.png`, fullPage: true });
  await page.getByRole('button', { name: 'Confirm delete lobby' }).click();
  await expect(page.getByRole('rowheader', { name: 'lobby', exact: true })).toHaveCount(0);
  expect((await samples()).total).toBe(0);
});

test.describe('in a browser set to India time', () => {
  test.use({ timezoneId: 'Asia/Kolkata', locale: 'en-GB' });

  test('times say their zone: the write log in local time, the loggers in UTC, an outage in local time', async ({ page, fleet }) => {
    await fleet.add('lobby', { dataloggers: 'energy', dataloggerspollinterval: 1 });
    await fleet.until('lobby', (r) => r.status.connection === 'online');
    await fleet.admin.call('POST', '/api/writes', { name: 'lobby.dummy.light.1', value: '1' });
    await signIn(page, fleet.hub.url, ADMIN);

    await page.getByRole('link', { name: 'Write log' }).click();
    const write = page.getByRole('row').filter({ hasText: 'lobby.dummy.light.1' }).first();
    await expect(write.getByRole('cell').first()).toHaveText(/\d\d:\d\d:\d\d GMT\+5:30$/);
    // Chromium's ICU may name the zone by its older spelling.
    await expect(page.getByText(/^Times are in this browser's time zone, Asia\/(Kolkata|Calcutta) \(GMT\+5:30\)\.$/)).toBeVisible();

    await page.getByRole('link', { name: 'Loggers' }).click();
    const logger = page.getByRole('table', { name: 'Replicated loggers' }).getByRole('row').filter({ hasText: 'lobby.energy' });
    await expect(logger.getByText(/at \d\d:\d\d:\d\d UTC/)).toBeVisible({ timeout: 20_000 });

    await fleet.kill('lobby');
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('region', { name: 'lobby' }).getByText(/^Offline since \d\d:\d\d:\d\d GMT\+5:30/)).toBeVisible();
  });
});
