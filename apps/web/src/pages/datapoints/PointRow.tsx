/**
 * One datapoint's row: its whole name (wrapped, on a line of its own on a phone), its value, age
 * and staleness, and its control, or why it has none. Memoized and selecting only its own point:
 * one change re-renders one row.
 */
import { memo } from 'react';
import { controlKind, PointControl } from '../../components/PointControl';
import { StaleBadge, useStaleReason } from '../../components/stale';
import { formatAge, useNow } from '../../components/use-now';
import { useHub, type PointKey } from '../../store';

export const PointRow = memo(function PointRow({ pointKey }: { pointKey: PointKey }) {
  const point = useHub((s) => s.points.get(pointKey));
  const role = useHub((s) => s.user?.role);
  // A shutter's position point (`….pos`) is not the shutter: only exact device names get controls.
  const params = useHub((s) => (point ? s.devices.get(point.name) : undefined));
  const now = useNow(5000);
  const staleReason = useStaleReason(point);
  if (!point) return null;
  const control = role === 'viewer' ? undefined : controlKind(params, point);
  const stale = staleReason !== undefined;
  return (
    <div
      className={`flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-100 px-3 py-1.5 text-sm sm:min-h-10 sm:flex-nowrap sm:py-1 dark:border-slate-900 ${stale ? 'opacity-60' : ''}`}
    >
      {/* The whole name, wrapped where it must; fixed columns after it line values and ages up. */}
      <span className="basis-full font-mono text-xs break-all sm:max-w-96 sm:min-w-0 sm:flex-1 sm:basis-auto">{point.name}</span>
      <span className="min-w-0 flex-1 truncate tabular-nums sm:w-28 sm:flex-none sm:shrink-0" aria-label={`Value of ${point.name}`} title={point.value}>
        {point.value === '' ? '""' : point.value}
      </span>
      <span className="flex shrink-0 items-center gap-1 text-xs text-slate-500 sm:w-24">
        {formatAge(now - point.changedAt)}
        {stale && <StaleBadge name={point.name} reason={staleReason} />}
      </span>
      {point.readOnly !== undefined ? (
        <span className="shrink-0 text-xs text-slate-500 sm:min-w-48" title={point.readOnly}>
          read only<span className="sr-only">: {point.readOnly}</span>
        </span>
      ) : (
        role !== 'viewer' && <div className="min-w-0 sm:min-w-48 sm:shrink-0">{control && <PointControl point={point} control={control} staleReason={staleReason} />}</div>
      )}
    </div>
  );
});
