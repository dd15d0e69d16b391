/**
 * The merged tree: grouped by remote, then by device prefix, filtered by a search kept in the URL.
 * Only the rows on screen are rendered, and each row selects its own point, so one change
 * re-renders one row however many thousands are listed.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef } from 'react';
import { useSearchParam } from '../../components/use-search-param';
import { controlKind, PointControl } from '../../components/PointControl';
import { StaleBadge, useStaleReason } from '../../components/stale';
import { formatAge, useNow } from '../../components/use-now';
import { useHub, type PointKey } from '../../store';

type Row = { type: 'remote'; remote: string } | { type: 'group'; group: string } | { type: 'point'; key: PointKey };

const ROW_HEIGHT = { remote: 36, group: 28, point: 40 };

function nameOf(key: PointKey): string {
  return key.slice(key.indexOf(':') + 1);
}

/**
 * The device class a name belongs to: the name up to its first numbered segment
 * (`lobby.dummy.autom.1.pos` → `lobby.dummy.autom`), else the name less its last segment.
 * So a device's sub-points (`.pos`) stay with their siblings, however deep hubs nest prefixes.
 */
function deviceGroup(name: string): string {
  const segments = name.split('.');
  const numbered = segments.findIndex((segment, index) => index > 0 && /^[0-9]+$/.test(segment));
  return segments.slice(0, numbered > 0 ? numbered : -1).join('.');
}

/** Headers before each new remote and device class. */
function buildRows(keys: PointKey[], query: string): Row[] {
  const needle = query.trim().toLowerCase();
  const rows: Row[] = [];
  let remote = '';
  let group = '';
  for (const key of keys) {
    if (key.startsWith('ui:')) continue;
    const name = nameOf(key);
    if (needle && !name.toLowerCase().includes(needle)) continue;
    const pointRemote = name.slice(0, name.indexOf('.'));
    const pointGroup = deviceGroup(name);
    if (pointRemote !== remote) {
      rows.push({ type: 'remote', remote: pointRemote });
      remote = pointRemote;
      group = '';
    }
    if (pointGroup !== group && pointGroup !== pointRemote) {
      rows.push({ type: 'group', group: pointGroup });
      group = pointGroup;
    }
    rows.push({ type: 'point', key });
  }
  return rows;
}

export function DatapointsPage() {
  const keys = useHub((s) => s.keys);
  const [search, setSearch] = useSearchParam('q');
  const query = search ?? '';
  const rows = useMemo(() => buildRows(keys, query), [keys, query]);
  // Counted once per list: the page re-renders on every scroll event, and the list may be 50,000 rows.
  const shown = useMemo(() => rows.reduce((n, row) => n + (row.type === 'point' ? 1 : 0), 0), [rows]);
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- its functions are used in this render only, never memoized
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => ROW_HEIGHT[(rows[index] as Row).type],
    overscan: 10,
  });

  return (
    <section aria-labelledby="datapoints-title" className="flex h-[calc(100vh-7rem)] flex-col">
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <h1 id="datapoints-title" className="text-lg font-semibold">
          Datapoints
        </h1>
        <label className="flex items-center gap-2 text-sm">
          Search
          <input
            type="search"
            value={query}
            onChange={(e) => setSearch(e.target.value || null)}
            placeholder="name contains…"
            className="w-72 rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
        <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
          {shown} datapoints
        </span>
      </div>
      <div ref={scroller} className="flex-1 overflow-auto rounded border border-slate-200 dark:border-slate-800" role="list" aria-label="Datapoints">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index] as Row;
            return (
              <div key={item.key} role="listitem" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                {row.type === 'remote' && <h2 className="bg-slate-100 px-3 py-2 text-sm font-semibold dark:bg-slate-900">{row.remote}</h2>}
                {row.type === 'group' && <h3 className="px-3 py-1 text-xs font-medium text-slate-500">{row.group}</h3>}
                {row.type === 'point' && <PointRow pointKey={row.key} />}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

// Memoized: the page re-renders its rows on every scroll event; a row itself re-renders only when
// its point (or the user's role, or its device) changes.
const PointRow = memo(function PointRow({ pointKey }: { pointKey: PointKey }) {
  const point = useHub((s) => s.points.get(pointKey));
  const role = useHub((s) => s.user?.role);
  const params = useHub((s) => (point ? deviceParams(s.devices, point.name) : undefined));
  const now = useNow(5000);
  const staleReason = useStaleReason(point);
  if (!point) return null;
  const control = role === 'viewer' ? undefined : controlKind(params, point.kind);
  const stale = staleReason !== undefined;
  return (
    <div className={`flex h-full items-center gap-3 border-b border-slate-100 px-3 text-sm dark:border-slate-900 ${stale ? 'opacity-60' : ''}`}>
      {/* Fixed columns after a name that takes the rest: values and ages line up at any width. */}
      <span className="max-w-96 min-w-0 flex-1 truncate font-mono text-xs" title={point.name}>
        {point.name}
      </span>
      <span className="w-28 shrink-0 truncate tabular-nums" aria-label={`Value of ${point.name}`}>
        {point.value === '' ? '""' : point.value}
      </span>
      <span className="flex w-24 shrink-0 items-center gap-1 text-xs text-slate-500">
        {formatAge(now - point.changedAt)}
        {staleReason !== undefined && <StaleBadge name={point.name} reason={staleReason} />}
      </span>
      {role !== 'viewer' && <div className="min-w-48 shrink-0">{control && <PointControl point={point} control={control} staleReason={staleReason} />}</div>}
    </div>
  );
});

/** A shutter's position point (`….pos`) is not the shutter: only exact device names get controls. */
function deviceParams(devices: Map<string, string[]>, name: string): string[] | undefined {
  return devices.get(name);
}
