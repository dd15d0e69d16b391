/**
 * Replicated logger samples in the hub's store: each page stored in one transaction with its
 * resume point, time-range reads, retention, and the public surface for re-serving the loggers
 * (`localLoggers`, `readAfter`), with the hourly rollups kept in step. Aggregates are in
 * logger-aggregates.ts; the table layout is in db/database.ts (SQLite) and db/postgres-schema.ts.
 */
import type { AggregateInterval, CounterBucket, LoggerSample, LoggerType, RangeBucket } from '@riohub/hub-api';
import { ensureSamplePartitions } from '../db/postgres-schema';
import { storableText, type Queryable, type Store } from '../db/store';
import { aggregate, rollUpAppended, rollUpHours } from './logger-aggregates';
import { insertSamples } from './statements';

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
  /** The whole of each page's transaction, its commit included (and PostgreSQL's check for its month partitions). */
  transactionMs: number;
}

export class LoggerStore {
  /** Time spent storing pages since the store was made. */
  readonly times: StoreTimes = { pages: 0, samples: 0, insertMs: 0, rollupMs: 0, transactionMs: 0 };
  /** The month partitions of the samples known to exist (PostgreSQL's), so that a page makes none twice. */
  private readonly partitions = new Set<string>();

  constructor(
    readonly store: Store,
    /** Run first in each page's transaction: throws when this hub may no longer store pages (pair/active-election.ts). */
    private readonly fence?: (tx: Queryable) => Promise<void>,
  ) {}

  async list(): Promise<StoredLogger[]> {
    return (await this.store.all<LoggerRow>(`SELECT ${ROW_COLUMNS} FROM loggers ORDER BY key`)).map(fromRow);
  }

  async get(id: string): Promise<StoredLogger | undefined> {
    const row = await this.row(this.store, id);
    return row && fromRow(row);
  }

  /** The loggers stored here, for serving them on (`riologs`). */
  async localLoggers(): Promise<{ id: string; type: LoggerType; unit: string }[]> {
    return (await this.list()).map(({ id, type, unit }) => ({ id, type, unit }));
  }

  /**
   * Records a logger (or its changed type or unit). Refused, with the owner, when its local id
   * already holds another remote logger's history: two series are never merged.
   */
  ensure(sent: LoggerIdentity): Promise<{ ok: true; logger: StoredLogger } | { ok: false; owner: StoredLogger }> {
    // The unit is the remote's text, as either store keeps it (and compared so).
    const identity = { ...sent, unit: storableText(sent.unit) };
    return this.store.transaction(async (tx) => {
      const existing = await this.row(tx, identity.id);
      if (!existing) {
        // Another hub on the same database may record it first: its row is then the one read below.
        await tx.run('INSERT INTO loggers (id, remote, remote_id, type, unit) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING', [
          identity.id,
          identity.remote,
          identity.remoteId,
          identity.type,
          identity.unit,
        ]);
      } else if (isOwner(existing, identity) && (existing.type !== identity.type || existing.unit !== identity.unit)) {
        await tx.run('UPDATE loggers SET type = ?, unit = ? WHERE key = ?', [identity.type, identity.unit, existing.key]);
      }
      const stored = (await this.row(tx, identity.id)) as LoggerRow;
      return isOwner(stored, identity) ? { ok: true as const, logger: fromRow(stored) } : { ok: false as const, owner: fromRow(stored) };
    });
  }

  /**
   * Stores one replicated page and moves the resume point to its last sample, in one transaction:
   * a crash leaves either the whole page or none of it. Samples at or before the resume point
   * (a remote that sent some again) are skipped. Returns how many were new.
   */
  async appendPage(id: string, samples: readonly (readonly [number, number])[]): Promise<number> {
    const started = performance.now();
    // A partition is made outside the page's transaction (db/postgres-schema.ts).
    if (this.store.kind === 'postgres') await this.ensurePartitions(samples);
    const added = await this.store.transaction(async (tx) => {
      await this.fence?.(tx);
      return this.append(tx, id, samples);
    });
    this.times.transactionMs += performance.now() - started;
    this.times.pages++;
    this.times.samples += added;
    return added;
  }

