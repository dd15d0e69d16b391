/**
 * `riohub backup` and `riohub restore`. A backup is SQLite's online backup of the hub's database,
 * taken from a second connection inside one read transaction: in WAL mode that is one snapshot,
 * which the running hub's writes neither block nor change, so the copy is consistent (every
 * logger page with its resume point) however busy the hub is. It is one self-contained file
 * (journal mode DELETE), mode 0600. The secret key is not in it, by design.
 *
 * A restore checks that the file is a riohub database (its application id, or the tables of one
 * made before the id was set; a schema this riohub knows; SQLite's quick check) and not the
 * folder's own, refuses while a hub has the folder's database open (it cannot take SQLite's
 * exclusive lock), and puts the copy in place with the folder 0700 and the file 0600, moving the
 * old database's -wal and -shm away with it so that nothing of it is replayed over the restored
 * one. A damaged old database is replaced too (that is what a restore is for), and kept aside.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommandError } from '@riohub/cli';
import Database from 'better-sqlite3';
import { APPLICATION_ID, checkDataFolder, DATABASE_FILE, ensureDataFolder, SCHEMA_VERSION } from './database';
import { placeWithoutReplacing } from './place-file';
import { SECRET_KEY_ENV, SECRET_KEY_FILE } from './secret-box';

/** What a database holds, for the messages of a backup and a restore. */
export interface DatabaseContents {
  bytes: number;
  remotes: number;
  users: number;
  writes: number;
  loggers: number;
  samples: number;
}

/** What `riohub restore` did: the restored database's contents, and where a damaged one it replaced is kept. */
export interface RestoredDatabase extends DatabaseContents {
  damaged?: { why: string; keptAs: string };
}

/** The tables every riohub database has had since its first version. */
const FIRST_TABLES = ['meta', 'remotes', 'users', 'sessions', 'writes'];

export function describeContents(contents: DatabaseContents): string {
  const megabytes = (contents.bytes / 1_048_576).toFixed(1);
  return `${megabytes} MB: ${contents.remotes} remotes, ${contents.users} users, ${contents.writes} writes, ${contents.loggers} loggers with ${contents.samples} samples`;
}

/** Says why a file is not a riohub database this version can restore, or `undefined` when it is one. */
export function whyNotRestorable(db: Database.Database): string | undefined {
  let applicationId: number;
  let version: number;
  let tables: string[];
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
  } catch (error) {
    return `it is not an SQLite database (${(error as Error).message})`;
  }
  // A database made before the id was set (0) is known by its tables.
  if (applicationId !== APPLICATION_ID && applicationId !== 0) return `it is another application's database (application id ${applicationId})`;
  const missing = FIRST_TABLES.filter((table) => !tables.includes(table));
  if (missing.length > 0 || version < 1) return `it is not a riohub database (no ${missing.join(', ') || 'schema version'})`;
  if (version > SCHEMA_VERSION) return `it was made by a newer riohub (schema ${version}; this one knows up to ${SCHEMA_VERSION}): restore it with that version`;
  const check = db.pragma('quick_check', { simple: true }) as string;
  if (check !== 'ok') return `it is damaged (${check})`;
  return undefined;
}

function contentsOf(db: Database.Database, file: string): DatabaseContents {
  const count = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
  return {
    bytes: statSync(file).size,
    remotes: count('SELECT count(*) AS n FROM remotes'),
    users: count('SELECT count(*) AS n FROM users'),
    writes: count('SELECT count(*) AS n FROM writes'),
    loggers: tables.has('loggers') ? count('SELECT count(*) AS n FROM loggers') : 0,
    samples: tables.has('loggers') ? count('SELECT sum(sample_count) AS n FROM loggers') : 0,
  };
}

/**
 * A new file, mode 0600, that nobody else can have opened. One there already is left as it is,
 * and `whyThere` says what it may be.
 */
