/**
 * A uPlot chart as a React component. The plot is made once per `options` (callers memoize them),
 * gets new data through setData, follows its container's width, and is destroyed on unmount.
 * Dragging across it selects a time range, handed to `onSelectX`; the caller decides what a zoom
 * shows (it may fetch finer data) and passes the range back as `xRange`.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface ChartProps {
  /** A new object makes a new plot: memoize it on what changes the series or the look. */
  options: ChartOptions;
  data: uPlot.AlignedData;
  /** The x range shown; without it, the range of the data. */
  xRange?: { from: number; to: number };
  /** The accessible name: what the chart shows, in words. */
  label: string;
  height?: number;
  onSelectX?(range: { from: number; to: number }): void;
  /** The colour of uPlot's drag-selection box (its stylesheet's grey vanishes on a dark page). */
  selectionColor?: string;
}

export function Chart({ options, data, xRange, label, height = 260, onSelectX, selectionColor }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The plot is made in an effect that must not re-run for new data or callbacks: it reads the
  // latest of them through these refs.
  const latest = useRef({ data, xRange, onSelectX });
  useEffect(() => {
    latest.current = { data, xRange, onSelectX };
  });

  useEffect(() => {
    const element = container.current as HTMLDivElement;
    const chart = new uPlot(
      {
        ...options,
        width: element.clientWidth,
        height,
        cursor: { ...options.cursor, drag: { x: true, y: false, setScale: false } },
        hooks: {
          ...options.hooks,
          setSelect: [
            ...(options.hooks?.setSelect ?? []),
            (u) => {
              if (u.select.width < 2) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              latest.current.onSelectX?.({ from, to });
            },
          ],
        },
      },
      latest.current.data,
      element,
    );
    showRange(chart, latest.current.xRange);
    if (selectionColor) chart.root.querySelector<HTMLElement>('.u-select')?.style.setProperty('background', selectionColor);
    plot.current = chart;

    let width = element.clientWidth;
    const observer = new ResizeObserver(() => {
      if (element.clientWidth === width) return;
      width = element.clientWidth;
      chart.setSize({ width, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [options, height, selectionColor]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    chart.batch(() => {
      if (chart.data !== data) chart.setData(data);
      showRange(chart, xRange);
    });
  }, [data, xRange]);

  return <div ref={container} role="img" aria-label={label} className="w-full" />;
}

function showRange(chart: uPlot, range: { from: number; to: number } | undefined): void {
  if (range) chart.setScale('x', { min: range.from, max: range.to });
}
