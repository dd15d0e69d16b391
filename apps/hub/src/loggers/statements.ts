/**
 * Prepared statements of the logger store, compiled once per database and kept: a page of
 * samples runs the same few statements, and compiling them again each time costs more than
 * running them. Multi-row inserts bind `BATCH_ROWS` rows per run, far fewer calls into SQLite
 * than one per row.
 */
import type { Statement } from 'better-sqlite3';
import type { HubDatabase } from '../db/database';

const cache = new WeakMap<HubDatabase, Map<string, Statement>>();

/** `sql` prepared once per database. */
export function statement(db: HubDatabase, sql: string): Statement {
  let statements = cache.get(db);
  if (!statements) {
    statements = new Map();
    cache.set(db, statements);
  }
  let prepared = statements.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    statements.set(sql, prepared);
  }
  return prepared;
}

/** Rows bound per run of a multi-row insert. */
export const BATCH_ROWS = 100;

/**
 * Inserts `rows` rows of `width` values each, read from `values` (flat, row after row), with
 * `head` (`INSERT … INTO t (a, b)`) and `BATCH_ROWS` rows per run; the rest one row per run.
 * Returns the rows inserted.
 */
export function insertRows(db: HubDatabase, head: string, width: number, values: readonly number[], rows: number): number {
  const placeholders = `(${new Array<string>(width).fill('?').join(', ')})`;
  const batch = statement(db, `${head} VALUES ${new Array<string>(BATCH_ROWS).fill(placeholders).join(', ')}`);
  const single = statement(db, `${head} VALUES ${placeholders}`);
  const size = BATCH_ROWS * width;
  let changes = 0;
  let row = 0;
  if (rows >= BATCH_ROWS) {
    const params = new Array<number>(size);
    for (; row + BATCH_ROWS <= rows; row += BATCH_ROWS) {
      const offset = row * width;
      for (let i = 0; i < size; i++) params[i] = values[offset + i] as number;
      changes += batch.run(params).changes;
    }
  }
  for (; row < rows; row++) changes += single.run(values.slice(row * width, (row + 1) * width)).changes;
  return changes;
}
