/**
 * The audit (admins): who did which admin action, from where, when, on what, and what changed;
 * filtered on the hub (the filter is in the URL and in the CSV link), newest first, older pages on
 * request. It fits a tablet: long values wrap instead of widening the table.
 */
import { describeAuditChange, routeUrl, type AuditRecord } from '@riohub/hub-api';
import { useEffect, useRef, useState } from 'react';
import { call } from '../../api/http';
import { stacked } from '../../components/stacked-table';
import { LocalTime } from '../../components/times';
import { useSearchParam } from '../../components/use-search-param';
import { ui } from '../settings/ui';

/** Records per request: the newest page is refreshed, older ones are loaded on request. */
const PAGE = 200;
const REFRESH_MS = 5_000;

export function AuditPage() {
  const [filterText, setFilterText] = useSearchParam('filter');
  const filter = filterText ?? '';
  const [records, setRecords] = useState<AuditRecord[]>();
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string>();

  // Older pages were loaded for this filter: a refresh of the newest page keeps them and their "more".
  const olderLoaded = useRef(false);

  useEffect(() => {
    let current = true;
    let first = true;
    olderLoaded.current = false;
    const load = async () => {
      const result = await call('audit', { limit: PAGE, filter: filter || undefined });
      if (!current) return;
      if (!result.ok) return setError(result.error.message);
      setError(undefined);
      const page = result.data;
      const oldest = page.at(-1)?.id ?? 0;
      // A new filter's first page replaces the table (what was shown until then stays meanwhile);
      // a refresh replaces what the newest page covers, and older pages loaded below it stay.
      const replace = first;
      first = false;
      setRecords((shown) => (replace ? page : [...page, ...(shown ?? []).filter((record) => record.id < oldest)]));
      if (!olderLoaded.current) setMore(page.length === PAGE);
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [filter]);

  async function showOlder() {
    const last = records?.at(-1);
    if (!last) return;
    const result = await call('audit', { limit: PAGE, before: last.id, filter: filter || undefined });
    if (!result.ok) return setError(result.error.message);
    olderLoaded.current = true;
    setRecords((shown) => [...(shown ?? []), ...result.data.filter((record) => record.id < last.id)]);
    setMore(result.data.length === PAGE);
  }

  return (
    <section aria-labelledby="audit-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="audit-title" className="text-lg font-semibold">
          Audit
        </h1>
        <label className="flex max-w-full min-w-0 items-center gap-2 text-sm">
          Filter
          <input value={filter} onChange={(e) => setFilterText(e.target.value || null)} className={`${ui.input} w-56 min-w-0`} />
        </label>
        <a className={`${ui.button} ml-auto`} href={routeUrl('auditCsv', { filter: filter || undefined })} download>
          Download CSV
        </a>
      </div>
      {error && (
        <p role="alert" className={ui.alert}>
          {error}
        </p>
      )}
      {records === undefined && !error && <p>Loading the audit…</p>}
      {records?.length === 0 && <p>{filter ? 'No admin action matches the filter.' : 'No admin action yet.'}</p>}
      {records && records.length > 0 && <AuditTable records={records} />}
      {more && (
        <button type="button" className={`${ui.button} self-start`} onClick={() => void showOlder()}>
          Show older
        </button>
      )}
    </section>
  );
}

function AuditTable({ records }: { records: AuditRecord[] }) {
  // Names, addresses, fingerprints and filters may be long without a space: they break anywhere
  // rather than widen the page, and the short columns keep a width that fits their usual values.
  // On a phone each record is a card: when, who and from where on a line, then the action and
  // its target, then what changed.
  const cell = `${ui.td} ${stacked.cell} wrap-anywhere`;
  const short = `${cell} min-w-16`;
  return (
    <table className={`${ui.table} ${stacked.table}`} aria-label="Admin actions">
      <thead className={stacked.head}>
        <tr>
          <th className={ui.th}>When</th>
          <th className={ui.th}>Who</th>
          <th className={ui.th}>From</th>
          <th className={ui.th}>Action</th>
          <th className={ui.th}>Target</th>
          <th className={ui.th}>What changed</th>
        </tr>
      </thead>
      <tbody className={stacked.body}>
        {records.map((record) => (
          <tr key={record.id} className={stacked.row}>
            <td className={`${ui.td} ${stacked.cell} tabular-nums`}>
              <LocalTime ms={record.at} withDate />
            </td>
            <td className={short}>{record.user}</td>
            <td className={`${cell} min-w-24 font-mono text-xs`}>{record.address}</td>
            <td className={`${ui.td} ${stacked.cell} font-mono text-xs whitespace-nowrap`}>{record.action}</td>
            <td className={short}>{record.target}</td>
            <td className={`${cell} ${stacked.line}`}>
              {record.outcome === 'refused' && <p className="font-medium text-red-700 dark:text-red-400">refused: {record.error}</p>}
              {record.changes.length > 0 && (
                <ul className="flex flex-wrap gap-x-3">
                  {record.changes.map((change) => (
                    <li key={change.field}>{describeAuditChange(change)}</li>
                  ))}
                </ul>
              )}
              {record.outcome === 'done' && record.changes.length === 0 && <span className="text-slate-500 dark:text-slate-400">no change</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
