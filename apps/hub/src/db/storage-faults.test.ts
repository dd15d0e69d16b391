// The hub's database fails under it: its disk full while it runs, or files it cannot write at start. A write never reaches a
// remote unrecorded, the operator is told why, reads go on, and nothing dies without a word.
import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HealthView, LoggerView, ServerMessage, WriteRecord } from '@riohub/hub-api';
import { appArgs, RioTestClient, spawnHub } from '@riohub/testkit';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from './database';
import { eventually, HubClient, hubPerTest } from '../testing/test-hub';

const PASSWORD = 'storage-pw';

describe('storage failures', () => {
  const t = hubPerTest(['--password', PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0']);

  it('refuses a write it cannot record before sending it, keeps the link and the reads going, says so everywhere, and recovers', async () => {
    const hub = await spawnHub('small-disk-admin-pw', { diskMb: 16, captureLog: true });
    const sim = await t.sim([]);
    const direct = new RioTestClient(sim.url, sim.certificate);
    try {
      const admin = new HubClient(hub.url);
      await admin.data('POST', '/api/session', { name: 'admin', password: 'small-disk-admin-pw' });
      await admin.addSim('site', sim, PASSWORD);
      await eventually(() => admin.point('site.connection', 'hub'), (point) => point.value === 'online');
      const before = await admin.data<WriteRecord>('POST', '/api/writes', { name: 'site.dummy.light.1', value: '1' });
      expect(before.status).toMatch(/applied|confirmed/);
      const socket = await admin.socket();
      await socket.until(() => socket.messages.some((m) => m.type === 'storage'));
      expect(socket.messages.find((m) => m.type === 'storage')?.payload).toEqual({ ok: true });

      hub.fillDisk();
      const refused = await admin.call<WriteRecord>('POST', '/api/writes', { name: 'site.dummy.light.2', value: '1' });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'storage-failed' } });
      expect(!refused.body.ok && refused.body.error.message).toMatch(/cannot write its database .*SQLITE_FULL.*nothing was sent/);
      // Nothing reached the building.
      const state = JSON.parse((await direct.get(`/x/rioget?1*1*${PASSWORD}`)).body) as { hsycostate: { io: Record<string, string> } };
      expect(state.hsycostate.io['dummy.light.2']).toBe('0');

      // Reads go on: the write log as it was, and the live tree, which still follows the building.
      expect((await admin.data<WriteRecord[]>('GET', '/api/writes')).map((record) => record.name)).toEqual(['site.dummy.light.1']);
      await direct.get(`/x/rioset?1*${PASSWORD}*dummy.light.2*1`);
      await eventually(() => admin.point('site.dummy.light.2'), (point) => point.value === '1' && point.state === 'ok');
      expect((await admin.remote('site')).status.connection).toBe('online');
      // A settings change is refused as clearly.
      const user = await admin.call('POST', '/api/users', { name: 'nina', role: 'viewer', password: 'nina-pass1' });
      expect(user.status).toBe(503);
      expect(user.body).toMatchObject({ ok: false, error: { code: 'storage-failed' } });
      // Readiness (/readyz, and /api/health alike), the dashboard's socket and the log all say it, the log once.
      const health = await admin.call<HealthView>('GET', '/readyz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ok: true, data: { ready: false, storage: { ok: false }, links: true } });
      expect(JSON.stringify(health.body)).toContain('SQLITE_FULL');
      expect(await admin.call<HealthView>('GET', '/api/health')).toEqual(await admin.call<HealthView>('GET', '/readyz'));
      // A probe or monitor with no session learns that it is not ready, not the hub's error text; the process is alive.
      const anonymous = await new HubClient(hub.url).call<HealthView>('GET', '/readyz');
      expect(anonymous).toMatchObject({ status: 503, body: { ok: true, data: { ready: false, storage: { ok: false, error: 'storage failing' } } } });
      expect((await new HubClient(hub.url).call('GET', '/healthz')).status).toBe(200);
      await socket.until(() => socket.messages.some((m) => m.type === 'storage' && !m.payload.ok));
      expect(hub.log.filter((line) => line.level >= 50 && line.msg.startsWith('storage failing'))).toHaveLength(1);

      // Space again: the probe finds the storage writable, and writes are recorded again.
      hub.freeDisk();
      await eventually(() => admin.call<HealthView>('GET', '/readyz'), (answer) => answer.status === 200);
      await socket.until(() => {
        const last = socket.messages.filter((m): m is Extract<ServerMessage, { type: 'storage' }> => m.type === 'storage').at(-1);
        return last?.payload.ok === true;
      });
      const after = await admin.data<WriteRecord>('POST', '/api/writes', { name: 'site.dummy.light.1', value: '0' });
      expect(after.status).toMatch(/applied|confirmed/);
      expect((await admin.data<WriteRecord[]>('GET', '/api/writes')).map((record) => record.newValue)).toEqual(['0', '1']);
      await eventually(async () => hub.log, (log) => log.some((line) => line.msg.startsWith('storage recovered')));
      socket.close();
    } finally {
      await direct.close();
      await hub.stop();
    }
  });

  it('marks the storage failing when a logger page cannot be stored, with no operator write needed', async () => {
    const hub = await spawnHub('logger-disk-admin-pw', { diskMb: 16, captureLog: true });
    // Live samples come every ten seconds, polled every second: the first page after the disk fills cannot be stored.
    const sim = await t.sim(['--history-days', '1', '--history-step', '60']);
    try {
      const admin = new HubClient(hub.url);
      await admin.data('POST', '/api/session', { name: 'admin', password: 'logger-disk-admin-pw' });
      await admin.addSim('site', sim, PASSWORD, { dataloggers: 'energy', dataloggerspollinterval: 1 });
      await eventually(() => admin.data<LoggerView[]>('GET', '/api/loggers'), (loggers) => loggers[0]?.replication === 'up to date', 30_000);
      hub.fillDisk();
      await eventually(() => admin.call<HealthView>('GET', '/api/health'), (answer) => answer.status === 503, 30_000);
      const [logger] = await admin.data<LoggerView[]>('GET', '/api/loggers');
      expect(logger).toMatchObject({ replication: 'failing', error: expect.stringContaining('SQLITE_FULL') });
      hub.freeDisk();
      await eventually(() => admin.call<HealthView>('GET', '/api/health'), (answer) => answer.status === 200);
      await eventually(() => admin.data<LoggerView[]>('GET', '/api/loggers'), (loggers) => loggers[0]?.replication === 'up to date', 30_000);
    } finally {
      await hub.stop();
    }
  });
});

describe('files the hub cannot write at start', () => {
  it('stops at once with a message naming the file, instead of dying of SIGBUS later', async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-unwritable-'));
    try {
      // A hub's data folder, left with a shared-memory file its user cannot write: one of another
      // user's (root runs the hub as nobody for this, since root writes whatever the mode says),
      // or, run by anybody else, a folder where the file should be.
      await openDatabase(data).close();
      const shm = join(data, `${DATABASE_FILE}-shm`);
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      if ('uid' in asNobody) {
        for (const name of ['', ...readdirSync(data)]) chownSync(join(data, name), 65534, 65534);
        writeFileSync(shm, '', { mode: 0o644 });
      } else {
        mkdirSync(shm);
      }
      const child = spawn(process.execPath, appArgs('hub', ['--port', '0', '--data', data]), {
        ...asNobody,
        env: { ...process.env, RIOHUB_ADMIN_PASSWORD: 'unwritable-pw', RIOHUB_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
      expect(exit.signal).toBeNull();
      expect(exit.code).toBe(1);
      expect(stderr).toContain(`${DATABASE_FILE}-shm is not writable`);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
