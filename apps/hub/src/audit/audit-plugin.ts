/**
 * The audit as a service of the app (`app.audit`), and the one way routes record an admin action:
 * who is the signed-in user, from where the request's address, and what changed only when it was
 * done; a refused action is kept with why.
 */
import type { ApiError, AuditAction, AuditChange, Result } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { HubDatabase } from '../db/database';
import { signedInUser } from '../plugins/auth';
import { AuditLog } from './audit-log';

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog;
  }
}

const auditPlugin: FastifyPluginAsync<{ db: HubDatabase }> = async (app, { db }) => {
  app.decorate('audit', new AuditLog(db));
};

export default fp(auditPlugin, { name: 'riohub-audit' });

/**
 * Records the outcome of an admin action and returns it unchanged, to be sent. `changes` is asked
 * only when the action was done, with what it answered; a refusal is kept with its message and
 * the fields at fault (their messages, never the values sent).
 */
export function audited<T>(
  request: FastifyRequest,
  action: AuditAction,
  target: string,
  result: Result<T>,
  changes: (data: T) => AuditChange[],
): Result<T> {
  request.server.audit.record({
    user: signedInUser(request).name,
    address: request.ip,
    action,
    target,
    ...(result.ok ? { outcome: 'done', changes: changes(result.data) } : { outcome: 'refused', changes: [], error: refusal(result.error) }),
  });
  return result;
}

function refusal(error: ApiError): string {
  const fields = Object.entries(error.fields ?? {}).map(([field, message]) => `${field}: ${message}`);
  return fields.length > 0 ? `${error.message} (${fields.join('; ')})` : error.message;
}
