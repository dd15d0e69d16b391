/** `/api/points` and `/api/topology` (viewer): the merged tree, by prefix and page. */
import { ERROR_CODES, fail, ok, type Point } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import type { Hub } from '../hub';
import { mapRoute } from './route-map';

export const pointRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  mapRoute(app, 'points', async (request, reply, answer) => {
    const { prefix, offset, limit } = request.query;
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
    const point = hub.point(name, request.query.kind);
    return answer(point ? ok(point) : fail(ERROR_CODES.NOT_FOUND, `no point named ${name}`));
  });

  mapRoute(app, 'topology', async (_request, reply, answer) => answer(ok(hub.topology())));
};
