/**
 * A real hub process with real simulators for the dashboard tests: the hub serves the built
 * dashboard, the simulators are its remotes (certificates pinned), and tests reach both directly.
 * Hubs are started with `spawnHubOnTestStore`, so that the PostgreSQL pass runs each on a database
 * of its own (`spawnHub` alone runs it on SQLite in either pass).
 */
import { expect, test as base, type Page } from '@playwright/test';
import { RioTestClient, spawnHubOnTestStore, spawnSim, type HubProcess, type SimProcess } from '@riohub/testkit';
import { fingerprintOf } from '@riohub/certificate';

export const ADMIN = { name: 'admin', password: 'e2e-admin-pw' };
export const OPERATOR = { name: 'otto', password: 'operator-pw' };
export const VIEWER = { name: 'vera', password: 'viewer-pw' };
export const SIM_PASSWORD = 'e2e-remote-pw';
/** Both simulator loggers, polled every second so a new sample reaches the hub within a test. */
export const REPLICATED_LOGGERS = { dataloggers: 'energy;temperature', dataloggerspollinterval: 1 };

/** REST calls to the hub as one user (a session cookie of its own). */
export class HubApi {
  private cookie = '';
  constructor(readonly url: string) {}

  static async signIn(url: string, user: { name: string; password: string }): Promise<HubApi> {
    const client = new HubApi(url);
    await client.call('POST', '/api/session', user);
    return client;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const result = (await response.json()) as { ok: boolean; data?: T; error?: { message: string } };
    if (!result.ok) throw new Error(`${method} ${path}: ${result.error?.message}`);
    return result.data as T;
  }

  addSim(name: string, sim: SimProcess, options: object = {}): Promise<unknown> {
    const url = new URL(sim.url);
    return this.call('POST', '/api/remotes', {
      name, host: url.hostname, port: Number(url.port), tls: 'pin', fingerprint: fingerprintOf(sim.certificate ?? ''), password: SIM_PASSWORD, options,
    });
  }
}

/** A simulator and a client that reads and writes it directly, bypassing the hub. */
export interface Site {
  sim: SimProcess;
  direct: RioTestClient;
  /** A datapoint's value as the simulator has it. */
  value(name: string): Promise<string | undefined>;
  write(name: string, value: string): Promise<void>;
}

export async function startSite(args: string[], dataDir?: string): Promise<Site> {
  const sim = await spawnSim(['--password', SIM_PASSWORD, ...args], dataDir ? { dataDir } : {});
  const direct = new RioTestClient(sim.url, sim.certificate);
  return {
    sim,
    direct,
    async value(name) {
      const state = JSON.parse((await direct.get(`/x/rioget?1*1*${SIM_PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } };
      return state.hsycostate.io[name];
    },
    async write(name, value) {
      await direct.get(`/x/rioset?1*${SIM_PASSWORD}*${name}*${encodeURIComponent(value)}`);
    },
  };
}

export interface Deployment {
  hub: HubProcess;
  admin: HubApi;
  lobby: Site;
  floor2: Site;
}

export const test = base.extend<object, { deployment: Deployment }>({
  deployment: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring; it needs none.
    async ({}, use) => {
      const [lobby, floor2] = await Promise.all([
        startSite(['--name', 'lobby', '--lights', '4', '--dimmers', '2', '--shutters', '1', '--sensors', '2']),
        startSite(['--name', 'floor2', '--lights', '12', '--dimmers', '6', '--shutters', '3', '--sensors', '4']),
      ]);
      const hub = await spawnHubOnTestStore(ADMIN.password);
      const admin = await HubApi.signIn(hub.url, ADMIN);
      await admin.addSim('lobby', lobby.sim, { ui: true, ...REPLICATED_LOGGERS });
      await admin.addSim('floor2', floor2.sim, REPLICATED_LOGGERS);
      await admin.call('POST', '/api/users', { ...OPERATOR, role: 'operator' });
      await admin.call('POST', '/api/users', { ...VIEWER, role: 'viewer' });
      await use({ hub, admin, lobby, floor2 });
      await hub.stop();
      for (const site of [lobby, floor2]) {
        await site.direct.close();
        await site.sim.stop();
      }
    },
    { scope: 'worker' },
  ],
});

export { expect };

/** Signs in through the sign-in page and waits for the main navigation. */
export async function signIn(page: Page, url: string, user: { name: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
}

/** Every page of the dashboard: its link, and the name its screenshots are saved under. */
export const PAGES = [
  ['Overview', 'overview'],
  ['Datapoints', 'datapoints'],
  ['GUI panels', 'gui'],
  ['Loggers', 'loggers'],
  ['Write log', 'write-log'],
  ['Audit', 'audit'],
  ['Settings', 'settings'],
] as const;

/**
 * Fills the Settings page's form for a new remote as an admin would: its name, the simulator's
 * address, the password, the certificate pinned after a connection test. Leaves the form open,
 * ready to save.
 */
export async function fillNewRemote(page: Page, name: string, site: Site) {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Add remote' }).click();
  const form = page.getByRole('form', { name: 'Remote', exact: true });
  const url = new URL(site.sim.url);
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Address', { exact: true }).fill(url.hostname);
  await form.getByLabel('Port', { exact: true }).fill(url.port);
  await form.getByLabel('Password', { exact: true }).fill(SIM_PASSWORD);
  await form.getByRole('radio', { name: 'Pinned certificate' }).check();
  await form.getByRole('button', { name: 'Test connection' }).click();
  await form.getByRole('button', { name: 'Use this fingerprint' }).click();
  return form;
}
