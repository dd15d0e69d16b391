/** One card per remote: online or not (in words), last change, points, clock, last error. */
import type { RemoteView } from '@riohub/hub-api';
import { formatAge, useNow } from '../../components/use-now';
import { pointKey, useHub } from '../../store';

export function OverviewPage() {
  const remotes = useHub((s) => s.remotes);
  const online = remotes.filter((remote) => remote.status.connection === 'online').length;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title" className="text-lg font-semibold">
        Overview
      </h1>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-400" role="status">
        {online} of {remotes.length} remotes online
      </p>
      {remotes.length === 0 && <p>No remotes yet: add one in Settings.</p>}
      <ul className="grid grid-cols-[repeat(auto-fill,minmax(16rem,1fr))] gap-3">
        {remotes.map((remote) => (
          <RemoteCard key={remote.name} remote={remote} />
        ))}
      </ul>
    </section>
  );
}

function RemoteCard({ remote }: { remote: RemoteView }) {
  const now = useNow();
  const lastChange = useHub((s) => s.lastChange.get(remote.name));
  const points = useHub((s) => s.counts.get(remote.name) ?? 0);
  const alarm = useHub((s) => s.points.get(pointKey('hub', `${remote.name}.time.alarm`))?.value);
  const { status } = remote;
  const online = status.connection === 'online';
  return (
    <li aria-label={remote.name} className={`rounded border p-3 ${online ? 'border-slate-200 dark:border-slate-800' : 'border-red-400 dark:border-red-700'}`}>
      <div className="flex items-baseline justify-between">
        <h2 className="font-semibold">{remote.name}</h2>
        <span className={`text-sm font-medium ${online ? 'text-green-700 dark:text-green-400' : 'text-red-700 dark:text-red-400'}`}>{status.connection}</span>
      </div>
      <dl className="mt-2 grid grid-cols-2 gap-x-2 text-sm">
        <dt className="text-slate-500">Last change</dt>
        <dd>{lastChange ? `${formatAge(now - lastChange)} ago` : '—'}</dd>
        <dt className="text-slate-500">Datapoints</dt>
        <dd>{points}</dd>
        {status.clockDelta !== undefined && (
          <>
            <dt className="text-slate-500">Clock</dt>
            <dd>
              {status.clockDelta > 0 ? '+' : ''}
              {status.clockDelta} s{alarm === '1' && <strong className="ml-1 text-red-700 dark:text-red-400">clock alarm</strong>}
            </dd>
          </>
        )}
      </dl>
      {status.error && status.connection !== 'online' && (
        <p className="mt-2 text-sm text-red-700 dark:text-red-400">
          {status.error.code}: {status.error.message}
        </p>
      )}
    </li>
  );
}
