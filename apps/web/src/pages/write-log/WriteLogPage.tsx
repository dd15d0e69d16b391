/**
 * Who wrote what, through what (the dashboard, the REST API, the hub's Remote I/O API, MQTT), when,
 * from which value to which, and how it went; filterable. It fits a phone:
 * long names and values wrap instead of widening the table, and each record is a card there.
 */
import type { WriteRecord, WriteVia } from '@riohub/hub-api';
import { useEffect, useState } from 'react';
import { useSearchParam } from '../../components/use-search-param';
import { call } from '../../api/http';
import { stacked } from '../../components/stacked-table';
import { LocalTime, localZone } from '../../components/times';

/** How each way in is named on the page. */
const VIA_LABELS: Record<WriteVia, string> = { dashboard: 'dashboard', rest: 'REST API', 'remote-io': 'Remote I/O API', mqtt: 'MQTT' };

export function WriteLogPage() {
  const [records, setRecords] = useState<WriteRecord[]>([]);
  const [error, setError] = useState<string>();
  const [filterText, setFilterText] = useSearchParam('filter');
  const filter = (filterText ?? '').toLowerCase();

  useEffect(() => {
    // A refresh that fails says so until one succeeds again.
    const load = () =>
      void call('writeLog', { limit: 500 }).then((result) => {
        if (!result.ok) return setError(result.error.message);
        setRecords(result.data);
        setError(undefined);
      });
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, []);

  const shown = records.filter((r) => !filter || [r.name, r.user, VIA_LABELS[r.via], r.status, r.newValue].some((field) => field.toLowerCase().includes(filter)));
  const cell = `py-1 pr-2 align-top ${stacked.cell}`;
  return (
    <section aria-labelledby="writes-title">
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <h1 id="writes-title" className="text-lg font-semibold">
          Write log
        </h1>
        <label className="flex max-w-full min-w-0 items-center gap-2 text-sm">
          Filter
          <input
            value={filterText ?? ''}
            onChange={(e) => setFilterText(e.target.value || null)}
            className="w-64 min-w-0 rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">Times are in this browser's time zone, {localZone()}.</p>
      <table aria-labelledby="writes-title" className={`w-full text-left text-sm ${stacked.table}`}>
        <thead className={stacked.head}>
          <tr className="border-b border-slate-200 dark:border-slate-800">
            <th className="py-1 pr-2">When</th>
            <th className="pr-2">User</th>
            <th className="pr-2">Through</th>
            <th className="pr-2">Point</th>
            <th className="pr-2">Old</th>
            <th className="pr-2">New</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody className={stacked.body}>
          {shown.map((record) => (
            <tr key={record.id} className={`border-b border-slate-100 dark:border-slate-900 ${stacked.row}`}>
              <td className={`${cell} tabular-nums`}>
                <LocalTime ms={record.at} withDate />
              </td>
              <td className={`${cell} wrap-anywhere`}>{record.user}</td>
              <td className={`${cell} ${stacked.labelled}`} data-label="Through">
                {VIA_LABELS[record.via]}
              </td>
              <td className={`${cell} ${stacked.line} font-mono text-xs wrap-anywhere`}>{record.name}</td>
              <td className={`${cell} ${stacked.labelled} wrap-anywhere`} data-label="Old">
                {record.oldValue ?? '—'}
              </td>
              <td className={`${cell} ${stacked.labelled} wrap-anywhere`} data-label="New">
                {record.newValue}
              </td>
              <td className={`${cell} ${stacked.labelled} wrap-anywhere`} data-label="Result">
                {record.status}
                {record.error && <span className="ml-1 text-red-700 dark:text-red-400">{record.error}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
