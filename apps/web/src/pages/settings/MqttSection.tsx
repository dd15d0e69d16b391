/**
 * The MQTT bridge (docs/mqtt.md): the broker, the topics, Home Assistant discovery, writes from
 * MQTT, and the connection as it is now (read again every few seconds). The password is
 * write-only: the form shows whether one is set.
 */
import type { MqttInput, MqttQos, MqttStatus, MqttView } from '@riohub/hub-api';
import { useEffect, useId, useRef, useState } from 'react';
import { call } from '../../api/http';
import { CheckboxField, FormAlert, SaveRow, SelectField, TextField } from './form-fields';
import { ui } from './ui';
import { useSecretSettings } from './use-secret-settings';

type Draft = Required<Omit<MqttInput, 'password'>>;

const SHOWN_FIELDS = new Set(['enabled', 'url', 'username', 'password', 'clientId', 'baseTopic', 'qos', 'discovery', 'discoveryPrefix', 'allowWrites', 'ca', 'fingerprint']);
/** How often the connection's status is read again. */
const STATUS_EVERY_MS = 3_000;

function draftOf(view: MqttView): Draft {
  const { enabled, url, username, clientId, baseTopic, qos, discovery, discoveryPrefix, allowWrites, ca, fingerprint } = view;
  return { enabled, url, username, clientId, baseTopic, qos, discovery, discoveryPrefix, allowWrites, ca, fingerprint };
}

/**
 * Not mqtts://: the certificate fields are hidden, and what they held goes (else the hub refuses
 * them, with no field to show why). Judged on the whole draft: a change that leaves the address
 * alone does not carry it.
 */
function withoutHiddenCertificate(draft: Draft): Draft {
  return draft.url.startsWith('mqtts:') ? draft : { ...draft, ca: '', fingerprint: '' };
}

function describeStatus(status: MqttStatus): string {
  switch (status.state) {
    case 'off':
      return 'Off: the bridge is not enabled.';
    case 'connecting':
      return 'Connecting to the broker…';
    case 'connected':
      return `Connected since ${new Date(status.since).toLocaleTimeString()}.`;
    case 'reconnecting': {
      const next = status.nextAttemptAt ? `, next attempt at ${new Date(status.nextAttemptAt).toLocaleTimeString()}` : '';
      return `Reconnecting: ${status.error ?? 'the broker is unreachable'}${next}.`;
    }
  }
}

