/**
 * Opening the hub's store: the SQLite file in the data folder (`<data>/riohub.sqlite`) by
 * default, or PostgreSQL when a `postgres://` URL is given (`--database`). Both hold settings,
 * users, sessions, the write log, the audit and logger samples; this file has SQLite's schema,
 * db/postgres-schema.ts PostgreSQL's.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '@riohub/cli';
import Database from 'better-sqlite3';
import { migratePostgres } from './postgres-schema';
import { PostgresStore } from './postgres-store';
import { postgresUrlFault } from './postgres-url';
import type { SecretBox } from './secret-box';
import { SqliteStore } from './sqlite-store';
import { assertWritable } from './storage-health';
import { attachSecrets, type Store } from './store';

/** Each entry upgrades the schema by one version; entries are never edited once released. */
const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE remotes (
     name TEXT PRIMARY KEY,
     settings TEXT NOT NULL,
     password TEXT NOT NULL,
     demo INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL);
   CREATE TABLE users (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL);
   CREATE TABLE sessions (
     token_hash TEXT PRIMARY KEY,
     user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL);
   CREATE TABLE writes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     user TEXT NOT NULL,
     remote TEXT NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     old_value TEXT,
     new_value TEXT NOT NULL,
     status TEXT NOT NULL,
     error TEXT);`,
  // Replicated data loggers (apps/hub/src/loggers). Samples are keyed by (logger, time) in a
  // WITHOUT ROWID table: the rows are stored in key order, so one logger's time range is one
  // contiguous B-tree range scan, with no separate index to keep or look through. The logger is
  // a small integer rather than its text id, which keeps years of samples compact. `resume_after`
  // is the time of the last sample replicated (written with each page in one transaction), and
  // `sample_count` is kept with every insert and delete so listing loggers never counts rows.
  `CREATE TABLE loggers (
     key INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     remote TEXT NOT NULL,
     remote_id TEXT NOT NULL,
     type TEXT NOT NULL,
     unit TEXT NOT NULL,
     resume_after INTEGER NOT NULL DEFAULT 0,
     sample_count INTEGER NOT NULL DEFAULT 0,
     retention_days INTEGER);
   CREATE INDEX loggers_by_remote ON loggers (remote, remote_id);
   CREATE TABLE logger_samples (
     logger INTEGER NOT NULL,
     time INTEGER NOT NULL,
     value REAL NOT NULL,
     PRIMARY KEY (logger, time)) WITHOUT ROWID;`,
  // Hourly rollups of the logger samples, so that a year by month reads 8,760 rows, not 525,600.
  // Each row is a pure function of the raw samples (recomputed for the hours a page or a deletion
  // touches): min, max, sum and count for range loggers, and for counters the consumption, the
  // steps whose later sample falls in the hour (a step down is a meter reset: the new reading).
  `CREATE TABLE logger_hours (
     logger INTEGER NOT NULL,
     hour INTEGER NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     total REAL NOT NULL,
     count INTEGER NOT NULL,
     consumption REAL NOT NULL,
     PRIMARY KEY (logger, hour)) WITHOUT ROWID;
   INSERT INTO logger_hours
     SELECT logger, (time / 3600000) * 3600000, min(value), max(value), sum(value), count(*),
            coalesce(sum(CASE WHEN previous IS NULL THEN 0 WHEN value >= previous THEN value - previous ELSE value END), 0)
     FROM (SELECT logger, time, value, lag(value) OVER (PARTITION BY logger ORDER BY time) AS previous FROM logger_samples)
     GROUP BY logger, time / 3600000;`,
  // The audit of admin actions (apps/hub/src/audit): who (`user`), from where (`address`), what
  // (`action` on `target`), and the changes as JSON, never a secret's value. `summary` is those
  // changes as text, kept so that a filter and a CSV export read one column. Paged by id.
  `CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     user TEXT NOT NULL,
     address TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     outcome TEXT NOT NULL,
     changes TEXT NOT NULL,
     summary TEXT NOT NULL,
     error TEXT);`,
  // Through what each write came (`WriteVia`): writes logged before were all the dashboard's or a
  // Remote I/O client's, told apart by their user.
  `ALTER TABLE writes ADD COLUMN via TEXT NOT NULL DEFAULT 'dashboard';
   UPDATE writes SET via = 'remote-io' WHERE user LIKE 'remote API client %';`,
];

/** The hub's SQLite file, in its data folder. */
export const DATABASE_FILE = 'riohub.sqlite';

/**
 * `PRAGMA application_id` of a riohub database ("rioh"), set at every open, so that a file can be
 * told to be one (`riohub restore` refuses any other).
 */
export const APPLICATION_ID = 0x72696f68;

/** The schema version this riohub migrates databases to (`PRAGMA user_version`). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Refuses a `--data` that is not a folder (or a name a folder can have), in one line that names
 * it, before anything is written (`mkdir` would say only EEXIST).
 */
export function checkDataFolder(dataDir: string): void {
  let stats: Stats | undefined;
  try {
    stats = statSync(dataDir, { throwIfNoEntry: false });
  } catch (error) {
    throw new CommandError(`${dataDir} cannot be a data folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (stats && !stats.isDirectory()) throw new CommandError(`${dataDir} is a file, not a folder: give the hub's data folder`);
}

/**
 * The data folder, made (or tightened) to mode 0700: it holds the database, the secret key and
 * the certificate's private key, which are nobody else's business on a shared machine.
 */
export function ensureDataFolder(dataDir: string): void {
  checkDataFolder(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/**
 * Opens (and migrates) the store: PostgreSQL when `database` is a `postgres://` (or
 * `postgresql://`) URL, else the SQLite file in `dataDir`. `secrets` seals the passwords it
 * stores; it may be left out by tools that never read them (a password reset, benchmarks).
 */
export async function openStore(dataDir: string, database: string | undefined, secrets?: SecretBox): Promise<Store> {
  if (database !== undefined && database !== '' && database !== 'sqlite') {
    const fault = postgresUrlFault(database);
    if (fault) throw new Error(`--database: ${fault}`);
    return openPostgres(database, secrets);
  }
  return openDatabase(dataDir, secrets);
}

/** Opens (and migrates) the SQLite file in `dataDir`. */
export function openDatabase(dataDir: string, secrets?: SecretBox): SqliteStore {
  ensureDataFolder(dataDir);
  assertWritable(dataDir, [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]);
  const file = join(dataDir, DATABASE_FILE);
  // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // What is deleted or overwritten within a page (a password sealed at start, a user's hash) is
  // zeroed, not left in its free space; FAST skips zeroing whole free pages, which would double
  // the writes of logger retention.
  db.pragma('secure_delete = FAST');
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) chmodSync(file + suffix, 0o600);
  migrate(db);
  if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
  const store = new SqliteStore(db, file);
  if (secrets) attachSecrets(store, secrets);
  return store;
}

/** Connects to (and migrates) the PostgreSQL database at `url`. */
export async function openPostgres(url: string, secrets?: SecretBox): Promise<PostgresStore> {
  const store = await PostgresStore.open(url);
  try {
    await migratePostgres(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (secrets) attachSecrets(store, secrets);
  return store;
}

/**
 * Empties SQLite's write-ahead log into the database file: after secrets were sealed in place,
 * no earlier page image that held them in plain text is left in the -wal file. (PostgreSQL's
 * log is the server's to keep.)
 */
export function truncateLog(store: Store): void {
  if (store instanceof SqliteStore) store.db.pragma('wal_checkpoint(TRUNCATE)');
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next] as string);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}
