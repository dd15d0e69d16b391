/** Every replicated logger in one table: where it comes from, what it measures, its last sample, how replication stands. */
import type { LoggerView } from '@riohub/hub-api';
import { formatAge, useNow } from '../../components/use-now';
import { ui } from '../settings/ui';
import { formatValue } from './logger-series';
import { RetentionCell } from './RetentionCell';

export function LoggerTable({ loggers, onChanged }: { loggers: LoggerView[]; onChanged(view: LoggerView): void }) {
  const now = useNow();
  return (
    // A narrow screen scrolls the table, not the page.
    <div className="overflow-x-auto">
      <table className={ui.table} aria-label="Replicated loggers">
        <thead>
          <tr>
            <th className={ui.th}>Logger</th>
            <th className={ui.th}>Remote</th>
            <th className={ui.th}>Type, unit</th>
            <th className={ui.th}>Last sample</th>
            <th className={ui.th}>Samples</th>
            <th className={ui.th}>Replication</th>
            <th className={ui.th}>Kept</th>
          </tr>
        </thead>
        <tbody>
          {loggers.map((logger) => (
            <tr key={logger.id}>
              <td className={`${ui.td} font-mono`}>{logger.id}</td>
              <td className={ui.td}>{logger.remote}</td>
              <td className={ui.td}>
                {logger.type}
                {logger.unit && `, ${logger.unit}`}
              </td>
              <td className={`${ui.td} tabular-nums`}>
                {logger.lastSample ? (
                  <>
                    {formatValue(logger.lastSample[1])} {logger.unit},{' '}
                    <time dateTime={new Date(logger.lastSample[0]).toISOString()} title={new Date(logger.lastSample[0]).toLocaleString()}>
                      {formatAge(now - logger.lastSample[0])} ago
                    </time>
                  </>
                ) : (
                  'none yet'
                )}
              </td>
              <td className={`${ui.td} tabular-nums`}>{logger.samples.toLocaleString()}</td>
              <td className={ui.td}>
                <ReplicationState logger={logger} />
              </td>
              <td className={ui.td}>
                <RetentionCell logger={logger} onChanged={onChanged} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReplicationState({ logger }: { logger: LoggerView }) {
  switch (logger.replication) {
    case 'up to date':
      return <span className="text-green-700 dark:text-green-400">up to date</span>;
    case 'catching up':
      return <span className="text-amber-700 dark:text-amber-300">catching up</span>;
    case 'failing':
      return (
        <span role="alert" className="inline-block rounded border border-red-300 bg-red-50 px-2 py-0.5 font-medium text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          failing: {logger.error ?? 'no reason given'}
        </span>
      );
  }
}
