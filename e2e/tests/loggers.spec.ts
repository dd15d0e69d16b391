// The Loggers page in Chromium against a real hub replicating the simulators' data loggers: every
// logger listed and charted, the interval choice, zoom, and CSV downloads that match the API.
import { mkdirSync, readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { ADMIN, expect, HubApi, signIn, startSite, test, VIEWER } from '../hub-fixture';

const SCREENSHOTS = 'test-results/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

/** The demo remotes' loggers as the fixture replicates them, and what their charts show by the hour. */
const CHARTS = [
  { id: 'lobby.energy', hourly: 'lobby.energy consumption per hour, kWh', daily: 'lobby.energy consumption per day, kWh' },
  { id: 'lobby.temperature', hourly: 'lobby.temperature minimum, maximum and average per hour, °C', daily: 'lobby.temperature minimum, maximum and average per day, °C' },
  { id: 'floor2.energy', hourly: 'floor2.energy consumption per hour, kWh', daily: 'floor2.energy consumption per day, kWh' },
  { id: 'floor2.temperature', hourly: 'floor2.temperature minimum, maximum and average per hour, °C', daily: 'floor2.temperature minimum, maximum and average per day, °C' },
];

/** The fields of GET /api/loggers this spec reads (e2e does not depend on @riohub/hub-api). */
interface LoggerFields {
  id: string;
  remote: string;
  type: string;
  unit: string;
  replication: string;
  error?: string;
}

function loggerRow(table: Locator, id: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('cell', { name: id, exact: true }) });
}

/** A CSV download as records keyed by its header: the first column (a time) as epoch ms, the rest as numbers. */
function csvRecords(text: string): Record<string, number>[] {
  const [header = '', ...rows] = text.trimEnd().split('\n');
  const columns = header.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [columns[i], i === 0 ? Date.parse(cell) : Number(cell)])));
}

/** What the API's JSON says for the query a CSV link asks, in the CSV's shape. */
async function apiRecords(api: HubApi, csvHref: string): Promise<Record<string, number>[]> {
  const url = new URL(csvHref, 'http://hub.invalid');
  const jsonPath = `${url.pathname.replace(/\.csv$/, '')}${url.search}`;
  // Read as the wire has it (e2e does not depend on @riohub/hub-api): raw samples, or buckets.
  const series = await api.call<{ samples?: [number, number][]; buckets?: Record<string, number>[] }>('GET', jsonPath);
  if (series.samples) return series.samples.map(([time, value]) => ({ time, value }));
  return series.buckets ?? [];
}

/** Downloads a chart's CSV and compares it row by row with the API's JSON for the same query. */
async function expectCsvMatchesApi(page: Page, chart: Locator, api: HubApi): Promise<number> {
  const link = chart.getByRole('link', { name: 'Download CSV' });
  let rows = 0;
  // The bucket still filling may take a new sample between the download and the JSON request
  // (one every ten seconds): then both are read again.
  await expect(async () => {
    const href = (await link.getAttribute('href')) ?? '';
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const downloaded = csvRecords(readFileSync(await download.path(), 'utf8'));
    expect(downloaded).toEqual(await apiRecords(api, href));
    rows = downloaded.length;
  }).toPass({ timeout: 20_000 });
  return rows;
}

