/** Every replicated logger in one table: where it comes from, what it measures, its last sample, how replication stands. */
import type { LoggerView } from '@riohub/hub-api';
import { UtcTime } from '../../components/times';
import { formatAge, useNow } from '../../components/use-now';
import { stacked } from '../../components/stacked-table';
import { ui } from '../settings/ui';
import { formatValue } from './logger-series';
import { RetentionCell } from './RetentionCell';

export function LoggerTable({ loggers, onChanged }: { loggers: LoggerView[]; onChanged(view: LoggerView): void }) {
  const now = useNow();
  const cell = `${ui.td} ${stacked.cell} wrap-anywhere`;
  return (
    // A tablet scrolls the table, not the page, should it not fit; a phone shows a card per logger.
    <div className="overflow-x-auto">
      <table className={`${ui.table} ${stacked.table}`} aria-label="Replicated loggers">
        <thead className={stacked.head}>
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
        <tbody className={stacked.body}>
          {loggers.map((logger) => (
            <tr key={logger.id} className={stacked.row}>
              <td className={`${cell} ${stacked.line} font-mono max-sm:font-semibold`}>{logger.id}</td>
              <td className={`${cell} ${stacked.labelled}`} data-label="Remote">
                {logger.remote}
              </td>
              <td className={cell}>
                {logger.type}
                {logger.unit && `, ${logger.unit}`}
              </td>
              <td className={`${cell} ${stacked.labelled} tabular-nums`} data-label="Last sample">
                {logger.lastSample ? (
                  <>
                    {formatValue(logger.lastSample[1])} {logger.unit} at <UtcTime ms={logger.lastSample[0]} /> ({formatAge(now - logger.lastSample[0])} ago)
                  </>
                ) : (
                  'none yet'
                )}
              </td>
              <td className={`${cell} ${stacked.labelled} tabular-nums`} data-label="Samples">
                {logger.samples.toLocaleString()}
              </td>
              <td className={`${cell} ${stacked.line}`}>
                <ReplicationState logger={logger} />
              </td>
              <td className={`${cell} ${stacked.line} ${stacked.labelled}`} data-label="Kept">
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
