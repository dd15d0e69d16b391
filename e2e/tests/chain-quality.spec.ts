// A site's outage seen on the top hub's dashboard, three levels up: simulator → site hub → region
// hub → top hub, each a real process. While the simulator is stopped its points are marked stale
// with why, a switch flipped at the top is refused with that reason and nothing reaches the
// building; when it is back, the marks go and the switch works again.
import { once } from 'node:events';
import { spawnHubOnTestStore, type HubProcess } from '@riohub/testkit';
import { ADMIN, expect, HubApi, OPERATOR, signIn, startSite, test, type Site } from '../hub-fixture';

const API_PASSWORD = 'e2e-chain-api-pw';
const LIGHT = 'region.site.lobby.dummy.light.1';
const STALE_REASON = 'the server that owns it, below region, is unreachable';
/** An outage shows within one poll timeout (13 s) at the site hub, then at once above it; margin for two cores. */
const OUTAGE_BOUND_MS = 30_000;

/** Adds a hub serving its Remote I/O API over plain HTTP on loopback as a remote of `admin`'s hub. */
function addHub(admin: HubApi, name: string, below: HubProcess): Promise<unknown> {
  const url = new URL(below.url);
  return admin.call('POST', '/api/remotes', { name, host: url.hostname, port: Number(url.port), tls: 'http', password: API_PASSWORD });
}

test('the top hub marks a stopped simulator\'s points stale, refuses a write with why, and recovers', async ({ page }) => {
  test.setTimeout(150_000);
  const sims: Site[] = [];
  const hubs: HubProcess[] = [];
  try {
    const simArgs = ['--name', 'lobby', '--lights', '2', '--dimmers', '1', '--shutters', '0', '--sensors', '0', '--virtuals', '1', '--system', 'false'];
    const first = await startSite(simArgs);
    sims.push(first);
    for (let level = 0; level < 3; level++) hubs.push(await spawnHubOnTestStore(ADMIN.password));
    const [site, region, top] = hubs as [HubProcess, HubProcess, HubProcess];
    const [siteAdmin, regionAdmin, topAdmin] = await Promise.all(hubs.map((hub) => HubApi.signIn(hub.url, ADMIN)));
    for (const admin of [siteAdmin, regionAdmin] as HubApi[]) {
      await admin.call('PUT', '/api/hub/served-api', { password: API_PASSWORD, address: '127.0.0.1', control: true });
    }
    await siteAdmin?.addSim('lobby', first.sim);
    await addHub(regionAdmin as HubApi, 'site', site);
    await addHub(topAdmin as HubApi, 'region', region);
    await topAdmin?.call('POST', '/api/users', { ...OPERATOR, role: 'operator' });

    await signIn(page, top.url, OPERATOR);
    await page.goto(`${top.url}/datapoints?q=region.site.lobby.dummy.light`);
    const light = page.getByRole('switch', { name: LIGHT, exact: true });
    await expect(light).toHaveAttribute('aria-checked', 'false', { timeout: OUTAGE_BOUND_MS });
    const staleMark = page.getByRole('note', { name: `${LIGHT} is stale: ${STALE_REASON}` });
    await expect(staleMark).toHaveCount(0);

    const exited = once(first.sim.child, 'exit');
    first.sim.child.kill('SIGKILL');
    await exited;
    await expect(staleMark).toBeVisible({ timeout: OUTAGE_BOUND_MS });
    await expect(page.getByRole('note', { name: 'region.site.lobby.dummy.light.2 is stale', exact: false })).toBeVisible();
    await expect(light).toHaveAccessibleDescription(`a write would be refused: ${STALE_REASON}`);

    await light.click();
    const refusal = page.getByRole('alert').filter({ hasText: `${LIGHT} is stale: ${STALE_REASON}: nothing was sent` });
    await expect(refusal).toBeVisible();
    await expect(light).toHaveAttribute('aria-checked', 'false');

    const port = new URL(first.sim.url).port;
    const again = await startSite([...simArgs, '--port', port], first.sim.dataDir);
    sims.push(again);
    await expect(staleMark).toHaveCount(0, { timeout: OUTAGE_BOUND_MS * 2 });
    // Nothing was queued: the refused write never reached the building.
    expect(await again.value('dummy.light.1')).toBe('0');
    await page.getByRole('button', { name: `Dismiss error of ${LIGHT}` }).click();
    await expect(light).not.toHaveAccessibleDescription(/refused/);
    await light.click();
    await expect(light).toHaveAttribute('aria-checked', 'true');
    await expect.poll(() => again.value('dummy.light.1')).toBe('1');
  } finally {
    for (const hub of hubs.reverse()) await hub.stop();
    // The latest simulator first: the first one owns the data folder the other reuses.
    for (const site of sims.reverse()) {
      await site.direct.close();
      await site.sim.stop('SIGKILL');
    }
  }
});
