/**
 * Replicated logger samples in SQLite: each page stored in one transaction with its resume point,
 * time-range reads, retention, and the public surface for re-serving the loggers (`localLoggers`,
 * `readAfter`), with the hourly rollups kept in step. Aggregates are in logger-aggregates.ts; the
 * table layout is in db/database.ts.
 */
import type { LoggerSample, LoggerType } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';
import { rollUpAppended, rollUpHours } from './logger-aggregates';
import { insertRows, statement } from './statements';

const DAY_MS = 86_400_000;
/** Rows deleted per statement by retention and removal, so that the event loop breathes between. */
const DELETE_CHUNK = 50_000;

/** A logger the hub stores: whose it is, what it is, and how far it has been replicated. */
export interface StoredLogger {
  /** The local id (`lobby.energy`, or `energy` without the name prefix). */
  id: string;
  remote: string;
  remoteId: string;
  type: LoggerType;
  unit: string;
  /** The time of the last sample replicated: the next page is asked for after it. */
  resumeAfter: number;
  samples: number;
  retentionDays: number | null;
}

/** What a logger is, as its remote describes it (`riologs`). */
export interface LoggerIdentity {
  id: string;
  remote: string;
  remoteId: string;
  type: LoggerType;
  unit: string;
}

interface LoggerRow {
  key: number;
  id: string;
  remote: string;
  remote_id: string;
  type: LoggerType;
  unit: string;
  resume_after: number;
  sample_count: number;
  retention_days: number | null;
}

const ROW_COLUMNS = 'key, id, remote, remote_id, type, unit, resume_after, sample_count, retention_days';

/** Where a store's time went while storing pages (the catch-up benchmark's stage breakdown). */
export interface StoreTimes {
  pages: number;
  samples: number;
  /** Inserting the samples and moving the resume point. */
  insertMs: number;
  /** The hourly rollups of the hours the pages touched. */
  rollupMs: number;
  /** The whole of each page's transaction, its commit included. */
  transactionMs: number;
}

export class LoggerStore {
  /** Time spent storing pages since the store was made. */
  readonly times: StoreTimes = { pages: 0, samples: 0, insertMs: 0, rollupMs: 0, transactionMs: 0 };
  private readonly appendTransaction: (id: string, samples: readonly (readonly [number, number])[]) => number;

  constructor(readonly db: HubDatabase) {
    this.appendTransaction = db.transaction((id: string, samples: readonly (readonly [number, number])[]) => this.append(id, samples));
  }

  list(): StoredLogger[] {
    return (statement(this.db, `SELECT ${ROW_COLUMNS} FROM loggers ORDER BY key`).all() as LoggerRow[]).map(fromRow);
  }

  get(id: string): StoredLogger | undefined {
    const row = this.row(id);
    return row && fromRow(row);
  }

  /** The loggers stored here, for serving them on (`riologs`). */
  localLoggers(): { id: string; type: LoggerType; unit: string }[] {
    return this.list().map(({ id, type, unit }) => ({ id, type, unit }));
  }

  /**
   * Records a logger (or its changed type or unit). Refused, with the owner, when its local id
   * already holds another remote logger's history: two series are never merged.
   */
  ensure(identity: LoggerIdentity): { ok: true; logger: StoredLogger } | { ok: false; owner: StoredLogger } {
    return this.db.transaction(() => {
      const existing = this.row(identity.id);
      if (existing && (existing.remote !== identity.remote || existing.remote_id !== identity.remoteId)) {
        return { ok: false as const, owner: fromRow(existing) };
      }
      if (!existing) {
        this.db
          .prepare('INSERT INTO loggers (id, remote, remote_id, type, unit) VALUES (?, ?, ?, ?, ?)')
          .run(identity.id, identity.remote, identity.remoteId, identity.type, identity.unit);
      } else if (existing.type !== identity.type || existing.unit !== identity.unit) {
        this.db.prepare('UPDATE loggers SET type = ?, unit = ? WHERE key = ?').run(identity.type, identity.unit, existing.key);
      }
      return { ok: true as const, logger: fromRow(this.row(identity.id) as LoggerRow) };
    })();
  }

  /**
   * Stores one replicated page and moves the resume point to its last sample, in one transaction:
   * a crash leaves either the whole page or none of it. Samples at or before the resume point
   * (a remote that sent some again) are skipped. Returns how many were new.
   */
  appendPage(id: string, samples: readonly (readonly [number, number])[]): number {
    const started = performance.now();
    const added = this.appendTransaction(id, samples);
    this.times.transactionMs += performance.now() - started;
    this.times.pages++;
    this.times.samples += added;
    return added;
  }

  private append(id: string, samples: readonly (readonly [number, number])[]): number {
    const started = performance.now();
    const row = this.row(id);
    if (!row) throw new Error(`no logger ${id}`);
    // The samples after the resume point, each later than the one before, flattened for the insert.
    const kept: (readonly [number, number])[] = [];
    const values: number[] = [];
    let last = row.resume_after;
    for (const sample of samples) {
      const [time, value] = sample;
      if (time <= last) continue;
      kept.push(sample);
      values.push(row.key, time, value);
      last = time;
    }
    if (kept.length === 0) return 0;
    const added = insertRows(this.db, 'INSERT OR IGNORE INTO logger_samples (logger, time, value)', 3, values, kept.length);
    statement(this.db, 'UPDATE loggers SET resume_after = ?, sample_count = sample_count + ? WHERE key = ?').run(last, added, row.key);
    const inserted = performance.now();
    this.times.insertMs += inserted - started;
    // Every sample kept was new (all stored ones are at or before the resume point); were one
    // already there, its hours are recomputed from the table instead.
    if (added === kept.length) rollUpAppended(this.db, row.key, kept);
    else rollUpHours(this.db, row.key, (kept[0] as readonly [number, number])[0], last);
    this.times.rollupMs += performance.now() - inserted;
    return added;
  }

