/** Every remote option of PROTOCOL.md "Client behaviour", labelled by its id, with a one-line help. */
import { useId } from 'react';
import { REMOTE_LIMIT_BOUNDS } from '@riohub/hub-api';
import type { OptionValues } from './remote-form-values';
import { CheckboxField, FieldError, SelectField, TextField } from './form-fields';
import { ui } from './ui';

type BooleanOption = { [K in keyof OptionValues]: OptionValues[K] extends boolean ? K : never }[keyof OptionValues];

const CHECKBOXES: { id: BooleanOption; help: string }[] = [
  { id: 'discovery', help: "Read the remote's topology and list its devices in the hub's, prefixed." },
  { id: 'startupevents', help: 'Deliver the initial full state as change events too, not silently.' },
  { id: 'io', help: "Replicate the remote's datapoints." },
  { id: 'ui', help: "Replicate the remote's GUI variables." },
  { id: 'clocksync', help: "When the clock difference exceeds drift, set the remote's clock (system.time)." },
  { id: 'dataloggersnameprefix', help: 'Name local loggers <name>.<id>; off: exactly <id>.' },
  { id: 'shutdownWhenInactive', help: 'Do not poll this remote while this hub is the inactive node.' },
];

const API_MODES = ['extended', 'public'] as const;

interface Props {
  options: OptionValues;
  onChange<K extends keyof OptionValues>(key: K, value: OptionValues[K]): void;
  /** The hub's message for a path such as `options.drift`, or for `options` as a whole. */
  errorFor(path: string): string | undefined;
}

export function RemoteOptionFields({ options, onChange, errorFor }: Props) {
  const wholeErrorId = useId();
  const wholeError = errorFor('options');
  // The one rule about the options as a whole is that io or ui must be on.
  const sharedError = (id: BooleanOption) => (wholeError && (id === 'io' || id === 'ui') ? wholeErrorId : undefined);
  return (
    <fieldset className={ui.fieldset}>
      <legend className={ui.legend}>Options</legend>
      <FieldError id={wholeErrorId} message={wholeError} />
      <div className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
        {CHECKBOXES.map(({ id, help }) => (
          <CheckboxField
            key={id}
            label={id}
            monoLabel
            help={help}
            checked={options[id]}
            onChange={(checked) => onChange(id, checked)}
            error={errorFor(`options.${id}`)}
            sharedErrorId={sharedError(id)}
          />
        ))}
      </div>
      <div className="grid gap-x-6 gap-y-2 sm:grid-cols-2">
        <TextField
          label="drift"
          monoLabel
          type="number"
          min={0}
          max={9999}
          value={options.drift}
          onChange={(value) => onChange('drift', value)}
          help="Largest clock difference tolerated with a SYSTEM remote, in seconds (0 to 9999)."
          error={errorFor('options.drift')}
        />
        <TextField
          label="dataloggerspollinterval"
          monoLabel
          type="number"
          min={1}
          value={options.dataloggerspollinterval}
          onChange={(value) => onChange('dataloggerspollinterval', value)}
          help="Minimum seconds between two polls of the loggers (at least 1)."
          error={errorFor('options.dataloggerspollinterval')}
        />
        <TextField
          label="dataloggers"
          monoLabel
          value={options.dataloggers}
          onChange={(value) => onChange('dataloggers', value)}
          help="Remote logger ids to replicate, separated by ; (empty: none)."
          error={errorFor('options.dataloggers')}
        />
        <TextField
          label="maxanswermb"
          monoLabel
          type="number"
          min={REMOTE_LIMIT_BOUNDS.maxanswermb.min}
          max={REMOTE_LIMIT_BOUNDS.maxanswermb.max}
          value={options.maxanswermb}
          onChange={(value) => onChange('maxanswermb', value)}
          help="Largest answer read from this remote, in MB (1 to 256); a larger one is cut off, and the remote shown failing."
          error={errorFor('options.maxanswermb')}
        />
        <TextField
          label="maxpoints"
          monoLabel
          type="number"
          min={REMOTE_LIMIT_BOUNDS.maxpoints.min}
          max={REMOTE_LIMIT_BOUNDS.maxpoints.max}
          value={options.maxpoints}
          onChange={(value) => onChange('maxpoints', value)}
          help="Most datapoints and GUI variables taken from this remote; a state with more is refused, and the remote shown failing."
          error={errorFor('options.maxpoints')}
        />
        <SelectField
          label="api"
          monoLabel
          value={options.api}
          options={API_MODES}
          onChange={(value) => onChange('api', value)}
          help="extended: parts A and B (simulator, riohub); public: part A only (stock HSYCO)."
          error={errorFor('options.api')}
        />
      </div>
    </fieldset>
  );
}

/** The option paths this fieldset shows a message for. */
export const OPTION_PATHS: readonly string[] = [
  'options',
  ...CHECKBOXES.map(({ id }) => `options.${id}`),
  'options.drift',
  'options.dataloggerspollinterval',
  'options.dataloggers',
  'options.api',
  'options.maxanswermb',
  'options.maxpoints',
];
