// Probes and Prometheus against a real hub on loopback: /healthz and /readyz without a session and
// by any host name, /metrics with every riohub metric and its labels once a simulator is linked,
// a write made, a logger replicated and a browser connected, and who may read /metrics.
import { readFileSync } from 'node:fs';
import type { HealthView, LivenessView, LoggerView, Result, WriteRecord } from '@riohub/hub-api';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, hubPerTest, startTestHub, type TestHub } from '../testing/test-hub';

const SIM_PASSWORD = 'metrics-sim-pw';
const METRICS_TOKEN = 'metrics-token-for-tests';

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string; headers: Record<string, unknown> }> {
  const response = await request(url, { headers });
  return { status: response.statusCode, type: String(response.headers['content-type']), text: await response.body.text(), headers: response.headers };
}

/** The samples of one metric in Prometheus' text format: each as its labels and value. */
function samplesOf(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const samples: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = pair[2] as string;
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}

describe('/healthz and /readyz', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('answers /healthz and /readyz without a session: alive, and ready with its storage and links', async () => {
    const alive = await get(`${hub.url}/healthz`);
    expect(alive.status).toBe(200);
    expect(JSON.parse(alive.text)).toEqual({ ok: true, data: { alive: true } } satisfies Result<LivenessView>);
    const ready = await get(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ok: true, data: { ready: true, storage: { ok: true }, links: true } } satisfies Result<HealthView>);
    // Its first name answers the same.
    const api = await get(`${hub.url}/api/health`);
    expect(api.status).toBe(200);
    expect(JSON.parse(api.text)).toEqual(JSON.parse(ready.text));
  });

  it('answers probes by any host name, but not /metrics (a page rebound to loopback would read it)', async () => {
    const host = { host: 'riohub.probes.internal' };
    expect((await get(`${hub.url}/healthz`, host)).status).toBe(200);
    expect((await get(`${hub.url}/readyz`, host)).status).toBe(200);
    const metrics = await get(`${hub.url}/metrics`, host);
    expect(metrics.status).toBe(421);
    expect(metrics.text).toContain('--allowed-hosts riohub.probes.internal');
    expect(metrics.text).not.toContain('riohub_');
  });
});

describe('the Grafana dashboard (deploy/grafana/riohub.json)', () => {
  it('queries only metrics the hub serves', async () => {
    const hub = await startTestHub();
    try {
      const served = new Set<string>();
      for (const [, name, type] of (await get(`${hub.url}/metrics`)).text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        served.add(name as string);
        if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(`${name}${suffix}`);
      }
      const dashboard = readFileSync(new URL('../../../../deploy/grafana/riohub.json', import.meta.url), 'utf8');
      const expressions = [...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] as string);
      expect(expressions.length).toBeGreaterThan(10);
      const queried = new Set(expressions.flatMap((expr) => [...expr.matchAll(/\b(?:riohub|process|nodejs)_\w+/g)].map((match) => match[0])));
      expect([...queried].filter((name) => !served.has(name))).toEqual([]);
      for (const name of ['riohub_remote_up', 'riohub_remote_points', 'riohub_remote_changes_total', 'riohub_remote_poll_seconds_bucket', 'riohub_remote_clock_delta_seconds', 'riohub_ws_clients', 'riohub_writes_total', 'riohub_logger_lag_seconds', 'riohub_logger_samples_total', 'riohub_active']) {
        expect(queried, name).toContain(name);
      }
    } finally {
      await hub.close();
    }
  });
});

