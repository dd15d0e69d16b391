// Logger replication against real simulator processes over real HTTPS, into the hub's store.
import type { AggregateSeries, CounterBucket, LoggerView, RemoteView, Result } from '@riohub/hub-api';
import { fingerprintOf } from '@riohub/certificate';
import { describe, expect, it } from 'vitest';
import { eventually, hubPerTest, startTestHub } from '../testing/test-hub';
import { expectSameSeries, loggerView, remoteSeries, SIM_PASSWORD, untilUpToDate } from './testing';

const YEAR_OF_MINUTES = ['--history-days', '365', '--history-step', '60'];
const PAGE = 10_000;
const LOGGERS = { dataloggers: 'energy;temperature', dataloggerspollinterval: 1 };

describe('logger replication', () => {
  const t = hubPerTest(['--password', SIM_PASSWORD, '--lights', '1', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);

  /**
   * Waits until a logger is part way through its history: some pages stored, more to come. Either
   * logger (one follows the other): a year of minutes takes only a second or two to catch up.
   */
  async function midway(): Promise<LoggerView> {
    const partial = (view: LoggerView) => view.replication === 'catching up' && view.samples >= PAGE;
    const views = await eventually(() => t.hub.admin.data<LoggerView[]>('GET', '/api/loggers'), (list) => list.some(partial), 60_000);
    return views.find(partial) as LoggerView;
  }

  /**
   * The loggers once the hub has stored all it had received, its remote held (SIGSTOP): two reads
   * a second apart that agree. Up to two pages received just before the hold (the next is asked
   * for while one is stored) may still be being stored, on PostgreSQL over several round trips,
   * when the first read is answered; well within the 12 s a request to the held remote may take.
   */
  async function settled(): Promise<LoggerView[]> {
    let previous = '';
    return eventually(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return t.hub.admin.data<LoggerView[]>('GET', '/api/loggers');
      },
      (views) => {
        const counts = JSON.stringify(views.map(({ id, samples }) => [id, samples]));
        const same = counts === previous;
        previous = counts;
        return same;
      },
    );
  }

  it('catches up from a year of minute samples, page by page, with exactly the remote samples', async () => {
    const remote = await t.sim(YEAR_OF_MINUTES);
    await t.hub.admin.addSim('lobby', remote, SIM_PASSWORD, LOGGERS);
    const partial = await midway();
    expect(partial.samples % PAGE).toBe(0);
    const energy = await untilUpToDate(t.hub.admin, 'lobby.energy');
    await untilUpToDate(t.hub.admin, 'lobby.temperature');
    expect(energy).toMatchObject({ remote: 'lobby', remoteId: 'energy', type: 'counter', unit: 'kWh', retentionDays: null });
    expect(energy.samples).toBeGreaterThan(365 * 1440);
    expect(await expectSameSeries(t.hub.admin, remote, 'lobby.energy', 'energy')).toBeGreaterThan(365 * 1440);
    expect(await expectSameSeries(t.hub.admin, remote, 'lobby.temperature', 'temperature')).toBeGreaterThan(365 * 1440);
    const temperature = await loggerView(t.hub.admin, 'lobby.temperature');
    expect(temperature).toMatchObject({ type: 'range', unit: '°C' });
    expect(temperature.firstSample?.[0]).toBeLessThan(temperature.lastSample?.[0] as number);
  });

  it('resumes after a hub restart mid-replication without a gap or a duplicate', async () => {
    const remote = await t.sim(YEAR_OF_MINUTES);
    await t.hub.admin.addSim('lobby', remote, SIM_PASSWORD, LOGGERS);
    await midway();
    // The remote is held (SIGSTOP) across the restart, a page possibly in flight: what the hub
    // stored can then be compared before and after, as the rest of a year of minutes would
    // otherwise be paged in (and the last, partial page with it) before the first look.
    remote.child.kill('SIGSTOP');
    try {
      const held = await settled();
      // A logger still catching up holds whole pages only.
      for (const view of held) if (view.replication === 'catching up') expect(view.samples % PAGE).toBe(0);
      await t.hub.running.close();
      t.hub = await startTestHub(t.hub.dataDir);
      // Nothing stored before the restart was lost with it, nor stored twice.
      const resumed = await t.hub.admin.data<LoggerView[]>('GET', '/api/loggers');
      expect(resumed.map(({ id, samples }) => ({ id, samples }))).toEqual(held.map(({ id, samples }) => ({ id, samples })));
      expect(resumed.some((view) => view.samples >= PAGE)).toBe(true);
    } finally {
      remote.child.kill('SIGCONT');
    }
    await untilUpToDate(t.hub.admin, 'lobby.energy');
    await untilUpToDate(t.hub.admin, 'lobby.temperature');
    await expectSameSeries(t.hub.admin, remote, 'lobby.energy', 'energy');
    await expectSameSeries(t.hub.admin, remote, 'lobby.temperature', 'temperature');
  });

  it('resumes after the remote is killed mid-page, with whole pages only in between', async () => {
    const first = await t.sim(YEAR_OF_MINUTES);
    await t.hub.admin.addSim('lobby', first, SIM_PASSWORD, LOGGERS);
    await midway();
    // Held first (SIGSTOP), so that the logger killed mid-way is known: on a slow machine the one
    // midway() saw could otherwise finish, last partial page and all, before the kill.
    first.child.kill('SIGSTOP');
    const held = (await settled()).find((view) => view.replication === 'catching up');
    first.child.kill('SIGKILL');
    if (!held) throw new Error('both loggers caught up before the remote was held');
    const failing = await eventually(() => loggerView(t.hub.admin, held.id), (view) => view.replication === 'failing', 30_000);
    expect(failing.error).toMatch(/^lobby is offline: /);
    // A page cut off by the kill stored nothing of itself: whole pages only, as many as before it.
    expect(failing.samples % PAGE).toBe(0);
    expect(failing.samples).toBe(held.samples);

    const second = await t.sim(['--port', new URL(first.url).port], first.dataDir);
    await untilUpToDate(t.hub.admin, 'lobby.energy', 90_000);
    await untilUpToDate(t.hub.admin, 'lobby.temperature', 90_000);
    await expectSameSeries(t.hub.admin, second, 'lobby.energy', 'energy');
    await expectSameSeries(t.hub.admin, second, 'lobby.temperature', 'temperature');
  }, 150_000);

  it('counts a meter reset as the new reading from zero, never a negative consumption', async () => {
    const remote = await t.sim(['--history-days', '1', '--history-step', '60', '--energy-reset-at', '600']);
    await t.hub.admin.addSim('lobby', remote, SIM_PASSWORD, LOGGERS);
    const view = await untilUpToDate(t.hub.admin, 'lobby.energy');
    const samples = await remoteSeries(remote, 'energy');
    const reset = samples[600] as [number, number];
    expect(reset[1]).toBeLessThan((samples[599] as [number, number])[1]);

    const last = view.lastSample?.[0] as number;
    const from = samples[0]?.[0] as number;
    const series = await t.hub.admin.data<AggregateSeries>('GET', `/api/loggers/lobby.energy/aggregates?interval=hour&from=${from - 3_600_000}&to=${last + 1}`);
    const buckets = series.buckets as CounterBucket[];
    expect(buckets.length).toBeGreaterThan(20);
    for (const bucket of buckets) expect(bucket.consumption).toBeGreaterThanOrEqual(0);
    // The whole consumption: every step up, and the new reading at the reset.
    const stored = samples.filter(([time]) => time <= last);
    let expected = 0;
    for (let i = 1; i < stored.length; i++) {
      const [, value] = stored[i] as [number, number];
      const [, previous] = stored[i - 1] as [number, number];
      expected += value >= previous ? value - previous : value;
    }
    const total = buckets.reduce((sum, bucket) => sum + bucket.consumption, 0);
    expect(total).toBeCloseTo(expected, 6);
    // The hour of the reset holds the reading it restarted from, not a drop of a thousand kWh.
    const resetHour = buckets.find((bucket) => bucket.start === Math.floor(reset[0] / 3_600_000) * 3_600_000);
    expect(resetHour?.consumption).toBeGreaterThan(reset[1]);
    expect(resetHour?.consumption).toBeLessThan(2);
  });

  it('stores loggers under <remote>.<id> or under their own id, as each entry says', async () => {
    const [lobby, floor2] = await Promise.all([t.sim([]), t.sim([])]);
    await t.hub.admin.addSim('lobby', lobby, SIM_PASSWORD, LOGGERS);
    await t.hub.admin.addSim('floor2', floor2, SIM_PASSWORD, { ...LOGGERS, dataloggersnameprefix: false });
    for (const id of ['lobby.energy', 'lobby.temperature', 'energy', 'temperature']) await untilUpToDate(t.hub.admin, id);
    const views = await t.hub.admin.data<LoggerView[]>('GET', '/api/loggers');
    expect(views.map(({ id, remote, remoteId }) => ({ id, remote, remoteId }))).toEqual([
      { id: 'lobby.energy', remote: 'lobby', remoteId: 'energy' },
      { id: 'lobby.temperature', remote: 'lobby', remoteId: 'temperature' },
      { id: 'energy', remote: 'floor2', remoteId: 'energy' },
      { id: 'temperature', remote: 'floor2', remoteId: 'temperature' },
    ]);
    await expectSameSeries(t.hub.admin, lobby, 'lobby.energy', 'energy');
    await expectSameSeries(t.hub.admin, floor2, 'energy', 'energy');
    await expectSameSeries(t.hub.admin, floor2, 'temperature', 'temperature');
  });

  it('refuses two remotes that would store a logger under the same id, and flags it from stored settings', async () => {
    const [lobby, floor2] = await Promise.all([t.sim([]), t.sim([])]);
    await t.hub.admin.addSim('lobby', lobby, SIM_PASSWORD, { ...LOGGERS, dataloggersnameprefix: false });
    await untilUpToDate(t.hub.admin, 'energy');

    const url = new URL(floor2.url);
    const clash = { name: 'floor2', host: url.hostname, port: Number(url.port), tls: 'pin', fingerprint: fingerprintOf(floor2.certificate ?? '') };
    const refused = await t.hub.admin.call<RemoteView>('POST', '/api/remotes', { ...clash, password: SIM_PASSWORD, options: { ...LOGGERS, dataloggersnameprefix: false } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const fields = (refused.body as Extract<Result<RemoteView>, { ok: false }>).error.fields ?? {};
    expect(fields['options.dataloggers']).toContain("energy is already lobby's energy");
    expect(fields['options.dataloggersnameprefix']).toContain('name prefix');
    expect((await t.hub.admin.call('GET', '/api/remotes/floor2')).status).toBe(404);

    // With the prefix there is no clash; turning it off later is refused the same way.
    await t.hub.admin.addSim('floor2', floor2, SIM_PASSWORD, LOGGERS);
    const change = await t.hub.admin.call('PUT', '/api/remotes/floor2', { host: url.hostname, options: { dataloggersnameprefix: false } });
    expect(change.status).toBe(400);
    expect(JSON.stringify(change.body)).toContain("energy is already lobby's energy");

    // Settings stored by other means (an older version, a hand edit) are flagged, never merged.
    const running = t.hub.running.hub;
    const stored = await running.repo.get('floor2');
    if (!stored) throw new Error('floor2 is not stored');
    await running.repo.update({ ...stored.settings, options: { ...stored.settings.options, dataloggersnameprefix: false } }, undefined);
    await t.hub.running.close();
    t.hub = await startTestHub(t.hub.dataDir);
    const energy = await loggerView(t.hub.admin, 'energy');
    expect(energy).toMatchObject({ replication: 'failing', remote: 'lobby' });
    expect(energy.error).toBe("configuration error: lobby's energy and floor2's energy would both be stored as energy");
    // Nothing of floor2 is written into lobby's series while the clash stands.
    await expectSameSeries(t.hub.admin, lobby, 'energy', 'energy');

    // Fixing floor2 (disabled on the way) lets lobby's loggers go on at once, without lobby being saved again.
    await t.hub.admin.data('PUT', '/api/remotes/floor2', { host: url.hostname, enabled: false, options: { dataloggersnameprefix: true } });
    await untilUpToDate(t.hub.admin, 'energy');
    await expectSameSeries(t.hub.admin, lobby, 'energy', 'energy');
    await t.hub.admin.data('PUT', '/api/remotes/floor2', { host: url.hostname, enabled: true });
    await untilUpToDate(t.hub.admin, 'floor2.energy');
    await expectSameSeries(t.hub.admin, floor2, 'floor2.energy', 'energy');
  });

  it("follows a change of a running remote's logger options at once, the remote staying online", async () => {
    const remote = await t.sim([]);
    await t.hub.admin.addSim('lobby', remote, SIM_PASSWORD, { dataloggers: 'energy', dataloggerspollinterval: 1 });
    await untilUpToDate(t.hub.admin, 'lobby.energy');
    expect((await t.hub.admin.data<LoggerView[]>('GET', '/api/loggers')).map((view) => view.id)).toEqual(['lobby.energy']);
    const socket = await t.hub.admin.socket();
    try {
      socket.send({ type: 'subscribe', payload: { prefixes: ['lobby.'] } });
      await socket.until(() => socket.state.get('hub:lobby.connection')?.value === 'online');
      const from = socket.messages.length;
      await t.hub.admin.data('PUT', '/api/remotes/lobby', { host: new URL(remote.url).hostname, options: { dataloggers: 'energy;temperature' } });
      await untilUpToDate(t.hub.admin, 'lobby.temperature');
      await expectSameSeries(t.hub.admin, remote, 'lobby.temperature', 'temperature');
      const since = socket.messages.slice(from);
      const connections = since.flatMap((message) => (message.type === 'remotes' ? message.payload.remotes : [])).map((view) => view.status.connection);
      expect(connections.length).toBeGreaterThan(0);
      expect(connections.filter((connection) => connection !== 'online')).toEqual([]);
      const points = since.flatMap((message) => (message.type === 'delta' ? message.payload.points : []));
      expect(points.filter((point) => point.name === 'lobby.connection' || point.state === 'stale')).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('pushes the loggers to browsers over the socket as replication goes on', async () => {
    const socket = await t.hub.admin.socket();
    const lists = () => socket.messages.flatMap((message) => (message.type === 'loggers' ? [message.payload.loggers] : []));
    const latest = () => lists().at(-1);
    try {
      await socket.until(() => latest() !== undefined);
      expect(latest()).toEqual([]);
      const remote = await t.sim(YEAR_OF_MINUTES);
      await t.hub.admin.addSim('lobby', remote, SIM_PASSWORD, LOGGERS);
      // The remote held mid-way (a year of minutes catches up faster than lists are pushed): the
      // list pushed meanwhile shows part of the history.
      const { id } = await midway();
      remote.child.kill('SIGSTOP');
      try {
        await socket.until(() => lists().some((list) => list.some((view) => view.id === id && view.replication === 'catching up' && view.samples >= PAGE)), 10_000);
      } finally {
        remote.child.kill('SIGCONT');
      }
      await socket.until(() => latest()?.length === 2 && latest()?.every((view) => view.replication === 'up to date') === true, 90_000);
      // What the socket shows is what the API answers (the remote keeps sampling: at least as many).
      const pushed = latest()?.find((view) => view.id === id);
      const answered = await loggerView(t.hub.admin, id);
      expect(pushed?.samples).toBeGreaterThan(365 * 1440);
      // The progress showed while it caught up: part of the history, never going back.
      const counts = lists().flatMap((list) => list.filter((view) => view.id === id).map((view) => view.samples));
      expect(counts.some((count) => count > 0 && count < (pushed?.samples ?? 0))).toBe(true);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(answered.samples).toBeGreaterThanOrEqual(pushed?.samples ?? Infinity);
      // Lists a second apart, not one per stored page.
      expect(lists().length).toBeLessThan((2 * answered.samples) / PAGE);

      await t.hub.admin.data('DELETE', '/api/remotes/lobby');
      await socket.until(() => latest()?.length === 0);
    } finally {
      socket.close();
    }
  });

  it('shows a logger the remote does not have as failing, and replicates the others', async () => {
    const remote = await t.sim([]);
    await t.hub.admin.addSim('lobby', remote, SIM_PASSWORD, { dataloggers: 'energy;heating', dataloggerspollinterval: 1 });
    await untilUpToDate(t.hub.admin, 'lobby.energy');
    const unknown = await eventually(() => loggerView(t.hub.admin, 'lobby.heating'), (view) => view.replication === 'failing');
    expect(unknown).toMatchObject({ error: 'unknown logger on lobby', samples: 0 });
  });

  it('shows loggers of a public-API remote as unsupported, and deletes a deleted remote\'s history', async () => {
    const [stock, lobby] = await Promise.all([t.sim(['--api', 'public']), t.sim([])]);
    await t.hub.admin.addSim('stock', stock, SIM_PASSWORD, { ...LOGGERS, api: 'public' });
    expect(await loggerView(t.hub.admin, 'stock.energy')).toMatchObject({
      replication: 'failing',
      error: 'data loggers are not supported by stock (public API)',
      samples: 0,
    });
    await t.hub.admin.addSim('lobby', lobby, SIM_PASSWORD, LOGGERS);
    await untilUpToDate(t.hub.admin, 'lobby.energy');
    await t.hub.admin.data('DELETE', '/api/remotes/lobby');
    const views = await t.hub.admin.data<LoggerView[]>('GET', '/api/loggers');
    expect(views.map((view) => view.id)).toEqual(['stock.energy', 'stock.temperature']);
    expect(await t.hub.running.hub.loggers.store.list()).toEqual([]);
  });
});
