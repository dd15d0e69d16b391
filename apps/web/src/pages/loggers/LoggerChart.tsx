/**
 * One logger's chart: fetches its series for the page's interval and window (or for a zoomed part
 * of it, at a finer resolution when the zoom holds too few buckets), draws it, states its numbers
 * in words, and links the same query as CSV.
 */
import type { LoggerView, Result } from '@riohub/hub-api';
import { useEffect, useId, useMemo, useState } from 'react';
import { call } from '../../api/http';
import { Chart } from '../../components/Chart';
import { useColorScheme } from '../../components/use-color-scheme';
import { ui } from '../settings/ui';
import { loggerChartOptions, PALETTES } from './logger-chart-options';
import {
  alignWindow,
  chartColumns,
  chartDescription,
  formatValue,
  resolutionForZoom,
  seriesLayout,
  seriesPath,
  summarize,
  valueLabel,
  type ChartColumns,
  type ChartInterval,
  type Resolution,
  type Series,
  type TimeWindow,
  type WindowSummary,
} from './logger-series';

type Loaded = { path: string; series: Series } | { path: string; error: string };

interface LoggerChartProps {
  logger: LoggerView;
  interval: ChartInterval;
  timeWindow: TimeWindow;
  /** When the operator last asked for fresh data: the same path is fetched again (the last bucket grows). */
  refreshedAt: number;
}

export function LoggerChart({ logger, interval, timeWindow, refreshedAt }: LoggerChartProps) {
  const headingId = useId();
  const scheme = useColorScheme();
  // A zoom belongs to the window it was made in: a new interval or a refresh drops it.
  const [zoom, setZoom] = useState<{ of: TimeWindow; range: TimeWindow } | null>(null);
  const zoomed = zoom?.of === timeWindow ? zoom.range : null;
  const resolution: Resolution = zoomed ? resolutionForZoom(interval, zoomed) : interval;
  const shown = useMemo(() => (zoomed ? alignWindow(resolution, zoomed) : timeWindow), [zoomed, resolution, timeWindow]);
  const jsonPath = seriesPath(logger.id, resolution, shown, 'json');

  const [loaded, setLoaded] = useState<Loaded>();
  // A logger that had nothing stored when it was charted is charted again with its first samples.
  const hasSamples = logger.samples > 0;
  useEffect(() => {
    let current = true;
    const { from, to } = shown;
    const request: Promise<Result<Series>> =
      resolution === 'raw' ? call('samples', { id: logger.id, from, to }) : call('aggregates', { id: logger.id, interval: resolution, from, to });
    void request.then((result) => {
      if (current) setLoaded(result.ok ? { path: jsonPath, series: result.data } : { path: jsonPath, error: result.error.message });
    });
    return () => {
      current = false;
    };
  }, [jsonPath, shown, resolution, logger.id, refreshedAt, hasSamples]);

  const series = loaded && 'series' in loaded ? loaded.series : undefined;
  const { type, unit } = logger;
  const layout = seriesLayout(type, resolution);
  const palette = PALETTES[scheme];
  const options = useMemo(
    () => loggerChartOptions(layout, palette, valueLabel(type, unit, resolution), type === 'counter' ? 'Reading' : 'Value'),
    [layout, palette, type, unit, resolution],
  );
  // Until the series of this path arrives, the plot keeps an empty frame of the right shape; a
  // refresh of the same path keeps showing the last answer until the new one lands.
  const loading = loaded?.path !== jsonPath;
  const data = useMemo(() => (series && !loading ? chartColumns(series) : emptyColumns(layout)), [series, loading, layout]);
  const description = chartDescription(logger.id, type, unit, resolution);

  return (
    <article aria-labelledby={headingId} className="flex flex-col gap-2 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 id={headingId} className="font-mono text-base font-semibold">
          {logger.id}
        </h2>
        <span className="text-sm text-slate-600 dark:text-slate-400">
          {type} on {logger.remote}
          {unit && `, ${unit}`}
          {logger.lastSample && (
            <>
              ; last sample {formatValue(logger.lastSample[1])} {unit}
            </>
          )}
        </span>
        <div className="ml-auto flex gap-2">
          <button type="button" className={ui.button} disabled={!zoomed} onClick={() => setZoom(null)}>
            Reset zoom
          </button>
          <a className={ui.button} href={seriesPath(logger.id, resolution, shown, 'csv')} download>
            Download CSV
          </a>
        </div>
      </div>
      <Chart
        options={options}
        data={data}
        xRange={shown}
        label={description}
        selectionColor={palette.selection}
        onSelectX={(range) => setZoom({ of: timeWindow, range })}
      />
      <p className="text-sm" aria-live="polite">
        {loading ? 'Loading…' : loaded && 'error' in loaded ? <span className={ui.fieldError}>{loaded.error}</span> : series && <WindowText series={series} unit={unit} />}
        {zoomed && <span className="ml-2 text-slate-600 dark:text-slate-400">Zoomed to {formatWindow(shown)}: drag across the chart to zoom further.</span>}
      </p>
    </article>
  );
}

function WindowText({ series, unit }: { series: Series; unit: string }) {
  const summary: WindowSummary = summarize(series);
  const truncated = 'truncated' in series && series.truncated && <> Only the first {series.samples.length} samples are shown: zoom in for the rest.</>;
  switch (summary.kind) {
    case 'empty':
      return <>No samples in this window.</>;
    case 'consumption':
      return (
        <>
          Consumption in this window: <strong>{formatValue(summary.total)} {unit}</strong>.{truncated}
        </>
      );
    case 'range':
      return (
        <>
          In this window: minimum <strong>{formatValue(summary.min)} {unit}</strong>, maximum <strong>{formatValue(summary.max)} {unit}</strong>, average{' '}
          <strong>{formatValue(summary.average)} {unit}</strong>.{truncated}
        </>
      );
  }
}

function emptyColumns(layout: ReturnType<typeof seriesLayout>): ChartColumns {
  return layout === 'min-max-band' ? [[], [], [], []] : [[], []];
}

const UTC_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' });

function formatWindow(timeWindow: TimeWindow): string {
  return `${UTC_TIME.format(timeWindow.from)} – ${UTC_TIME.format(timeWindow.to)} UTC`;
}
