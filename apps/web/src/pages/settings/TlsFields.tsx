/** How the hub trusts the remote: system CAs, a pinned certificate, or none (plain HTTP). */
import type { TlsMode } from '@riohub/hub-api';
import { useId } from 'react';
import { describedBy, FieldError, TextField } from './form-fields';
import { sameFingerprint } from './remote-form-values';
import { ui } from './ui';

const CHOICES: { value: TlsMode; label: string }[] = [
  { value: 'verify', label: 'System CAs' },
  { value: 'pin', label: 'Pinned certificate' },
  { value: 'http', label: 'Plain HTTP' },
];

interface Props {
  tls: TlsMode;
  fingerprint: string;
  /** The fingerprint the last connection test saw, offered for confirmation. */
  offeredFingerprint: string | undefined;
  onTlsChange(tls: TlsMode): void;
  onFingerprintChange(fingerprint: string): void;
  errorFor(path: string): string | undefined;
}

export function TlsFields({ tls, fingerprint, offeredFingerprint, onTlsChange, onFingerprintChange, errorFor }: Props) {
  const id = useId();
  const tlsError = errorFor('tls');
  return (
    <div className="flex flex-col gap-2">
      <fieldset className={ui.fieldset} aria-describedby={describedBy(`${id}-help`, tlsError && `${id}-error`)}>
        <legend className={ui.legend}>TLS</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          {CHOICES.map((choice) => (
            <label key={choice.value} className="flex items-center gap-1.5 text-sm">
              <input
                type="radio"
                name={`${id}-tls`}
                value={choice.value}
                checked={tls === choice.value}
                onChange={() => onTlsChange(choice.value)}
                className={ui.checkbox}
              />
              {choice.label}
            </label>
          ))}
        </div>
        <p id={`${id}-help`} className={ui.help}>
          System CAs: a certificate from a public CA. Pinned: exactly one certificate, e.g. self-signed. Plain HTTP: unencrypted.
        </p>
        <FieldError id={`${id}-error`} message={tlsError} />
      </fieldset>
      {tls === 'pin' && (
        <div className="flex flex-col gap-2">
          <TextField
            label="Fingerprint"
            value={fingerprint}
            onChange={onFingerprintChange}
            placeholder="AB:CD:…"
            help="SHA-256 of the certificate (64 hex digits). Empty: trust the first one offered, once you confirm it."
            error={errorFor('fingerprint')}
          />
          {offeredFingerprint && (
            <div className="flex flex-col gap-1 rounded border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950">
              <p id={`${id}-offered`}>
                The remote offers the certificate <span className={ui.mono}>{offeredFingerprint}</span>
              </p>
              {sameFingerprint(offeredFingerprint, fingerprint) ? (
                <p className={ui.help}>The fingerprint above is this one.</p>
              ) : (
                <div>
                  <button
                    type="button"
                    className={ui.button}
                    aria-describedby={`${id}-offered`}
                    onClick={() => onFingerprintChange(offeredFingerprint)}
                  >
                    Use this fingerprint
                  </button>
                </div>
              )}
            </div>
          )}
        </div>
      )}
    </div>
  );
}
