/** One result shape for every answer, REST or WebSocket, and the catalog of error codes. */
import { z } from 'zod';
import { writeRecordSchema, type WriteRecord } from './writes';

export const ERROR_CODES = {
  // Sign-in and roles
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  BAD_CREDENTIALS: 'bad-credentials',
  BUSY: 'busy',
  // Input
  INVALID: 'invalid',
  NOT_FOUND: 'not-found',
  CONFLICT: 'conflict',
  // Writes
  REMOTE_OFFLINE: 'remote-offline',
  /** The point is stale from below its remote: the server that owns it, further down, is unreachable. */
  POINT_STALE: 'point-stale',
  REMOTE_REFUSED: 'remote-refused',
  /** The point takes no writes: one of the hub's own, a reading, or its remote refuses control or serves the public API only. */
  READ_ONLY: 'read-only',
  NOT_SUPPORTED: 'not-supported',
  // Remote links
  LOOP: 'loop',
  CERTIFICATE_UNTRUSTED: 'certificate-untrusted',
  CERTIFICATE_CHANGED: 'certificate-changed',
  NO_ANSWER: 'no-answer',
  BAD_RESPONSE: 'bad-response',
  CONNECTION_FAILED: 'connection-failed',
  // The hub itself
  STORAGE_FAILED: 'storage-failed',
  /** This hub is the standby of a pair sharing one PostgreSQL database: the active one acts. */
  STANDBY: 'standby',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export const apiErrorSchema = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** Per-field messages for `invalid`, keyed by the field's path (`options.drift`). */
    fields: z.record(z.string(), z.string()).optional(),
    /** For a write that was refused or failed: how it went into the write log. */
    record: writeRecordSchema.optional(),
  })
  .meta({ id: 'ApiError' });
export type ApiError = z.infer<typeof apiErrorSchema>;

/** The answer of every request that failed or was refused, whatever its route answers otherwise. */
export const failureSchema = z.object({ ok: z.literal(false), error: apiErrorSchema }).meta({ id: 'Failure' });

/** The answer of a request that succeeded, around the route's own answer. */
export function successSchema<T extends z.ZodType>(data: T) {
  return z.object({ ok: z.literal(true), data });
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

export function fail(
  code: ErrorCode,
  message: string,
  fields?: Record<string, string>,
  record?: WriteRecord,
): { ok: false; error: ApiError } {
  const error: ApiError = { code, message };
  if (fields) error.fields = fields;
  if (record) error.record = record;
  return { ok: false, error };
}

/** The HTTP status that goes with an error code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  'bad-credentials': 401,
  busy: 429,
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'remote-offline': 503,
  'point-stale': 503,
  'remote-refused': 409,
  'read-only': 409,
  'not-supported': 501,
  loop: 508,
  'certificate-untrusted': 502,
  'certificate-changed': 502,
  'no-answer': 504,
  'bad-response': 502,
  'connection-failed': 502,
  'storage-failed': 503,
  standby: 503,
  internal: 500,
};
