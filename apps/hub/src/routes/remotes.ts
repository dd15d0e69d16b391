/**
 * `/api/remotes`: remote entries and their status (viewer); changes take effect at once (admin)
 * and are in the audit: the settings before and after, the password only as set or changed.
 * "Retry now" (admin, audited) cuts a remote's backoff short.
 */
import { ERROR_CODES, fail, ok, type AuditChange, type RemoteView } from '@riohub/hub-api';
import { isValidRemoteName } from '@riohub/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { secretChange, settingsChanges, without } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { Hub } from '../hub';
import { parse } from './reply';
import { mapRoute } from './route-map';

const trustSchema = z.object({ fingerprint: z.string().min(1) }).strict();

/** A remote's settings as the audit compares them: no live status, and its password apart. */
function remoteChanges(before: RemoteView | undefined, after: RemoteView | undefined, body: unknown): AuditChange[] {
  const passwordSent = typeof (body as { password?: unknown } | null)?.password === 'string';
  return [
    ...settingsChanges(without(before, 'status', 'hasPassword'), without(after, 'status', 'hasPassword')),
    ...secretChange('password', passwordSent, before?.hasPassword ?? false, after?.hasPassword ?? false),
  ];
}

/** The name a refused creation was for, when it is one. */
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
    const result = await hub.createRemote(request.body);
    if (result.ok) request.log.info({ remote: result.data.name, user: request.user?.name }, 'remote created');
    const target = result.ok ? result.data.name : requestedName(request.body);
    audited(request, 'remote.create', target, result, (after) => remoteChanges(undefined, after, request.body));
    return answer(result, 201);
  });

  mapRoute(app, 'updateRemote', async (request, _reply, answer) => {
    // As it is when this change's turn comes, after any queued ahead of it.
    let before: RemoteView | undefined;
    const result = await hub.updateRemote(request.params.name, request.body, (view) => (before = view));
    if (result.ok) request.log.info({ remote: request.params.name, user: request.user?.name }, 'remote changed');
    audited(request, 'remote.update', request.params.name, result, (after) => remoteChanges(before, after, request.body));
    return answer(result);
  });

  mapRoute(app, 'deleteRemote', async (request, _reply, answer) => {
    let before: RemoteView | undefined;
    const result = await hub.deleteRemote(request.params.name, (view) => (before = view));
    audited(request, 'remote.delete', request.params.name, result, () => remoteChanges(before, undefined, undefined));
    return answer(result);
  });

  mapRoute(app, 'trustRemote', async (request, _reply, answer) => {
    let before: RemoteView | undefined;
    const input = parse(trustSchema, request.body);
    const result = input.ok ? await hub.trustCertificate(request.params.name, input.data.fingerprint, (view) => (before = view)) : input;
    audited(request, 'remote.trust', request.params.name, result, (after) => remoteChanges(before, after, undefined));
    return answer(result);
  });

  /** Tries an offline remote again at once instead of waiting out its backoff; nothing is changed. */
  mapRoute(app, 'retryRemote', async (request, _reply, answer) => {
    const result = hub.retryRemote(request.params.name);
    audited(request, 'remote.retry', request.params.name, result, () => []);
    return answer(result);
  });

  /** Checks a remote entry (new, or an existing one changed) before it is saved: no change, not audited. */
  mapRoute(app, 'testRemote', async (request, _reply, answer) => answer(await hub.testConnection(request.body)));
};
