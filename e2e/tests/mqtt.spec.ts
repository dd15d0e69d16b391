// Settings → MQTT in Chromium: an admin points the bridge at a real Mosquitto, sees it connected,
// the remotes' values arrive at a real MQTT client, and a broker that goes away shows as
// reconnecting with why.
import { startMosquitto } from '@riohub/testkit';
import mqtt from 'mqtt';
import { ADMIN, expect, signIn, test } from '../hub-fixture';

test('an admin connects the MQTT bridge from the settings page and sees its status follow the broker', async ({ page, deployment }) => {
  const broker = await startMosquitto();
  const client = await mqtt.connectAsync(broker.url, { clientId: 'e2e-subscriber', reconnectPeriod: 0 });
  const values = new Map<string, string>();
  client.on('message', (topic, payload) => values.set(topic, payload.toString()));
  await client.subscribeAsync('riohub/#');
  try {
    await signIn(page, deployment.hub.url, ADMIN);
    await page.getByRole('link', { name: 'Settings' }).click();
    const status = page.getByRole('status', { name: 'MQTT connection' });
    await expect(status).toHaveText('Off: the bridge is not enabled.');
    const form = page.getByRole('form', { name: 'MQTT bridge' });
    await form.getByLabel('Broker URL').fill(broker.url);
    await form.getByRole('checkbox', { name: 'Enable the MQTT bridge' }).check();
    await expect(form.getByRole('checkbox', { name: 'Home Assistant discovery' })).toBeChecked();
    await expect(form.getByRole('checkbox', { name: 'Allow writes from MQTT' })).not.toBeChecked();
    await form.getByLabel('Password', { exact: true }).fill('not shown again');
    await form.getByRole('button', { name: 'Save MQTT settings' }).click();
    await expect(status).toContainText('Connected since');
    await expect(form.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(form.getByLabel('Password', { exact: true })).toHaveAttribute('placeholder', 'unchanged');
    await expect.poll(() => values.get('riohub/io/lobby/dummy/light/1')).toBe(await deployment.lobby.value('dummy.light.1'));
    await expect.poll(() => values.get('riohub/status')).toBe('online');

    // The broker goes away: the status says so, with why, and comes back with it.
    await broker.stop();
    await expect(status).toContainText('Reconnecting:', { timeout: 15_000 });
    await broker.start();
    await expect(status).toContainText('Connected since', { timeout: 30_000 });

    // Over TLS with a pinned certificate: a new broker for the stored password, which must be given again.
    const save = form.getByRole('button', { name: 'Save MQTT settings' });
    await form.getByLabel('Broker URL').fill(broker.url.replace('mqtt://', 'mqtts://'));
    await form.getByLabel('Pinned SHA-256 fingerprint').fill(Array(32).fill('AB').join(':'));
    await save.click();
    await expect(form.getByText('is required for a new broker')).toBeVisible();
    await form.getByLabel('Password', { exact: true }).fill('not shown again');
    await save.click();
    await expect(status).toContainText('Reconnecting:', { timeout: 15_000 });
    // Back to plain MQTT: the pin, hidden with its fieldset, goes too, and the bridge connects.
    await form.getByLabel('Broker URL').fill(broker.url);
    await expect(form.getByLabel('Pinned SHA-256 fingerprint')).toBeHidden();
    await form.getByLabel('Password', { exact: true }).fill('not shown again');
    await save.click();
    await expect(status).toContainText('Connected since', { timeout: 15_000 });
    expect(await deployment.admin.call('GET', '/api/mqtt')).toMatchObject({ url: broker.url, fingerprint: '', ca: '' });

    // A broker URL that cannot work is refused at its field.
    await form.getByLabel('Broker URL').fill('http://broker');
    await form.getByRole('button', { name: 'Save MQTT settings' }).click();
    await expect(form.getByText('must be mqtt://host:port or mqtts://host:port')).toBeVisible();
  } finally {
    await deployment.admin.call('PUT', '/api/mqtt', { enabled: false, password: '' });
    await client.endAsync();
    await broker.close();
  }
});
