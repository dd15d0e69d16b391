// A remote cannot make the hub hold more than its caps allow: an answer past `maxanswermb` is cut
// off as it streams, a state past `maxpoints` is refused before anything of it is applied, and
// the remote shows failing with why, its points kept but stale. Real HTTPS on loopback throughout.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServerResponse } from 'node:http';
import type { RemoteView } from '@riohub/hub-api';
import { RioTestClient } from '@riohub/testkit';
import { describe, expect, it } from 'vitest';
import { loggerView } from '../loggers/testing';
import { startScriptedRemote, type ScriptedRemote } from '../testing/scripted-remote';
import { eventually, hubPerTest, startTestHub } from '../testing/test-hub';

const PASSWORD = 'limits-pw';
const MB = 1024 * 1024;
/** What the oversized remote would send in all: a valid state of about 8.5 million datapoints. */
const HUGE_BYTES = 256 * MB;
const CAP_MB = 8;
/** The size of the oversized remote's first page of its logger `energy`, and the samples in it. */
const LOG_PAGE_BYTES = 2 * MB;
const LOG_SAMPLES = [[1_000, 1], [2_000, 2]];

/**
 * A remote that answers with a small state, holds the polls after it, and once `growHuge()` is
 * called answers every poll with a valid state of HUGE_BYTES, generated only as fast as the
 * client reads it (so this test's own memory stays small).
 */
