// riohub backup and restore as real processes, against a real hub replicating a real simulator's loggers.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord, LoggerSample, LoggerView, RemoteView, User, WriteRecord } from '@riohub/hub-api';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIM_PASSWORD, hubSeries, loggerView } from '../loggers/testing';
import { runRiohub } from '../testing/run-riohub';
import { eventually, hubPerTest, startTestHub, type TestHub } from '../testing/test-hub';
import { backupDatabase, restoreDatabase } from './backup';
import { APPLICATION_ID, DATABASE_FILE } from './database';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'riohub-backup-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Each logger's stored count and resume point, and what its rows say. */
function loggerBooks(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT id, sample_count AS counted, resume_after AS resumeAfter,
                (SELECT count(*) FROM logger_samples WHERE logger = loggers.key) AS rows,
                (SELECT coalesce(max(time), 0) FROM logger_samples WHERE logger = loggers.key) AS lastTime
         FROM loggers ORDER BY id`,
      )
      .all() as { id: string; counted: number; resumeAfter: number; rows: number; lastTime: number }[];
  } finally {
    db.close();
  }
}

const upTo = (samples: LoggerSample[], time: number) => samples.filter(([at]) => at <= time);

/** The users of a database, read as the hub would find them. */
function usersOf(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return { applicationId: db.pragma('application_id', { simple: true }), users: db.prepare('SELECT name FROM users ORDER BY name').all() };
  } finally {
    db.close();
  }
}

describe('backup and restore', () => {
  const t = hubPerTest(['--password', SIM_PASSWORD, '--lights', '2', '--dimmers', '0', '--shutters', '0', '--sensors', '0', '--virtuals', '0']);
  let restored: TestHub | undefined;
  afterEach(async () => {
    await restored?.close();
    restored = undefined;
  });

  it('backs up a hub while it replicates loggers; a hub started on the restored folder has the same remotes, users, write log and every sample', async () => {
    const key = randomBytes(32).toString('hex');
    await t.hub.close();
    t.hub = await startTestHub(undefined, { env: { RIOHUB_SECRET_KEY: key } });
    // A year of minute samples a logger: a second or two of catching up, held mid-way below.
    const sim = await t.sim(['--history-days', '365', '--history-step', '60']);
    await t.hub.admin.addSim('lobby', sim, SIM_PASSWORD, { dataloggers: 'energy;temperature', dataloggerspollinterval: 1 });
    await t.hub.admin.data('POST', '/api/users', { name: 'ops', role: 'operator', password: 'ops-password' });
    await eventually(() => t.hub.admin.data<RemoteView>('GET', '/api/remotes/lobby'), (view) => view.status.connection === 'online', 30_000);
    await t.hub.admin.data('POST', '/api/writes', { name: 'lobby.dummy.light.1', value: '1' });
    // The backup is taken mid-replication: the loggers are paged in one after the other, and the
    // remote is held (SIGSTOP) once the second is part-way, since a year of minutes catches up
    // faster than a backup starts.
    await eventually(() => loggerView(t.hub.admin, 'lobby.temperature'), (view) => view.replication === 'catching up' && view.samples > 0, 60_000);
    sim.child.kill('SIGSTOP');
    const file = join(folder, 'hub.backup');
    const backup = await runRiohub(['backup', file, '--data', t.hub.dataDir]).finally(() => sim.child.kill('SIGCONT'));
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backed up .* \(\d+\.\d MB: 1 remotes, 2 users, 1 writes, 2 loggers with \d+ samples\)/);
    expect(backup.stdout).toContain('the secret key is not in the backup');
    expect(backup.stdout).not.toContain(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // One self-contained file, consistent: each logger's count and resume point agree with its rows.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const books = loggerBooks(file);
    expect(books.map((book) => book.id)).toEqual(['lobby.energy', 'lobby.temperature']);
    for (const book of books) {
      expect(book.rows).toBe(book.counted);
      expect(book.lastTime).toBe(book.resumeAfter);
    }
    expect(books[0]?.rows).toBeGreaterThan(0);

    const target = join(folder, 'restored');
    const restore = await runRiohub(['restore', file], { RIOHUB_DATA: target });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`there is no key in ${target}`);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(join(target, DATABASE_FILE)).mode & 0o777).toBe(0o600);

    restored = await startTestHub(target, { env: { RIOHUB_SECRET_KEY: key } });
    const remotes = await restored.admin.data<RemoteView[]>('GET', '/api/remotes');
    const original = await t.hub.admin.data<RemoteView[]>('GET', '/api/remotes');
    expect(remotes.map(({ status: _status, ...settings }) => settings)).toEqual(original.map(({ status: _status, ...settings }) => settings));
    expect(remotes[0]?.hasPassword).toBe(true);
    expect(await restored.admin.data<User[]>('GET', '/api/users')).toEqual(await t.hub.admin.data<User[]>('GET', '/api/users'));
    await restored.signIn('ops', 'ops-password');
    expect(await restored.admin.data<WriteRecord[]>('GET', '/api/writes')).toEqual(await t.hub.admin.data<WriteRecord[]>('GET', '/api/writes'));
    const audit = await restored.admin.data<AuditRecord[]>('GET', '/api/audit?limit=5&filter=remote.create');
    expect(audit.map((record) => record.target)).toEqual(['lobby']);
    // Every sample of the backup, identical to the original's up to the backup's resume point
    // (both hubs go on replicating the same simulator from there).
    for (const book of books) {
      const mine = upTo(await hubSeries(restored.admin, book.id), book.resumeAfter);
      expect(mine.length).toBe(book.counted);
      expect(mine).toEqual(upTo(await hubSeries(t.hub.admin, book.id), book.resumeAfter));
    }
    const views = await restored.admin.data<LoggerView[]>('GET', '/api/loggers');
    expect(views.map((view) => view.id)).toEqual(['lobby.energy', 'lobby.temperature']);
  }, 240_000);

  // Each step a riohub process of its own: over 90 s in all on a machine three times slower than usual.
  it('refuses what is not a riohub backup, a folder a hub runs on, and an existing database without --replace', async () => {
    const file = join(folder, 'hub.backup');
    expect((await runRiohub(['backup', file, '--data', t.hub.dataDir])).code).toBe(0);
    const again = await runRiohub(['backup', file, '--data', t.hub.dataDir]);
    expect([again.code, again.stderr]).toEqual([1, `riohub: ${file} exists: give the backup a new file name\n`]);
    const nowhere = await runRiohub(['backup', join(folder, 'other.backup'), '--data', join(folder, 'typo')]);
    expect(nowhere.stderr).toContain('no hub data in');
    const noFolder = await runRiohub(['backup', join(folder, 'no-such-folder', 'hub.backup'), '--data', t.hub.dataDir]);
    expect([noFolder.code, noFolder.stderr]).toEqual([1, `riohub: cannot write ${join(folder, 'no-such-folder', 'hub.backup.partial')} (ENOENT)\n`]);
    // A file where the copy would be written (another backup's, being written, or the operator's) is left alone.
    const second = join(folder, 'second.backup');
    writeFileSync(`${second}.partial`, 'not ours');
    const underWay = await runRiohub(['backup', second, '--data', t.hub.dataDir]);
    expect([underWay.code, underWay.stderr]).toEqual([
      1,
      `riohub: ${second}.partial exists: another backup to ${second} is under way, or one was stopped part-way; remove it if none is running\n`,
    ]);
    expect([readFileSync(`${second}.partial`, 'utf8'), existsSync(second)]).toEqual(['not ours', false]);

    const text = join(folder, 'notes.txt');
    writeFileSync(text, 'these are not the droids\n'.repeat(200));
    const foreign = join(folder, 'foreign.sqlite');
    const other = new Database(foreign);
    other.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    other.pragma('application_id = 1234');
    other.close();
    const newer = join(folder, 'newer.backup');
    copyFileSync(file, newer);
    const future = new Database(newer);
    future.pragma('user_version = 999');
    future.close();
    const target = join(folder, 'restored');
    for (const [backup, why] of [
      [text, 'is not a riohub backup: it is not an SQLite database'],
      [foreign, 'is not a riohub backup: it is another application\'s database (application id 1234)'],
      [newer, 'is not a riohub backup: it was made by a newer riohub (schema 999'],
      [join(folder, 'missing.backup'), 'does not exist'],
    ] as const) {
      const refused = await runRiohub(['restore', backup, '--data', target]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(why);
      expect(existsSync(join(target, DATABASE_FILE))).toBe(false);
    }

    // The running hub's own folder: never while it runs.
    const busy = await runRiohub(['restore', file, '--data', t.hub.dataDir]);
    expect(busy.stderr).toContain('already holds a hub database: to replace it, stop the hub and restore with --replace');
    const running = await runRiohub(['restore', file, '--data', t.hub.dataDir, '--replace']);
    expect([running.code, running.stderr]).toEqual([1, `riohub: a hub is running on ${t.hub.dataDir}: stop it, then restore\n`]);
    await t.hub.admin.data('POST', '/api/users', { name: 'later', role: 'viewer', password: 'later-password' });
    await t.hub.stop();
    const replaced = await runRiohub(['restore', file, '--data', t.hub.dataDir, '--replace']);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain(`the hub will use the key in ${join(t.hub.dataDir, 'secret.key')}`);
    const db = new Database(join(t.hub.dataDir, DATABASE_FILE), { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    // The user made after the backup is gone with the replaced database and its log.
    expect(db.prepare('SELECT name FROM users ORDER BY name').all()).toEqual([{ name: 'admin' }]);
    db.close();
    const usage = await runRiohub(['restore', file]);
    expect([usage.code, usage.stderr.split('\n')[0]]).toEqual([2, 'riohub: restore needs --data <dir>, the data folder it writes into']);
  }, 240_000);

  it('replaces a damaged database with --replace, keeping it aside', async () => {
    const file = join(folder, 'hub.backup');
    expect((await runRiohub(['backup', file, '--data', t.hub.dataDir])).code).toBe(0);
    await t.hub.stop();
    // Garbage where the database was, and a real hub database cut short; a hub fails on either
    // (on the second after it made its -wal and -shm), which is when a restore is wanted.
    const garbled = join(folder, 'garbled');
    mkdirSync(garbled);
    const garbage = Buffer.from('these are not the droids\n'.repeat(400));
    writeFileSync(join(garbled, DATABASE_FILE), garbage);
    const cut = join(folder, 'cut');
    mkdirSync(cut);
    copyFileSync(join(t.hub.dataDir, DATABASE_FILE), join(cut, DATABASE_FILE));
    truncateSync(join(cut, DATABASE_FILE), 5_000);
    for (const [data, why] of [
      [garbled, 'file is not a database'],
      [cut, 'database disk image is malformed'],
    ] as const) {
      const failed = await runRiohub(['--port', '0', '--data', data], { RIOHUB_ADMIN_PASSWORD: 'failed-admin-pw' });
      expect([failed.code, failed.stderr]).toEqual([1, expect.stringContaining(why)]);
    }
    expect(existsSync(join(cut, `${DATABASE_FILE}-wal`)) && existsSync(join(cut, `${DATABASE_FILE}-shm`))).toBe(true);

    for (const [data, why] of [
      [garbled, 'file is not a database'],
      [cut, 'database disk image is malformed'],
    ] as const) {
      const database = join(data, DATABASE_FILE);
      const damaged = readFileSync(database);
      const logs = ['-wal', '-shm'].filter((suffix) => existsSync(database + suffix));
      const restore = await runRiohub(['restore', file, '--data', data, '--replace']);
      expect(restore.stderr).toBe('');
      expect(restore.code).toBe(0);
      const kept = `${database}.replaced`;
      expect(restore.stdout).toContain(`riohub: the database it replaced was damaged (${why}): it is kept as ${kept}\n`);
      // Kept whole, with its own -wal and -shm, none of which is left beside the restored database.
      expect(readFileSync(kept)).toEqual(damaged);
      for (const suffix of ['-wal', '-shm']) {
        expect(existsSync(kept + suffix)).toBe(logs.includes(suffix));
        expect(existsSync(database + suffix)).toBe(false);
      }
      expect(usersOf(database)).toEqual({ applicationId: APPLICATION_ID, users: [{ name: 'admin' }] });
    }
  }, 240_000);

  // In this process: each step below runs at the backup's or restore's first wait, as another
  // program's would while the copy is written.
  it('leaves a file that takes the backup\'s name while the copy is written, and two restores into one new folder do not mix', async () => {
    const file = join(folder, 'hub.backup');
    const backup = backupDatabase(t.hub.dataDir, file);
    writeFileSync(file, "the operator's");
    await expect(backup).rejects.toThrow(`${file} appeared while the backup was written: it is left as it is; give the backup a new file name`);
    expect(readdirSync(folder)).toEqual(['hub.backup']);
    expect(readFileSync(file, 'utf8')).toBe("the operator's");

    const good = join(folder, 'good.backup');
    await backupDatabase(t.hub.dataDir, good);
    const target = join(folder, 'restored');
    const restores = await Promise.allSettled([restoreDatabase(good, target, { replace: false }), restoreDatabase(good, target, { replace: false })]);
    expect(restores.map((restore) => restore.status)).toEqual(['fulfilled', 'rejected']);
    expect((restores[1] as PromiseRejectedResult).reason).toMatchObject({
      message: `${join(target, DATABASE_FILE)}.restoring exists: another restore into ${target} is under way, or one was stopped part-way (a partial copy); remove it if none is running`,
    });
    expect(readdirSync(target).filter((name) => name.startsWith(DATABASE_FILE))).toEqual([DATABASE_FILE]);
    expect(usersOf(join(target, DATABASE_FILE))).toEqual(usersOf(good));
    // With --replace too: a restore begun while the folder had no database takes no lock, and the
    // copy it is writing is not deleted by one that does.
    writeFileSync(`${join(target, DATABASE_FILE)}.restoring`, "another restore's");
    await expect(restoreDatabase(good, target, { replace: true })).rejects.toThrow('is under way, or one was stopped part-way (a partial copy)');
    expect(readFileSync(`${join(target, DATABASE_FILE)}.restoring`, 'utf8')).toBe("another restore's");
    expect(usersOf(join(target, DATABASE_FILE))).toEqual(usersOf(good));

    // A database that takes the name while a restore into an empty folder is written (a hub
    // started on it meanwhile) is not replaced.
    const other = join(folder, 'other');
    const restore = restoreDatabase(good, other, { replace: false });
    writeFileSync(join(other, DATABASE_FILE), "a new hub's");
    await expect(restore).rejects.toThrow(`a database appeared in ${other} while the backup was restored (a hub started on it?): it is left as it is`);
    expect(readdirSync(other)).toEqual([DATABASE_FILE]);
    expect(readFileSync(join(other, DATABASE_FILE), 'utf8')).toBe("a new hub's");
  });

  it("refuses a --data that is a file, and the folder's own database as the backup, changing nothing", async () => {
    const file = join(folder, 'hub.backup');
    expect((await runRiohub(['backup', file, '--data', t.hub.dataDir])).code).toBe(0);
    const notFolder = join(folder, 'data.txt');
    writeFileSync(notFolder, 'not a folder\n');
    for (const [data, message] of [
      [notFolder, `${notFolder} is a file, not a folder: give the hub's data folder`],
      [join(notFolder, 'hub'), `${join(notFolder, 'hub')} cannot be a data folder (ENOTDIR)`],
    ]) {
      const refused = await runRiohub(['restore', file, '--data', data as string, '--replace']);
      expect([refused.code, refused.stderr]).toEqual([1, `riohub: ${message}\n`]);
    }
    expect(readdirSync(folder).sort()).toEqual(['data.txt', 'hub.backup']);
    expect(readFileSync(notFolder, 'utf8')).toBe('not a folder\n');

    // The folder's database given as the backup, by its path or a link to it: no hub runs on it.
    await t.hub.stop();
    const own = join(t.hub.dataDir, DATABASE_FILE);
    const before = readFileSync(own);
    const link = join(folder, 'link.sqlite');
    symlinkSync(own, link);
    const folderLink = join(folder, 'data-link');
    symlinkSync(t.hub.dataDir, folderLink);
    for (const [backup, data] of [
      [own, t.hub.dataDir],
      [link, t.hub.dataDir],
      [own, folderLink],
    ] as const) {
      const self = await runRiohub(['restore', backup, '--data', data, '--replace']);
      expect([self.code, self.stderr]).toEqual([1, `riohub: ${backup} is the database of ${data} itself: restore a backup of it (made by riohub backup)\n`]);
    }
    expect(readFileSync(own)).toEqual(before);
    expect(readdirSync(t.hub.dataDir).filter((name) => name.startsWith(DATABASE_FILE))).toEqual([DATABASE_FILE]);
  }, 240_000);
});

describe('backup and restore with a PostgreSQL database', () => {
  it("refuse, naming PostgreSQL's own tools, and never show the URL's password", async () => {
    const secret = 'backup-url-secret';
    const env = { RIOHUB_DATABASE: `postgres://riohub:${secret}@127.0.0.1:1/riohub` };
    const backup = await runRiohub(['backup', join(folder, 'hub.backup'), '--data', folder], env);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain('back it up with pg_dump');
    const restore = await runRiohub(['restore', join(folder, 'hub.backup')], env);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('restore it with pg_restore');
    for (const run of [backup, restore]) expect(run.stdout + run.stderr).not.toContain(secret);
    expect(existsSync(join(folder, 'hub.backup'))).toBe(false);
  });
});
