import { describe, expect, it } from 'vitest';
import { alignWindow, chartColumns, chartDescription, resolutionForZoom, seriesPath, summarize, windowEndingAt } from './logger-series';

const NOW = Date.UTC(2026, 10, 28, 4, 20, 30); // 28 Nov 2026, 04:20:30 UTC
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('windowEndingAt', () => {
  it('day by hour: the 24 whole hours ending with the current one', () => {
    expect(windowEndingAt('hour', NOW)).toEqual({ from: Date.UTC(2026, 10, 27, 5), to: Date.UTC(2026, 10, 28, 5) });
  });
  it('month by day: the 31 whole UTC days ending with today', () => {
    const window = windowEndingAt('day', NOW);
    expect(window).toEqual({ from: Date.UTC(2026, 9, 29), to: Date.UTC(2026, 10, 29) });
    expect((window.to - window.from) / DAY).toBe(31);
  });
  it('year by month: the 12 months ending with this one, across a year boundary', () => {
    expect(windowEndingAt('month', NOW)).toEqual({ from: Date.UTC(2025, 11, 1), to: Date.UTC(2026, 11, 1) });
    expect(windowEndingAt('month', Date.UTC(2026, 11, 31, 23))).toEqual({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1) });
  });
  it('raw: the last 24 hours up to now', () => {
    expect(windowEndingAt('raw', NOW)).toEqual({ from: NOW - DAY, to: NOW });
  });
});

describe('resolutionForZoom', () => {
  it('keeps the interval while the zoom still holds enough buckets', () => {
    expect(resolutionForZoom('hour', { from: NOW - 12 * HOUR, to: NOW })).toBe('hour');
  });
  it('steps to finer buckets when too few would show, down to raw samples', () => {
    expect(resolutionForZoom('hour', { from: NOW - 2 * HOUR, to: NOW })).toBe('minute');
    expect(resolutionForZoom('month', { from: NOW - 60 * DAY, to: NOW })).toBe('day');
    expect(resolutionForZoom('month', { from: NOW - 3 * DAY, to: NOW })).toBe('hour');
    expect(resolutionForZoom('day', { from: NOW - 5 * 60_000, to: NOW })).toBe('raw');
  });
  it('raw stays raw', () => {
    expect(resolutionForZoom('raw', { from: NOW - 1000, to: NOW })).toBe('raw');
  });
});

describe('alignWindow', () => {
  it('widens a zoom to whole buckets, keeping an end already on a boundary', () => {
    expect(alignWindow('hour', { from: Date.UTC(2026, 10, 28, 1, 30), to: Date.UTC(2026, 10, 28, 3, 10) })).toEqual({
      from: Date.UTC(2026, 10, 28, 1),
      to: Date.UTC(2026, 10, 28, 4),
    });
    expect(alignWindow('day', { from: Date.UTC(2026, 10, 3, 12), to: Date.UTC(2026, 10, 5) })).toEqual({ from: Date.UTC(2026, 10, 3), to: Date.UTC(2026, 10, 5) });
  });
  it('rounds a raw zoom to whole milliseconds (the API takes integers)', () => {
    expect(alignWindow('raw', { from: 10.4, to: 20.2 })).toEqual({ from: 10, to: 21 });
  });
});

describe('seriesPath', () => {
  it('asks for aggregates or raw samples, as JSON or CSV, with the id encoded', () => {
    const window = { from: 1000, to: 2000 };
    expect(seriesPath('lobby.energy', 'hour', window, 'json')).toBe('/api/loggers/lobby.energy/aggregates?interval=hour&from=1000&to=2000');
    expect(seriesPath('lobby.energy', 'hour', window, 'csv')).toBe('/api/loggers/lobby.energy/aggregates.csv?interval=hour&from=1000&to=2000');
    expect(seriesPath('a b', 'raw', window, 'csv')).toBe('/api/loggers/a%20b/samples.csv?from=1000&to=2000');
  });
});

describe('chart columns and words', () => {
  const counter = { id: 'e', type: 'counter', unit: 'kWh', interval: 'hour', buckets: [{ start: 0, consumption: 2 }, { start: HOUR, consumption: 3.5 }] } as const;
  const range = {
    id: 't',
    type: 'range',
    unit: '°C',
    interval: 'hour',
    buckets: [
      { start: 0, min: 18, max: 22, avg: 20, count: 1 },
      { start: HOUR, min: 19, max: 23, avg: 22, count: 3 },
    ],
  } as const;

  it('draws a counter as consumption per bucket and a range as min, max and average', () => {
    expect(chartColumns({ ...counter, buckets: [...counter.buckets] })).toEqual([[0, HOUR], [2, 3.5]]);
    expect(chartColumns({ ...range, buckets: [...range.buckets] })).toEqual([[0, HOUR], [18, 19], [22, 23], [20, 22]]);
  });

  it('sums consumption, and weighs range averages by their sample counts', () => {
    expect(summarize({ ...counter, buckets: [...counter.buckets] })).toEqual({ kind: 'consumption', total: 5.5 });
    expect(summarize({ ...range, buckets: [...range.buckets] })).toEqual({ kind: 'range', min: 18, max: 23, average: 21.5 });
  });

  it('sums raw counter readings step by step, a step down counting from zero (a meter reset)', () => {
    const samples: [number, number][] = [[0, 100], [1, 101], [2, 103], [3, 1], [4, 2]];
    expect(summarize({ id: 'e', type: 'counter', unit: 'kWh', samples, truncated: false })).toEqual({ kind: 'consumption', total: 3 + 1 + 1 });
  });

  it('says what the chart shows', () => {
    expect(chartDescription('lobby.energy', 'counter', 'kWh', 'hour')).toBe('lobby.energy consumption per hour, kWh');
    expect(chartDescription('lobby.temperature', 'range', '°C', 'day')).toBe('lobby.temperature minimum, maximum and average per day, °C');
    expect(chartDescription('lobby.energy', 'counter', 'kWh', 'raw')).toBe('lobby.energy meter readings, kWh');
    expect(chartDescription('annex.unknown', 'range', '', 'hour')).toBe('annex.unknown minimum, maximum and average per hour');
  });
});