function freshPrivateFile(path: string, whyThere: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandError(code === 'EEXIST' ? `${path} exists: ${whyThere}` : `cannot write ${path} (${code ?? String(error)})`);
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes a consistent copy of the hub's database to `file` (which must not exist), while the hub runs or not. */
export async function backupDatabase(dataDir: string, file: string): Promise<DatabaseContents> {
  const source = join(dataDir, DATABASE_FILE);
  const target = resolve(file);
  if (!existsSync(source)) throw new CommandError(`no hub data in ${dataDir} (give the hub's --data folder)`);
  if (existsSync(target)) throw new CommandError(`${target} exists: give the backup a new file name`);
  const partial = `${target}.partial`;
  // Not removed if there: it may be another backup's to the same name, being written, or the operator's.
  freshPrivateFile(partial, `another backup to ${target} is under way, or one was stopped part-way; remove it if none is running`);
  // Run as the hub's user: this connection may create the database's -shm file, as the hub's do.
  const db = new Database(source, { fileMustExist: true, timeout: 10_000 });
  try {
    const why = whyNotRestorable(db);
    if (why) throw new CommandError(`${source} cannot be backed up: ${why}`);
    // One read transaction around every step: one snapshot, so no step has to restart on the hub's writes.
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM meta').get();
    try {
      await db.backup(partial);
    } finally {
      db.exec('COMMIT');
    }
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  let contents: DatabaseContents;
  try {
    // One self-contained file: no -wal or -shm to carry along.
    copy.pragma('journal_mode = DELETE');
    const why = whyNotRestorable(copy);
    if (why) throw new Error(`the copy does not check: ${why}`);
    contents = contentsOf(copy, partial);
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
  copy.close();
  syncFile(partial);
  if (!placeWithoutReplacing(partial, target)) throw new CommandError(`${target} appeared while the backup was written: it is left as it is; give the backup a new file name`);
  return contents;
}

/** The lines `riohub backup` prints. */
export function backupReport(dataDir: string, file: string, contents: DatabaseContents): string[] {
  return [
    `riohub: backed up ${join(dataDir, DATABASE_FILE)} to ${resolve(file)} (${describeContents(contents)})`,
    `riohub: the secret key is not in the backup: keep ${join(dataDir, SECRET_KEY_FILE)} (or ${SECRET_KEY_ENV}) apart, safely; restored with another key, the remotes' passwords, this hub's Remote I/O API password and the MQTT broker's password must be entered again`,
  ];
}

/** The old database's files: SQLite's log and index (WAL) and rollback journal go with it, wherever it goes. */
const DATABASE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/** SQLite's file header: a file without it is no database to SQLite. */
const SQLITE_HEADER_BYTES = 100;

/**
 * Takes SQLite's exclusive lock on the folder's database and keeps it (until the returned
 * connection closes): refused while a hub has it open, and a hub starting meanwhile cannot read it.
 *
 * A database SQLite cannot read (not one, or cut short) is `damaged`, and replaced all the same:
 * that is what a restore is for, and a hub fails on it at its start. SQLite reads its first page
 * before it tries for the lock, so a hub still running on a database damaged under it is not seen
 * (it goes on with the files it has open, moved aside with the database).
 */
function lockOut(database: string, dataDir: string): { lock: Database.Database; damaged?: string } {
  const db = new Database(database, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // Out of WAL first (BUSY while a hub has it open): a log left by a hub that was killed is
    // checkpointed now, not when this connection closes after the renames, which would write its
    // pages (the header unmade below among them) back into the moved file and delete a -wal by the
    // name the restored database has then.
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
    return { lock: db };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return { lock: db, damaged: (error as Error).message };
    db.close();
    if (code.startsWith('SQLITE_BUSY')) throw new CommandError(`a hub is running on ${dataDir}: stop it, then restore`);
    throw error;
  }
}

/** Whether two paths name one file, however they get there (links, `..`). */
function sameFile(first: string, second: string): boolean {
  const one = statSync(first, { throwIfNoEntry: false });
  const other = statSync(second, { throwIfNoEntry: false });
  return one !== undefined && other !== undefined && one.dev === other.dev && one.ino === other.ino;
}

/** Zeroes a file's SQLite header, so that SQLite takes it for no database ("file is not a database"). */
function unmakeDatabase(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(SQLITE_HEADER_BYTES), 0, SQLITE_HEADER_BYTES, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Puts a backup in place as the folder's database. Refuses a file that is not one, and a folder a hub runs on. */
export async function restoreDatabase(file: string, dataDir: string, options: { replace: boolean }): Promise<RestoredDatabase> {
  const backup = resolve(file);
  if (!existsSync(backup)) throw new CommandError(`${backup} does not exist`);
  checkDataFolder(dataDir);
  const database = join(dataDir, DATABASE_FILE);
  // Told apart before the backup is opened: its connection would hold the folder database's lock,
  // and the restore would take that for a running hub.
  if (sameFile(backup, database)) throw new CommandError(`${backup} is the database of ${dataDir} itself: restore a backup of it (made by riohub backup)`);
  let source: Database.Database;
  try {
    source = new Database(backup, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new CommandError(`${backup} is not a riohub backup: ${(error as Error).message}`);
  }
  try {
    const why = whyNotRestorable(source);
    if (why) throw new CommandError(`${backup} is not a riohub backup: ${why}`);
    let old: ReturnType<typeof lockOut> | undefined;
    if (existsSync(database)) {
      if (!options.replace) throw new CommandError(`${dataDir} already holds a hub database: to replace it, stop the hub and restore with --replace`);
      // Held until the restored database has the name, so that a hub started meanwhile cannot use the old one.
      old = lockOut(database, dataDir);
    }
    const staging = `${database}.restoring`;
    const replaced = `${database}.replaced`;
    let moved: string[] = [];
    try {
      ensureDataFolder(dataDir);
      // Never removed if there, even with the old database locked out: a restore into this folder
      // begun while it had no database takes no lock, and may be writing it.
      freshPrivateFile(staging, `another restore into ${dataDir} is under way, or one was stopped part-way (a partial copy); remove it if none is running`);
      try {
        await source.backup(staging);
        syncFile(staging);
      } catch (error) {
        rmSync(staging, { force: true });
        throw error;
      }
      // The old database moves aside whole (its log with it, never replayed over the restored one)
      // before the restored one takes its name, and goes only once that is done: a crash in between
      // leaves one of the two complete. What an earlier restore left under the aside name goes
      // first, so that none of it is taken for part of this one.
      // Into a folder that had none, what has a database's name now came meanwhile (a hub started
      // on it): it is not moved aside, and the restored one does not take its place.
      if (old) {
        moved = DATABASE_SUFFIXES.filter((suffix) => existsSync(database + suffix));
        for (const suffix of DATABASE_SUFFIXES) rmSync(replaced + suffix, { force: true });
        for (const suffix of moved) renameSync(database + suffix, replaced + suffix);
        renameSync(staging, database);
      } else {
        // A log left by a database deleted by hand is never replayed over the restored one.
        if (!existsSync(database)) for (const suffix of DATABASE_SUFFIXES.slice(1)) rmSync(database + suffix, { force: true });
        if (!placeWithoutReplacing(staging, database)) throw new CommandError(`a database appeared in ${dataDir} while the backup was restored (a hub started on it?): it is left as it is`);
      }
      // A hub that opened the old database just before it moved waits for the lock, then would run
      // on it with a new -wal beside the restored one, which SQLite would replay over that: it
      // finds no database instead. (A damaged one, kept as it is for a look, fails it already.)
      if (old && !old.damaged) unmakeDatabase(replaced);
    } finally {
      old?.lock.close();
    }
    if (!old?.damaged) for (const suffix of moved) rmSync(replaced + suffix, { force: true });
    const restored = new Database(database, { readonly: true, fileMustExist: true });
    try {
      const contents = contentsOf(restored, database);
      return old?.damaged ? { ...contents, damaged: { why: old.damaged, keptAs: replaced } } : contents;
    } finally {
      restored.close();
    }
  } finally {
    source.close();
  }
}

/** The lines `riohub restore` prints: what was restored, and what of the key. */
export function restoreReport(file: string, dataDir: string, restored: RestoredDatabase, env: NodeJS.ProcessEnv): string[] {
  const keyFile = join(dataDir, SECRET_KEY_FILE);
  const key =
    env[SECRET_KEY_ENV] !== undefined
      ? `the hub will use the key in ${SECRET_KEY_ENV}`
      : existsSync(keyFile)
        ? `the hub will use the key in ${keyFile}`
        : `there is no key in ${dataDir}: put the hub's ${SECRET_KEY_FILE} there (or set ${SECRET_KEY_ENV}) before starting it`;
  return [
    `riohub: restored ${resolve(file)} into ${join(dataDir, DATABASE_FILE)} (${describeContents(restored)})`,
    ...(restored.damaged ? [`riohub: the database it replaced was damaged (${restored.damaged.why}): it is kept as ${restored.damaged.keptAs}`] : []),
    `riohub: the secret key is not part of a backup: ${key}; with a key other than the one it was made with, the remotes' passwords, this hub's Remote I/O API password and the MQTT broker's password must be entered again`,
  ];
}
