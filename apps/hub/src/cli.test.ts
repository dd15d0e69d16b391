// The hub's command line, run as a real process: bad flags, the loopback rule, demo mode, the
// password reset; on the run's store (`--database` from testing/test-store.ts).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteView } from '@riohub/hub-api';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStore } from './db/database';
import { readMeta } from './db/store';
import { startRiohub } from './testing/run-riohub';
import { eventually, HubClient } from './testing/test-hub';
import { onPostgres, testDatabase } from './testing/test-store';

/** The hub's command line at the log level its messages are read at. */
const runHub = (args: string[], env: Record<string, string> = {}) => startRiohub(args, { RIOHUB_LOG_LEVEL: 'info', ...env });

describe('riohub command line', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--port', 'eighty'], '--port "eighty"'],
    [['--host', '0.0.0.0'], '--host 0.0.0.0 is not loopback: serve it over HTTPS'],
    [['--cert', 'a.pem'], '--cert and --key go together'],
    [['--trust-proxy', 'my-proxy'], '--trust-proxy "my-proxy": expected an IP address, a CIDR range'],
    [['--trust-proxy', '10.0.0.0/33'], '--trust-proxy "10.0.0.0/33"'],
  ])('refuses %j with a clear message and exit code 2', async (args, message) => {
    const run = runHub(args);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(message);
    expect(run.stdout()).toBe('');
  });

  it('refuses an unknown RIOHUB_LOG_LEVEL with a clear message and exit code 2', async () => {
    const run = runHub([], { RIOHUB_LOG_LEVEL: 'loud' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('RIOHUB_LOG_LEVEL "loud": expected one of fatal, error, warn, info, debug, trace, silent');
    expect(run.stdout()).toBe('');
  });

  it('runs in demo mode with two simulators connected, prints the admin password once, stops cleanly', async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-cli-'));
    const { database, drop } = await testDatabase();
    const onStore: Record<string, string> = database ? { RIOHUB_DATABASE: database } : {};
    try {
      const run = runHub(['--demo', '--port', '0', '--data', data], onStore);
      const url = await eventually(
        async () => /riohub listening on (\S+)\n/.exec(run.stdout())?.[1],
        (found) => found !== undefined,
        60_000,
      );
      const password = /user "admin", password (\S+) /.exec(run.stdout())?.[1] as string;
      expect(password).toMatch(/^[\w-]{20}$/);
      expect(run.stderr()).not.toContain(password);

      const admin = new HubClient(url as string);
      await admin.data('POST', '/api/session', { name: 'admin', password });
      const remotes = await eventually(
        () => admin.data<RemoteView[]>('GET', '/api/remotes'),
        (list) => list.length === 2 && list.every((remote) => remote.status.connection === 'online'),
        30_000,
      );
      expect(remotes.map((remote) => remote.name)).toEqual(['lobby', 'floor2']);
      expect(remotes[1]?.status.points).toBeGreaterThan(remotes[0]?.status.points ?? 0);

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      // Its simulators went with it: nothing answers on their ports any more.
      await expect(fetch(`https://127.0.0.1:${remotes[0]?.port}/`)).rejects.toThrow();
      // Their shared password is sealed like every other stored secret.
      const store = await openStore(data, database);
      expect(await readMeta(store, 'demo_password')).toMatch(/^enc:v1:/);
      await store.close();

      // A second start finds the same remotes (new ports followed) and prints no password.
      const again = runHub(['--demo', '--port', '0', '--data', data], onStore);
      const url2 = await eventually(async () => /riohub listening on (\S+)\n/.exec(again.stdout())?.[1], (f) => f !== undefined, 60_000);
      expect(again.stdout()).not.toContain('password');
      const admin2 = new HubClient(url2 as string);
      await admin2.data('POST', '/api/session', { name: 'admin', password });
      await eventually(
        () => admin2.data<RemoteView[]>('GET', '/api/remotes'),
        (list) => list.length === 2 && list.every((remote) => remote.status.connection === 'online'),
        30_000,
      );
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    } finally {
      rmSync(data, { recursive: true, force: true });
      await drop();
    }
  });

  it("logs requests to its own Remote I/O API without any password, right or wrong", async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-cli-'));
    const apiPassword = 'served-api-secret';
    const wrongGuess = 'a-wrong-guess-secret';
    const { database, drop } = await testDatabase();
    const onStore: Record<string, string> = database ? { RIOHUB_DATABASE: database } : {};
    const run = runHub(['--port', '0', '--data', data], { RIOHUB_ADMIN_PASSWORD: 'cli-admin-pw', ...onStore });
    try {
      const url = await eventually(async () => /riohub listening on (\S+)\n/.exec(run.stdout())?.[1], (found) => found !== undefined, 60_000);
      const admin = new HubClient(url as string);
      await admin.data('POST', '/api/session', { name: 'admin', password: 'cli-admin-pw' });
      await admin.data('PUT', '/api/hub/served-api', { password: apiPassword, control: true });
      expect((await fetch(`${url}/x/rioget?1*1*${apiPassword}`)).status).toBe(200);
      expect((await fetch(`${url}/x/rioset?1*${apiPassword}*nothing.here*1`)).status).toBe(404);
      // Refused silently: the client gives up; the hub has logged the refusal at once.
      const refused = new AbortController();
      fetch(`${url}/x/rioget?1*1*${wrongGuess}`, { signal: refused.signal }).catch(() => undefined);
      await eventually(async () => run.stderr(), (log) => log.includes('remote API request refused'));
      refused.abort();
      expect(run.stderr()).toContain('wrong password');
      for (const secret of [apiPassword, wrongGuess, 'cli-admin-pw']) expect(run.stderr()).not.toContain(secret);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      rmSync(data, { recursive: true, force: true });
      await drop();
    }
  });

  it('resets a lost password while the hub runs: printed once, old password and sessions gone', async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-cli-'));
    const { database, drop } = await testDatabase();
    // The reset is run with the same --database as the hub, as an operator would.
    const onStore: Record<string, string> = database ? { RIOHUB_DATABASE: database } : {};
    const run = runHub(['--port', '0', '--data', data], { RIOHUB_ADMIN_PASSWORD: 'forgotten-pw', ...onStore });
    try {
      const url = (await eventually(async () => /riohub listening on (\S+)\n/.exec(run.stdout())?.[1], (found) => found !== undefined, 60_000)) as string;
      const before = new HubClient(url);
      await before.data('POST', '/api/session', { name: 'admin', password: 'forgotten-pw' });
      const socket = await before.socket();
      const socketClosed = new Promise<number>((resolve) => socket.ws.once('close', (code) => resolve(code)));

      const reset = runHub(['--reset-password', 'admin', '--data', data], onStore);
      expect(await reset.exited).toBe(0);
      const password = /user "admin" has the new password (\S+) /.exec(reset.stdout())?.[1] as string;
      expect(password).toMatch(/^[\w-]{20}$/);
      expect(reset.stderr()).toBe('');

      expect((await before.call('GET', '/api/remotes')).status).toBe(401);
      // An open dashboard's socket ends too: the hub checks its session while it is open.
      expect(await socketClosed).toBe(4401);
      expect((await new HubClient(url).call('POST', '/api/session', { name: 'admin', password: 'forgotten-pw' })).status).toBe(401);
      await new HubClient(url).data('POST', '/api/session', { name: 'admin', password });

      const unknown = runHub(['--reset-password', 'nobody', '--data', data], onStore);
      expect(await unknown.exited).toBe(1);
      expect(unknown.stderr()).toContain('no user named nobody (users: admin)');
      // A mistyped data folder is found out on SQLite; on PostgreSQL the folder holds no database.
      if (!onPostgres) {
        const elsewhere = runHub(['--reset-password', 'admin', '--data', join(data, 'typo')]);
        expect(await elsewhere.exited).toBe(1);
        expect(elsewhere.stderr()).toContain("no hub data in");
      }
      const bare = runHub(['--reset-password']);
      expect(await bare.exited).toBe(2);
      expect(bare.stderr()).toContain("argument missing");
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      rmSync(data, { recursive: true, force: true });
      await drop();
    }
  });

  it("refuses a --database that is neither sqlite nor a PostgreSQL URL, and never shows a URL's password", async () => {
    const secret = 'db-url-secret';
    const mysql = runHub(['--port', '0', '--database', `mysql://riohub:${secret}@127.0.0.1/riohub`]);
    expect(await mysql.exited).toBe(2);
    expect(mysql.stderr()).toContain('--database: expected sqlite or a PostgreSQL URL');
    // From the environment as well; nothing listens on port 1, so the reset cannot open it.
    const data = mkdtempSync(join(tmpdir(), 'riohub-cli-'));
    try {
      const unreachable = runHub(['--reset-password', 'admin', '--data', data], { RIOHUB_DATABASE: `postgres://riohub:${secret}@127.0.0.1:1/riohub` });
      expect(await unreachable.exited).toBe(1);
      expect(unreachable.stderr()).toContain('cannot open the database at postgres://riohub:***@127.0.0.1:1/riohub');
      for (const run of [mysql, unreachable]) expect(run.stderr() + run.stdout()).not.toContain(secret);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('refuses a --data that is a file, in one line naming it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'riohub-cli-'));
    try {
      const file = join(folder, 'data.txt');
      writeFileSync(file, 'not a folder\n');
      const run = runHub(['--port', '0', '--data', file], { RIOHUB_DATABASE: '' });
      expect(await run.exited).toBe(1);
      // A line of its own (the log's warning of the suite's fast password hashes may come before or after it).
      expect(run.stderr().split('\n')).toContain(`riohub: ${file} is a file, not a folder: give the hub's data folder`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses --pair-url on a hub that keeps its store in SQLite, before it creates anything', async () => {
    const data = mkdtempSync(join(tmpdir(), 'riohub-cli-'));
    try {
      const lone = runHub(['--port', '0', '--data', data, '--pair-url', 'https://hub-a.example:8443'], { RIOHUB_DATABASE: '' });
      expect(await lone.exited).toBe(1);
      expect(lone.stderr()).toContain('riohub: --pair-url is for the hubs of a pair, which share a PostgreSQL database (--database postgres://…)');
      expect(existsSync(join(data, DATABASE_FILE))).toBe(false);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
