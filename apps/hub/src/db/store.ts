/**
 * The hub's store: where settings, users, sessions, the write and audit logs and logger history
 * live. One interface, two implementations: SQLite in the data folder (db/sqlite-store.ts, the
 * default, needing nothing) and PostgreSQL (db/postgres-store.ts, `--database postgres://…`).
 *
 * Statements are written once, in the SQL both understand: `?` placeholders (PostgreSQL's store
 * numbers them), `"user"` quoted (a reserved word in PostgreSQL), `ON CONFLICT … DO …` upserts,
 * `RETURNING` for generated ids. What differs (the schema's DDL, a row's insertion order) is
 * chosen by `kind`.
 */
import type { SecretBox } from './secret-box';

/** A value bound to a `?`, or read from a column. */
export type SqlValue = string | number | null;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Runs statements: the store itself, or the one transaction handed to `transaction`'s work. */
export interface Queryable {
  /** Every row, as objects keyed by column name. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or `undefined`. */
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Every row, as arrays of the columns in order (cheaper for many small rows). */
  values<Row extends unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface Store extends Queryable {
  readonly kind: StoreKind;
  /**
   * Runs `work` in one transaction, committed when it resolves and rolled back when it throws.
   * Statements of the work go through `tx`; statements on the store meanwhile wait for the end.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Whether `error` says the storage itself is failing (disk, file, server, connection), not one statement. */
  isStorageError(error: unknown): boolean;
  /** What an operator is told about a storage failure: never a password nor a path of the disk. */
  describeStorageError(error: unknown): string;
  /** Where the store is, safe to log and show (no password). */
  readonly location: string;
  close(): Promise<void>;
}

/** The secrets' box of each open store: its key belongs to the hub's data folder, not the process. */
const boxes = new WeakMap<Store, SecretBox>();

export function attachSecrets(store: Store, secrets: SecretBox): void {
  boxes.set(store, secrets);
}

/** The box that seals this store's secrets; throws when it was opened without one. */
export function secretBoxOf(store: Store): SecretBox {
  const box = boxes.get(store);
  if (!box) throw new Error('the store was opened without its secret key');
  return box;
}

/**
 * A text as either store keeps it: PostgreSQL's text holds no NUL character (SQLite's does), and
 * one can come in what a client or a remote sends (a name in a path, a value, a reason, a unit).
 * It is stored as U+FFFD, the character that stands for one that could not be kept, on both.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

export async function readMeta(store: Queryable, key: string): Promise<string | undefined> {
  return (await store.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
}

export async function writeMeta(store: Queryable, key: string, value: string): Promise<void> {
  await store.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}
