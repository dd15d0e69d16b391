/**
 * What a logger chart asks the hub for and how it reads the answer: the interval choices, their
 * time windows (aligned to the hub's UTC buckets), the finer resolution a zoom calls for, the API
 * and CSV paths, and the totals shown as text beside the chart.
 */
import { routeUrl, type AggregateInterval, type AggregateSeries, type LoggerSample, type LoggerType, type RangeQuery, type RawSeries } from '@riohub/hub-api';

/** What the operator picks: an aggregate over a fixed window, or the raw samples. */
export type ChartInterval = 'hour' | 'day' | 'month' | 'raw';

/** What one request asks for: an aggregate bucket size, or raw samples. */
export type Resolution = AggregateInterval | 'raw';

export const CHART_INTERVALS: readonly { value: ChartInterval; label: string }[] = [
  { value: 'hour', label: 'Day by hour' },
  { value: 'day', label: 'Month by day' },
  { value: 'month', label: 'Year by month' },
  { value: 'raw', label: 'Raw' },
];

export function isChartInterval(value: string | null): value is ChartInterval {
  return CHART_INTERVALS.some((choice) => choice.value === value);
}

/** `[from, to)` in epoch ms: the hub's own range query, under the name the chart gives it. */
export type TimeWindow = RangeQuery;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Start of the UTC bucket that holds `time`. */
export function bucketStart(resolution: AggregateInterval, time: number): number {
  const date = new Date(time);
  switch (resolution) {
    case 'minute':
      return Math.floor(time / MINUTE) * MINUTE;
    case 'hour':
      return Math.floor(time / HOUR) * HOUR;
    case 'day':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
}

/** Start of the bucket after the one that holds `time`. */
function nextBucketStart(resolution: AggregateInterval, time: number): number {
  const start = bucketStart(resolution, time);
  if (resolution === 'month') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return start + { minute: MINUTE, hour: HOUR, day: DAY }[resolution];
}

/**
 * The window an interval shows, ending now. Aggregate windows end with the current bucket (which
 * is still filling) and hold whole buckets, so the first bar is never a partial one: the last 24
 * hours, 31 days or 12 months. Raw: the last 24 hours up to now.
 */
export function windowEndingAt(interval: ChartInterval, now: number): TimeWindow {
  switch (interval) {
    case 'raw':
      return { from: now - DAY, to: now };
    case 'hour': {
      const to = nextBucketStart('hour', now);
      return { from: to - 24 * HOUR, to };
    }
    case 'day': {
      const to = nextBucketStart('day', now);
      return { from: to - 31 * DAY, to };
    }
    case 'month': {
      const date = new Date(now);
      return { from: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 11, 1), to: nextBucketStart('month', now) };
    }
  }
}

/** From coarse to fine; a zoom steps along it. */
const FINER: Record<Resolution, Resolution | undefined> = { month: 'day', day: 'hour', hour: 'minute', minute: 'raw', raw: undefined };
const APPROXIMATE_LENGTH: Record<AggregateInterval, number> = { minute: MINUTE, hour: HOUR, day: DAY, month: 30 * DAY };

/** Fewer buckets than this across a zoomed window and the chart asks for a finer resolution. */
export const MIN_BUCKETS_WHEN_ZOOMED = 12;

/**
 * The resolution for a zoomed window: the coarsest, starting at the chosen interval, that still
 * shows at least MIN_BUCKETS_WHEN_ZOOMED buckets (down to raw samples). Raw stays raw.
 */
export function resolutionForZoom(interval: ChartInterval, zoom: TimeWindow): Resolution {
  let resolution: Resolution = interval;
  for (;;) {
    if (resolution === 'raw') return resolution;
    const finer: Resolution | undefined = FINER[resolution];
    if (!finer || (zoom.to - zoom.from) / APPROXIMATE_LENGTH[resolution] >= MIN_BUCKETS_WHEN_ZOOMED) return resolution;
    resolution = finer;
  }
}

/** A zoomed window widened to whole buckets, so the bars at its edges are whole too. */
export function alignWindow(resolution: Resolution, timeWindow: TimeWindow): TimeWindow {
  if (resolution === 'raw') return { from: Math.floor(timeWindow.from), to: Math.ceil(timeWindow.to) };
  const lastStart = bucketStart(resolution, timeWindow.to);
  return { from: bucketStart(resolution, timeWindow.from), to: lastStart === timeWindow.to ? timeWindow.to : nextBucketStart(resolution, timeWindow.to) };
}