describe('/readyz while the links are stopped', () => {
  it('answers 503 with links false once the hub has stopped its links, and /healthz still 200', async () => {
    const hub = await startTestHub();
    try {
      await hub.running.hub.stop();
      const ready = await get(`${hub.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.text)).toMatchObject({ ok: true, data: { ready: false, links: false, storage: { ok: true } } });
      expect((await get(`${hub.url}/healthz`)).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});

describe('/metrics', () => {
  const t = hubPerTest(['--password', SIM_PASSWORD, '--lights', '3', '--dimmers', '1', '--shutters', '0', '--sensors', '0', '--virtuals', '1']);

  it('has every riohub metric with its labels once a remote links, a write is made, a logger replicates and a browser connects', async () => {
    const sim = await t.sim(['--history-days', '1', '--history-step', '600']);
    const { admin } = t.hub;
    await admin.addSim('lobby', sim, SIM_PASSWORD, { dataloggers: 'energy', dataloggerspollinterval: 1 });
    await eventually(() => admin.point('lobby.connection', 'hub'), (point) => point.value === 'online');
    const applied = await admin.data<WriteRecord>('POST', '/api/writes', { name: 'lobby.dummy.light.1', value: '1' });
    expect(applied.status).toMatch(/applied|confirmed/);
    const refused = await admin.call<WriteRecord>('POST', '/api/writes', { name: 'lobby.dummy.light.2', value: '7' });
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'remote-refused' } });
    await eventually(() => admin.data<LoggerView[]>('GET', '/api/loggers'), (loggers) => loggers[0]?.replication === 'up to date', 30_000);
    await eventually(() => admin.point('lobby.dummy.light.1'), (point) => point.value === '1');
    const socket = await admin.socket();

    const metrics = await get(`${t.hub.url}/metrics`);
    socket.close();
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.text;
    expect(samplesOf(text, 'riohub_remote_up')).toEqual([{ labels: { remote: 'lobby' }, value: 1 }]);
    const [points] = samplesOf(text, 'riohub_remote_points');
    expect(points?.labels).toEqual({ remote: 'lobby' });
    expect(points?.value).toBe((await admin.remote('lobby')).status.points);
    expect(points?.value).toBeGreaterThan(5);
    const [changes] = samplesOf(text, 'riohub_remote_changes_total');
    expect(changes?.labels).toEqual({ remote: 'lobby' });
    // The first state, then the written light coming back.
    expect(changes?.value).toBeGreaterThan(points?.value as number);
    const polls = samplesOf(text, 'riohub_remote_poll_seconds_count');
    expect(polls).toEqual([{ labels: { remote: 'lobby' }, value: expect.any(Number) }]);
    expect(polls[0]?.value).toBeGreaterThanOrEqual(2);
    expect(samplesOf(text, 'riohub_remote_poll_seconds_bucket').find((sample) => sample.labels['le'] === '+Inf')).toEqual({
      labels: { remote: 'lobby', le: '+Inf' },
      value: polls[0]?.value,
    });
    const [clock] = samplesOf(text, 'riohub_remote_clock_delta_seconds');
    expect(clock?.labels).toEqual({ remote: 'lobby' });
    expect(Math.abs(clock?.value as number)).toBeLessThanOrEqual(2);
    expect(samplesOf(text, 'riohub_ws_clients')).toEqual([{ labels: {}, value: 1 }]);
    const writes = Object.fromEntries(samplesOf(text, 'riohub_writes_total').map((sample) => [sample.labels['outcome'], sample.value]));
    expect(writes).toEqual({ applied: 1, refused: 1, failed: 0 });
    const [lag] = samplesOf(text, 'riohub_logger_lag_seconds');
    expect(lag?.labels).toEqual({ logger: 'lobby.energy' });
    // The simulator samples every ten seconds, and its history was just replicated to its end.
    expect(lag?.value).toBeGreaterThanOrEqual(0);
    expect(lag?.value).toBeLessThan(600);
    const stored = (await admin.data<LoggerView[]>('GET', '/api/loggers'))[0]?.samples;
    const [samples] = samplesOf(text, 'riohub_logger_samples_total');
    expect(samples?.labels).toEqual({ logger: 'lobby.energy' });
    expect(samples?.value).toBeGreaterThanOrEqual(144);
    expect(samples?.value).toBeLessThanOrEqual(stored as number);
    // The process defaults.
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(samplesOf(text, name), name).not.toEqual([]);
    }
  });

  it('counts a write refused because its remote is offline as failed, and ends a deleted remote’s series', async () => {
    const sim = await t.sim([]);
    const { admin } = t.hub;
    await admin.addSim('floor', sim, SIM_PASSWORD);
    await eventually(() => admin.point('floor.connection', 'hub'), (point) => point.value === 'online');
    await sim.stop('SIGKILL');
    await eventually(() => admin.point('floor.connection', 'hub'), (point) => point.value === 'offline');
    const failed = await admin.call<WriteRecord>('POST', '/api/writes', { name: 'floor.dummy.light.1', value: '1' });
    expect(failed.status).toBe(503);
    let text = (await get(`${t.hub.url}/metrics`)).text;
    expect(samplesOf(text, 'riohub_remote_up')).toEqual([{ labels: { remote: 'floor' }, value: 0 }]);
    expect(samplesOf(text, 'riohub_writes_total').find((sample) => sample.labels['outcome'] === 'failed')?.value).toBe(1);
    await admin.data('DELETE', '/api/remotes/floor');
    text = (await get(`${t.hub.url}/metrics`)).text;
    for (const name of ['riohub_remote_up', 'riohub_remote_points', 'riohub_remote_changes_total', 'riohub_remote_poll_seconds_count']) {
      expect(samplesOf(text, name), name).toEqual([]);
    }
  });
});

describe('who reads /metrics', () => {
  it('answers loopback without a token, but not what a proxy on this machine forwards without --trust-proxy', async () => {
    const hub = await startTestHub(undefined, { env: { RIOHUB_METRICS_TOKEN: METRICS_TOKEN } });
    try {
      const plain = await get(`${hub.url}/metrics`);
      expect(plain.status).toBe(200);
      expect(plain.text).toContain('riohub_ws_clients 0');
      // A local reverse proxy brings every client from loopback: what it forwarded needs the token.
      for (const header of [{ 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }] as Record<string, string>[]) {
        expect((await get(`${hub.url}/metrics`, header)).status).toBe(401);
        expect((await get(`${hub.url}/metrics`, { ...header, authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
      }
    } finally {
      await hub.close();
    }
  });

  it('behind a trusted proxy, admits a client elsewhere only with the bearer token', async () => {
    const hub = await startTestHub(undefined, { trustProxy: 'loopback', env: { RIOHUB_METRICS_TOKEN: METRICS_TOKEN } });
    try {
      const elsewhere = { 'x-forwarded-for': '203.0.113.7' };
      const none = await get(`${hub.url}/metrics`, elsewhere);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="riohub metrics"');
      expect(JSON.parse(none.text)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
      expect(none.text).not.toContain(METRICS_TOKEN);
      const wrong = await get(`${hub.url}/metrics`, { ...elsewhere, authorization: `Bearer ${METRICS_TOKEN}x` });
      expect(wrong.status).toBe(401);
      const right = await get(`${hub.url}/metrics`, { ...elsewhere, authorization: `Bearer ${METRICS_TOKEN}` });
      expect(right.status).toBe(200);
      expect(right.text).toContain('# TYPE riohub_writes_total counter');
      // A session is no substitute for the token: metrics are for scrapers.
      const signedIn = await request(`${hub.url}/metrics`, { headers: { ...elsewhere, cookie: hub.admin.cookie ?? '' } });
      expect(signedIn.statusCode).toBe(401);
      await signedIn.body.dump();
    } finally {
      await hub.close();
    }
  });

  it('without RIOHUB_METRICS_TOKEN, refuses every client elsewhere, whatever it sends', async () => {
    const hub = await startTestHub(undefined, { trustProxy: 'loopback' });
    try {
      const refused = await get(`${hub.url}/metrics`, { 'x-forwarded-for': '203.0.113.7', authorization: 'Bearer anything' });
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('RIOHUB_METRICS_TOKEN') } });
      // The proxy's own machine is loopback.
      expect((await get(`${hub.url}/metrics`, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});
