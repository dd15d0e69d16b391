// The settings file's `mqtt:` section: checked with the same schema as PUT /api/mqtt, applied and
// audited without the password, exported with the password as a variable to set.
import { afterEach, describe, expect, it } from 'vitest';
import { applySettings } from '../settings-file/apply-settings';
import { exportStoredSettings } from '../settings-file/export-settings';
import { parseSettings, SettingsFileError } from '../settings-file/settings-file';
import { startTestHub, type TestHub } from '../testing/test-hub';
import { MqttSettings } from './mqtt-settings';

let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

const problemsOf = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parseSettings(text, 'riohub.yaml', env);
    return [];
  } catch (error) {
    if (!(error instanceof SettingsFileError)) throw error;
    return error.problems.map((problem) => `${problem.line}: ${problem.field}: ${problem.message}`);
  }
};

describe("the settings file's mqtt section", () => {
  it('refuses what PUT /api/mqtt refuses, at its line, and a password written in the file', () => {
    expect(problemsOf('mqtt:\n  url: http://broker\n  qos: 5\n  password: x\n')).toEqual([
      '2: mqtt.url: must be mqtt://host:port or mqtts://host:port',
      '3: mqtt.qos: must be 0, 1 or 2',
      '4: mqtt.password: a password is never written in the file: name where it is with passwordEnv or passwordFile',
    ]);
    expect(problemsOf('mqtt:\n  colour: red\n')).toEqual(['2: mqtt.colour: unknown field']);
  });

  it('applies the bridge as declared (the rest at defaults), audits it without the password, and exports it with MQTT_PASSWORD to set', async () => {
    hub = await startTestHub();
    const { running } = hub;
    const file = parseSettings('mqtt:\n  enabled: false\n  url: mqtt://127.0.0.1:1883\n  username: ha\n  passwordEnv: BROKER_PW\n  allowWrites: true\n', 'riohub.yaml', { BROKER_PW: 'file secret' });
    const applied = await applySettings(file, running.hub, running.store);
    expect(applied.changed).toContain('mqtt');
    const stored = (await MqttSettings.load(running.store, running.hub.siteId)).current();
    expect(stored).toMatchObject({ url: 'mqtt://127.0.0.1:1883', username: 'ha', password: 'file secret', allowWrites: true, baseTopic: 'riohub', discoveryPrefix: 'homeassistant' });
    // The same file again changes nothing.
    expect((await applySettings(file, running.hub, running.store)).unchanged).toContain('mqtt');
    const audit = JSON.stringify((await hub.admin.call('GET', '/api/audit?filter=mqtt')).body);
    expect(audit).toContain('"secret":"set"');
    expect(audit).not.toContain('file secret');
    const exported = await exportStoredSettings(running.store, hub.dataDir);
    expect(exported).toContain('passwordEnv: MQTT_PASSWORD');
    expect(exported).toContain('url: mqtt://127.0.0.1:1883');
    expect(exported).not.toContain('file secret');
    expect(exported).not.toContain('enc:v1');
  });

  it('takes a fingerprint in any form it is accepted in, and applies the same file again as unchanged', async () => {
    hub = await startTestHub();
    const { running } = hub;
    const hex = 'ab'.repeat(32);
    for (const written of [hex, hex.match(/../g)?.join(':') as string]) {
      const file = parseSettings(`mqtt:\n  url: mqtts://127.0.0.1:8883\n  fingerprint: "${written}"\n`, 'riohub.yaml', {});
      await applySettings(file, running.hub, running.store);
      expect((await MqttSettings.load(running.store, running.hub.siteId)).current().fingerprint).toBe(hex.toUpperCase().match(/../g)?.join(':'));
      const audited = (await hub.admin.data<unknown[]>('GET', '/api/audit?filter=mqtt')).length;
      expect((await applySettings(file, running.hub, running.store)).unchanged).toContain('mqtt');
      expect(await hub.admin.data<unknown[]>('GET', '/api/audit?filter=mqtt')).toHaveLength(audited);
    }
  });

  it('refuses a new broker for the stored password unless the file names the password too', async () => {
    hub = await startTestHub();
    const { running } = hub;
    const env = { BROKER_PW: 'file secret' };
    await applySettings(parseSettings('mqtt:\n  url: mqtt://127.0.0.1:1883\n  username: ha\n  passwordEnv: BROKER_PW\n', 'riohub.yaml', env), running.hub, running.store);
    const moved = parseSettings('mqtt:\n  url: mqtt://elsewhere.example:1883\n  username: ha\n', 'riohub.yaml', env);
    await expect(applySettings(moved, running.hub, running.store)).rejects.toThrow(/2: mqtt\.url: the broker's address or security changed: enter the password again/);
    expect((await MqttSettings.load(running.store, running.hub.siteId)).current()).toMatchObject({ url: 'mqtt://127.0.0.1:1883', password: 'file secret' });
    const movedWithPassword = parseSettings('mqtt:\n  url: mqtt://elsewhere.example:1883\n  username: ha\n  passwordEnv: BROKER_PW\n', 'riohub.yaml', env);
    expect((await applySettings(movedWithPassword, running.hub, running.store)).changed).toContain('mqtt');
    expect((await MqttSettings.load(running.store, running.hub.siteId)).current()).toMatchObject({ url: 'mqtt://elsewhere.example:1883', password: 'file secret' });
  });

  it('refuses an enabled bridge without a broker before changing anything', async () => {
    hub = await startTestHub();
    const file = parseSettings('mqtt:\n  enabled: true\n', 'riohub.yaml', {});
    await expect(applySettings(file, hub.running.hub, hub.running.store)).rejects.toThrow(/mqtt\.url: is required to enable the bridge/);
  });
});