/** The API path of a series (JSON), or of the same query as a CSV download. */
export function seriesPath(id: string, resolution: Resolution, timeWindow: TimeWindow, format: 'json' | 'csv'): string {
  const { from, to } = timeWindow;
  if (resolution === 'raw') return routeUrl(format === 'csv' ? 'samplesCsv' : 'samples', { id, from, to });
  return routeUrl(format === 'csv' ? 'aggregatesCsv' : 'aggregates', { id, interval: resolution, from, to });
}

export type Series = RawSeries | AggregateSeries;

/** Columns for uPlot: times first, then one array per drawn series (see seriesLayout). */
export type ChartColumns = [times: number[], ...values: number[][]];

export function chartColumns(series: Series): ChartColumns {
  if (!('buckets' in series)) return [series.samples.map(([time]) => time), series.samples.map(([, value]) => value)];
  if (series.type === 'counter') return [series.buckets.map((b) => b.start), series.buckets.map((b) => b.consumption)];
  return [series.buckets.map((b) => b.start), series.buckets.map((b) => b.min), series.buckets.map((b) => b.max), series.buckets.map((b) => b.avg)];
}

/** How the columns of chartColumns are drawn. */
export type SeriesLayout = 'consumption-bars' | 'min-max-band' | 'raw-line';

export function seriesLayout(type: LoggerType, resolution: Resolution): SeriesLayout {
  if (resolution === 'raw') return 'raw-line';
  return type === 'counter' ? 'consumption-bars' : 'min-max-band';
}

const PER: Record<AggregateInterval, string> = { minute: 'per minute', hour: 'per hour', day: 'per day', month: 'per month' };

/** The chart's accessible name: `lobby.energy consumption per hour, kWh`. */
export function chartDescription(id: string, type: LoggerType, unit: string, resolution: Resolution): string {
  const what = resolution === 'raw' ? (type === 'counter' ? 'meter readings' : 'samples') : `${type === 'counter' ? 'consumption' : 'minimum, maximum and average'} ${PER[resolution]}`;
  // A logger the remote never described has no unit yet.
  return unit ? `${id} ${what}, ${unit}` : `${id} ${what}`;
}

/** The axis label of the values. */
export function valueLabel(type: LoggerType, unit: string, resolution: Resolution): string {
  return resolution !== 'raw' && type === 'counter' ? `${unit} ${PER[resolution]}`.trim() : unit;
}

/** The numbers of the window, for the text beside the chart. */
export type WindowSummary =
  | { kind: 'consumption'; total: number }
  | { kind: 'range'; min: number; max: number; average: number }
  | { kind: 'empty' };

/**
 * A counter's consumption in the window, a range logger's extremes and mean. Raw counter readings
 * are summed step by step with the hub's reset rule (a step down counts from zero), so raw and
 * aggregate totals agree.
 */
export function summarize(series: Series): WindowSummary {
  if ('buckets' in series) {
    if (series.buckets.length === 0) return { kind: 'empty' };
    if (series.type === 'counter') return { kind: 'consumption', total: series.buckets.reduce((sum, b) => sum + b.consumption, 0) };
    const count = series.buckets.reduce((sum, b) => sum + b.count, 0);
    return {
      kind: 'range',
      min: Math.min(...series.buckets.map((b) => b.min)),
      max: Math.max(...series.buckets.map((b) => b.max)),
      average: series.buckets.reduce((sum, b) => sum + b.avg * b.count, 0) / count,
    };
  }
  const values = series.samples.map(([, value]) => value);
  if (values.length === 0) return { kind: 'empty' };
  if (series.type === 'counter') return { kind: 'consumption', total: counterConsumption(series.samples) };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
  }
  return { kind: 'range', min, max, average: sum / values.length };
}

function counterConsumption(samples: LoggerSample[]): number {
  let total = 0;
  for (let i = 1; i < samples.length; i++) {
    const previous = (samples[i - 1] as LoggerSample)[1];
    const current = (samples[i] as LoggerSample)[1];
    total += current >= previous ? current - previous : current;
  }
  return total;
}

/** A value as text: at most three decimals, grouped as the browser's locale does. */
export function formatValue(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: 3 });
}
