/** `/api/points` and `/api/topology` (viewer): the merged tree, by prefix and page. */
import { ERROR_CODES, fail, ok, type Point } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../hub';
import { parse, send } from './reply';

const pageSchema = z.object({
  prefix: z.string().max(1000).default(''),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const pointRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  app.get('/points', { config: { role: 'viewer' } }, async (request, reply) => {
    const query = parse(pageSchema, request.query);
    if (!query.ok) return send(reply, query);
    const { prefix, offset, limit } = query.data;
    const points: Point[] = [];
    let total = 0;
    for (const point of hub.tree.under([prefix])) {
      if (total >= offset && points.length < limit) points.push(point);
      total++;
    }
    return send(reply, ok({ points, total, offset }));
  });

  app.get<{ Params: { name: string }; Querystring: { kind?: string } }>(
    '/points/:name',
    { config: { role: 'viewer' } },
    async (request, reply) => {
      const { name } = request.params;
      const kind = request.query.kind;
      const point = kind === 'io' || kind === 'ui' || kind === 'hub' ? hub.tree.get(kind, name) : hub.tree.find(name);
      return send(reply, point ? ok(point) : fail(ERROR_CODES.NOT_FOUND, `no point named ${name}`));
    },
  );

  app.get('/topology', { config: { role: 'viewer' } }, async (_request, reply) => send(reply, ok(hub.topology())));
};
