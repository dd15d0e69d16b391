/**
 * `/api/loggers` (packages/hub-api/src/loggers.ts): the replicated loggers, their raw samples and
 * aggregates as JSON or CSV (viewer), and each logger's retention (admin, in the audit).
 */
import { Readable } from 'node:stream';
import {
  AGGREGATE_INTERVALS,
  ok,
  RAW_SAMPLE_LIMIT,
  type AggregateInterval,
  type AggregateSeries,
  type Result,
} from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { settingsChanges } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import { bucketStartAtOrAfter } from '../loggers/logger-aggregates';
import { csvDownload } from './csv';
import { parse } from './reply';
import { mapRoute } from './route-map';

/** Buckets one aggregate request may return: a narrower range or a longer interval beyond. */
export const MAX_BUCKETS = 100_000;
/** Rows per read while a CSV of raw samples streams, so a long range never blocks the hub. */
const CSV_CHUNK = 10_000;

/** The end of year 9999 UTC: SQLite's date functions, which group months, stop there. */
const MAX_TIME = Date.UTC(10_000, 0, 1);

/**
 * A query parameter holding a time in epoch ms: digits only (no empty string taken for 0). Times
 * past the last date, as clients send for "until the end", mean that last date.
 */
const time = (name: string) =>
  z
    .string(`${name} is required: a time in epoch milliseconds`)
    .regex(/^[0-9]{1,16}$/, `${name} must be a time in epoch milliseconds (a whole number)`)
    .transform(Number)
    .refine(Number.isSafeInteger, `${name} is out of range`)
    .transform((value) => Math.min(value, MAX_TIME));

const rangeSchema = z
  .object({ from: time('from'), to: time('to') })
  .strict()
  .refine(({ from, to }) => from <= to, { message: 'from must not be after to', path: ['from'] });

const aggregateSchema = z
  .object({
    interval: z.enum(AGGREGATE_INTERVALS as [AggregateInterval, ...AggregateInterval[]], `interval must be one of ${AGGREGATE_INTERVALS.join(', ')}`),
    from: time('from'),
    to: time('to'),
  })
  .strict()
  .refine(({ from, to }) => from <= to, { message: 'from must not be after to', path: ['from'] })
  .refine(({ interval, from, to }) => interval === 'month' || bucketCount(interval, from, to) <= MAX_BUCKETS, {
    message: `more than ${MAX_BUCKETS} buckets: narrow the range or choose a longer interval`,
    path: ['interval'],
  });

const retentionSchema = z
  .object({
    retentionDays: z
      .number('retentionDays must be a number of days or null')
      .int('retentionDays must be a whole number of days')
      .min(1, 'retentionDays must be 1 to 36500, or null to keep everything')
      .max(36_500, 'retentionDays must be 1 to 36500, or null to keep everything')
      .nullable(),
  })
  .strict();

function bucketCount(interval: Exclude<AggregateInterval, 'month'>, from: number, to: number): number {
  const width = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[interval];
  return (bucketStartAtOrAfter(interval, to) - bucketStartAtOrAfter(interval, from)) / width;
}

export const loggerRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const { loggers } = hub;

  mapRoute(app, 'loggers', async (_request, reply, answer) => answer(ok(loggers.views())));

  mapRoute(app, 'setRetention', async (request, reply, answer) => {
    const input = parse(retentionSchema, request.body);
    if (!input.ok) return answer(input);
    const before = loggers.viewOf(request.params.id)?.retentionDays;
    const result = await loggers.setRetention(request.params.id, input.data.retentionDays);
    if (result.ok) request.log.info({ logger: request.params.id, retentionDays: input.data.retentionDays, user: request.user?.name }, 'logger retention changed');
    audited(request, 'logger.retention', request.params.id, result, (after) => settingsChanges({ retentionDays: before }, { retentionDays: after.retentionDays }));
    return answer(result);
  });

  mapRoute(app, 'samples', async (request, reply, answer) => {
    const query = parse(rangeSchema, request.query);
    if (!query.ok) return answer(query);
    return answer(loggers.samples(request.params.id, query.data.from, query.data.to, RAW_SAMPLE_LIMIT));
  });

  mapRoute(app, 'aggregates', async (request, reply, answer) => {
    const query = parse(aggregateSchema, request.query);
    if (!query.ok) return answer(query);
    return answer(loggers.aggregates(request.params.id, query.data.interval, query.data.from, query.data.to));
  });

  // The whole range, streamed a chunk at a time: an export is not cut at RAW_SAMPLE_LIMIT.
  mapRoute(app, 'samplesCsv', async (request, reply, answer) => {
    const query = parse(rangeSchema, request.query);
    if (!query.ok) return answer(query);
    const { id } = request.params;
    const first = loggers.samples(id, query.data.from, query.data.to, CSV_CHUNK);
    if (!first.ok) return answer(first);
    const { to } = query.data;
    async function* rows(): AsyncGenerator<string> {
      yield 'time,value\n';
      let page = first.ok ? first.data : undefined;
      while (page) {
        yield page.samples.map(([at, value]) => `${new Date(at).toISOString()},${value}\n`).join('');
        const last = page.samples.at(-1);
        if (!page.truncated || !last) return;
        await new Promise((resolve) => setImmediate(resolve));
        const next = loggers.samples(id, last[0] + 1, to, CSV_CHUNK);
        page = next.ok ? next.data : undefined;
      }
    }
    // The id is a logger name ([A-Za-z0-9_.-]), safe inside the quoted filename.
    return csvDownload(reply, `${id}-samples.csv`).send(Readable.from(rows()));
  });

  mapRoute(app, 'aggregatesCsv', async (request, reply, answer) => {
    const query = parse(aggregateSchema, request.query);
    if (!query.ok) return answer(query);
    const { id } = request.params;
    const result: Result<AggregateSeries> = loggers.aggregates(id, query.data.interval, query.data.from, query.data.to);
    if (!result.ok) return answer(result);
    return csvDownload(reply, `${id}-${query.data.interval}.csv`).send(aggregateCsv(result.data));
  });
};

function aggregateCsv(series: AggregateSeries): string {
  const iso = (at: number) => new Date(at).toISOString();
  if (series.type === 'counter') {
    return `start,consumption\n${series.buckets.map((bucket) => `${iso(bucket.start)},${bucket.consumption}\n`).join('')}`;
  }
  return `start,min,max,avg,count\n${series.buckets.map((b) => `${iso(b.start)},${b.min},${b.max},${b.avg},${b.count}\n`).join('')}`;
}