  /** Makes the month partitions the page's samples (those later than the one before) fall in. */
  private async ensurePartitions(samples: readonly (readonly [number, number])[]): Promise<void> {
    // Samples increase: only a sample past the end of the last month seen starts another.
    let monthEnd = -Infinity;
    for (const [time] of samples) {
      if (time < monthEnd) continue;
      await ensureSamplePartitions(this.store, time, time, this.partitions);
      const date = new Date(time);
      monthEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    }
  }

  private async append(tx: Queryable, id: string, samples: readonly (readonly [number, number])[]): Promise<number> {
    const started = performance.now();
    const row = await this.row(tx, id);
    if (!row) throw new Error(`no logger ${id}`);
    // The samples after the resume point, each later than the one before.
    const kept: (readonly [number, number])[] = [];
    let last = row.resume_after;
    for (const sample of samples) {
      if (sample[0] <= last) continue;
      kept.push(sample);
      last = sample[0];
    }
    if (kept.length === 0) return 0;
    const added = await insertSamples(this.store.kind, tx, row.key, kept);
    await tx.run('UPDATE loggers SET resume_after = ?, sample_count = sample_count + ? WHERE key = ?', [last, added, row.key]);
    const inserted = performance.now();
    this.times.insertMs += inserted - started;
    // Every sample kept was new (all stored ones are at or before the resume point); were one
    // already there, its hours are recomputed from the table instead. (The store's statements
    // made by the rollups are part of this transaction.)
    if (added === kept.length) await rollUpAppended(this.store, row.key, kept);
    else await rollUpHours(this.store, row.key, (kept[0] as readonly [number, number])[0], last);
    this.times.rollupMs += performance.now() - inserted;
    return added;
  }

  /** Moves the resume point forward without samples (history older than the retention is not fetched). */
  async skipTo(id: string, time: number): Promise<void> {
    await this.store.run('UPDATE loggers SET resume_after = CASE WHEN resume_after > ? THEN resume_after ELSE ? END WHERE id = ?', [time, time, id]);
  }

  async firstSample(id: string): Promise<LoggerSample | undefined> {
    const key = await this.keyOf(id);
    return key === undefined ? undefined : this.edgeSample(this.store, key, 'ASC');
  }

  async lastSample(id: string): Promise<LoggerSample | undefined> {
    const key = await this.keyOf(id);
    return key === undefined ? undefined : this.edgeSample(this.store, key, 'DESC');
  }

  /** Samples with `from <= time < to`, oldest first, at most `limit`; `truncated` when more exist. */
  async range(id: string, from: number, to: number, limit: number): Promise<{ samples: LoggerSample[]; truncated: boolean }> {
    const key = await this.keyOf(id);
    if (key === undefined) return { samples: [], truncated: false };
    const rows = await this.store.values<LoggerSample>('SELECT time, value FROM logger_samples WHERE logger = ? AND time >= ? AND time < ? ORDER BY time LIMIT ?', [
      key,
      from,
      to,
      limit + 1,
    ]);
    const truncated = rows.length > limit;
    if (truncated) rows.length = limit;
    return { samples: rows, truncated };
  }

  /** Samples with time `> after`, oldest first, at most `limit`, and whether more follow (as `riolog`). */
  async readAfter(id: string, after: number, limit: number): Promise<{ samples: LoggerSample[]; more: boolean }> {
    const { samples, truncated } = await this.range(id, after + 1, Number.MAX_SAFE_INTEGER, limit);
    return { samples, more: truncated };
  }