export function MqttSection() {
  const form = useSecretSettings({ load: () => call('mqtt'), store: (input: MqttInput) => call('updateMqtt', {}, input), draftOf, complete: withoutHiddenCertificate });
  const { view, draft, change, password, error, fields, saved, busy } = form;
  // The connection's status follows the server (what an admin is editing is left alone): read
  // again every few seconds, and shown until the form shows a newer answer (a save).
  const [polled, setPolled] = useState<{ status: MqttStatus; after: MqttView | undefined }>();
  const shownView = useRef(view);
  const caId = useId();
  useEffect(() => {
    shownView.current = view;
  }, [view]);
  useEffect(() => {
    const timer = setInterval(() => void call('mqtt').then((result) => result.ok && setPolled({ status: result.data.status, after: shownView.current })), STATUS_EVERY_MS);
    return () => clearInterval(timer);
  }, []);
  const status = polled && polled.after === view ? polled.status : view?.status;

  const secure = draft?.url.startsWith('mqtts:') ?? false;
  return (
    <section aria-labelledby="settings-mqtt" className={ui.section}>
      <h2 id="settings-mqtt" className={ui.sectionHeading}>
        MQTT
      </h2>
      <p className={ui.help}>
        Publishes every datapoint and GUI variable to a broker (retained, at <span className="font-mono">&lt;base&gt;/io/…</span> and{' '}
        <span className="font-mono">&lt;base&gt;/ui/…</span>), announces devices to Home Assistant, and, when allowed, takes{' '}
        <span className="font-mono">…/set</span> messages as writes. Changes apply at once: the bridge reconnects.
      </p>
      {status && (
        <p className="text-sm" role="status" aria-label="MQTT connection">
          {describeStatus(status)}
        </p>
      )}
      <FormAlert error={error} shownFields={SHOWN_FIELDS} />
      {view && draft ? (
        <form className="flex flex-col gap-3" aria-label="MQTT bridge" onSubmit={(event) => void form.save(event)}>
          <CheckboxField label="Enable the MQTT bridge" checked={draft.enabled} onChange={(enabled) => change({ enabled })} error={fields['enabled']} />
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label="Broker URL"
              value={draft.url}
              onChange={(url) => change({ url })}
              placeholder="mqtt://broker.local:1883"
              help="mqtt://host:port, or mqtts://host:port over TLS."
              error={fields['url']}
            />
            <TextField label="Client id" value={draft.clientId} onChange={(clientId) => change({ clientId })} help="Writes from MQTT are recorded as mqtt <client id>." error={fields['clientId']} />
            <TextField label="Username" value={draft.username} onChange={(username) => change({ username })} autoComplete="off" placeholder="none" error={fields['username']} />
            <TextField
              label="Password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={form.setPassword}
              placeholder={view.hasPassword ? 'unchanged' : 'not set'}
              help="Leave empty to keep the current one."
              error={fields['password']}
            />
            <TextField label="Base topic" value={draft.baseTopic} onChange={(baseTopic) => change({ baseTopic })} help="Every topic of the bridge is under it." error={fields['baseTopic']} />
            <SelectField
              label="QoS"
              value={String(draft.qos) as '0' | '1' | '2'}
              options={['0', '1', '2'] as const}
              onChange={(qos) => change({ qos: Number(qos) as MqttQos })}
              help="For what the bridge publishes and subscribes to."
              error={fields['qos']}
            />
          </div>
          {view.hasPassword && (
            <CheckboxField
              label="Clear the password"
              checked={form.clearPassword}
              onChange={form.setClearPassword}
            />
          )}
          {secure && (
            <fieldset className={ui.fieldset}>
              <legend className={ui.legend}>Broker certificate</legend>
              <p className={ui.help}>Checked against the system’s CAs, or the CA given here, or pinned by its SHA-256 fingerprint.</p>
              <label htmlFor={caId} className={ui.label}>
                CA certificates (PEM)
              </label>
              <textarea
                id={caId}
                className={`${ui.input} font-mono`}
                rows={4}
                value={draft.ca}
                onChange={(event) => change({ ca: event.target.value })}
                placeholder="the system's CAs"
                aria-invalid={fields['ca'] !== undefined}
              />
              {fields['ca'] && <p className={ui.fieldError}>{fields['ca']}</p>}
              <TextField label="Pinned SHA-256 fingerprint" value={draft.fingerprint} onChange={(fingerprint) => change({ fingerprint })} placeholder="not pinned" error={fields['fingerprint']} />
            </fieldset>
          )}
          <div className="grid gap-3 sm:grid-cols-2">
            <CheckboxField
              label="Home Assistant discovery"
              checked={draft.discovery}
              onChange={(discovery) => change({ discovery })}
              help="Lights, dimmers, shutters and sensors appear in Home Assistant, one device per remote."
              error={fields['discovery']}
            />
            <TextField label="Discovery prefix" value={draft.discoveryPrefix} onChange={(discoveryPrefix) => change({ discoveryPrefix })} error={fields['discoveryPrefix']} />
          </div>
          <CheckboxField
            label="Allow writes from MQTT"
            checked={draft.allowWrites}
            onChange={(allowWrites) => change({ allowWrites })}
            help="…/set messages are written to the remotes, refused as from the dashboard when a point is read only or its remote offline. Off: each is refused and reported."
            error={fields['allowWrites']}
          />
          <SaveRow label="Save MQTT settings" busy={busy} saved={saved} />
        </form>
      ) : (
        !error && <p className="text-sm">Loading…</p>
      )}
    </section>
  );
}
