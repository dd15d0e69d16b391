/**
 * The simulator's two data loggers, `energy` (a counter in kWh) and `temperature` (a range in °C).
 * They sample every ten seconds and keep every sample in memory and in a CSV file per logger, so
 * history survives a restart. A first start fills the last day, so there is history to replicate.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggerInfo, LogPage, Sample } from '@riohub/protocol';

export const SAMPLE_INTERVAL_MS = 10_000;
const BACKFILL_MS = 24 * 3600_000;
const DAY_MS = 24 * 3600_000;

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
  ) {
    if (existsSync(file)) this.load(warn);
  }

  /** Takes one sample at `time` (epoch ms); times that are not after the last sample are skipped. */
  sample(time: number): void {
    const last = this.samples.at(-1);
    if (last && time <= last[0]) return;
    const sample: Sample = [time, this.next(time, last?.[1])];
    this.samples.push(sample);
    appendFileSync(this.file, `${sample[0]},${sample[1]}\n`);
  }

  /** Fills `[now - BACKFILL_MS, now]` when the logger has no history yet. */
  backfill(now: number): void {
    if (this.samples.length > 0) return;
    let body = '';
    for (let time = now - BACKFILL_MS; time <= now; time += SAMPLE_INTERVAL_MS) {
      const sample: Sample = [time, this.next(time, this.samples.at(-1)?.[1])];
      this.samples.push(sample);
      body += `${sample[0]},${sample[1]}\n`;
    }
    appendFileSync(this.file, body);
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

export function createDataLoggers(folder: string, warn: (message: string) => void): DataLogger[] {
  return Object.values(MODELS).map(
    ({ info, next }) => new DataLogger(info, next, join(folder, `${info.id}.csv`), warn),
  );
}
