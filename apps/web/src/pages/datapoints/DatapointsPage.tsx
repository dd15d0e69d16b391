/**
 * The merged tree: grouped by remote, then by device prefix, filtered by a search kept in the URL.
 * Only the rows on screen are rendered, each keyed by what it shows (a point's key, a header's
 * name), never by its position: a row's state cannot pass to another point when the search
 * changes. Rows are measured, so a name wrapped on a phone gets the height it needs.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useSearchParam } from '../../components/use-search-param';
import { useHub } from '../../store';
import { buildRows, rowKey, type Row } from './datapoint-rows';
import { PointRow } from './PointRow';

/** Estimates until a row is measured, exact on a wide screen; a phone's point rows take two lines or more. */
const ROW_HEIGHT = { remote: 36, group: 24, point: 40 };

export function DatapointsPage() {
  const keys = useHub((s) => s.keys);
  const synced = useHub((s) => s.synced);
  const [search, setSearch] = useSearchParam('q');
  const query = search ?? '';
  const rows = useMemo(() => buildRows(keys, query), [keys, query]);
  // Counted once per list: the page re-renders on every scroll event, and the list may be 50,000 rows.
  const shown = useMemo(() => rows.reduce((n, row) => n + (row.type === 'point' ? 1 : 0), 0), [rows]);
  const scroller = useRef<HTMLDivElement>(null);
  // Another search is another list: it opens at its first matches, not where the last one was scrolled to.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [query]);
  // Stable until the rows change: the virtualizer recomputes every row's position when it changes.
  const itemKey = useCallback((index: number) => rowKey(rows[index] as Row), [rows]);
  // eslint-disable-next-line react-hooks/incompatible-library -- its functions are used in this render only, never memoized
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (index) => ROW_HEIGHT[(rows[index] as Row).type],
    getItemKey: itemKey,
    overscan: 10,
  });

  return (
    <section aria-labelledby="datapoints-title" className="flex h-[calc(100vh-7rem)] min-w-0 flex-col">
      <div className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-2">
        <h1 id="datapoints-title" className="text-lg font-semibold">
          Datapoints
        </h1>
        {/* On a phone the search takes a line of its own, below the title and the count. */}
        <label className="order-last flex min-w-0 basis-full items-center gap-2 text-sm sm:order-none sm:basis-auto">
          Search
          <input
            type="search"
            value={query}
            onChange={(e) => setSearch(e.target.value || null)}
            placeholder="name contains…"
            className="w-full min-w-0 rounded border border-slate-300 px-2 py-1 sm:w-72 dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
        {/* Until the first snapshot, a count would claim an empty tree. */}
        <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
          {synced ? `${shown} datapoints` : 'Loading datapoints…'}
        </span>
      </div>
      <div
        ref={scroller}
        className="flex-1 overflow-x-hidden overflow-y-auto rounded border border-slate-200 dark:border-slate-800"
        role="list"
        aria-label="Datapoints"
        aria-busy={!synced}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index] as Row;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                role="listitem"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                {row.type === 'remote' && <h2 className="bg-slate-100 px-3 py-2 text-sm font-semibold dark:bg-slate-900">{row.remote}</h2>}
                {row.type === 'group' && <h3 className="px-3 py-1 text-xs font-medium break-all text-slate-500">{row.group}</h3>}
                {row.type === 'point' && <PointRow pointKey={row.key} />}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
