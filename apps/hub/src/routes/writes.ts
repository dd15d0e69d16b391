/** `/api/writes`: an operator's write to a remote, and the write log. */
import { ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../hub';
import { signedInUser } from '../plugins/auth';
import { writeSchema } from '../writes/write-schema';
import { parse } from './reply';
import { mapRoute } from './route-map';

const logQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().min(1).optional(),
});

export const writeRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'write', async (request, reply, answer) => {
    const input = parse(writeSchema, request.body);
    if (!input.ok) return answer(input);
    return answer(await hub.write(input.data, { user: signedInUser(request).name, via: 'rest' }));
  });

  mapRoute(app, 'writeLog', async (request, reply, answer) => {
    const query = parse(logQuerySchema, request.query);
    if (!query.ok) return answer(query);
    return answer(ok(hub.writes.history(query.data.limit, query.data.before)));
  });
};
