/**
 * Labelled controls that show a one-line help and the hub's message for that field; the control
 * is marked invalid and described by both, so screen readers read the message with the field.
 */
import type { ApiError } from '@riohub/hub-api';
import { useId, type HTMLInputTypeAttribute, type ReactNode } from 'react';
import { ui } from './ui';

/** Space-separated ids for aria-describedby, or nothing when no text describes the control. */
export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className={ui.fieldError}>
      {message}
    </p>
  );
}

/** The error's message, and the messages of fields that have no control of their own here. */
export function FormAlert({ error, shownFields }: { error: ApiError | undefined; shownFields?: ReadonlySet<string> }) {
  if (!error) return null;
  const others = Object.entries(error.fields ?? {}).filter(([path]) => !shownFields?.has(path));
  return (
    <div role="alert" className={ui.alert}>
      <p>{error.message}</p>
      {others.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {others.map(([path, message]) => (
            <li key={path}>
              <span className="font-mono">{path}</span>: {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface FieldProps {
  label: string;
  help?: string;
  error?: string | undefined;
  /** Option ids are shown as they are spelled in PROTOCOL.md. */
  monoLabel?: boolean;
}

interface TextFieldProps extends FieldProps {
  value: string;
  onChange(value: string): void;
  type?: HTMLInputTypeAttribute;
  readOnly?: boolean;
  placeholder?: string;
  min?: number;
  max?: number;
  autoFocus?: boolean;
  autoComplete?: string;
  className?: string;
}

/** A label above its control, the help and the error below; the control is given its ids. */
function StackedField({ label, help, error, monoLabel, className, control }: FieldProps & { className?: string | undefined; control(ids: ControlIds): ReactNode }) {
  const id = useId();
  return (
    <div className={`flex flex-col gap-1 ${className ?? ''}`}>
      <label htmlFor={id} className={`${ui.label} ${monoLabel ? 'font-mono' : ''}`}>
        {label}
      </label>
      {control({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(help && `${id}-help`, error && `${id}-error`) })}
      {help && (
        <p id={`${id}-help`} className={ui.help}>
          {help}
        </p>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

interface ControlIds {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

export function TextField({ label, help, error, monoLabel, value, onChange, type = 'text', className, ...rest }: TextFieldProps) {
  return (
    <StackedField
      {...{ label, help, error, monoLabel, className }}
      control={(ids) => <input {...ids} type={type} value={value} onChange={(event) => onChange(event.target.value)} className={ui.input} {...rest} />}
    />
  );
}

interface CheckboxFieldProps extends FieldProps {
  checked: boolean;
  onChange(checked: boolean): void;
  /** A message shown elsewhere that also concerns this box (one rule about several boxes). */
  sharedErrorId?: string | undefined;
}

export function CheckboxField({ label, help, error, monoLabel, checked, onChange, sharedErrorId }: CheckboxFieldProps) {
  const id = useId();
  return (
    <div className="flex flex-col gap-0.5">
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(event) => onChange(event.target.checked)}
          className={ui.checkbox}
          aria-invalid={error || sharedErrorId ? true : undefined}
          aria-describedby={describedBy(help && `${id}-help`, error && `${id}-error`, sharedErrorId)}
        />
        <label htmlFor={id} className={`${ui.label} ${monoLabel ? 'font-mono' : ''}`}>
          {label}
        </label>
      </div>
      {help && (
        <p id={`${id}-help`} className={`${ui.help} pl-6`}>
          {help}
        </p>
      )}
      <div className="pl-6">
        <FieldError id={`${id}-error`} message={error} />
      </div>
    </div>
  );
}

interface SelectFieldProps<T extends string> extends FieldProps {
  value: T;
  options: readonly T[];
  onChange(value: T): void;
  disabled?: boolean;
}

export function SelectField<T extends string>({ label, help, error, monoLabel, value, options, onChange, disabled }: SelectFieldProps<T>) {
  return (
    <StackedField
      {...{ label, help, error, monoLabel }}
      control={(ids) => (
        <select {...ids} value={value} disabled={disabled} onChange={(event) => onChange(event.target.value as T)} className={ui.input}>
          {options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** A form's submit button, and "Saved." once what it sent was taken. */
export function SaveRow({ label, busy, saved }: { label: string; busy: boolean; saved: boolean }) {
  return (
    <div className="flex items-center gap-3">
      <button type="submit" className={ui.primaryButton} disabled={busy}>
        {label}
      </button>
      {saved && (
        <span role="status" className="text-sm">
          Saved.
        </span>
      )}
    </div>
  );
}
