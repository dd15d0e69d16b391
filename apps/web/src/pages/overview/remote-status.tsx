/**
 * What the Overview and Settings both show of a remote's status: why it is down (the hub's
 * sentence, then the raw code on a details line), since when, when it is tried next, and
 * "Retry now" for admins.
 */
import type { ApiError, RemoteError, RemoteStatus } from '@riohub/hub-api';
import { useState } from 'react';
import { call } from '../../api/http';
import { formatAge, useNow } from '../../components/use-now';
import { LocalTime } from '../../components/times';
import { useHub } from '../../store';

export function RemoteErrorText({ error }: { error: RemoteError }) {
  return (
    <div className="min-w-0 wrap-anywhere">
      <p>{error.message}</p>
      <p className="mt-0.5 font-mono text-xs text-slate-600 dark:text-slate-400">
        Details: {error.code}
        {error.detail && `: ${error.detail}`}
      </p>
    </div>
  );
}

/** "Offline since 14:03:12 GMT+1" and "Next retry in 12 s", while it is offline. */
export function OfflineTimes({ status }: { status: RemoteStatus }) {
  const now = useNow();
  if (status.connection !== 'offline') return null;
  const wait = status.nextRetryAt === undefined ? 0 : status.nextRetryAt - now;
  return (
    <div className="text-sm">
      {status.offlineSince !== undefined && (
        <p>
          Offline since <LocalTime ms={status.offlineSince} /> <span className="text-slate-600 dark:text-slate-400">({formatAge(now - status.offlineSince)})</span>
        </p>
      )}
      <p>{wait >= 1000 ? `Next retry in ${formatAge(wait)}` : 'Next retry now'}</p>
    </div>
  );
}

/** Cuts the backoff of an offline remote short (admins); the status that follows comes through the socket. */
export function RetryButton({ name, className }: { name: string; className: string }) {
  const admin = useHub((s) => s.user?.role === 'admin');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  if (!admin) return null;
  async function retry() {
    setBusy(true);
    setError(undefined);
    const result = await call('retryRemote', { name });
    setBusy(false);
    // The remote's status comes over the socket, in order: the answer's view of it, taken as the
    // retry began, may arrive after the news that it is back online, and must not undo it.
    if (!result.ok) setError(result.error);
  }
  return (
    <div className="flex flex-col items-start gap-1">
      <button type="button" className={className} disabled={busy} onClick={() => void retry()}>
        Retry now<span className="sr-only"> ({name})</span>
      </button>
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {error.message}
        </p>
      )}
    </div>
  );
}
