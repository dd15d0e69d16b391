/** Every write, kept in SQLite: who and through what, what, old and new value, result, when. */
import type { WriteRecord, WriteStatus, WriteVia } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';

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
  constructor(private readonly db: HubDatabase) {}

  record(entry: Omit<WriteRecord, 'id'>): WriteRecord {
    const { lastInsertRowid } = this.db
      .prepare(
        'INSERT INTO writes (at, user, via, remote, name, kind, old_value, new_value, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(entry.at, entry.user, entry.via, entry.remote, entry.name, entry.kind, entry.oldValue, entry.newValue, entry.status, entry.error ?? null);
    return { id: Number(lastInsertRowid), ...entry };
  }

  /** The outcome of a write recorded as `sending`, or its confirmation; `error` says why it did not apply. */
  setStatus(id: number, status: WriteStatus, error?: string): void {
    this.db.prepare('UPDATE writes SET status = ?, error = ? WHERE id = ?').run(status, error ?? null, id);
  }

  /** The newest first; `before` pages back by id. */
  list(limit: number, before?: number): WriteRecord[] {
    const rows = (
      before === undefined
        ? this.db.prepare('SELECT * FROM writes ORDER BY id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM writes WHERE id < ? ORDER BY id DESC LIMIT ?').all(before, limit)
    ) as Row[];
    return rows.map((row) => ({
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
    }));
  }
}