test('charts every replicated logger and downloads CSVs whose rows match the API', async ({ page, deployment }) => {
  const viewerApi = await HubApi.signIn(deployment.hub.url, VIEWER);
  const charted = async () => (await viewerApi.call<LoggerFields[]>('GET', '/api/loggers')).filter((logger) => CHARTS.some(({ id }) => id === logger.id));
  await expect.poll(async () => (await charted()).map((logger) => logger.replication), { timeout: 30_000 }).toEqual(CHARTS.map(() => 'up to date'));
  const listed = await viewerApi.call<LoggerFields[]>('GET', '/api/loggers');

  await signIn(page, deployment.hub.url, VIEWER);
  await page.getByRole('link', { name: 'Loggers' }).click();
  await expect(page.getByRole('status').filter({ hasText: /loggers$/ })).toHaveText(`${listed.length} loggers`);
  const table = page.getByRole('table', { name: 'Replicated loggers' });
  for (const logger of await charted()) {
    await expect(loggerRow(table, logger.id).getByRole('cell')).toHaveText([
      logger.id,
      logger.remote,
      `${logger.type}, ${logger.unit}`,
      // The last sample's time says its zone.
      new RegExp(`^[\\d.,]+ ${logger.unit} at \\d\\d:\\d\\d:\\d\\d UTC \\(\\d+ (s|min) ago\\)$`),
      /^[\d,]+$/,
      'up to date',
      'forever',
    ]);
  }

  for (const { id, hourly } of CHARTS) {
    const chart = page.getByRole('article', { name: id, exact: true });
    await expect(chart.getByRole('img', { name: hourly, exact: true })).toBeVisible();
    await expect(chart.getByRole('img', { name: hourly, exact: true }).locator('canvas')).toBeVisible();
    await expect(chart.getByText(/^(Consumption in this window: [\d.,]+ kWh|In this window: minimum .* °C, maximum .* °C, average .* °C)\.$/)).toBeVisible();
  }
  await page.screenshot({ path: `${SCREENSHOTS}/loggers.png`, fullPage: true });
  // The charts are canvases that Tailwind's dark: cannot reach: they redraw in the dark palette.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path: `${SCREENSHOTS}/loggers-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('radio', { name: 'Month by day' }).check();
  await expect(page).toHaveURL(/interval=day/);
  for (const { id, daily } of CHARTS.slice(0, 2)) {
    const chart = page.getByRole('article', { name: id, exact: true });
    await expect(chart.getByRole('img', { name: daily, exact: true })).toBeVisible();
    await expect(chart.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', /\/aggregates\.csv\?interval=day&/);
    // The simulators filled their last day at start: a day's bucket or two, never none.
    expect(await expectCsvMatchesApi(page, chart, viewerApi)).toBeGreaterThan(0);
  }

  await page.screenshot({ path: `${SCREENSHOTS}/loggers-month-by-day.png`, fullPage: true });

  await page.getByRole('radio', { name: 'Raw' }).check();
  const temperature = page.getByRole('article', { name: 'lobby.temperature', exact: true });
  await expect(temperature.getByRole('img', { name: 'lobby.temperature samples, °C', exact: true })).toBeVisible();
  await expect(temperature.getByText(/^In this window: minimum/)).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/loggers-raw.png`, fullPage: true });
  // A day of samples every ten seconds.
  expect(await expectCsvMatchesApi(page, temperature, viewerApi)).toBeGreaterThan(8000);
});

test('a shared link shows one logger; dragging zooms in at a finer resolution, and Reset zoom returns', async ({ page, deployment }) => {
  await signIn(page, deployment.hub.url, ADMIN);
  await page.goto(`${deployment.hub.url}/loggers?logger=lobby.energy&interval=hour`);
  await expect(page.getByRole('article')).toHaveCount(1);
  const chart = page.getByRole('article', { name: 'lobby.energy', exact: true });
  const plot = chart.getByRole('img', { name: 'lobby.energy consumption per hour, kWh', exact: true });
  await expect(plot).toBeVisible();
  await expect(chart.getByRole('button', { name: 'Reset zoom' })).toBeDisabled();
  await expect(page.getByRole('combobox', { name: 'Logger' })).toHaveValue('lobby.energy');

  // Drag across a sliver of the plot area (a couple of the 24 hours): too few hours, so minutes.
  const canvas = plot.locator('canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the chart has no canvas on screen');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.8, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.85, y, { steps: 5 });
  await page.mouse.up();

  await expect(chart.getByRole('img', { name: 'lobby.energy consumption per minute, kWh', exact: true })).toBeVisible();
  await expect(chart.getByText(/^Zoomed to /)).toBeVisible();
  const zoomedHref = await chart.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  expect(zoomedHref).toMatch(/interval=minute&/);
  const api = await HubApi.signIn(deployment.hub.url, ADMIN);
  expect(await expectCsvMatchesApi(page, chart, api)).toBeGreaterThan(0);

  await chart.getByRole('button', { name: 'Reset zoom' }).click();
  await expect(plot).toBeVisible();
  await expect(chart.getByText(/^Zoomed to /)).toHaveCount(0);
  await expect(chart.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', /interval=hour&/);

  // Within the same hour the window is the same, yet Refresh asks again: the last bar grows.
  const refetch = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/loggers/lobby.energy/aggregates');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await refetch;
});

test('a remote added while the page is open brings its loggers live; one it does not have shows failing, as an alert', async ({ page, deployment }) => {
  const annex = await startSite(['--name', 'annex', '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
  try {
    await signIn(page, deployment.hub.url, VIEWER);
    await page.goto(`${deployment.hub.url}/loggers`);
    const table = page.getByRole('table', { name: 'Replicated loggers' });
    await expect(loggerRow(table, 'lobby.energy')).toBeVisible();

    await deployment.admin.addSim('annex', annex.sim, { dataloggers: 'energy;no-such-logger', dataloggerspollinterval: 1 });
    const failing = async () => (await deployment.admin.call<LoggerFields[]>('GET', '/api/loggers')).find((logger) => logger.id === 'annex.no-such-logger');
    await expect.poll(async () => (await failing())?.replication, { timeout: 30_000 }).toBe('failing');
    const reason = (await failing())?.error ?? '';
    expect(reason).not.toBe('');

    await expect(loggerRow(table, 'annex.no-such-logger').getByRole('alert')).toHaveText(`failing: ${reason}`);
    await expect(loggerRow(table, 'annex.energy').getByText('up to date')).toBeVisible({ timeout: 30_000 });
    // Charted as soon as it has samples, without a refresh.
    await expect(page.getByRole('article', { name: 'annex.energy', exact: true }).getByText(/^Consumption in this window: /)).toBeVisible();
    await expect(page.getByRole('article', { name: 'annex.no-such-logger', exact: true }).getByText('No samples in this window.')).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/loggers-failing.png`, fullPage: true });
  } finally {
    await deployment.admin.call('DELETE', '/api/remotes/annex');
    await annex.direct.close();
    await annex.sim.stop();
  }
});

