/** `/api/points` and `/api/topology` (viewer): the merged tree, by prefix and page. */
import { ERROR_CODES, fail, ok, type Point } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../hub';
import { parse } from './reply';
import { mapRoute } from './route-map';

const pageSchema = z.object({
  prefix: z.string().max(1000).default(''),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const pointRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'points', async (request, reply, answer) => {
    const query = parse(pageSchema, request.query);
    if (!query.ok) return answer(query);
    const { prefix, offset, limit } = query.data;
    const points: Point[] = [];
    let total = 0;
    for (const point of hub.points([prefix])) {
      if (total >= offset && points.length < limit) points.push(point);
      total++;
    }
    return answer(ok({ points, total, offset }));
  });

  mapRoute(app, 'point', async (request, reply, answer) => {
    const { name } = request.params;
    // Unvalidated: only one of the three kinds is taken, anything else means no kind.
    const kind = (request.query as { kind?: unknown }).kind;
    const point = hub.point(name, kind === 'io' || kind === 'ui' || kind === 'hub' ? kind : undefined);
    return answer(point ? ok(point) : fail(ERROR_CODES.NOT_FOUND, `no point named ${name}`));
  });

  mapRoute(app, 'topology', async (_request, reply, answer) => answer(ok(hub.topology())));
};
