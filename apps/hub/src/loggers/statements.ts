/**
 * The inserts of many rows of the logger store. SQLite's: `BATCH_ROWS` rows bound per statement,
 * far fewer statements (calls into SQLite) than one per row. PostgreSQL's: every row in one
 * statement, each column bound as one array and spread back into rows by `unnest`, so a page is
 * one round trip and one statement to parse and plan, whatever its length. Each store prepares a
 * SQL text once and keeps it, so these few texts are compiled once, not per page.
 */
import type { Queryable, StoreKind } from '../db/store';

/**
 * Rows bound per statement of a multi-row insert: 100 rows of at most 7 values, far below the
 * 65,535 parameters PostgreSQL takes in one statement (and SQLite's 32,766).
 */
export const BATCH_ROWS = 100;

/**
 * Inserts `rows` rows of `width` values each, read from `values` (flat, row after row), with
 * `head` (`INSERT … INTO t (a, b)`) and `tail` after the rows (`ON CONFLICT … DO NOTHING`),
 * `BATCH_ROWS` rows per statement; the rest one row per statement. Returns the rows inserted.
 */
export async function insertRows(store: Queryable, head: string, width: number, values: readonly number[], rows: number, tail = ''): Promise<number> {
  const placeholders = `(${new Array<string>(width).fill('?').join(', ')})`;
  const end = tail === '' ? '' : ` ${tail}`;
  const batch = `${head} VALUES ${new Array<string>(BATCH_ROWS).fill(placeholders).join(', ')}${end}`;
  const single = `${head} VALUES ${placeholders}${end}`;
  const size = BATCH_ROWS * width;
  let changes = 0;
  let row = 0;
  if (rows >= BATCH_ROWS) {
    // One array refilled for every batch: each statement is done with it before the next fill.
    const params = new Array<number>(size);
    for (; row + BATCH_ROWS <= rows; row += BATCH_ROWS) {
      const offset = row * width;
      for (let i = 0; i < size; i++) params[i] = values[offset + i] as number;
      changes += (await store.run(batch, params)).changes;
    }
  }
  for (; row < rows; row++) changes += (await store.run(single, values.slice(row * width, (row + 1) * width))).changes;
  return changes;
}

/**
 * PostgreSQL's insert of many rows in one statement: `head` (`INSERT INTO t (logger, a, b)`),
 * `key` as the first column of every row, then one column of `columns` each, of the SQL type in
 * `types` (`bigint`, `double precision`), and `tail` after (`ON CONFLICT … DO NOTHING`). Returns
 * the rows inserted.
 */
export async function insertColumns(tx: Queryable, head: string, key: number, types: readonly string[], columns: readonly (readonly number[])[], tail = ''): Promise<number> {
  const arrays = types.map((type) => `?::${type}[]`).join(', ');
  const names = types.map((_, i) => `c${i}`).join(', ');
  const sql = `${head} SELECT ?::bigint, ${names} FROM unnest(${arrays}) AS page(${names})${tail === '' ? '' : ` ${tail}`}`;
  return (await tx.run(sql, [key, ...columns.map(arrayLiteral)])).changes;
}

/**
 * A PostgreSQL array literal of numbers (`{1,0.1,-2.5e-7}`), bound as text and cast by the
 * statement. Each is written as JavaScript writes it: the shortest decimal that reads back as the
 * same double, which PostgreSQL reads exactly (and writes back exactly: extra_float_digits 1, its
 * default since version 12). The one double it cannot tell apart is -0, written `0`, as pg writes
 * a -0 bound alone; SQLite, too, keeps -0 as 0 (it stores a whole REAL as an integer).
 */
export function arrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

const SAMPLES_HEAD = 'INSERT INTO logger_samples (logger, time, value)';
const SAMPLES_TAIL = 'ON CONFLICT (logger, time) DO NOTHING';

/** A page's samples of logger `key`, those already stored skipped (on either store). Returns how many were new. */
export async function insertSamples(kind: StoreKind, tx: Queryable, key: number, samples: readonly (readonly [number, number])[]): Promise<number> {
  if (kind === 'postgres') {
    return insertColumns(tx, SAMPLES_HEAD, key, ['bigint', 'double precision'], [samples.map(([time]) => time), samples.map(([, value]) => value)], SAMPLES_TAIL);
  }
  const values: number[] = [];
  for (const [time, value] of samples) values.push(key, time, value);
  return insertRows(tx, SAMPLES_HEAD, 3, values, samples.length, SAMPLES_TAIL);
}
