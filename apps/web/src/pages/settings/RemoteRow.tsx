/** One remote entry in the list: its settings and live status, and what an admin can do with it. */
import type { ApiError, RemoteView, Result } from '@riohub/hub-api';
import { useState } from 'react';
import { call } from '../../api/http';
import { stacked } from '../../components/stacked-table';
import { useHub } from '../../store';
import { OfflineTimes, RemoteErrorText, RetryButton } from '../overview/remote-status';
import { ConfirmDeleteButton } from './ConfirmDeleteButton';
import { FormAlert } from './form-fields';
import { ui } from './ui';

const CERTIFICATE_ERRORS = new Set(['certificate-untrusted', 'certificate-changed']);

const CONNECTION_COLORS: Record<string, string> = {
  online: 'text-emerald-700 dark:text-emerald-400',
  offline: 'text-red-700 dark:text-red-400',
};

/** IPv6 addresses are bracketed, so the port stays readable. */
function address(remote: RemoteView): string {
  return `${remote.host.includes(':') ? `[${remote.host}]` : remote.host}:${remote.port}`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** What deleting a remote takes with it, asked of the hub when the admin presses Delete. */
async function deletionQuestion(name: string, knownPoints: number): Promise<string> {
  const [remote, loggers] = await Promise.all([call('remote', { name }), call('loggers')]);
  const points = `its ${count(remote.ok ? remote.data.status.points : knownPoints)} points`;
  if (!loggers.ok) return `Deleting ${name} also deletes ${points} and its logger history (not counted: ${loggers.error.message}).`;
  const mine = loggers.data.filter((logger) => logger.remote === name);
  if (mine.length === 0) return `Deleting ${name} also deletes ${points}; it has no logger history.`;
  const samples = mine.reduce((sum, logger) => sum + logger.samples, 0);
  return `Deleting ${name} also deletes ${points} and ${count(samples)} logger samples (${mine.length} logger${mine.length === 1 ? '' : 's'}).`;
}

interface Props {
  remote: RemoteView;
  onEdit(remote: RemoteView): void;
  /** How many columns the row spans, for the line that shows an error. */
  columns: number;
}

export function RemoteRow({ remote, onEdit, columns }: Props) {
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const { name, status } = remote;
  const offered = status.error && CERTIFICATE_ERRORS.has(status.error.code) ? status.offeredFingerprint : undefined;

  async function run<T>(request: Promise<Result<T>>, done: (data: T) => void) {
    setBusy(true);
    setError(undefined);
    const result = await request;
    setBusy(false);
    if (result.ok) done(result.data);
    else setError(result.error);
  }

  const changed = (view: RemoteView) => useHub.getState().mergeSavedRemote(view);
  // Dropped at once; the socket's `remote-deleted` comes too, and finds it gone.
  const deleted = () => useHub.getState().removeRemote(name);

  return (
    <>
      <tr className={stacked.row}>
        <th scope="row" className={`${ui.td} ${stacked.cell} font-medium wrap-anywhere`}>
          {name}
        </th>
        <td className={`${ui.td} ${stacked.cell} font-mono text-xs wrap-anywhere`}>{address(remote)}</td>
        <td className={`${ui.td} ${stacked.cell} ${stacked.labelled}`} data-label="TLS">
          {remote.tls}
        </td>
        <td className={`${ui.td} ${stacked.cell} ${stacked.labelled}`} data-label="Enabled">
          {remote.enabled ? 'yes' : 'no'}
        </td>
        <td className={`${ui.td} ${stacked.cell} font-medium ${CONNECTION_COLORS[status.connection] ?? 'text-slate-600 dark:text-slate-400'}`}>
          {status.connection}
          <div className="mt-1 flex flex-col gap-1 font-normal text-slate-800 dark:text-slate-200">
            <OfflineTimes status={status} />
            {status.connection === 'offline' && <RetryButton name={name} className={ui.button} />}
          </div>
        </td>
        <td className={`${ui.td} ${stacked.cell} ${stacked.labelled} tabular-nums`} data-label="Points" aria-label={`Points of ${name}`}>
          {status.points}
        </td>
        <td className={`${ui.td} ${stacked.cell} ${stacked.line} max-w-80 max-sm:max-w-none`}>
          {status.error && status.connection !== 'online' && <RemoteErrorText error={status.error} />}
          {offered && (
            <div className="mt-1 flex flex-col items-start gap-1">
              <p className="text-xs">
                Offered certificate: <span className={ui.mono}>{offered}</span>
              </p>
              <button
                type="button"
                className={ui.button}
                disabled={busy}
                onClick={() => void run(call('trustRemote', { name }, { fingerprint: offered }), changed)}
              >
                Trust certificate of {name}
              </button>
            </div>
          )}
        </td>
        <td className={`${ui.td} ${stacked.cell} ${stacked.line}`}>
          <div className="flex flex-wrap gap-1">
            <button type="button" className={ui.button} onClick={() => onEdit(remote)}>
              Edit {name}
            </button>
            <button
              type="button"
              className={ui.button}
              disabled={busy}
              onClick={() => void run(call('updateRemote', { name }, { host: remote.host, enabled: !remote.enabled }), changed)}
            >
              {remote.enabled ? 'Disable' : 'Enable'} {name}
            </button>
            <ConfirmDeleteButton
              label={`Delete ${name}`}
              disabled={busy}
              question={() => deletionQuestion(name, status.points)}
              onConfirm={() => run(call('deleteRemote', { name }), deleted)}
            />
          </div>
        </td>
      </tr>
      {error && (
        <tr className={stacked.row}>
          <td colSpan={columns} className={`${ui.td} ${stacked.cell} ${stacked.line}`}>
            <FormAlert error={error} />
          </td>
        </tr>
      )}
    </>
  );
}
