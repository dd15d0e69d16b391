/**
 * `/api/mqtt` (admin): the MQTT bridge's settings and its connection status, a change applied at
 * once (the bridge reconnects). Changes are in the audit, the password only as set, changed or
 * cleared, the CA as its certificates' fingerprints.
 */
import { X509Certificate } from 'node:crypto';
import { ERROR_CODES, fail, ok, type MqttSettingsView, type MqttView, type Result } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { secretChange, settingsChanges, without } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { MqttBridge } from '../mqtt/mqtt-bridge';
import type { MqttSettings } from '../mqtt/mqtt-settings';
import { mapRoute } from './route-map';

/** A CA as the audit keeps it: the fingerprints of its certificates, not pages of PEM. */
function describeCa(ca: string): string {
  const blocks = ca.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block).fingerprint256).join(', ');
}

/** The settings as the audit compares them: no password, no live status (an answer carries it, the settings before do not). */
function audible(view: MqttSettingsView | MqttView): Record<string, unknown> | undefined {
  return without({ ...view, ca: describeCa(view.ca) } as MqttView, 'hasPassword', 'status');
}

export const mqttRoutes: FastifyPluginAsync<{ settings: MqttSettings; bridge: MqttBridge }> = async (app, { settings, bridge }) => {
  const view = (): MqttView => ({ ...settings.view(), status: bridge.status });
  const refused = (fields: Record<string, string>, message = 'the MQTT settings are not valid') => fail(ERROR_CODES.INVALID, message, fields);

  mapRoute(app, 'mqtt', async (_request, _reply, answer) => answer(ok(view())));

  mapRoute(
    app,
    'updateMqtt',
    async (request, _reply, answer) => {
      const audit = await app.audit.inTurn('mqtt', async () => {
        const updated = await settings.update(request.body);
        // As they were when this change's turn came, after any queued ahead of it (a refusal is audited without them).
        const before = settings.view(updated.ok ? updated.before : settings.current());
        const outcome: Result<MqttSettingsView> = updated.ok ? ok(settings.view(updated.after)) : refused(updated.fields, updated.message);
        return audited(request, 'mqtt.update', 'mqtt', outcome, (after) => [
          ...settingsChanges(audible(before), audible(after)),
          ...secretChange('password', request.body.password !== undefined, before.hasPassword, after.hasPassword),
        ]);
      });
      if (!audit.ok) return answer(audit);
      // The view carries no password; what changed is logged without it.
      request.log.info({ user: request.user?.name, mqtt: audible(audit.data) }, 'MQTT bridge settings changed');
      // The answer shows the new connection under way, not the one the change ended.
      await bridge.settled();
      return answer(ok(view()));
    },
    { invalid: (request, fields) => audited(request, 'mqtt.update', 'mqtt', refused(fields), () => []) },
  );
};
