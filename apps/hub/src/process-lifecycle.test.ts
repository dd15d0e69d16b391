// The hub as a supervisor sees it, run as a real process: SIGTERM while a remote is linked, a
// browser is connected and a logger is paging ends it with code 0 within 10 s, and the history
// resumes after it with no gap and no duplicate; an uncaught error is logged and ends it with a
// non-zero code; a kept self-signed certificate close to expiry is renewed and its new fingerprint
// shown.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, makeSelfSigned } from '@riohub/certificate';
import { spawnHubOnTestStore, spawnSim, type HubProcess, type SimProcess } from '@riohub/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { expectSameSeries, loggerView, SIM_PASSWORD, untilUpToDate } from './loggers/testing';
import { eventually, HubClient } from './testing/test-hub';

const ADMIN_PASSWORD = 'lifecycle-admin-pw';
/** The bound a supervisor gives a stopping process before it kills it. */
const STOP_BOUND_MS = 10_000;

/** A module the test hands to Node (`--import`): on SIGUSR2, what no code of the hub catches. */
function throwOnSignal(body: string): string[] {
  return ['--import', `data:text/javascript,${encodeURIComponent(`process.on('SIGUSR2', () => { ${body} });`)}`];
}

/**
 * How the hub ended, and when it exited; resolved on 'close', not 'exit': its stderr (the log) has
 * been read whole by then, while at 'exit' its last lines may still be on their way.
 */
function exitOf(hub: HubProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
  return new Promise((resolve) => {
    let at = 0;
    hub.child.once('exit', () => (at = Date.now()));
    hub.child.once('close', (code, signal) => resolve({ code, signal, at: at || Date.now() }));
  });
}

describe('the hub process', () => {
  const started: { stop(): Promise<unknown> }[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((process) => process.stop()));
  });

  async function hubProcess(...args: Parameters<typeof spawnHubOnTestStore>): Promise<HubProcess> {
    const hub = await spawnHubOnTestStore(...args);
    started.push(hub);
    return hub;
  }

  async function sim(args: string[]): Promise<SimProcess> {
    const process = await spawnSim(['--password', SIM_PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', ...args]);
    started.push({ stop: () => process.stop('SIGKILL') });
    return process;
  }

  it('stops on SIGTERM within 10 s with code 0 while a remote is linked, a browser is connected and a logger is paging; the history resumes without gap or duplicate', async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-lifecycle-'));
    try {
      // 120 days of minute samples (172,800): the logger pages for a few seconds.
      const remote = await sim(['--history-days', '120', '--history-step', '60']);
      let hub = await hubProcess(ADMIN_PASSWORD, { dataDir: data, captureLog: true });
      let admin = new HubClient(hub.url);
      await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
      await admin.addSim('lobby', remote, SIM_PASSWORD, { dataloggers: 'energy', dataloggerspollinterval: 1 });
      await eventually(() => admin.point('lobby.connection', 'hub'), (point) => point.value === 'online');
      const socket = await admin.socket();
      const socketClosed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));
      const paging = await eventually(() => loggerView(admin, 'lobby.energy'), (view) => view.replication === 'catching up' && view.samples > 0, 30_000);
      expect(paging.samples).toBeLessThan(172_800);

      const exit = exitOf(hub);
      const sentAt = Date.now();
      hub.child.kill('SIGTERM');
      const { code, signal, at } = await exit;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(at - sentAt).toBeLessThan(STOP_BOUND_MS);
      await socketClosed;
      expect(socket.ws.readyState).toBe(WebSocket.CLOSED);
      expect(hub.log.some((line) => line.msg === 'stopping')).toBe(true);
      expect(hub.log.filter((line) => line.level >= 50)).toEqual([]);

      // Started again on the same folder, it resumes where the last stored page ended.
      hub = await hubProcess(ADMIN_PASSWORD, { dataDir: data });
      admin = new HubClient(hub.url);
      await admin.data('POST', '/api/session', { name: 'admin', password: ADMIN_PASSWORD });
      await untilUpToDate(admin, 'lobby.energy', 60_000);
      expect(await expectSameSeries(admin, remote, 'lobby.energy', 'energy')).toBeGreaterThanOrEqual(172_800);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
    // Two hub starts, a replication and a comparison of every sample: more than the default on a busy machine.
  });

  it.each([
    ['uncaught exception', "setImmediate(() => { throw new Error('deliberately uncaught'); });"],
    ['unhandled promise rejection', "Promise.reject(new Error('deliberately uncaught'));"],
  ])('logs an %s and exits with a non-zero code', async (kind, body) => {
    const hub = await hubProcess(ADMIN_PASSWORD, { captureLog: true, nodeArgs: throwOnSignal(body) });
    const exit = exitOf(hub);
    hub.child.kill('SIGUSR2');
    const { code } = await exit;
    expect(code).toBe(1);
    const fatal = hub.log.find((line) => line.level === 60);
    expect(fatal?.msg).toBe(`${kind}: exiting, to be restarted by the supervisor`);
    expect(JSON.stringify(fatal?.['err'])).toContain('deliberately uncaught');
  });

  it('renews a kept self-signed certificate that expires within 30 days, and shows its new fingerprint', async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-lifecycle-cert-'));
    try {
      const expiring = await makeSelfSigned('127.0.0.1', 'riohub', new Date(Date.now() + 3 * 86_400_000));
      writeFileSync(join(data, 'key.pem'), expiring.key, { mode: 0o600 });
      writeFileSync(join(data, 'cert.pem'), expiring.cert);
      const hub = await hubProcess(ADMIN_PASSWORD, { dataDir: data, captureLog: true, args: ['--tls'] });
      const served = fingerprintOf(hub.certificate as string);
      expect(served).not.toBe(fingerprintOf(expiring.cert));
      expect(hub.stdout()).toContain(`has been renewed: new fingerprint ${served}`);
      const logged = hub.log.find((line) => String(line.msg).includes('renewed'));
      expect(logged).toMatchObject({ level: 40, fingerprint: served, previousFingerprint: fingerprintOf(expiring.cert) });
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
