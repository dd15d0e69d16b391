/**
 * The audit as a service of the app (`app.audit`), and the one way routes record an admin action:
 * who is the signed-in user, from where the request's address, and what changed only when it was
 * done; a refused action is kept with why.
 */
import type { ApiError, AuditAction, AuditChange, Result } from '@riohub/hub-api';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Store } from '../db/store';
import { signedInUser } from '../plugins/auth';
import { AuditLog } from './audit-log';

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditLog;
  }
}

const auditPlugin: FastifyPluginAsync<{ store: Store }> = async (app, { store }) => {
  app.decorate('audit', new AuditLog(store));
};

export default fp(auditPlugin, { name: 'riohub-audit' });

/**
 * Records the outcome of an admin action and returns it unchanged, to be sent. `changes` is asked
 * only when the action was done, with what it answered; a refusal is kept with its message and
 * the fields at fault (their messages, never the values sent).
 */
export async function audited<T>(
  request: FastifyRequest,
  action: AuditAction,
  target: string,
  result: Result<T>,
  changes: (data: T) => AuditChange[],
): Promise<Result<T>> {
  await recordAudit(request, {
    user: signedInUser(request).name,
    address: request.ip,
    action,
    target,
    ...(result.ok ? { outcome: 'done', changes: changes(result.data) } : { outcome: 'refused', changes: [], error: refusal(result.error) }),
  });
  return result;
}

/**
 * Records an audit entry after its action. The action has happened whatever the storage says
 * now: a record that cannot be stored goes to the log whole, and the storage is marked failing,
 * rather than answering "not saved" for a change that was.
 */
export async function recordAudit(request: FastifyRequest, entry: Parameters<AuditLog['record']>[0]): Promise<void> {
  try {
    await request.server.audit.record(entry);
  } catch (error) {
    if (!request.server.storage.isStorageError(error)) throw error;
    request.server.storage.report(error);
    request.log.error({ audit: entry, err: error }, 'audit record not stored: kept in this log instead');
  }
}

function refusal(error: ApiError): string {
  const fields = Object.entries(error.fields ?? {}).map(([field, message]) => `${field}: ${message}`);
  return fields.length > 0 ? `${error.message} (${fields.join('; ')})` : error.message;
}
