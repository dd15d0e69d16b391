/** `/api/users` (admin): operators and their roles. Every change is in the audit, a password only as changed. */
import { ERROR_CODES, fail, ok, USER_NAME as NAME, type Result, type User } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { UserRepo } from '../auth/user-repo';
import { secretChange, settingsChanges } from '../audit/audit-diff';
import { audited } from '../audit/audit-plugin';
import type { FieldErrors } from '../validation';
import { mapRoute } from './route-map';

const notValid = (fields: FieldErrors) => fail(ERROR_CODES.INVALID, 'the request is not valid', fields);

/** The name a refused creation was for, when it is one (anything else typed there stays out of the audit). */
function requestedName(body: unknown): string {
  const name = (body as { name?: unknown } | null)?.name;
  return typeof name === 'string' && NAME.test(name) ? name : '(no valid name)';
}

export const userRoutes: FastifyPluginAsync<{ users: UserRepo }> = async (app, { users }) => {
  // A user as stored after a change (deleted in between by another request: not found).
  const found = async (name: string): Promise<Result<User>> => {
    const user = await users.get(name);
    return user ? ok(user) : fail(ERROR_CODES.NOT_FOUND, `no user named ${name}`);
  };

  mapRoute(app, 'users', async (_request, reply, answer) => answer(ok(await users.list())));

  mapRoute(app, 'createUser', async (request, reply, answer) => {
    const { name, role, password } = request.body;
    const result = await app.audit.inTurn(`user:${name}`, async () => {
      let created: Result<User>;
      if (await users.get(name)) created = fail(ERROR_CODES.CONFLICT, `a user named ${name} exists`, { name: 'is taken' });
      else {
        await users.create(name, role, password);
        created = await found(name);
      }
      return audited(request, 'user.create', name, created, (user) => [...settingsChanges(undefined, { role: user.role }), ...secretChange('password', true, false, true)]);
    });
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'user.create', requestedName(request.body), notValid(fields), () => []) });

  mapRoute(app, 'updateUser', async (request, reply, answer) => {
    const change = request.body;
    const result = await app.audit.inTurn(`user:${request.params.name}`, async () => {
      const before = await users.get(request.params.name);
      let updated: Result<User>;
      const outcome = before ? await users.update(before.name, change) : 'missing';
      if (!before || outcome === 'missing') updated = fail(ERROR_CODES.NOT_FOUND, `no user named ${request.params.name}`);
      else if (outcome === 'last admin') updated = fail(ERROR_CODES.CONFLICT, 'the last admin cannot lose the admin role', { role: 'last admin' });
      else updated = await found(before.name);
      return audited(request, 'user.update', request.params.name, updated, (after) => [
        ...settingsChanges({ role: before?.role }, { role: after?.role }),
        ...secretChange('password', change.password !== undefined, true, true),
      ]);
    });
    return answer(result);
  }, { invalid: (request, fields) => audited(request, 'user.update', request.params.name, notValid(fields), () => []) });

  mapRoute(app, 'deleteUser', async (request, reply, answer) => {
    const result = await app.audit.inTurn(`user:${request.params.name}`, async () => {
      const user = await users.get(request.params.name);
      let deleted: Result<{ name: string }>;
      const outcome = user ? await users.delete(user.name) : 'missing';
      if (!user || outcome === 'missing') deleted = fail(ERROR_CODES.NOT_FOUND, `no user named ${request.params.name}`);
      else if (outcome === 'last admin') deleted = fail(ERROR_CODES.CONFLICT, 'the last admin cannot be deleted');
      else deleted = ok({ name: user.name });
      return audited(request, 'user.delete', request.params.name, deleted, () => settingsChanges({ role: user?.role }, undefined));
    });
    return answer(result);
  });
};
