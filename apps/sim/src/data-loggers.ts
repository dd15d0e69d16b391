/**
 * The simulator's two data loggers, `energy` (a counter in kWh) and `temperature` (a range in °C).
 * They sample every ten seconds and keep every sample in memory and in a CSV file per logger, so
 * history survives a restart. A first start fills the last day (or `--history-days` at
 * `--history-step`), so there is history to replicate; `--energy-reset-at` makes the meter
 * restart from zero at one sample, as a replaced meter does.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggerInfo, LogPage, Sample } from '@riohub/protocol';

export const SAMPLE_INTERVAL_MS = 10_000;
const DAY_MS = 24 * 3600_000;

/** The history a first start fills, and the meter reset. */
export interface HistoryOptions {
  /** How far back the history reaches. */
  days: number;
  /** Seconds between two samples of the history (live samples stay ten seconds apart). */
  stepSeconds: number;
  /** The sample number (0: the first one ever) at which `energy` restarts from zero. */
  energyResetAt?: number;
}

export const DEFAULT_HISTORY: HistoryOptions = { days: 1, stepSeconds: 10 };

/** The next value of a logger, from its previous one (counters must only grow). */
type NextValue = (time: number, previous: number | undefined) => number;

const MODELS: Record<string, { info: LoggerInfo; next: NextValue }> = {
  energy: {
    info: { id: 'energy', type: 'counter', unit: 'kWh' },
    next: (time, previous) => round((previous ?? 1000) + 0.005 + 0.01 * (1 + Math.sin((time / DAY_MS) * 2 * Math.PI)), 3),
  },
  temperature: {
    info: { id: 'temperature', type: 'range', unit: '°C' },
    next: (time) => round(21 + 2 * Math.sin((time / DAY_MS) * 2 * Math.PI) + (Math.random() - 0.5) * 0.2, 2),
  },
};

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export class DataLogger {
  private readonly samples: Sample[] = [];

  constructor(
    readonly info: LoggerInfo,
    private readonly next: NextValue,
    private readonly file: string,
    warn: (message: string) => void,
    private readonly history: HistoryOptions = DEFAULT_HISTORY,
  ) {
    if (existsSync(file)) this.load(warn);
  }

  /** Takes one sample at `time` (epoch ms); times that are not after the last sample are skipped. */
  sample(time: number): void {
    const last = this.samples.at(-1);
    if (last && time <= last[0]) return;
    const sample: Sample = [time, this.nextValue(time)];
    this.samples.push(sample);
    appendFileSync(this.file, `${sample[0]},${sample[1]}\n`);
  }

  /** Fills `[now - history days, now]` when the logger has no history yet. */
  backfill(now: number): void {
    if (this.samples.length > 0) return;
    const step = this.history.stepSeconds * 1000;
    // Written in slices: a year of minute samples is half a million lines.
    let lines: string[] = [];
    for (let time = now - this.history.days * DAY_MS; time <= now; time += step) {
      const sample: Sample = [time, this.nextValue(time)];
      this.samples.push(sample);
      lines.push(`${sample[0]},${sample[1]}\n`);
      if (lines.length === 50_000) {
        appendFileSync(this.file, lines.join(''));
        lines = [];
      }
    }
    appendFileSync(this.file, lines.join(''));
  }

  /** The value of the next sample: the model's, or zero and up at the meter reset. */
  private nextValue(time: number): number {
    const resetHere = this.info.type === 'counter' && this.samples.length === this.history.energyResetAt;
    return this.next(time, resetHere ? 0 : this.samples.at(-1)?.[1]);
  }

  read(after: number, limit: number): LogPage {
    // The first sample later than `after`, by binary search over the time-ordered samples.
    let low = 0;
    let high = this.samples.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.samples[middle] as Sample)[0] <= after) low = middle + 1;
      else high = middle;
    }
    const samples = this.samples.slice(low, low + limit);
    return { ...this.info, samples, more: low + limit < this.samples.length };
  }

  get size(): number {
    return this.samples.length;
  }

  private load(warn: (message: string) => void): void {
    const lines = readFileSync(this.file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line === '') return;
      const [time, value] = line.split(',').map(Number);
      const last = this.samples.at(-1);
      if (time === undefined || value === undefined || !Number.isFinite(time) || !Number.isFinite(value) || (last && time <= last[0])) {
        warn(`${this.file}:${index + 1}: skipped a malformed or out-of-order sample "${line}"`);
        return;
      }
      this.samples.push([time, value]);
    });
  }
}

export function createDataLoggers(folder: string, warn: (message: string) => void, history: HistoryOptions = DEFAULT_HISTORY): DataLogger[] {
  return Object.values(MODELS).map(({ info, next }) => new DataLogger(info, next, join(folder, `${info.id}.csv`), warn, history));
}
