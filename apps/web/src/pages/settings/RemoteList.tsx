/**
 * The remote entries as a table, in the Overview's order (offline, failing, disabled, then online;
 * by name within each); their status stays current through the socket.
 */
import { compareRemotes, type RemoteView } from '@riohub/hub-api';
import { useMemo } from 'react';
import { stacked } from '../../components/stacked-table';
import { RemoteRow } from './RemoteRow';
import { ui } from './ui';

const COLUMNS = ['Name', 'Address', 'TLS', 'Enabled', 'Status', 'Points', 'Problem', 'Actions'];

export function RemoteList({ remotes, onEdit }: { remotes: RemoteView[]; onEdit(remote: RemoteView): void }) {
  const sorted = useMemo(() => [...remotes].sort(compareRemotes), [remotes]);
  if (sorted.length === 0) return <p className="text-sm text-slate-600 dark:text-slate-400">No remotes yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className={`${ui.table} ${stacked.table}`} aria-label="Remotes">
        <thead className={stacked.head}>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className={ui.th}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={stacked.body}>
          {sorted.map((remote) => (
            <RemoteRow key={remote.name} remote={remote} onEdit={onEdit} columns={COLUMNS.length} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
