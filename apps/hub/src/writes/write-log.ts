/** Every write, kept in the store: who and through what, what, old and new value, result, when. */
import type { WriteRecord, WriteStatus, WriteVia } from '@riohub/hub-api';
import { storableText, type Queryable, type Store } from '../db/store';

interface Row {
  id: number;
  at: number;
  user: string;
  via: WriteVia;
  remote: string;
  name: string;
  kind: 'io' | 'ui';
  old_value: string | null;
  new_value: string;
  status: WriteStatus;
  error: string | null;
}

export class WriteLog {
  /** The end of the last status change asked for: each waits for the one before. */
  private statusChanges: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store) {}

  /** Records one write (through `on`: the store, or a transaction of it). */
  async record(entry: Omit<WriteRecord, 'id'>, on: Queryable = this.store): Promise<WriteRecord> {
    // The value before comes from the remote, and so may the reason: as either store keeps them.
    const stored: Omit<WriteRecord, 'id'> = {
      ...entry,
      oldValue: entry.oldValue === null ? null : storableText(entry.oldValue),
      newValue: storableText(entry.newValue),
      ...(entry.error === undefined ? {} : { error: storableText(entry.error) }),
    };
    const { id } = (await on.get<{ id: number }>(
      'INSERT INTO writes (at, "user", via, remote, name, kind, old_value, new_value, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [stored.at, stored.user, stored.via, stored.remote, stored.name, stored.kind, stored.oldValue, stored.newValue, stored.status, stored.error ?? null],
    )) as { id: number };
    return { id, ...stored };
  }

  /** Records writes all or none, in their order (their ids ascend in it); `guard` runs first in the transaction, and may refuse it. */
  recordAll(entries: readonly Omit<WriteRecord, 'id'>[], guard?: (tx: Queryable) => Promise<void>): Promise<WriteRecord[]> {
    return this.store.transaction(async (tx) => {
      await guard?.(tx);
      const records: WriteRecord[] = [];
      for (const entry of entries) records.push(await this.record(entry, tx));
      return records;
    });
  }

  /**
   * The outcome of a write recorded as `sending`, or its confirmation; `error` says why it did not
   * apply. Changes are stored one at a time and end in the order they were asked for: in
   * PostgreSQL two statements on two connections may end in either order, and the pipeline acts
   * on each stored outcome (an applied write then waits for its value) in its remote's order.
   */
  setStatus(id: number, status: WriteStatus, error?: string): Promise<void> {
    const change = this.statusChanges.then(async () => {
      await this.store.run('UPDATE writes SET status = ?, error = ? WHERE id = ?', [status, error === undefined ? null : storableText(error), id]);
    });
    this.statusChanges = change.catch(() => undefined);
    return change;
  }

  /** The newest first; `before` pages back by id. */
  async list(limit: number, before?: number): Promise<WriteRecord[]> {
    const rows =
      before === undefined
        ? await this.store.all<Row>('SELECT * FROM writes ORDER BY id DESC LIMIT ?', [limit])
        : await this.store.all<Row>('SELECT * FROM writes WHERE id < ? ORDER BY id DESC LIMIT ?', [before, limit]);
    return rows.map(recordOf);
  }

  /** One write by id, as stored now. */
  async get(id: number): Promise<WriteRecord | undefined> {
    const row = await this.store.get<Row>('SELECT * FROM writes WHERE id = ?', [id]);
    return row && recordOf(row);
  }
}

function recordOf(row: Row): WriteRecord {
  return {
    id: row.id,
    at: row.at,
    user: row.user,
    via: row.via,
    remote: row.remote,
    name: row.name,
    kind: row.kind,
    oldValue: row.old_value,
    newValue: row.new_value,
    status: row.status,
    ...(row.error === null ? {} : { error: row.error }),
  };
}
