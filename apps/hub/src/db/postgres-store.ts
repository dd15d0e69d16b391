/**
 * The store in PostgreSQL (`pg`): a pool of connections, the statements' `?` numbered as `$1…`
 * and prepared on each connection by name, 64-bit integers and numerics read as numbers (times
 * are milliseconds, far below 2^53). A transaction holds one connection from BEGIN to COMMIT;
 * statements made on the store inside it (found by AsyncLocalStorage) run on that connection.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { Queryable, RunResult, SqlValue, Store } from './store';

/** int8 (counts, times, ids) and numeric (sums of integers) as numbers, not strings. */
const NUMBER_TYPES = new Set([20, 1700]);
const numberTypes = (driver: typeof pg) => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    NUMBER_TYPES.has(oid) ? (value: string) => Number(value) : driver.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

/**
 * SQLSTATE classes and codes that say the database server or the way to it is failing, not the
 * statement: a lost connection (08), out of disk or memory (53), a server shutting down or
 * starting (57P01–57P03), a read-only server (25006: a standby), the server's own I/O (58).
 */
const STORAGE_CLASSES = ['08', '53', '58'];
const STORAGE_CODES = ['57P01', '57P02', '57P03', '57P05', '57014', '25006', '25P03'];
/** Node's and pg's own words for a connection that could not be made or was lost. */
const CONNECTION_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH'];
/** A statement that only reads. */
const READING = /^\s*SELECT\b/i;
/** The longest a statement may go unanswered: far above any query's time, far below an operator's patience. */
const QUERY_TIMEOUT_MS = 15_000;
/** The longest a transaction may sit idle: a page's statements follow each other within milliseconds. */
const IDLE_IN_TRANSACTION_MS = 5_000;
const CONNECTION_MESSAGES = [/^Query read timeout/, /^Client was closed and is not queryable/, /^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /Cannot use a pool after calling end/];

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly pool: pg.Pool;
  /** Each SQL text's numbered form and the name it is prepared under. */
  private readonly statements = new Map<string, { text: string; name: string }>();
  /**
   * The transaction a statement is made in. Work started inside one (a timer, a listener) keeps
   * this context after it ended: `done` then says it is over, and the statement goes to the pool.
   */
  private readonly inside = new AsyncLocalStorage<{ client: pg.PoolClient; done: boolean }>();

  /**
   * A pool on `url` (connections are made as statements need them). pg is loaded here, not with
   * the hub: a hub on SQLite never needs it.
   */
  static async open(url: string, options: { max?: number; applicationName?: string } = {}): Promise<PostgresStore> {
    return new PostgresStore((await import('pg')).default, url, options);
  }

  private constructor(driver: typeof pg, url: string, options: { max?: number; applicationName?: string }) {
    this.location = redactUrl(url);
    this.pool = new driver.Pool({
      connectionString: url,
      types: numberTypes(driver),
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'riohub',
      connectionTimeoutMillis: 5_000,
      // A statement the server never answers (a network gone silent) fails instead of hanging
      // its request: the connection is then dropped from the pool, and the storage is failing.
      query_timeout: QUERY_TIMEOUT_MS,
      // The server ends a statement before the client gives up on it (so nothing reported as
      // failed commits later), and a transaction whose hub went silent in it (a hung process:
      // its row locks would stall the hub that takes over).
      options: `-c statement_timeout=${QUERY_TIMEOUT_MS - 1_000} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
      // A server that stops answering (a cable pulled, a frozen VM) is found out by the kernel.
      keepAlive: true,
    });
    // An idle connection that breaks (the server restarted) is dropped by the pool; the next
    // statement opens another. Without a listener the error would end the process.
    this.pool.on('error', () => {});
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.query(sql, params, false) as Promise<Row[]>;
  }

  async get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return ((await this.query(sql, params, false)) as Row[])[0];
  }

  values<Row extends unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.query(sql, params, true) as Promise<Row[]>;
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    const result = await this.execute(this.current() ?? this.pool, sql, params, false);
    return { changes: result.rowCount ?? 0 };
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    if (this.current()) return work(this);
    const client = await this.pool.connect();
    let broken: unknown;
    // A connection the server cuts while it is held here (a restart, pg_terminate_backend) says
    // so by an 'error' event, which would end the process unheard: it is noted, and the
    // connection is closed instead of going back to the pool.
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    const transaction = { client, done: false };
    try {
      await client.query('BEGIN');
      const result = await this.inside.run(transaction, () => work(this));
      // A transaction a failed statement aborted is rolled back by COMMIT, without an error.
      const committed = await client.query('COMMIT');
      if (committed.command === 'ROLLBACK') throw new Error('the transaction was rolled back: one of its statements failed');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError;
      }
      throw error;
    } finally {
      transaction.done = true;
      // A connection whose rollback failed is not given back to the pool: it is closed.
      client.off('error', onError);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * Runs `work` on one connection of its own, outside any transaction (session-level state,
   * such as an advisory lock, belongs to that connection).
   */
  async withConnection<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      return await work(client);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  isStorageError(error: unknown): boolean {
    if (!(error instanceof Error)) return false;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (CONNECTION_CODES.includes(code) || STORAGE_CODES.includes(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && STORAGE_CLASSES.includes(code.slice(0, 2))) return true;
    }
    return CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
  }

  describeStorageError(error: unknown): string {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return `the hub cannot write its database at ${this.location} (${typeof code === 'string' ? `${code}: ` : ''}${message})`;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(sql: string, params: readonly SqlValue[] | undefined, asArrays: boolean): Promise<unknown[]> {
    // PostgreSQL's text holds no NUL character, and refuses one in a parameter: a name sent with
    // one (`/api/users/a%00b`) matches no row, as on SQLite, instead of failing the request.
    if (READING.test(sql) && params?.some((param) => typeof param === 'string' && param.includes('\u0000'))) return [];
    return (await this.execute(this.current() ?? this.pool, sql, params, asArrays)).rows;
  }

  /** The connection of the transaction under way in this context, if one is. */
  private current(): pg.PoolClient | undefined {
    const transaction = this.inside.getStore();
    return transaction && !transaction.done ? transaction.client : undefined;
  }

  private execute(on: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[] | undefined, asArrays: boolean): Promise<pg.QueryResult> {
    if (!params || params.length === 0) return asArrays ? on.query({ text: sql, rowMode: 'array' }) : on.query(sql);
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = { text: numberPlaceholders(sql), name: `riohub_${this.statements.size + 1}` };
      this.statements.set(sql, prepared);
    }
    const values = params as SqlValue[];
    return asArrays ? on.query({ ...prepared, values, rowMode: 'array' }) : on.query({ ...prepared, values });
  }
}

/**
 * `?` placeholders as PostgreSQL's `$1, $2, …`, leaving alone a `?` inside a string literal,
 * a quoted identifier or a comment.
 */
export function numberPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      out += `$${++n}`;
    } else {
      out += c;
    }
  }
  return out;
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // The client takes a password from the query too (`?password=`, `?sslpassword=`): none is shown.
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}
