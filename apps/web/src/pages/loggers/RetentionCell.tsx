/**
 * How long a logger's samples are kept. Admins change it in place (empty: keep everything);
 * a shorter retention deletes older samples at once, so the hub's answer replaces the row.
 */
import type { LoggerView } from '@riohub/hub-api';
import { useState, type FormEvent } from 'react';
import { call } from '../../api/http';
import { useHub } from '../../store';
import { ui } from '../settings/ui';

function describe(days: number | null): string {
  return days === null ? 'forever' : `${days.toLocaleString()} days`;
}

export function RetentionCell({ logger, onChanged }: { logger: LoggerView; onChanged(view: LoggerView): void }) {
  const isAdmin = useHub((s) => s.user?.role === 'admin');
  const [draft, setDraft] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!isAdmin) return <>{describe(logger.retentionDays)}</>;

  const shown = draft ?? (logger.retentionDays === null ? '' : String(logger.retentionDays));
  async function save(event: FormEvent) {
    event.preventDefault();
    const text = shown.trim();
    if (text !== '' && !/^[0-9]+$/.test(text)) return setError('a whole number of days, or empty to keep everything');
    setBusy(true);
    setError(undefined);
    const result = await call('setRetention', { id: logger.id }, { retentionDays: text === '' ? null : Number(text) });
    setBusy(false);
    if (!result.ok) return setError(result.error.fields?.['retentionDays'] ?? result.error.message);
    setDraft(undefined);
    onChanged(result.data);
  }

  return (
    <form className="flex flex-col gap-1" onSubmit={(event) => void save(event)} aria-label={`Retention of ${logger.id}`}>
      <div className="flex items-center gap-1">
        <input
          className={`${ui.input} w-20`}
          inputMode="numeric"
          value={shown}
          placeholder="forever"
          aria-label={`Days of ${logger.id} to keep`}
          aria-invalid={error ? true : undefined}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className={ui.button} disabled={busy || draft === undefined}>
          Save
        </button>
      </div>
      {error && (
        <p role="alert" className={ui.fieldError}>
          {error}
        </p>
      )}
    </form>
  );
}
