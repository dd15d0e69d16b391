/**
 * Whether the hub can write its database. A write that fails for a reason of the storage itself
 * (read-only, full, moved, an I/O error) marks it failing: said once in the log, in readiness
 * and on every dashboard, while everything held in memory (the tree, the live values) keeps
 * being served. While failing, a probe writes one row every few seconds; the first that succeeds
 * clears the failure. Failures of a single statement (a constraint) are not the storage's.
 */
import { EventEmitter } from 'node:events';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageStatus } from '@riohub/hub-api';
import Database from 'better-sqlite3';
import type { Store } from './store';

type SqliteError = InstanceType<typeof Database.SqliteError>;

/** SQLite's primary result codes that say the file or the disk is at fault, not the statement. */
const STORAGE_CODES = ['SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_PERM'];

/** How often a failing storage is tried again. */
export const STORAGE_PROBE_MS = 2_000;

export function isSqliteStorageError(error: unknown): error is SqliteError {
  if (!(error instanceof Database.SqliteError)) return false;
  // Extended codes extend the primary one: SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE, …
  return STORAGE_CODES.some((code) => error.code === code || error.code.startsWith(`${code}_`));
}

/** What an operator is told: what failed and why, without a path of the machine's disk. */
export function describeSqliteStorageError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return `the hub cannot write its database (${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)})`;
}

export interface StorageLogger {
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export class StorageHealth extends EventEmitter<{ change: [status: StorageStatus] }> {
  private failure: { message: string; since: number } | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private probing = false;

  constructor(
    private readonly store: Store,
    private readonly logger: StorageLogger,
  ) {
    super();
  }

  status(): StorageStatus {
    return this.failure ? { ok: false, error: this.failure.message, since: this.failure.since } : { ok: true };
  }

  /**
   * Runs a database write; a storage failure is reported (and rethrown), anything else is
   * rethrown as it is.
   */
  async write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (this.store.isStorageError(error)) this.report(error);
      throw error;
    }
  }

  /** Whether `error` is the storage's own failure, not one statement's. */
  isStorageError(error: unknown): boolean {
    return this.store.isStorageError(error);
  }

  /** What an operator is told about a storage failure. */
  describe(error: unknown): string {
    return this.store.describeStorageError(error);
  }

  /** Marks the storage failing (logged once per outage) and starts probing for its recovery. */
  report(error: unknown): void {
    if (this.failure || this.closed) return;
    this.failure = { message: this.store.describeStorageError(error), since: Date.now() };
    this.logger.error({ code: (error as { code?: unknown }).code }, `storage failing: ${this.failure.message}; reads go on, changes are refused`);
    this.emit('change', this.status());
    this.probeTimer = setInterval(() => void this.probe(), STORAGE_PROBE_MS);
    this.probeTimer.unref();
  }

  /** One small write in a transaction of its own: succeeds only when the storage takes writes again. */
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.store.run("INSERT INTO meta (key, value) VALUES ('storage_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(Date.now())]);
    } catch {
      return;
    } finally {
      this.probing = false;
    }
    if (!this.failure) return;
    const outage = Date.now() - (this.failure?.since ?? Date.now());
    this.failure = undefined;
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.logger.info({ outageMs: outage }, 'storage recovered: changes are accepted again');
    this.emit('change', this.status());
  }

  /** Stops probing; a failure reported after this (a write finishing during shutdown) is not probed for. */
  close(): void {
    this.closed = true;
    clearInterval(this.probeTimer);
  }
}

/**
 * Refuses, with the file's name, a data folder the hub could open but not write: SQLite then
 * maps a shared-memory file it cannot grow, and the process dies of SIGBUS without a word.
 */
export function assertWritable(dataDir: string, files: readonly string[]): void {
  for (const path of [dataDir, ...files.map((file) => join(dataDir, file))]) {
    if (!existsSync(path)) continue;
    const wanted = path === dataDir ? 'folder' : 'file';
    const isRight = wanted === 'folder' ? statSync(path).isDirectory() : statSync(path).isFile();
    let writable = isRight;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      writable = false;
    }
    if (!writable) {
      throw new Error(
        `${path} is not writable by this process (user ${process.getuid?.() ?? '?'}): riohub must be able to write every file of its data folder; fix the ${wanted}'s owner or mode and start again`,
      );
    }
  }
}
