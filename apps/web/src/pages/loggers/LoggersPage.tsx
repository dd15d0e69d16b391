/**
 * Replicated data loggers: a table of every logger (live, from the socket), then one chart
 * per logger. The interval is chosen once for the page, so every chart covers the same window and
 * their time axes line up; the URL keeps the interval and the logger shown (`?logger=&interval=`).
 */
import { useMemo, useState } from 'react';
import { useHub } from '../../store';
import { ui } from '../settings/ui';
import { LoggerChart } from './LoggerChart';
import { LoggerTable } from './LoggerTable';
import { CHART_INTERVALS, isChartInterval, windowEndingAt, type ChartInterval } from './logger-series';
import { useSearchParam } from '../../components/use-search-param';

export function LoggersPage() {
  const loggers = useHub((s) => s.loggers);
  const mergeLogger = useHub((s) => s.mergeLogger);
  const [intervalParam, setIntervalParam] = useSearchParam('interval');
  const interval: ChartInterval = isChartInterval(intervalParam) ? intervalParam : 'hour';
  const [selectedParam, setSelected] = useSearchParam('logger');
  const selected = selectedParam ?? '';
  // Windows end at the time of the last refresh, not at every render: a chart and its CSV link
  // then ask for the same range until the operator refreshes.
  const [windowEnd, setWindowEnd] = useState(() => Date.now());
  const timeWindow = useMemo(() => windowEndingAt(interval, windowEnd), [interval, windowEnd]);

  const charted = (loggers ?? []).filter((logger) => !selected || logger.id === selected);
  return (
    <section aria-labelledby="loggers-title" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="loggers-title" className="text-lg font-semibold">
          Loggers
        </h1>
        {loggers && (
          <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
            {loggers.length} loggers
          </span>
        )}
      </div>
      {loggers === undefined && <p>Loading the loggers…</p>}
      {loggers?.length === 0 && <p>No remote replicates its data loggers: list their ids in a remote's dataloggers option in Settings.</p>}
      {loggers && loggers.length > 0 && (
        <>
          <LoggerTable loggers={loggers} onChanged={mergeLogger} />
          <div className="flex flex-wrap items-end gap-4">
            <fieldset className="flex flex-wrap items-center gap-3">
              <legend className={`${ui.label} mb-1`}>Interval</legend>
              {CHART_INTERVALS.map((choice) => (
                <label key={choice.value} className="flex items-center gap-1 text-sm">
                  <input
                    type="radio"
                    name="interval"
                    value={choice.value}
                    checked={interval === choice.value}
                    onChange={() => {
                      setWindowEnd(Date.now());
                      setIntervalParam(choice.value);
                    }}
                    className={ui.checkbox}
                  />
                  {choice.label}
                </label>
              ))}
            </fieldset>
            <label className="flex flex-col gap-1 text-sm">
              <span className={ui.label}>Logger</span>
              <select value={selected} onChange={(e) => setSelected(e.target.value || null)} className={ui.input}>
                <option value="">All loggers</option>
                {loggers.map((logger) => (
                  <option key={logger.id} value={logger.id}>
                    {logger.id}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className={ui.button} onClick={() => setWindowEnd(Date.now())}>
              Refresh
            </button>
            <p className={ui.help}>Drag across a chart to zoom in; times are UTC, as the hub's days and months are.</p>
          </div>
          {selected && charted.length === 0 && <p>No logger named {selected}.</p>}
          <div className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,36rem),1fr))] gap-4">
            {charted.map((logger) => (
              <LoggerChart key={logger.id} logger={logger} interval={interval} timeWindow={timeWindow} refreshedAt={windowEnd} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