  /** Moves the resume point forward without samples (history older than the retention is not fetched). */
  skipTo(id: string, time: number): void {
    statement(this.db, 'UPDATE loggers SET resume_after = max(resume_after, ?) WHERE id = ?').run(time, id);
  }

  firstSample(id: string): LoggerSample | undefined {
    return this.edgeSample(id, 'ASC');
  }

  lastSample(id: string): LoggerSample | undefined {
    return this.edgeSample(id, 'DESC');
  }

  /** Samples with `from <= time < to`, oldest first, at most `limit`; `truncated` when more exist. */
  range(id: string, from: number, to: number, limit: number): { samples: LoggerSample[]; truncated: boolean } {
    const key = this.row(id)?.key;
    if (key === undefined) return { samples: [], truncated: false };
    const rows = statement(this.db, 'SELECT time, value FROM logger_samples WHERE logger = ? AND time >= ? AND time < ? ORDER BY time LIMIT ?')
      .raw()
      .all(key, from, to, limit + 1) as LoggerSample[];
    const truncated = rows.length > limit;
    if (truncated) rows.length = limit;
    return { samples: rows, truncated };
  }

  /** Samples with time `> after`, oldest first, at most `limit`, and whether more follow (as `riolog`). */
  readAfter(id: string, after: number, limit: number): { samples: LoggerSample[]; more: boolean } {
    const { samples, truncated } = this.range(id, after + 1, Number.MAX_SAFE_INTEGER, limit);
    return { samples, more: truncated };
  }

  setRetention(id: string, days: number | null): void {
    this.db.prepare('UPDATE loggers SET retention_days = ? WHERE id = ?').run(days, id);
  }

  /** Deletes the samples older than each logger's retention, in chunks. Returns how many went. */
  async applyRetention(now: number, only?: string): Promise<number> {
    let deleted = 0;
    for (const logger of this.list()) {
      if (logger.retentionDays === null || (only !== undefined && logger.id !== only)) continue;
      deleted += await this.deleteBefore(logger.id, now - logger.retentionDays * DAY_MS);
    }
    return deleted;
  }

  /** Deletes a remote's loggers and all their samples (its entry was deleted). */
  async deleteRemote(remote: string): Promise<void> {
    for (const logger of this.list().filter((l) => l.remote === remote)) {
      await this.deleteBefore(logger.id, Number.MAX_SAFE_INTEGER);
      this.db.prepare('DELETE FROM loggers WHERE id = ?').run(logger.id);
    }
  }

  private async deleteBefore(id: string, cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const step = this.db.transaction(() => {
        const row = this.row(id);
        if (!row) return 0;
        // The chunk's upper bound: the DELETE_CHUNK-th sample's time, or the cutoff if sooner.
        const bound = this.db
          .prepare('SELECT time FROM logger_samples WHERE logger = ? AND time < ? ORDER BY time LIMIT 1 OFFSET ?')
          .pluck()
          .get(row.key, cutoff, DELETE_CHUNK) as number | undefined;
        const changes = this.db
          .prepare('DELETE FROM logger_samples WHERE logger = ? AND time < ?')
          .run(row.key, bound ?? cutoff).changes;
        if (changes === 0) return 0;
        this.db.prepare('UPDATE loggers SET sample_count = sample_count - ? WHERE key = ?').run(changes, row.key);
        // The rollups of the hours emptied go; the hour of the first sample left is recomputed.
        const firstLeft = this.edgeSample(id, 'ASC')?.[0];
        this.db.prepare('DELETE FROM logger_hours WHERE logger = ? AND hour < ?').run(row.key, firstLeft ?? Number.MAX_SAFE_INTEGER);
        if (firstLeft !== undefined) rollUpHours(this.db, row.key, firstLeft, firstLeft);
        return changes;
      })();
      deleted += step;
      if (step < DELETE_CHUNK) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The integer key the samples are stored under. */
  keyOf(id: string): number | undefined {
    return this.row(id)?.key;
  }

  private row(id: string): LoggerRow | undefined {
    return statement(this.db, `SELECT ${ROW_COLUMNS} FROM loggers WHERE id = ?`).get(id) as LoggerRow | undefined;
  }

  private edgeSample(id: string, order: 'ASC' | 'DESC'): LoggerSample | undefined {
    const key = this.row(id)?.key;
    if (key === undefined) return undefined;
    return statement(this.db, `SELECT time, value FROM logger_samples WHERE logger = ? ORDER BY time ${order} LIMIT 1`).raw().get(key) as
      | LoggerSample
      | undefined;
  }
}

function fromRow(row: LoggerRow): StoredLogger {
  return {
    id: row.id,
    remote: row.remote,
    remoteId: row.remote_id,
    type: row.type,
    unit: row.unit,
    resumeAfter: row.resume_after,
    samples: row.sample_count,
    retentionDays: row.retention_days,
  };
}
