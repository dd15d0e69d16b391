/**
 * The store in an SQLite file (better-sqlite3). Statements run synchronously and are prepared
 * once per SQL text. A transaction spans awaits, so while one is open every statement from
 * outside it waits for its end (one connection has one transaction); a statement made inside
 * it (the store itself is the handle its work is given; AsyncLocalStorage tells it is inside) runs in it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Queryable, RunResult, SqlValue, Store } from './store';
import { describeSqliteStorageError, isSqliteStorageError } from './storage-health';

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  /** The same, in raw mode (rows as arrays): a statement's mode is its own, so these are apart. */
  private readonly rawStatements = new Map<string, Statement>();
  /** The end of the open transaction, if one is open. */
  private open: Promise<void> | undefined;
  /** The transaction a statement is made in; `done` once it ended (work it started may outlive it). */
  private readonly inside = new AsyncLocalStorage<{ done: boolean }>();

  constructor(
    /** The connection, for what only SQLite has (pragmas, backups). */
    readonly db: Database.Database,
    readonly location: string,
  ) {}

  async all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    await this.turn();
    return this.prepare(sql).all(...(params ?? [])) as Row[];
  }

  async get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    await this.turn();
    return this.prepare(sql).get(...(params ?? [])) as Row | undefined;
  }

  async values<Row extends unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    await this.turn();
    return this.prepareRaw(sql).all(...(params ?? [])) as Row[];
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    await this.turn();
    return { changes: this.prepare(sql).run(...(params ?? [])).changes };
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    // A transaction begun inside another is part of it.
    if (this.inTransaction()) return work(this);
    while (this.open) await this.open;
    let end!: () => void;
    this.open = new Promise((resolve) => (end = resolve));
    const transaction = { done: false };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.inside.run(transaction, () => work(this));
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      transaction.done = true;
      this.open = undefined;
      end();
    }
  }

  isStorageError(error: unknown): boolean {
    return isSqliteStorageError(error);
  }

  describeStorageError(error: unknown): string {
    return describeSqliteStorageError(error);
  }

  async close(): Promise<void> {
    while (this.open) await this.open;
    this.db.close();
  }

  /** Whether this context is inside a transaction still open. */
  private inTransaction(): boolean {
    const transaction = this.inside.getStore();
    return transaction !== undefined && !transaction.done;
  }

  /** Waits while a transaction this statement is not part of is open. */
  private async turn(): Promise<void> {
    if (this.inTransaction()) return;
    while (this.open) await this.open;
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private prepareRaw(sql: string): Statement {
    let statement = this.rawStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql).raw(true);
      this.rawStatements.set(sql, statement);
    }
    return statement;
  }
}
