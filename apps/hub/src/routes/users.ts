/** `/api/users` (admin): operators and their roles. */
import { ERROR_CODES, fail, ok, ROLES, type Role } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { UserRepo } from '../auth/user-repo';
import { parse, send } from './reply';

const roleSchema = z.enum(ROLES as [Role, ...Role[]], 'must be viewer, operator or admin');
const passwordSchema = z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters');
const createSchema = z
  .object({ name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1 to 64 letters, digits or _ . @ -'), role: roleSchema, password: passwordSchema })
  .strict();
const updateSchema = z.object({ role: roleSchema.optional(), password: passwordSchema.optional() }).strict();

export const userRoutes: FastifyPluginAsync<{ users: UserRepo }> = async (app, { users }) => {
  app.get('/', { config: { role: 'admin' } }, async (_request, reply) => send(reply, ok(users.list())));

  app.post('/', { config: { role: 'admin' } }, async (request, reply) => {
    const input = parse(createSchema, request.body);
    if (!input.ok) return send(reply, input);
    if (users.get(input.data.name)) return send(reply, fail(ERROR_CODES.CONFLICT, `a user named ${input.data.name} exists`, { name: 'is taken' }));
    await users.create(input.data.name, input.data.role, input.data.password);
    return send(reply, ok(users.get(input.data.name)), 201);
  });

  app.put<{ Params: { name: string } }>('/:name', { config: { role: 'admin' } }, async (request, reply) => {
    const input = parse(updateSchema, request.body);
    if (!input.ok) return send(reply, input);
    const user = users.get(request.params.name);
    if (!user) return send(reply, fail(ERROR_CODES.NOT_FOUND, `no user named ${request.params.name}`));
    if (user.role === 'admin' && input.data.role && input.data.role !== 'admin' && users.countAdmins() === 1) {
      return send(reply, fail(ERROR_CODES.CONFLICT, 'the last admin cannot lose the admin role', { role: 'last admin' }));
    }
    await users.update(user.name, input.data);
    return send(reply, ok(users.get(user.name)));
  });

  app.delete<{ Params: { name: string } }>('/:name', { config: { role: 'admin' } }, async (request, reply) => {
    const user = users.get(request.params.name);
    if (!user) return send(reply, fail(ERROR_CODES.NOT_FOUND, `no user named ${request.params.name}`));
    if (user.role === 'admin' && users.countAdmins() === 1) {
      return send(reply, fail(ERROR_CODES.CONFLICT, 'the last admin cannot be deleted'));
    }
    users.delete(user.name);
    return send(reply, ok({ name: user.name }));
  });
};