test('an admin sets how long a logger keeps its samples; a viewer only reads it', async ({ page, deployment }) => {
  const retention = async () =>
    (await deployment.admin.call<(LoggerFields & { retentionDays: number | null })[]>('GET', '/api/loggers')).find((logger) => logger.id === 'floor2.temperature')
      ?.retentionDays;
  try {
    await signIn(page, deployment.hub.url, ADMIN);
    await page.goto(`${deployment.hub.url}/loggers`);
    const row = loggerRow(page.getByRole('table', { name: 'Replicated loggers' }), 'floor2.temperature');
    const days = row.getByLabel('Days of floor2.temperature to keep');
    await days.fill('a week');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByRole('alert')).toHaveText('a whole number of days, or empty to keep everything');
    await days.fill('400');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByRole('alert')).toHaveCount(0);
    await expect.poll(retention).toBe(400);
    await expect(days).toHaveValue('400');

    await page.getByRole('button', { name: /Sign out/ }).click();
    await signIn(page, deployment.hub.url, VIEWER);
    await page.goto(`${deployment.hub.url}/loggers`);
    const viewerRow = loggerRow(page.getByRole('table', { name: 'Replicated loggers' }), 'floor2.temperature');
    await expect(viewerRow.getByRole('cell', { name: '400 days' })).toBeVisible();
    await expect(viewerRow.getByRole('textbox')).toHaveCount(0);
  } finally {
    await deployment.admin.call('PUT', '/api/loggers/floor2.temperature', { retentionDays: null });
  }
});
