/**
 * The audit: every admin action, who did it, from where and what changed (never a secret's value).
 *
 * - `GET /api/audit?limit=&before=&filter=` (admin) → `Result<AuditRecord[]>`, the newest first;
 *   `before` pages back by id, `filter` keeps records containing the text (any case) in who, from
 *   where, action, target, outcome or what changed.
 * - `GET /api/audit.csv?filter=` (admin): the same records as a CSV download, ISO 8601 times.
 */
import { z } from 'zod';

/** Every action the audit records: `<what>.<verb>`. */
export const AUDIT_ACTIONS = [
  'user.create',
  'user.update',
  'user.delete',
  /** `riohub --reset-password` on the hub's machine. */
  'user.reset-password',
  'remote.create',
  'remote.update',
  'remote.delete',
  'remote.trust',
  /** "Retry now": a remote's link tries again at once instead of waiting out its backoff. */
  'remote.retry',
  'served-api.update',
  /** The MQTT bridge's settings (`PUT /api/mqtt`, the settings file's `mqtt:`). */
  'mqtt.update',
  'hub.role',
  /** A replicated logger's retention (`retentionDays`, `null`: keep everything). */
  'logger.retention',
  'session.sign-in',
  'session.sign-out',
] as const;

export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

/** `done`: the change was made; `refused`: it was asked for and not made (see `error`). */
export const auditOutcomeSchema = z.enum(['done', 'refused']);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type AuditValue = z.infer<typeof auditValueSchema>;

/**
 * One field's change. `from` absent: the field did not exist before (created); `to` absent: it
 * no longer exists (deleted). A secret field has neither, only `secret`: that it was set, changed
 * or cleared.
 */
export const auditChangeSchema = z.object({
  /** The setting's path: `role`, `host`, `options.drift`. */
  field: z.string(),
  from: auditValueSchema.optional(),
  to: auditValueSchema.optional(),
  secret: z.enum(['set', 'changed', 'cleared']).optional(),
});
export type AuditChange = z.infer<typeof auditChangeSchema>;

export const auditRecordSchema = z
  .object({
    id: z.number(),
    /** Epoch ms. */
    at: z.number(),
    /** The signed-in user, or the command line (`riohub --reset-password`) and the account it ran as. */
    user: z.string(),
    /** The client's address, or `this machine` for the command line. */
    address: z.string(),
    action: auditActionSchema,
    /** What was acted on: a user's, a remote's or a logger's name, `served-api`, `hub`. */
    target: z.string(),
    outcome: auditOutcomeSchema,
    changes: z.array(auditChangeSchema),
    /** Why a refused action was refused. */
    error: z.string().optional(),
  })
  .meta({ id: 'AuditRecord' });
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** Query limits of `GET /api/audit`. */
export const AUDIT_PAGE_LIMIT = 1000;

const auditFilter = z.string().max(200, 'filter must be at most 200 characters').optional();

/** `GET /api/audit`: a page, newest first; `before` an id (older records), `filter` the text to keep. */
export const auditQuerySchema = z
  .object({
    limit: z.coerce.number<number>().int().min(1).max(AUDIT_PAGE_LIMIT).default(100),
    before: z.coerce.number<number>().int().min(1).optional(),
    /** Keeps the records containing the text, in any case. */
    filter: auditFilter,
  })
  .strict();

/** `GET /api/audit.csv`: every record the filter keeps. */
export const auditExportQuerySchema = z.object({ filter: auditFilter }).strict();

function shown(value: AuditValue): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  return String(value);
}

/** One change as a line of text: `role: viewer → admin`, `password changed`. */
export function describeAuditChange(change: AuditChange): string {
  if (change.secret) return `${change.field} ${change.secret}`;
  const hasFrom = change.from !== undefined;
  const hasTo = change.to !== undefined;
  if (hasFrom && hasTo) return `${change.field}: ${shown(change.from as AuditValue)} → ${shown(change.to as AuditValue)}`;
  if (hasTo) return `${change.field}: ${shown(change.to as AuditValue)}`;
  if (hasFrom) return `${change.field} was ${shown(change.from as AuditValue)}`;
  return change.field;
}

/** Every change of a record in one line, as the CSV and the filter see it. */
export function describeAuditChanges(changes: readonly AuditChange[]): string {
  return changes.map(describeAuditChange).join('; ');
}
