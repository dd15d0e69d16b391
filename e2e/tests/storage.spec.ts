// The hub's disk fills up while an operator has the dashboard open: every page says so, a switch
// flipped then is refused with the reason and the building is left as it was, values keep
// streaming, and it all clears once there is space again.
import { spawnHub } from '@riohub/testkit';
import { ADMIN, expect, HubApi, OPERATOR, signIn, startSite, test } from '../hub-fixture';

test('a full disk is shown on the open dashboard, refuses writes with why, and clears when freed', async ({ page }) => {
  const hub = await spawnHub(ADMIN.password, { diskMb: 16 });
  const site = await startSite(['--name', 'store', '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  try {
    const admin = await HubApi.signIn(hub.url, ADMIN);
    await admin.addSim('store', site.sim);
    await admin.call('POST', '/api/users', { ...OPERATOR, role: 'operator' });
    await signIn(page, hub.url, OPERATOR);
    await page.goto(`${hub.url}/datapoints?q=store.dummy.light`);
    const light = page.getByRole('switch', { name: 'store.dummy.light.1', exact: true });
    await expect(light).toHaveAttribute('aria-checked', 'false');
    const banner = page.getByRole('alert', { name: 'Storage failing' });
    await expect(banner).toHaveCount(0);

    hub.fillDisk();
    await light.click();
    await expect(page.getByRole('alert').filter({ hasText: 'cannot write its database' }).first()).toBeVisible();
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('SQLITE_FULL');
    await expect(light).toHaveAttribute('aria-checked', 'false');
    expect(await site.value('dummy.light.1')).toBe('0');
    // The tree still follows the building.
    await site.write('dummy.light.2', '1');
    await expect(page.getByRole('switch', { name: 'store.dummy.light.2', exact: true })).toHaveAttribute('aria-checked', 'true');

    hub.freeDisk();
    await expect(banner).toHaveCount(0);
    await light.click();
    await expect(light).toHaveAttribute('aria-checked', 'true');
    await expect.poll(() => site.value('dummy.light.1')).toBe('1');
  } finally {
    await hub.stop();
    await site.direct.close();
    await site.sim.stop();
  }
});
