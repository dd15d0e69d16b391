/** Adds a remote entry or changes one: test the connection first, then save; the hub validates. */
import type { ApiError, ConnectionTest, RemoteView } from '@riohub/hub-api';
import { useState, type FormEvent } from 'react';
import { call } from '../../api/http';
import { useHub } from '../../store';
import { ConnectionTestStatus } from './ConnectionTestStatus';
import { CheckboxField, FormAlert, TextField } from './form-fields';
import { NEW_REMOTE_VALUES, toRemoteChange, toRemoteInput, valuesFromRemote, type OptionValues, type RemoteFormValues } from './remote-form-values';
import { OPTION_PATHS, RemoteOptionFields } from './RemoteOptionFields';
import { TlsFields } from './TlsFields';
import { ui } from './ui';

/** Paths whose message is shown next to a control; any other goes into the alert. */
const SHOWN_PATHS = new Set(['name', 'host', 'port', 'password', 'tls', 'fingerprint', 'enabled', ...OPTION_PATHS]);

interface Props {
  /** The entry to change; none for a new one. */
  remote?: RemoteView | undefined;
  onClose(): void;
}

/** The entry's host as the socket last reported it (another admin may have moved it since the form opened). */
function latestHost(remote: RemoteView): string {
  return useHub.getState().remotes.find((other) => other.name === remote.name)?.host ?? remote.host;
}

export function RemoteForm({ remote, onClose }: Props) {
  const editing = remote !== undefined;
  const [values, setValues] = useState<RemoteFormValues>(() => (remote ? valuesFromRemote(remote) : NEW_REMOTE_VALUES));
  const [error, setError] = useState<ApiError>();
  const [test, setTest] = useState<ConnectionTest>();
  const [busy, setBusy] = useState<'test' | 'save'>();

  const set = <K extends keyof RemoteFormValues>(key: K, value: RemoteFormValues[K]) => setValues((current) => ({ ...current, [key]: value }));
  const setOption = <K extends keyof OptionValues>(key: K, value: OptionValues[K]) =>
    setValues((current) => ({ ...current, options: { ...current.options, [key]: value } }));
  const errorFor = (path: string) => error?.fields?.[path];

  async function testConnection() {
    setBusy('test');
    setError(undefined);
    setTest(undefined);
    const result = await call('testRemote', {}, toRemoteInput(values, editing));
    setBusy(undefined);
    if (result.ok) setTest(result.data);
    else setError(result.error);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy('save');
    setError(undefined);
    const result = editing
      ? await call('updateRemote', { name: remote.name }, toRemoteChange(values, valuesFromRemote(remote), latestHost(remote)))
      : await call('createRemote', {}, toRemoteInput(values, editing));
    setBusy(undefined);
    if (!result.ok) return setError(result.error);
    // The socket brings the same entry; showing its settings now spares a flash of the old ones.
    useHub.getState().mergeSavedRemote(result.data);
    onClose();
  }

  return (
    <form
      aria-label="Remote"
      noValidate
      onSubmit={(event) => void save(event)}
      aria-busy={busy !== undefined}
      className="flex flex-col gap-3 rounded-lg border border-sky-200 bg-sky-50/40 p-4 dark:border-sky-900 dark:bg-sky-950/30"
    >
      <h3 className="font-semibold">{editing ? `Change remote ${remote.name}` : 'New remote'}</h3>
      <FormAlert error={error} shownFields={SHOWN_PATHS} />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <TextField
          label="Name"
          value={values.name}
          onChange={(value) => set('name', value)}
          readOnly={editing}
          autoFocus={!editing}
          autoComplete="off"
          help={editing ? 'A remote cannot be renamed.' : 'Lower-case letters, digits, _ or -: the prefix of its points.'}
          error={errorFor('name')}
        />
        <TextField
          label="Address"
          value={values.host}
          onChange={(value) => set('host', value)}
          autoFocus={editing}
          autoComplete="off"
          help="Host name, IPv4 or IPv6 address."
          error={errorFor('host')}
        />
        <TextField
          label="Port"
          type="number"
          min={1}
          max={65535}
          value={values.port}
          onChange={(value) => set('port', value)}
          help="1 to 65535."
          error={errorFor('port')}
        />
        <TextField
          label="Password"
          type="password"
          value={values.password}
          onChange={(value) => set('password', value)}
          placeholder={editing ? 'unchanged' : undefined}
          autoComplete="new-password"
          help={editing ? 'The Remote API password; empty keeps the stored one.' : 'The Remote API password of the remote.'}
          error={errorFor('password')}
        />
      </div>
      <TlsFields
        tls={values.tls}
        fingerprint={values.fingerprint}
        offeredFingerprint={test?.fingerprint}
        onTlsChange={(tls) => set('tls', tls)}
        onFingerprintChange={(fingerprint) => set('fingerprint', fingerprint)}
        errorFor={errorFor}
      />
      <CheckboxField
        label="Enabled"
        help="Off: the entry is kept but the remote is not polled."
        checked={values.enabled}
        onChange={(enabled) => set('enabled', enabled)}
        error={errorFor('enabled')}
      />
      <RemoteOptionFields options={values.options} onChange={setOption} errorFor={errorFor} />
      <ConnectionTestStatus testing={busy === 'test'} test={test} />
      <div className="flex flex-wrap gap-2">
        <button type="button" className={ui.button} disabled={busy !== undefined} onClick={() => void testConnection()}>
          Test connection
        </button>
        <button type="submit" className={ui.primaryButton} disabled={busy !== undefined}>
          Save
        </button>
        <button type="button" className={ui.button} onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
