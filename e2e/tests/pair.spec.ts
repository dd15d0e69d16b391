// Two hubs on one PostgreSQL database while an operator has the standby's dashboard open: every
// page says which hub is active and since when, a remote only the active hub polls is shown live
// there (mirrored from the active hub), a switch flipped on the standby is written by the active
// hub, and when the active hub is killed the open page says this hub took over, and the same
// switch then reaches the building through it.
import { randomBytes } from 'node:crypto';
import { spawnHub, startPostgres } from '@riohub/testkit';
import { ADMIN, expect, HubApi, OPERATOR, signIn, startSite, test } from '../hub-fixture';

test('the standby’s open dashboard says who is active, writes through it, and takes over when the active hub is killed', async ({ page }) => {
  const cluster = await startPostgres();
  // One secret key for the pair: each hub opens the passwords the other sealed.
  const env = { RIOHUB_DATABASE: await cluster.createDatabase(), RIOHUB_SECRET_KEY: randomBytes(32).toString('base64') };
  const first = await spawnHub(ADMIN.password, { env });
  const second = await spawnHub(ADMIN.password, { env });
  const site = await startSite(['--name', 'store', '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  const quiet = await startSite(['--name', 'quiet', '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);
  try {
    const admin = await HubApi.signIn(first.url, ADMIN);
    await admin.addSim('store', site.sim);
    // Polled by the active hub only (HSYCO's redundant servers' option).
    await admin.addSim('quiet', quiet.sim, { shutdownWhenInactive: true });
    await admin.call('POST', '/api/users', { ...OPERATOR, role: 'operator' });

    await signIn(page, second.url, OPERATOR);
    await page.goto(`${second.url}/datapoints?q=dummy.light`);
    const standby = page.getByRole('status', { name: 'Standby hub' });
    const standing = page.getByRole('status', { name: 'Pair standing' });
    await expect(standby).toContainText('the active hub is');
    await expect(standing).toContainText('Standby since');
    // Flipped on the standby, the switch is written by the active hub.
    const light = page.getByRole('switch', { name: 'store.dummy.light.1', exact: true });
    await expect(light).toHaveAttribute('aria-checked', 'false');
    await light.click();
    await expect(light).toHaveAttribute('aria-checked', 'true');
    await expect.poll(() => site.value('dummy.light.1')).toBe('1');
    // A light switched at the building, on the remote the standby does not poll: shown live.
    const quietLight = page.getByRole('switch', { name: 'quiet.dummy.light.2', exact: true });
    await expect(quietLight).toHaveAttribute('aria-checked', 'false');
    await quiet.write('dummy.light.2', '1');
    await expect(quietLight).toHaveAttribute('aria-checked', 'true');

    first.child.kill('SIGKILL');
    await expect(standby).toHaveCount(0, { timeout: 15_000 });
    await expect(standing).toContainText('Active since');
    await light.click();
    await expect(light).toHaveAttribute('aria-checked', 'false');
    await expect.poll(() => site.value('dummy.light.1')).toBe('0');
    // Active now, it polls that remote itself.
    await quiet.write('dummy.light.2', '0');
    await expect(quietLight).toHaveAttribute('aria-checked', 'false');
  } finally {
    await first.stop();
    await second.stop();
    await site.direct.close();
    await site.sim.stop();
    await quiet.direct.close();
    await quiet.sim.stop();
    await cluster.close();
  }
});
