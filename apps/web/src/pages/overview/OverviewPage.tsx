/**
 * The fleet at a glance: remotes that need attention first (offline, failing, disabled), then by
 * name; a filter by status and a search by name, both kept in the URL. Each remote is a region
 * named by it: online or not, since when it is down and when it is tried next, its point count,
 * clock and why it fails.
 */
import { compareRemotes, fleetState, type FleetState, type RemoteView } from '@riohub/hub-api';
import { useId, useMemo } from 'react';
import { useSearchParam } from '../../components/use-search-param';
import { formatAge, useNow } from '../../components/use-now';
import { pointKey, useHub } from '../../store';
import { ui } from '../settings/ui';
import { OfflineTimes, RemoteErrorText, RetryButton } from './remote-status';

const FILTERS: { value: FleetState | 'all'; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'offline', label: 'Offline' },
  { value: 'failing', label: 'Failing' },
  { value: 'disabled', label: 'Disabled' },
  { value: 'online', label: 'Online' },
];

const STATE_COLORS: Record<FleetState, string> = {
  online: 'text-green-700 dark:text-green-400',
  offline: 'text-red-700 dark:text-red-400',
  failing: 'text-amber-700 dark:text-amber-300',
  disabled: 'text-slate-600 dark:text-slate-400',
};

/** At most this many names in the summary line; more are counted. */
const NAMED = 5;

function named(label: string, names: string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, NAMED).join(', ');
  return `; ${label}: ${shown}${names.length > NAMED ? ` and ${names.length - NAMED} more` : ''}`;
}

/** `2 of 4 remotes online; offline: bravo; disabled: delta`, in the fleet's order. */
function summary(sorted: RemoteView[]): string {
  const by = (state: FleetState) => sorted.filter((remote) => fleetState(remote) === state).map((remote) => remote.name);
  const online = sorted.filter((remote) => remote.status.connection === 'online').length;
  return `${online} of ${sorted.length} remotes online${named('offline', by('offline'))}${named('failing', by('failing'))}${named('disabled', by('disabled'))}`;
}

export function OverviewPage() {
  const remotes = useHub((s) => s.remotes);
  const [statusParam, setStatus] = useSearchParam('status');
  const [search, setSearch] = useSearchParam('q');
  const status = FILTERS.some((filter) => filter.value === statusParam) ? (statusParam as FleetState) : 'all';
  const needle = (search ?? '').trim().toLowerCase();
  const sorted = useMemo(() => [...remotes].sort(compareRemotes), [remotes]);
  const shown = sorted.filter((remote) => (status === 'all' || fleetState(remote) === status) && remote.name.toLowerCase().includes(needle));
  return (
    <section aria-labelledby="overview-title" className="min-w-0">
      <h1 id="overview-title" className="text-lg font-semibold">
        Overview
      </h1>
      <p className="mb-3 text-sm wrap-anywhere text-slate-600 dark:text-slate-400" role="status">
        {summary(sorted)}
      </p>
      {remotes.length === 0 ? (
        <p>No remotes yet: add one in Settings.</p>
      ) : (
        <div className="mb-4 flex flex-wrap items-end gap-3">
          <label className="flex flex-col gap-1 text-sm">
            <span className={ui.label}>Status</span>
            <select value={status} onChange={(e) => setStatus(e.target.value === 'all' ? null : e.target.value)} className={ui.input}>
              {FILTERS.map((filter) => (
                <option key={filter.value} value={filter.value}>
                  {filter.label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex min-w-0 flex-col gap-1 text-sm">
            <span className={ui.label}>Search</span>
            <input
              type="search"
              aria-label="Search remotes"
              value={search ?? ''}
              onChange={(e) => setSearch(e.target.value || null)}
              placeholder="name contains…"
              className={`${ui.input} w-64 max-w-full min-w-0`}
            />
          </label>
          {shown.length < sorted.length && (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              {shown.length} of {sorted.length} shown
            </p>
          )}
        </div>
      )}
      {remotes.length > 0 && shown.length === 0 && <p>No remote matches.</p>}
      <ul aria-label="Remotes" className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,18rem),1fr))] gap-3">
        {shown.map((remote) => (
          <RemoteCard key={remote.name} remote={remote} />
        ))}
      </ul>
    </section>
  );
}

function RemoteCard({ remote }: { remote: RemoteView }) {
  const headingId = useId();
  const now = useNow();
  const lastChange = useHub((s) => s.lastChange.get(remote.name));
  const alarm = useHub((s) => s.points.get(pointKey('hub', `${remote.name}.time.alarm`))?.value);
  const { status } = remote;
  const state = fleetState(remote);
  const online = status.connection === 'online';
  return (
    // Named as a list item too, for the specs and tools that find a remote's card by its item.
    <li aria-label={remote.name} className="min-w-0">
      <section
        aria-labelledby={headingId}
        className={`flex h-full flex-col gap-2 rounded border p-3 ${state === 'online' ? 'border-slate-200 dark:border-slate-800' : state === 'disabled' ? 'border-slate-300 border-dashed dark:border-slate-700' : 'border-red-400 dark:border-red-700'}`}
      >
        <div className="flex flex-wrap items-baseline justify-between gap-x-2">
          <h2 id={headingId} className="min-w-0 font-semibold wrap-anywhere">
            {remote.name}
          </h2>
          <span className={`text-sm font-medium ${STATE_COLORS[state]}`}>{status.connection}</span>
        </div>
        <OfflineTimes status={status} />
        <dl className="grid grid-cols-[max-content_1fr] gap-x-3 text-sm">
          {online && (
            <>
              <dt className="text-slate-500">Last change</dt>
              <dd>{lastChange ? `${formatAge(now - lastChange)} ago` : '—'}</dd>
            </>
          )}
          <dt className="text-slate-500">Points</dt>
          <dd aria-label={`Points of ${remote.name}`} className="tabular-nums">
            {status.points}
          </dd>
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
        {status.error && !online && (
          <div className="text-sm text-red-700 dark:text-red-400">
            <RemoteErrorText error={status.error} />
          </div>
        )}
        {status.connection === 'offline' && <RetryButton name={remote.name} className={`${ui.button} self-start`} />}
      </section>
    </li>
  );
}