async function startOversizedRemote(): Promise<ScriptedRemote & {
  growHuge(): void;
  /** Bytes generated for each huge answer so far: at most what the client read, plus buffers. */
  hugeAnswers: number[];
  /** The largest resident set size of this process seen while a huge answer was being read. */
  peakRss(): number;
  /** Whole states asked for so far: one per connection (a link that reconnects asks again). */
  wholeReads(): number;
}> {
  const held: ServerResponse[] = [];
  const hugeAnswers: number[] = [];
  let huge = false;
  let peak = 0;
  let wholeReads = 0;
  const json = (response: ServerResponse, body: string) => response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);

  function answerHuge(response: ServerResponse): void {
    const index = hugeAnswers.push(0) - 1;
    async function* body() {
      const head = '{"hsycostate":{"timestamp":2000000000000000,"topotime":1,"full":true,"members":["huge-remote"],"io":{';
      yield head;
      let sent = head.length;
      const value = 'x'.repeat(16);
      for (let n = 0; sent < HUGE_BYTES; ) {
        let chunk = '';
        while (chunk.length < 64 * 1024) chunk += `${n++ === 0 ? '' : ','}"virtual.${n}":"${value}"`;
        sent += chunk.length;
        hugeAnswers[index] = sent;
        if (n % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        yield chunk;
      }
      yield '}}}';
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    // The client cutting the answer off ends the pipeline with an error: that is the point.
    pipeline(Readable.from(body()), response).catch(() => {});
  }

  const remote = await startScriptedRemote((request, response) => {
    const url = request.url ?? '';
    if (url.startsWith('/x/riotopo')) return json(response, '{"hsycotopo":{"topotime":1,"locations":{},"devices":{}}}');
    if (url.startsWith('/x/riologs?')) return json(response, '{"hsycologs":[{"id":"energy","type":"counter","unit":"kWh"}]}');
    if (url.startsWith('/x/riolog?')) {
      // The first page is valid JSON padded past LOG_PAGE_BYTES with whitespace; the ones after it hold nothing new.
      const first = url.split('*')[3] === '0';
      const samples = first ? LOG_SAMPLES : [];
      const page = `{"hsycolog":{"id":"energy","type":"counter","unit":"kWh","samples":${JSON.stringify(samples)},"more":false}`;
      return json(response, first ? `${page}${' '.repeat(LOG_PAGE_BYTES)}}` : `${page}}`);
    }
    if (!url.startsWith('/x/rioget')) return response.writeHead(404).end();
    if (url.startsWith('/x/rioget?2*1*')) wholeReads++;
    if (huge) return answerHuge(response);
    if (url.startsWith('/x/rioget?2*1*')) {
      return json(response, '{"hsycostate":{"timestamp":1000,"topotime":1,"io":{"virtual.1":"a","virtual.2":"b"},"full":true,"members":["huge-remote"]}}');
    }
    held.push(response);
  });
  return {
    ...remote,
    growHuge() {
      huge = true;
      peak = process.memoryUsage().rss;
      for (const response of held.splice(0)) answerHuge(response);
    },
    hugeAnswers,
    peakRss: () => Math.max(peak, process.memoryUsage().rss),
    wholeReads: () => wholeReads,
  };
}

describe('answer limits per remote', () => {
  const t = hubPerTest(['--password', PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);

  it('cuts off an answer past maxanswermb as it streams, shows the remote failing with why, keeps its points stale, and retries', async () => {
    const remote = await startOversizedRemote();
    try {
      await t.hub.admin.addSim('huge', remote, 'any', { maxanswermb: CAP_MB });
      await eventually(() => t.hub.admin.point('huge.virtual.1'), (point) => point.value === 'a' && point.state === 'ok');
      const before = process.memoryUsage().rss;

      remote.growHuge();
      const failing = await eventually(
        () => t.hub.admin.remote('huge'),
        (view: RemoteView) => view.status.connection === 'offline' && view.status.error !== undefined,
        60_000,
      );
      expect(failing.status.error?.message).toBe(`rioget answer over ${CAP_MB} MB: refused (the remote's maxanswermb)`);
      expect(await t.hub.admin.point('huge.virtual.1')).toMatchObject({ value: 'a', state: 'stale' });
      expect(await t.hub.admin.point('huge.connection', 'hub')).toMatchObject({ value: 'offline' });
      // It keeps trying (after a backoff), and is cut off each time.
      await eventually(async () => remote.hugeAnswers.length, (count) => count >= 2, 30_000);
      expect((await t.hub.admin.remote('huge')).status.error?.message).toContain(`over ${CAP_MB} MB`);

      // Not read to the end: what was generated is the cap plus what sockets buffer, far from all of it.
      for (const generated of remote.hugeAnswers) expect(generated).toBeLessThan(HUGE_BYTES / 4);
      const grewBy = remote.peakRss() - before;
      expect(grewBy, `grew by ${Math.round(grewBy / MB)} MB`).toBeLessThan(HUGE_BYTES / 2);
    } finally {
      await remote.close();
    }
  });

  it('takes a lowered maxanswermb without reconnecting, and cuts off the answers past it', async () => {
    const remote = await startOversizedRemote();
    try {
      await t.hub.admin.addSim('huge', remote, 'any', { maxanswermb: CAP_MB + 1 });
      await eventually(() => t.hub.admin.point('huge.virtual.1'), (point) => point.value === 'a' && point.state === 'ok');
      await t.hub.admin.data('PUT', '/api/remotes/huge', { host: '127.0.0.1', options: { maxanswermb: CAP_MB } });
      // Taken by the running link: still online on its first connection, its points live.
      expect((await t.hub.admin.remote('huge')).status.connection).toBe('online');
      expect(await t.hub.admin.point('huge.virtual.1')).toMatchObject({ state: 'ok' });
      expect(remote.wholeReads()).toBe(1);

      // The poll held when it changed was sent under the cap before; every request after it, under the new one.
      remote.growHuge();
      await eventually(
        () => t.hub.admin.remote('huge'),
        (view: RemoteView) => view.status.error?.message === `rioget answer over ${CAP_MB} MB: refused (the remote's maxanswermb)`,
        60_000,
      );
    } finally {
      await remote.close();
    }
  });

  it("takes a raised maxanswermb for its loggers' replication too, the remote staying online", async () => {
    const remote = await startOversizedRemote();
    const loggers = { dataloggers: 'energy', dataloggerspollinterval: 1 };
    try {
      await t.hub.admin.addSim('huge', remote, 'any', { ...loggers, maxanswermb: 1 });
      const failing = await eventually(() => loggerView(t.hub.admin, 'huge.energy'), (view) => view.replication === 'failing', 30_000);
      expect(failing.error).toContain('riolog answer over 1 MB');
      expect((await t.hub.admin.remote('huge')).status.connection).toBe('online');

      await t.hub.admin.data('PUT', '/api/remotes/huge', { host: '127.0.0.1', options: { ...loggers, maxanswermb: 4 } });
      const caughtUp = await eventually(() => loggerView(t.hub.admin, 'huge.energy'), (view) => view.replication === 'up to date', 30_000);
      expect(caughtUp).toMatchObject({ samples: LOG_SAMPLES.length, lastSample: LOG_SAMPLES.at(-1) });
      expect((await t.hub.admin.remote('huge')).status.connection).toBe('online');
      expect(remote.wholeReads()).toBe(1);
    } finally {
      await remote.close();
    }
  });

  it('reconnects a remote whose maxpoints is lowered below the points the hub holds of it, and refuses its state', async () => {
    const sim = await t.sim([]);
    await t.hub.admin.addSim('shrunk', sim, PASSWORD);
    const { points } = (await eventually(() => t.hub.admin.remote('shrunk'), (view) => view.status.connection === 'online' && view.status.points > 0)).status;
    await t.hub.admin.data('PUT', '/api/remotes/shrunk', { host: '127.0.0.1', options: { maxpoints: points - 1 } });
    const failing = await eventually(() => t.hub.admin.remote('shrunk'), (view) => view.status.error !== undefined, 30_000);
    expect(failing.status.connection).toBe('offline');
    expect(failing.status.error?.message).toBe(`state of ${points.toLocaleString('en-US')} points, over this remote's maxpoints of ${(points - 1).toLocaleString('en-US')}: refused`);
  });

  it('refuses a state with more points than maxpoints, applying none of it, then takes it once the cap is raised', async () => {
    const sim = await t.sim(['--virtuals', '3000']);
    await t.hub.admin.addSim('big', sim, PASSWORD, { maxpoints: 1000 });
    const failing = await eventually(() => t.hub.admin.remote('big'), (view) => view.status.error !== undefined, 30_000);
    expect(failing.status.connection).toBe('offline');
    expect(failing.status.error?.message).toMatch(/^state of 3,0\d\d points, over this remote's maxpoints of 1,000: refused$/);
    expect((await t.hub.admin.call('GET', '/api/points/big.virtual.1')).status).toBe(404);
    expect(failing.status.points).toBeLessThan(10);

    await t.hub.admin.data('PUT', '/api/remotes/big', { host: '127.0.0.1', options: { maxpoints: 5000 } });
    const online = await eventually(() => t.hub.admin.remote('big'), (view) => view.status.connection === 'online', 30_000);
    expect(online.status.error).toBeUndefined();
    expect(await t.hub.admin.point('big.virtual.3000')).toMatchObject({ state: 'ok' });
  });

  it('keeps taking the changes of a remote that holds exactly maxpoints points', async () => {
    const sim = await t.sim([]);
    await t.hub.admin.addSim('full', sim, PASSWORD);
    const { points } = (await eventually(() => t.hub.admin.remote('full'), (view) => view.status.connection === 'online' && view.status.points > 0)).status;
    await t.hub.admin.data('PUT', '/api/remotes/full', { host: '127.0.0.1', options: { maxpoints: points } });
    await eventually(() => t.hub.admin.remote('full'), (view) => view.status.connection === 'online' && view.options.maxpoints === points);

    // Changes of points it has: no new name, so nothing past the cap.
    const direct = new RioTestClient(sim.url, sim.certificate);
    try {
      for (const value of ['1', '0', '1']) {
        expect((await direct.get(`/x/rioset?1*${PASSWORD}*dummy.light.1*${value}`)).status).toBe(200);
        await eventually(() => t.hub.admin.point('full.dummy.light.1'), (point) => point.value === value && point.state === 'ok');
      }
    } finally {
      await direct.close();
    }
    const view = await t.hub.admin.remote('full');
    expect(view.status).toMatchObject({ connection: 'online', points });
    expect(view.status.error).toBeUndefined();
  });

  it('refuses changes that would take a remote past maxpoints, keeping what it had, stale', async () => {
    const site = await startTestHub(undefined, { tls: true });
    try {
      await site.admin.data('PUT', '/api/hub/served-api', { password: 'site-pw', address: '127.0.0.1' });
      await site.admin.addSim('s1', await t.sim([]), PASSWORD);
      await t.hub.admin.addSim('a', { url: site.url, certificate: site.running.certificate }, 'site-pw', { maxpoints: 30 });
      await eventually(() => t.hub.admin.point('a.s1.connection', 'io'), (point) => point.value === 'online');
      expect((await t.hub.admin.remote('a')).status.points).toBeLessThan(30);

      // The site hub grows by a remote: its new names reach the top as changes, past the cap.
      await site.admin.addSim('s2', await t.sim(['--virtuals', '40']), PASSWORD);
      const failing = await eventually(() => t.hub.admin.remote('a'), (view) => view.status.error !== undefined, 30_000);
      expect(failing.status.connection).toBe('offline');
      expect(failing.status.error?.message).toMatch(/^(changes|state) of \d\d points, over this remote's maxpoints of 30: refused$/);
      expect((await t.hub.admin.call('GET', '/api/points/a.s2.virtual.1')).status).toBe(404);
      expect(await t.hub.admin.point('a.s1.dummy.light.1')).toMatchObject({ state: 'stale' });
    } finally {
      await site.close();
    }
  });

  it('shows the caps with their defaults and refuses values out of bounds, field by field', async () => {
    const sim = await t.sim([]);
    const view = await t.hub.admin.addSim('lobby', sim, PASSWORD);
    expect(view.options).toMatchObject({ maxanswermb: 64, maxpoints: 2_000_000 });
    const refused = await t.hub.admin.call('PUT', '/api/remotes/lobby', {
      host: '127.0.0.1',
      options: { maxanswermb: 257, maxpoints: 0 },
    });
    expect(refused.body.ok === false && refused.body.error.fields).toEqual({
      'options.maxanswermb': 'must be 1 to 256 MB',
      'options.maxpoints': 'must be 1 to 100,000,000 points',
    });
    const notWhole = await t.hub.admin.call('PUT', '/api/remotes/lobby', { host: '127.0.0.1', options: { maxanswermb: 1.5, maxpoints: null } });
    expect(notWhole.body.ok === false && notWhole.body.error.fields).toEqual({
      'options.maxanswermb': 'must be a whole number of MB',
      'options.maxpoints': 'must be 1 to 100,000,000 points',
    });
    expect((await t.hub.admin.remote('lobby')).options).toMatchObject({ maxanswermb: 64, maxpoints: 2_000_000 });
  });
});
