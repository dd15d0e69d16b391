// A browser page loads the simulator's state over its API, over HTTPS with the simulator's own
// certificate trusted by its public key (never "ignore all certificate errors").
import { createHash, X509Certificate } from 'node:crypto';
import { test as base, expect, type Browser } from '@playwright/test';
import { spawnSim, type SimProcess } from '@riohub/testkit';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium';

function spkiHash(certificate: string): string {
  const spki = new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

const test = base.extend<object, { sim: SimProcess; browser: Browser }>({
  sim: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring; it needs none.
    async ({}, use) => {
      const sim = await spawnSim(['--password', 'e2e-pw', '--lights', '3']);
      await use(sim);
      await sim.stop();
    },
    { scope: 'worker' },
  ],
  browser: [
    async ({ playwright, sim }, use) => {
      const browser = await playwright.chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(sim.certificate ?? '')}`],
      });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
});

test('a page loads the full state from rioget', async ({ page, sim }) => {
  const response = await page.goto(`${sim.url}/x/rioget?1*1*e2e-pw`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toBe('application/json; charset=utf-8');
  const state = JSON.parse(await page.locator('body').innerText()) as {
    hsycostate: { timestamp: number; system?: string; io: Record<string, string> };
  };
  expect(state.hsycostate.system).toBe('system');
  expect(state.hsycostate.io['dummy.light.3']).toBe('0');
  expect(state.hsycostate.io['dummy.light.4']).toBeUndefined();
});

test('a page writes a datapoint and its long-poll brings the change back', async ({ page, sim }) => {
  await page.goto(`${sim.url}/x/riotopo?1*e2e-pw`);
  await expect(page.locator('body')).toContainText('"dummy.light.1":["LIGHT","LIGHT","DUMMY"]');

  const result = await page.evaluate(async () => {
    interface State {
      hsycostate: { timestamp: number; io?: Record<string, string> };
    }
    const read = async <T = State>(path: string): Promise<T> => (await fetch(path)).json() as Promise<T>;
    const { hsycostate } = await read('/x/rioget?1*1*e2e-pw');
    const poll = read(`/x/rioget?1*${hsycostate.timestamp}*e2e-pw`);
    const write = await read<unknown>(`/x/rioset?1*e2e-pw*virtual.1*${encodeURIComponent('hello * ☃').replace(/\*/g, '%2A')}`);
    return { write, changed: await poll };
  });
  expect(result.write).toEqual({ hsycoresult: { ok: true } });
  expect(result.changed.hsycostate.io).toEqual({ 'virtual.1': 'hello * ☃' });
});
