/**
 * `/api/remotes`: remote entries and their status (viewer); changes take effect at once (admin)
 * and are in the audit: the settings before and after, the password only as set or changed.
 * "Retry now" (admin, audited) cuts a remote's backoff short.
 */
import { ERROR_CODES, fail, ok, type AuditChange, type RemoteChange, type RemoteView } from '@riohub/hub-api';
import { isValidRemoteName } from '@riohub/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { secretChange, settingsChanges, without } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import type { FieldErrors } from '../validation';
import { mapRoute } from './route-map';

const notValid = (fields: FieldErrors) => fail(ERROR_CODES.INVALID, 'the remote entry is not valid', fields);

/** A remote's settings as the audit compares them: no live status, and its password apart. */
function remoteChanges(before: RemoteView | undefined, after: RemoteView | undefined, body: Pick<RemoteChange, 'password'> | undefined): AuditChange[] {
  const passwordSent = body?.password !== undefined;
  return [
    ...settingsChanges(without(before, 'status', 'hasPassword'), without(after, 'status', 'hasPassword')),
    ...secretChange('password', passwordSent, before?.hasPassword ?? false, after?.hasPassword ?? false),
  ];
}

/** The name a refused creation was for, when it is one (the body as sent: its schema refused it). */
function requestedName(body: unknown): string {
  const name = (body as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.length <= 64 && isValidRemoteName(name) ? name : '(no valid name)';
}

export const remoteRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'remotes', async (_request, _reply, answer) => answer(ok(hub.remotes())));

  mapRoute(app, 'remote', async (request, _reply, answer) => {
    const remote = hub.remote(request.params.name);
    return answer(remote ? ok(remote) : fail(ERROR_CODES.NOT_FOUND, `no remote named ${request.params.name}`));
  });

  mapRoute(app, 'createRemote', async (request, _reply, answer) => {
    const result = await app.audit.inTurn(`remote:${request.body.name}`, async () => {
      const created = await hub.createRemote(request.body);
      const target = created.ok ? created.data.name : requestedName(request.body);
      return audited(request, 'remote.create', target, created, (after) => remoteChanges(undefined, after, request.body));
    });
    if (result.ok) request.log.info({ remote: result.data.name, user: request.user?.name }, 'remote created');
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'remote.create', requestedName(request.body), notValid(fields), () => []) });

  mapRoute(app, 'updateRemote', async (request, _reply, answer) => {
    const result = await app.audit.inTurn(`remote:${request.params.name}`, async () => {
      // As it is when this change's turn comes, after any queued ahead of it.
      let before: RemoteView | undefined;
      const updated = await hub.updateRemote(request.params.name, request.body, (view) => (before = view));
      return audited(request, 'remote.update', request.params.name, updated, (after) => remoteChanges(before, after, request.body));
    });
    if (result.ok) request.log.info({ remote: request.params.name, user: request.user?.name }, 'remote changed');
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'remote.update', request.params.name, notValid(fields), () => []) });

  mapRoute(app, 'deleteRemote', async (request, _reply, answer) => {
    const result = await app.audit.inTurn(`remote:${request.params.name}`, async () => {
      let before: RemoteView | undefined;
      const deleted = await hub.deleteRemote(request.params.name, (view) => (before = view));
      return audited(request, 'remote.delete', request.params.name, deleted, () => remoteChanges(before, undefined, undefined));
    });
    return answer(result);
  });

  mapRoute(app, 'trustRemote', async (request, _reply, answer) => {
    const result = await app.audit.inTurn(`remote:${request.params.name}`, async () => {
      let before: RemoteView | undefined;
      const trusted = await hub.trustCertificate(request.params.name, request.body.fingerprint, (view) => (before = view));
      return audited(request, 'remote.trust', request.params.name, trusted, (after) => remoteChanges(before, after, undefined));
    });
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'remote.trust', request.params.name, fail(ERROR_CODES.INVALID, 'the request is not valid', fields), () => []) });

  /** Tries an offline remote again at once instead of waiting out its backoff; nothing is changed. */
  mapRoute(app, 'retryRemote', async (request, _reply, answer) => {
    const result = hub.retryRemote(request.params.name);
    await audited(request, 'remote.retry', request.params.name, result, () => []);
    return answer(result);
  });

  /** Checks a remote entry (new, or an existing one changed) before it is saved: no change, not audited. */
  mapRoute(app, 'testRemote', async (request, _reply, answer) => answer(await hub.testConnection(request.body)), { invalid: (_request, fields) => notValid(fields) });
};
