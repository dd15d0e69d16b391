// `/api/loggers` on a running hub: roles, bad input, JSON and CSV answers, retention.
import { RAW_SAMPLE_LIMIT, type AggregateSeries, type LoggerView, type RawSeries } from '@riohub/hub-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type HubClient, type TestHub } from '../testing/test-hub';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** 100,005 minute samples ending now: more than one raw answer holds. */
const COUNT = RAW_SAMPLE_LIMIT + 5;

describe('logger routes', () => {
  let hub: TestHub;
  let viewer: HubClient;
  let start: number;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.admin.data('POST', '/api/users', { name: 'vera', role: 'viewer', password: 'viewer-pass' });
    viewer = await hub.signIn('vera', 'viewer-pass');
    // Stored as replication stores them; no remote lists them, so they are not replicated further.
    const { store } = hub.running.hub.loggers;
    await store.ensure({ id: 'lobby.energy', remote: 'lobby', remoteId: 'energy', type: 'counter', unit: 'kWh' });
    await store.ensure({ id: 'lobby.temperature', remote: 'lobby', remoteId: 'temperature', type: 'range', unit: '°C' });
    start = Math.floor((Date.now() - COUNT * MINUTE) / DAY) * DAY;
    await store.appendPage('lobby.energy', Array.from({ length: COUNT }, (_, i): [number, number] => [start + i * MINUTE, i / 100]));
    await store.appendPage('lobby.temperature', Array.from({ length: 3 * 1440 }, (_, i): [number, number] => [start + i * MINUTE, 20 + (i % 60) / 10]));
  });
  afterAll(() => hub.close());


  it('lists the loggers to a viewer, with counts, first and last samples', async () => {
    const views = await viewer.data<LoggerView[]>('GET', '/api/loggers');
    expect(views.find((view) => view.id === 'lobby.energy')).toMatchObject({
      remote: 'lobby',
      remoteId: 'energy',
      type: 'counter',
      unit: 'kWh',
      samples: COUNT,
      firstSample: [start, 0],
      lastSample: [start + (COUNT - 1) * MINUTE, (COUNT - 1) / 100],
      retentionDays: null,
      replication: 'failing',
    });
  });

  it('returns raw samples in [from, to), cut at the limit with truncated', async () => {
    const some = await viewer.data<RawSeries>('GET', `/api/loggers/lobby.energy/samples?from=${start + MINUTE}&to=${start + 4 * MINUTE}`);
    expect(some).toEqual({ id: 'lobby.energy', type: 'counter', unit: 'kWh', samples: [[start + MINUTE, 0.01], [start + 2 * MINUTE, 0.02], [start + 3 * MINUTE, 0.03]], truncated: false });
    const all = await viewer.data<RawSeries>('GET', `/api/loggers/${encodeURIComponent('lobby.energy')}/samples?from=0&to=${Date.now() + DAY}`);
    expect(all.samples).toHaveLength(RAW_SAMPLE_LIMIT);
    expect(all.truncated).toBe(true);
  });

  it('aggregates in the database: consumption per hour, min/max/avg per day', async () => {
    const hours = await viewer.data<AggregateSeries>('GET', `/api/loggers/lobby.energy/aggregates?interval=hour&from=${start}&to=${start + 3 * 3_600_000}`);
    expect(hours).toMatchObject({ type: 'counter', unit: 'kWh', interval: 'hour' });
    // 0.01 kWh a minute: 59 steps in the first hour (none before the first sample), then 60.
    expect(hours.buckets).toEqual([
      { start, consumption: 0.59 },
      { start: start + 3_600_000, consumption: 0.6 },
      { start: start + 7_200_000, consumption: 0.6 },
    ]);
    const days = await viewer.data<AggregateSeries>('GET', `/api/loggers/lobby.temperature/aggregates?interval=day&from=${start}&to=${start + 3 * DAY}`);
    expect(days.type).toBe('range');
    expect(days.buckets).toHaveLength(3);
    expect(days.buckets[0]).toEqual({ start, min: 20, max: 25.9, avg: 22.95, count: 1440 });
    // "Until the end of time", as clients write it, is every month there is.
    const months = await viewer.data<AggregateSeries>('GET', `/api/loggers/lobby.temperature/aggregates?interval=month&from=0&to=${Number.MAX_SAFE_INTEGER}`);
    expect(months.buckets.length).toBeGreaterThan(0);
    const monthsCsv = await viewer.download(`/api/loggers/lobby.temperature/aggregates.csv?interval=month&from=0&to=${Number.MAX_SAFE_INTEGER}`);
    expect(monthsCsv.body.trimEnd().split('\n')).toHaveLength(months.buckets.length + 1);
  });

  it('exports raw samples and aggregates as CSV downloads', async () => {
    const samples = await viewer.download(`/api/loggers/lobby.energy/samples.csv?from=${start}&to=${start + 3 * MINUTE}`);
    expect(samples.status).toBe(200);
    expect(samples.type).toBe('text/csv; charset=utf-8');
    expect(samples.disposition).toBe('attachment; filename="lobby.energy-samples.csv"');
    const iso = (time: number) => new Date(time).toISOString();
    expect(samples.body).toBe(`time,value\n${iso(start)},0\n${iso(start + MINUTE)},0.01\n${iso(start + 2 * MINUTE)},0.02\n`);
    // An export is the whole range, past what one JSON answer holds.
    const everything = await viewer.download(`/api/loggers/lobby.energy/samples.csv?from=0&to=${Date.now() + DAY}`);
    expect(everything.body.trimEnd().split('\n')).toHaveLength(COUNT + 1);

    const hours = await viewer.download(`/api/loggers/lobby.energy/aggregates.csv?interval=hour&from=${start}&to=${start + 2 * 3_600_000}`);
    expect(hours.disposition).toBe('attachment; filename="lobby.energy-hour.csv"');
    expect(hours.body).toBe(`start,consumption\n${iso(start)},0.59\n${iso(start + 3_600_000)},0.6\n`);
    const days = await viewer.download(`/api/loggers/lobby.temperature/aggregates.csv?interval=day&from=${start}&to=${start + DAY}`);
    expect(days.body).toBe(`start,min,max,avg,count\n${iso(start)},20,25.9,22.95,1440\n`);
  });

  it('answers bad queries with 400 and the field at fault', async () => {
    const cases: [string, string, string][] = [
      ['samples?from=abc&to=5', 'from', 'must be a time in epoch milliseconds'],
      ['samples?from=&to=5', 'from', 'must be a time in epoch milliseconds'],
      ['samples?from=1', 'to', 'to is required'],
      ['samples?from=10&to=5', 'from', 'from must not be after to'],
      ['samples?from=-1&to=5', 'from', 'must be a time in epoch milliseconds'],
      ['samples?from=1&to=5&limit=3', 'limit', 'unknown field'],
      ['aggregates?interval=week&from=1&to=5', 'interval', 'interval must be one of minute, hour, day, month'],
      ['aggregates?interval=minute&from=0&to=31536000000', 'interval', 'more than 100000 buckets'],
      ['aggregates.csv?interval=day&from=9&to=1', 'from', 'from must not be after to'],
      ['samples.csv?from=x&to=1', 'from', 'must be a time in epoch milliseconds'],
      ['aggregates?interval=month&from=0&to=9999999999999999', 'to', 'to is out of range'],
    ];
    for (const [path, field, message] of cases) {
      const { status, body } = await viewer.call('GET', `/api/loggers/lobby.energy/${path}`);
      expect(status, path).toBe(400);
      expect(body, path).toMatchObject({ ok: false, error: { code: 'invalid' } });
      const fields = body.ok ? {} : (body.error.fields ?? {});
      expect(fields[field], path).toContain(message);
    }
    for (const path of ['samples?from=1&to=5', 'aggregates?interval=day&from=1&to=5', 'samples.csv?from=1&to=5']) {
      const { status, body } = await viewer.call('GET', `/api/loggers/nosuch.logger/${path}`);
      expect(status, path).toBe(404);
      expect(body).toMatchObject({ ok: false, error: { code: 'not-found', message: 'no logger nosuch.logger' } });
    }
  });

  it('lets only an admin change the retention, which applies at once', async () => {
    const refused = await viewer.call('PUT', '/api/loggers/lobby.temperature', { retentionDays: 1 });
    expect(refused.status).toBe(403);
    for (const body of [{ retentionDays: 0 }, { retentionDays: 1.5 }, { retentionDays: '7' }, {}, { retentionDays: 7, extra: 1 }]) {
      const { status } = await hub.admin.call('PUT', '/api/loggers/lobby.temperature', body);
      expect(status, JSON.stringify(body)).toBe(400);
    }
    expect((await hub.admin.call('PUT', '/api/loggers/nosuch', { retentionDays: 1 })).status).toBe(404);

    const view = await hub.admin.data<LoggerView>('PUT', '/api/loggers/lobby.temperature', { retentionDays: 1 });
    expect(view.retentionDays).toBe(1);
    // The temperature series ended long ago (its three days start ~70 days back): nothing is left.
    expect(view.samples).toBe(0);
    const kept = await hub.admin.data<LoggerView>('PUT', '/api/loggers/lobby.energy', { retentionDays: 36_500 });
    expect(kept).toMatchObject({ retentionDays: 36_500, samples: COUNT });
    expect(await hub.admin.data<LoggerView>('PUT', '/api/loggers/lobby.energy', { retentionDays: null })).toMatchObject({ retentionDays: null });
  });
});
