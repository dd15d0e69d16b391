/** The audit of admin actions, kept in the store beside the write log: record, page through, filter, export. */
import { describeAuditChanges, type AuditAction, type AuditChange, type AuditOutcome, type AuditRecord } from '@riohub/hub-api';
import { storableText, type Queryable } from '../db/store';
import { Turns } from '../turns';

interface Row {
  id: number;
  at: number;
  user: string;
  address: string;
  action: AuditAction;
  target: string;
  outcome: AuditOutcome;
  changes: string;
  error: string | null;
}

export interface AuditEntry {
  user: string;
  address: string;
  action: AuditAction;
  target: string;
  outcome: AuditOutcome;
  changes: AuditChange[];
  error?: string;
  /** Epoch ms; now when omitted. */
  at?: number;
}

export interface AuditQuery {
  limit: number;
  /** Only records older than this id (the previous page's last). */
  before?: number;
  /** Only records that contain this text, in any case, in any column. */
  filter?: string;
}

/** Rows per read while an export streams, so a long audit never holds the hub up. */
const EXPORT_CHUNK = 1_000;

/**
 * Every column a filter looks in, as one lower-cased text, against a `LIKE` pattern whose `%`,
 * `_` and `\` are escaped (`filterPattern`), so that what is typed in the filter box is just
 * text. Both sides are lower-cased: SQLite's `LIKE` ignores the case of ASCII letters and
 * PostgreSQL's does not, `lower` makes them agree.
 */
const MATCHES =
  "lower(\"user\" || ' ' || address || ' ' || action || ' ' || target || ' ' || outcome || ' ' || summary || ' ' || coalesce(error, '')) LIKE ? ESCAPE '\\'";

/**
 * `text` anywhere, as a `LIKE` pattern that matches only that text, as the records keep it:
 * lower-cased like the columns, a NUL character as U+FFFD (`storableText`).
 */
export function filterPattern(text: string): string {
  return `%${storableText(text).toLowerCase().replace(/[\\%_]/g, (special) => `\\${special}`)}%`;
}

export class AuditLog {
  private readonly turns = new Turns();

  constructor(private readonly store: Queryable) {}

  /**
   * Runs an action on one target (`kind:name`) with its recording as one turn: the next action on
   * that target starts once this one is recorded. So each action reads its "before" after the one
   * ahead of it was made, and the records of one target are stored in the order the actions were
   * made. Without it two changes at once on PostgreSQL could read the same "before", or store
   * their records crossed (each through its own connection of the pool).
   */
  inTurn<T>(target: string, action: () => Promise<T>): Promise<T> {
    return this.turns.run(target, action);
  }

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const row: Omit<Row, 'id'> = {
      at: entry.at ?? Date.now(),
      user: storableText(entry.user),
      address: storableText(entry.address),
      action: entry.action,
      target: storableText(entry.target),
      outcome: entry.outcome,
      // JSON writes a NUL character as the six characters `\u0000`: kept as sent.
      changes: JSON.stringify(entry.changes),
      error: entry.error === undefined ? null : storableText(entry.error),
    };
    const { id } = (await this.store.get<{ id: number }>(
      'INSERT INTO audit (at, "user", address, action, target, outcome, changes, summary, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [row.at, row.user, row.address, row.action, row.target, row.outcome, row.changes, storableText(describeAuditChanges(entry.changes)), row.error],
    )) as { id: number };
    return toRecord({ id, ...row });
  }

  /** The newest first. */
  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const parameters: (string | number)[] = [];
    if (query.before !== undefined) {
      where.push('id < ?');
      parameters.push(query.before);
    }
    if (query.filter) {
      where.push(MATCHES);
      parameters.push(filterPattern(query.filter));
    }
    const sql = `SELECT id, at, "user", address, action, target, outcome, changes, error FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (await this.store.all<Row>(sql, [...parameters, query.limit])).map(toRecord);
  }

  /** Every record the filter keeps, the newest first, a chunk at a time with a turn of the event loop between. */
  async *all(filter?: string): AsyncGenerator<AuditRecord[]> {
    let before: number | undefined;
    for (;;) {
      const page = await this.list({ limit: EXPORT_CHUNK, ...(before === undefined ? {} : { before }), ...(filter ? { filter } : {}) });
      if (page.length > 0) yield page;
      if (page.length < EXPORT_CHUNK) return;
      before = (page.at(-1) as AuditRecord).id;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function toRecord(row: Row): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    user: row.user,
    address: row.address,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    changes: JSON.parse(row.changes) as AuditChange[],
    ...(row.error === null ? {} : { error: row.error }),
  };
}
