/**
 * uPlot options for a logger chart: consumption as bars, a range as a min–max band around its
 * average line, raw samples as a line; times in UTC (the hub's buckets are UTC days and months);
 * colours readable on the light and the dark page.
 */
import uPlot from 'uplot';
import type { ChartOptions } from '../../components/Chart';
import type { SeriesLayout } from './logger-series';
import { formatValue } from './logger-series';

interface Palette {
  axis: string;
  grid: string;
  line: string;
  bar: string;
  band: string;
  bandEdge: string;
  average: string;
  selection: string;
}

/** Tailwind's slate, sky and orange, as the rest of the dashboard uses them. */
export const PALETTES: Record<'light' | 'dark', Palette> = {
  light: {
    axis: '#475569',
    grid: '#e2e8f0',
    line: '#0284c7',
    bar: 'rgba(2, 132, 199, 0.7)',
    band: 'rgba(2, 132, 199, 0.18)',
    bandEdge: 'rgba(2, 132, 199, 0.55)',
    average: '#c2410c',
    selection: 'rgba(15, 23, 42, 0.12)',
  },
  dark: {
    axis: '#cbd5e1',
    grid: '#334155',
    line: '#38bdf8',
    bar: 'rgba(56, 189, 248, 0.7)',
    band: 'rgba(56, 189, 248, 0.22)',
    bandEdge: 'rgba(56, 189, 248, 0.6)',
    average: '#fb923c',
    selection: 'rgba(226, 232, 240, 0.18)',
  },
};

const formatLegendValue = (_u: uPlot, value: number | null) => (value === null ? '—' : formatValue(value));

export function loggerChartOptions(layout: SeriesLayout, palette: Palette, valueAxisLabel: string, rawLabel: string): ChartOptions {
  const axis: uPlot.Axis = { stroke: palette.axis, grid: { stroke: palette.grid, width: 1 }, ticks: { stroke: palette.grid, width: 1 } };
  return {
    ms: 1,
    tzDate: (ms) => uPlot.tzDate(new Date(ms), 'UTC'),
    scales: {
      x: { time: true },
      // Bars grow from zero; a band or a line fits its data.
      ...(layout === 'consumption-bars' ? { y: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax } } : {}),
    },
    axes: [
      { ...axis, label: 'Time (UTC)' },
      { ...axis, label: valueAxisLabel, size: 64 },
    ],
    series: [{ label: 'Time (UTC)' }, ...valueSeries(layout, palette, rawLabel)],
    // Upper edge first: uPlot fills from the first series of a band down to the second.
    bands: layout === 'min-max-band' ? [{ series: [2, 1], fill: palette.band }] : [],
    legend: { live: true },
  };
}

function valueSeries(layout: SeriesLayout, palette: Palette, rawLabel: string): uPlot.Series[] {
  switch (layout) {
    case 'consumption-bars':
      return [
        {
          label: 'Consumption',
          stroke: palette.line,
          fill: palette.bar,
          // Each bar starts at its bucket's start (align 1) and is at most 48 px wide.
          paths: uPlot.paths.bars?.({ size: [0.8, 48], align: 1 }),
          points: { show: false },
          value: formatLegendValue,
        },
      ];
    case 'min-max-band':
      return [
        // The band's edges stay faint lines without points: the band and the average carry the chart.
        { label: 'Minimum', stroke: palette.bandEdge, width: 1, points: { show: false }, value: formatLegendValue },
        { label: 'Maximum', stroke: palette.bandEdge, width: 1, points: { show: false }, value: formatLegendValue },
        { label: 'Average', stroke: palette.average, width: 2, value: formatLegendValue },
      ];
    case 'raw-line':
      return [{ label: rawLabel, stroke: palette.line, width: 1.5, value: formatLegendValue }];
  }
}
