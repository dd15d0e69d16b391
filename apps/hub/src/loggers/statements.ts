/**
 * The multi-row insert of the logger store: `BATCH_ROWS` rows bound per statement, far fewer
 * statements (calls into SQLite, round trips to PostgreSQL) than one per row. The store prepares
 * each SQL text once and keeps it, so the two texts an insert runs (a whole batch, one row) are
 * compiled once, not per page.
 */
import type { Queryable } from '../db/store';

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
