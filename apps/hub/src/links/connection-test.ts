/** "Test connection": checks a remote entry without saving it: reachable, trusted, answering with this password. */
import { ERROR_CODES, fail, ok, type ConnectionTest, type RemoteInput, type Result } from '@riohub/hub-api';
import type { RemoteRepo } from '../remotes/remote-repo';
import { passwordAgain, sameServer } from '../remotes/remote-credentials';
import { validateRemote } from '../remotes/remote-schema';
import { asLinkError, RemoteClient } from './remote-client';
import { stateQuery } from './remote-link';

export async function testConnection(input: RemoteInput, repo: RemoteRepo, instanceId: string): Promise<Result<ConnectionTest>> {
  const stored = await repo.get(input.name);
  const checked = validateRemote(input, stored?.settings);
  if (!checked.ok) return fail(ERROR_CODES.INVALID, 'the remote entry is not valid', checked.fields);
  // The stored password goes only to the server it was stored for.
  if (checked.password === undefined && !(stored && sameServer(stored.settings, checked.settings))) return passwordAgain();
  const password = checked.password ?? stored?.password ?? '';
  const client = new RemoteClient(checked.settings, password);
  try {
    const { version } = stateQuery(checked.settings);
    const state = await client.readState(1, version, { io: true, ui: false });
    const loop = state.members?.includes(instanceId);
    return ok({
      reachable: true,
      trusted: true,
      points: state.io?.length ?? 0,
      system: state.system,
      ...(state.members ? { members: [...state.members] } : {}),
      ...(loop ? { error: { code: ERROR_CODES.LOOP, message: 'loop: this remote already concentrates this hub' } } : {}),
    });
  } catch (error) {
    const failure = asLinkError(error);
    const tlsReached = failure.code === ERROR_CODES.CERTIFICATE_UNTRUSTED || failure.code === ERROR_CODES.CERTIFICATE_CHANGED;
    return ok({
      reachable: tlsReached,
      trusted: false,
      ...(failure.offeredFingerprint ? { fingerprint: failure.offeredFingerprint } : {}),
      error: failure.toJSON(),
    });
  } finally {
    await client.close();
  }
}
