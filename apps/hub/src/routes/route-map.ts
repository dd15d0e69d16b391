/**
 * Registers a route of the shared route map (`ROUTES` in packages/hub-api): its method, path and
 * role come from the map the dashboard calls through, and its handler gets the path parameters
 * the map's path names, so the hub and the browser cannot drift apart.
 */
import type { WebsocketHandler } from '@fastify/websocket';
import { ROUTES, type Result, type RouteAnswer, type RouteKey, type RouteParams, type Routes } from '@riohub/hub-api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { send } from './reply';

type MappedRequest<K extends RouteKey> = FastifyRequest<{ Params: RouteParams<K> }>;

/** Sends a Result of the route's answer type (with the status of its error code): the shape the browser reads. */
type Answer<K extends RouteKey> = (result: Result<RouteAnswer<K>>, successStatus?: number) => FastifyReply;

/**
 * A route that answers by upgrading (`answers: 'websocket'`) takes the handler of its sockets as
 * well; any other route takes none.
 */
type Upgrade<K extends RouteKey> = Routes[K]['answers'] extends 'websocket'
  ? [wsHandler: WebsocketHandler<RawServerDefault, RawRequestDefaultExpression, { Params: RouteParams<K> }>]
  : [];

/**
 * `app` is a plugin registered under a prefix of the route's path (`/api/users` for
 * `/api/users/:name`): the route is registered at the rest of it.
 */
export function mapRoute<K extends RouteKey>(
  app: FastifyInstance,
  key: K,
  handler: (request: MappedRequest<K>, reply: FastifyReply, answer: Answer<K>) => Promise<FastifyReply>,
  ...[wsHandler]: Upgrade<K>
): void {
  const { method, path, role, answers } = ROUTES[key];
  if (!path.startsWith(app.prefix)) throw new Error(`route ${key} (${path}) is not under the plugin's prefix ${app.prefix}`);
  // The types already require it; a WebSocket route without one would answer every upgrade over HTTP.
  if ((answers === 'websocket') !== (wsHandler !== undefined)) throw new Error(`route ${key} answers ${answers}: a wsHandler is ${answers === 'websocket' ? 'required' : 'not taken'}`);
  app.route<{ Params: RouteParams<K> }>({
    method,
    url: path.slice(app.prefix.length) || '/',
    config: { role },
    handler: (request, reply) => handler(request, reply, (result, successStatus) => send(reply, result, successStatus)),
    ...(wsHandler && { wsHandler }),
  });
}
