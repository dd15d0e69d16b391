/**
 * `/api/loggers` (packages/hub-api/src/loggers.ts): the replicated loggers, their raw samples and
 * aggregates as JSON or CSV (viewer), and each logger's retention (admin, in the audit).
 */
import { Readable } from 'node:stream';
import { ok, RAW_SAMPLE_LIMIT, type AggregateSeries, type Result } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { settingsChanges } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import { csvDownload } from './csv';
import { mapRoute } from './route-map';

/** Rows per read while a CSV of raw samples streams, so a long range never blocks the hub. */
const CSV_CHUNK = 10_000;

export const loggerRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  const { loggers } = hub;

  mapRoute(app, 'loggers', async (_request, reply, answer) => answer(ok(await loggers.views())));

  mapRoute(app, 'setRetention', async (request, reply, answer) => {
    const { retentionDays } = request.body;
    const result = await app.audit.inTurn(`logger:${request.params.id}`, async () => {
      const before = (await loggers.viewOf(request.params.id))?.retentionDays;
      const set = await loggers.setRetention(request.params.id, retentionDays);
      return audited(request, 'logger.retention', request.params.id, set, (after) => settingsChanges({ retentionDays: before }, { retentionDays: after.retentionDays }));
    });
    if (result.ok) request.log.info({ logger: request.params.id, retentionDays, user: request.user?.name }, 'logger retention changed');
    return answer(result);
  });

  mapRoute(app, 'samples', async (request, reply, answer) => {
    return answer(await loggers.samples(request.params.id, request.query.from, request.query.to, RAW_SAMPLE_LIMIT));
  });

  mapRoute(app, 'aggregates', async (request, reply, answer) => {
    const { interval, from, to } = request.query;
    return answer(await loggers.aggregates(request.params.id, interval, from, to));
  });

  // The whole range, streamed a chunk at a time: an export is not cut at RAW_SAMPLE_LIMIT.
  mapRoute(app, 'samplesCsv', async (request, reply, answer) => {
    const { id } = request.params;
    const { from, to } = request.query;
    const first = await loggers.samples(id, from, to, CSV_CHUNK);
    if (!first.ok) return answer(first);
    async function* rows(): AsyncGenerator<string> {
      yield 'time,value\n';
      let page = first.ok ? first.data : undefined;
      while (page) {
        yield page.samples.map(([at, value]) => `${new Date(at).toISOString()},${value}\n`).join('');
        const last = page.samples.at(-1);
        if (!page.truncated || !last) return;
        await new Promise((resolve) => setImmediate(resolve));
        const next = await loggers.samples(id, last[0] + 1, to, CSV_CHUNK);
        page = next.ok ? next.data : undefined;
      }
    }
    // The id is a logger name ([A-Za-z0-9_.-]), safe inside the quoted filename.
    return csvDownload(reply, `${id}-samples.csv`).send(Readable.from(rows()));
  });

  mapRoute(app, 'aggregatesCsv', async (request, reply, answer) => {
    const { id } = request.params;
    const { interval, from, to } = request.query;
    const result: Result<AggregateSeries> = await loggers.aggregates(id, interval, from, to);
    if (!result.ok) return answer(result);
    return csvDownload(reply, `${id}-${interval}.csv`).send(aggregateCsv(result.data));
  });
};

function aggregateCsv(series: AggregateSeries): string {
  const iso = (at: number) => new Date(at).toISOString();
  if (series.type === 'counter') {
    return `start,consumption\n${series.buckets.map((bucket) => `${iso(bucket.start)},${bucket.consumption}\n`).join('')}`;
  }
  return `start,min,max,avg,count\n${series.buckets.map((b) => `${iso(b.start)},${b.min},${b.max},${b.avg},${b.count}\n`).join('')}`;
}
