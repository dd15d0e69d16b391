/**
 * The hub's own Remote I/O API (PROTOCOL.md "Server settings"): what scripts and other hubs may
 * read and write of the merged tree. The password is write-only: the form shows whether one is set.
 */
import type { ServedApiInput, ServedApiView } from '@riohub/hub-api';
import { call } from '../../api/http';
import { CheckboxField, FormAlert, SaveRow, TextField } from './form-fields';
import { ui } from './ui';
import { useSecretSettings } from './use-secret-settings';

const SHOWN_FIELDS = new Set(['password', 'address', 'control', 'ioFilter', 'uiFilter']);

/** The settings that are a line of text, by their PROTOCOL.md names. */
const TEXT_SETTINGS: { key: 'address' | 'ioFilter' | 'uiFilter'; label: string; help: string; placeholder?: string }[] = [
  {
    key: 'address',
    label: 'RemoteServerAddress',
    help: 'Clients allowed: addresses, CIDR ranges (10.0.0.0/8) or *, separated by commas.',
  },
  {
    key: 'ioFilter',
    label: 'RemoteServerIOFilter',
    help: 'Exposed datapoints: patterns with *, a leading ! excludes, later patterns win.',
    placeholder: 'all datapoints',
  },
  { key: 'uiFilter', label: 'RemoteServerUIFilter', help: 'Exposed GUI variables, the same way.', placeholder: 'all GUI variables' },
];

export function ServedApiSection() {
  const form = useSecretSettings({
    load: () => call('servedApi'),
    store: (input: ServedApiInput) => call('updateServedApi', {}, input),
    draftOf: ({ address, control, ioFilter, uiFilter }: ServedApiView) => ({ address, control, ioFilter, uiFilter }),
  });
  const { view, draft, change, password, error, fields, saved, busy } = form;
  return (
    <section aria-labelledby="settings-served-api" className={ui.section}>
      <h2 id="settings-served-api" className={ui.sectionHeading}>
        Remote I/O API of this hub
      </h2>
      <p className={ui.help}>
        Served at <span className="font-mono">/x/…</span> on this hub’s port, over the merged tree, so that scripts and other hubs can
        concentrate it. Changes apply to the next request.
      </p>
      <FormAlert error={error} shownFields={SHOWN_FIELDS} />
      {view && draft ? (
        <form className="flex flex-col gap-3" aria-label="Remote I/O API of this hub" onSubmit={(event) => void form.save(event)}>
          <p className="text-sm" role="status">
            {view.hasPassword ? 'Enabled: a password is set.' : 'Disabled: no password is set.'}
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField
              label="RemoteServerPassword"
              monoLabel
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={form.setPassword}
              placeholder={view.hasPassword ? 'unchanged' : 'not set'}
              help="The password clients send; leave empty to keep the current one."
              error={fields['password']}
            />
            {TEXT_SETTINGS.map(({ key, label, help, placeholder }) => (
              <TextField
                key={key}
                label={label}
                monoLabel
                value={draft[key]}
                onChange={(value) => change({ [key]: value })}
                placeholder={placeholder}
                help={help}
                error={fields[key]}
              />
            ))}
          </div>
          <CheckboxField
            label="RemoteServerControl"
            monoLabel
            checked={draft.control}
            onChange={(control) => change({ control })}
            help="Clients may write datapoints and GUI variables; each write goes to the remote that owns the name."
            error={fields['control']}
          />
          {view.hasPassword && (
            <CheckboxField
              label="Disable the API (clear the password)"
              checked={form.clearPassword}
              onChange={form.setClearPassword}
            />
          )}
          <SaveRow label="Save API settings" busy={busy} saved={saved} />
        </form>
      ) : (
        !error && <p className="text-sm">Loading…</p>
      )}
    </section>
  );
}
