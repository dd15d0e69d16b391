// The simulator's loggers: generated history, a meter reset, and history kept across restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataLoggers, type DataLogger } from './data-loggers';

describe('simulator data loggers', () => {
  let folder: string;
  const warnings: string[] = [];

  beforeEach(() => {
    folder = mkdtempSync(`${tmpdir()}/riohub-sim-loggers-`);
    warnings.length = 0;
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  function energyOf(loggers: DataLogger[]): DataLogger {
    return loggers.find((logger) => logger.info.id === 'energy') as DataLogger;
  }

  it('fills a year of minute samples on a first start, and reads it back after a restart', () => {
    const now = Date.UTC(2026, 0, 1);
    const loggers = createDataLoggers(folder, (message) => warnings.push(message), { days: 365, stepSeconds: 60 });
    for (const logger of loggers) logger.backfill(now);
    expect(loggers.map((logger) => logger.size)).toEqual([365 * 1440 + 1, 365 * 1440 + 1]);
    const page = energyOf(loggers).read(0, 3);
    expect(page.samples.map(([time]) => time)).toEqual([now - 365 * 86_400_000, now - 365 * 86_400_000 + 60_000, now - 365 * 86_400_000 + 120_000]);
    expect(page.more).toBe(true);

    const again = createDataLoggers(folder, (message) => warnings.push(message), { days: 1, stepSeconds: 10 });
    for (const logger of again) logger.backfill(now);
    expect(energyOf(again).read(0, 10_000)).toEqual(energyOf(loggers).read(0, 10_000));
    expect(again.map((logger) => logger.size)).toEqual(loggers.map((logger) => logger.size));
    expect(warnings).toEqual([]);
  });

  it('restarts the energy meter from zero at the given sample', () => {
    const loggers = createDataLoggers(folder, () => {}, { days: 1, stepSeconds: 600, energyResetAt: 100 });
    for (const logger of loggers) logger.backfill(Date.UTC(2026, 0, 1));
    const values = energyOf(loggers).read(0, 1000).samples.map(([, value]) => value);
    const steps = values.slice(1).map((value, index) => value - (values[index] as number));
    expect(steps.filter((step) => step < 0)).toHaveLength(1);
    expect(steps.findIndex((step) => step < 0)).toBe(99);
    expect(values[100]).toBeLessThan(1);
  });
});