  /** A logger's buckets whose start is in `[from, to)` (logger-aggregates.ts); none for a logger not stored. */
  async aggregate(id: string, type: LoggerType, interval: AggregateInterval, from: number, to: number): Promise<CounterBucket[] | RangeBucket[]> {
    const key = await this.keyOf(id);
    return key === undefined ? [] : aggregate(this.store, key, type, interval, from, to);
  }

  async setRetention(id: string, days: number | null): Promise<void> {
    await this.store.run('UPDATE loggers SET retention_days = ? WHERE id = ?', [days, id]);
  }

  /** Deletes the samples older than each logger's retention, in chunks. Returns how many went. */
  async applyRetention(now: number, only?: string): Promise<number> {
    let deleted = 0;
    for (const logger of await this.list()) {
      if (logger.retentionDays === null || (only !== undefined && logger.id !== only)) continue;
      deleted += await this.deleteBefore(logger.id, now - logger.retentionDays * DAY_MS);
    }
    return deleted;
  }

  /** Deletes a remote's loggers and all their samples (its entry was deleted). */
  async deleteRemote(remote: string): Promise<void> {
    for (const logger of (await this.list()).filter((l) => l.remote === remote)) {
      await this.deleteBefore(logger.id, Number.MAX_SAFE_INTEGER);
      await this.store.run('DELETE FROM loggers WHERE id = ?', [logger.id]);
    }
  }

  /** Whether an error of these methods is the storage's own failure (a full disk, a lost server), not one statement's. */
  isStorageError(error: unknown): boolean {
    return this.store.isStorageError(error);
  }

  /** What an operator is told about a storage failure. */
  describeStorageError(error: unknown): string {
    return this.store.describeStorageError(error);
  }

  private async deleteBefore(id: string, cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const step = await this.store.transaction(async (tx) => {
        const row = await this.row(tx, id);
        if (!row) return 0;
        // The chunk's upper bound: the DELETE_CHUNK-th sample's time, or the cutoff if sooner.
        const bound = await tx.get<{ time: number }>('SELECT time FROM logger_samples WHERE logger = ? AND time < ? ORDER BY time LIMIT 1 OFFSET ?', [
          row.key,
          cutoff,
          DELETE_CHUNK,
        ]);
        const { changes } = await tx.run('DELETE FROM logger_samples WHERE logger = ? AND time < ?', [row.key, bound?.time ?? cutoff]);
        if (changes === 0) return 0;
        await tx.run('UPDATE loggers SET sample_count = sample_count - ? WHERE key = ?', [changes, row.key]);
        // The rollups of the hours emptied go; the hour of the first sample left is recomputed.
        const firstLeft = (await this.edgeSample(tx, row.key, 'ASC'))?.[0];
        await tx.run('DELETE FROM logger_hours WHERE logger = ? AND hour < ?', [row.key, firstLeft ?? Number.MAX_SAFE_INTEGER]);
        if (firstLeft !== undefined) await rollUpHours(this.store, row.key, firstLeft, firstLeft);
        return changes;
      });
      deleted += step;
      if (step < DELETE_CHUNK) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The integer key the samples are stored under. */
  async keyOf(id: string): Promise<number | undefined> {
    return (await this.row(this.store, id))?.key;
  }

  private row(store: Queryable, id: string): Promise<LoggerRow | undefined> {
    return store.get<LoggerRow>(`SELECT ${ROW_COLUMNS} FROM loggers WHERE id = ?`, [id]);
  }

  private async edgeSample(store: Queryable, key: number, order: 'ASC' | 'DESC'): Promise<LoggerSample | undefined> {
    return (await store.values<LoggerSample>(`SELECT time, value FROM logger_samples WHERE logger = ? ORDER BY time ${order} LIMIT 1`, [key]))[0];
  }
}

/** Whether a stored logger is the remote logger `identity` describes. */
function isOwner(row: LoggerRow, identity: LoggerIdentity): boolean {
  return row.remote === identity.remote && row.remote_id === identity.remoteId;
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
