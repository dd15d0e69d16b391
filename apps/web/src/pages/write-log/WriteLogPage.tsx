/** Who wrote what, when, from which value to which, and how it went; filterable. */
import type { WriteRecord } from '@riohub/hub-api';
import { useEffect, useState } from 'react';
import { useSearchParam } from '../../components/use-search-param';
import { api } from '../../api/http';

export function WriteLogPage() {
  const [records, setRecords] = useState<WriteRecord[]>([]);
  const [error, setError] = useState<string>();
  const [filterText, setFilterText] = useSearchParam('filter');
  const filter = (filterText ?? '').toLowerCase();

  useEffect(() => {
    const load = () =>
      void api<WriteRecord[]>('GET', '/api/writes?limit=500').then((result) => (result.ok ? setRecords(result.data) : setError(result.error.message)));
    load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, []);

  const shown = records.filter((r) => !filter || [r.name, r.user, r.status, r.newValue].some((field) => field.toLowerCase().includes(filter)));
  return (
    <section aria-labelledby="writes-title">
      <div className="mb-2 flex items-center gap-3">
        <h1 id="writes-title" className="text-lg font-semibold">
          Write log
        </h1>
        <label className="flex items-center gap-2 text-sm">
          Filter
          <input value={filterText ?? ''} onChange={(e) => setFilterText(e.target.value || null)} className="w-64 rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900" />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      <table className="w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 dark:border-slate-800">
            <th className="py-1">When</th>
            <th>User</th>
            <th>Point</th>
            <th>Old</th>
            <th>New</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((record) => (
            <tr key={record.id} className="border-b border-slate-100 dark:border-slate-900">
              <td className="py-1 tabular-nums">{new Date(record.at).toLocaleString()}</td>
              <td>{record.user}</td>
              <td className="font-mono text-xs">{record.name}</td>
              <td>{record.oldValue ?? '—'}</td>
              <td>{record.newValue}</td>
              <td>
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
