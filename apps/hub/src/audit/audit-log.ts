/** The audit of admin actions, kept in SQLite beside the write log: record, page through, filter, export. */
import { describeAuditChanges, type AuditAction, type AuditChange, type AuditOutcome, type AuditRecord } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';

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
 * Every column a filter looks in, as one lower-cased text. `instr` rather than `LIKE`, so a `%`
 * or `_` typed in the filter box is just text.
 */
const MATCHES = "instr(lower(user || ' ' || address || ' ' || action || ' ' || target || ' ' || outcome || ' ' || summary || ' ' || coalesce(error, '')), ?) > 0";

export class AuditLog {
  constructor(private readonly db: HubDatabase) {}

  record(entry: AuditEntry): AuditRecord {
    const at = entry.at ?? Date.now();
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO audit (at, user, address, action, target, outcome, changes, summary, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(at, entry.user, entry.address, entry.action, entry.target, entry.outcome, JSON.stringify(entry.changes), describeAuditChanges(entry.changes), entry.error ?? null);
    return toRecord({ id: Number(lastInsertRowid), at, ...entry, changes: JSON.stringify(entry.changes), error: entry.error ?? null });
  }

  /** The newest first. */
  list(query: AuditQuery): AuditRecord[] {
    const where: string[] = [];
    const parameters: (string | number)[] = [];
    if (query.before !== undefined) {
      where.push('id < ?');
      parameters.push(query.before);
    }
    if (query.filter) {
      where.push(MATCHES);
      parameters.push(query.filter.toLowerCase());
    }
    const sql = `SELECT id, at, user, address, action, target, outcome, changes, error FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...parameters, query.limit) as Row[]).map(toRecord);
  }

  /** Every record the filter keeps, the newest first, a chunk at a time with a turn of the event loop between. */
  async *all(filter?: string): AsyncGenerator<AuditRecord[]> {
    let before: number | undefined;
    for (;;) {
      const page = this.list({ limit: EXPORT_CHUNK, ...(before === undefined ? {} : { before }), ...(filter ? { filter } : {}) });
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
