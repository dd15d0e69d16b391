/** `/api/writes`: an operator's write to a remote, and the write log. */
import { ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../hub';
import { signedInUser } from '../plugins/auth';
import { writeSchema } from '../writes/write-schema';
import { parse, send } from './reply';

const logQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().min(1).optional(),
});

export const writeRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  app.post('/', { config: { role: 'operator' } }, async (request, reply) => {
    const input = parse(writeSchema, request.body);
    if (!input.ok) return send(reply, input);
    return send(reply, await hub.write(signedInUser(request).name, input.data));
  });

  app.get('/', { config: { role: 'viewer' } }, async (request, reply) => {
    const query = parse(logQuerySchema, request.query);
    if (!query.ok) return send(reply, query);
    return send(reply, ok(hub.writeLog.list(query.data.limit, query.data.before)));
  });
};
