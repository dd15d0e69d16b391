/**
 * Registers a route of the shared route map (`ROUTES` in packages/hub-api): its method, path, role
 * and schemas come from the map the dashboard calls through. Fastify validates each request
 * against the schemas (zod, through fastify-type-provider-zod) before the handler runs, so the
 * handler gets its path parameters, query and body parsed and typed; the same schemas describe
 * the route in `GET /api/openapi.json`. The hub and the browser cannot drift apart.
 */
import type { WebsocketHandler } from '@fastify/websocket';
import {
  ERROR_CODES,
  fail,
  failureSchema,
  pathParamNames,
  ROUTES,
  successSchema,
  type ParsedBody,
  type ParsedQuery,
  type Result,
  type RouteAnswer,
  type RouteDefinition,
  type RouteKey,
  type RouteParams,
  type Routes,
} from '@riohub/hub-api';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { z } from 'zod';
import { validationFields, type FieldErrors } from '../validation';
import { send } from './reply';

type MappedRequest<K extends RouteKey> = FastifyRequest<{ Params: RouteParams<K>; Querystring: ParsedQuery<K>; Body: ParsedBody<K> }>;

/** Sends a Result of the route's answer type (with the status of its error code): the shape the browser reads. */
type Answer<K extends RouteKey> = (result: Result<RouteAnswer<K>>, successStatus?: number) => FastifyReply;

/** What a route may add to its handler. */
interface MapOptions<K extends RouteKey> {
  /**
   * The answer to a request its schemas refuse (the handler does not run), from the message of
   * each wrong field. Without it: `invalid`, "the request is not valid". An admin action records
   * its refusal in the audit here (and is answered once it is recorded).
   */
  invalid?: (request: FastifyRequest<{ Params: RouteParams<K> }>, fields: FieldErrors) => Result<RouteAnswer<K>> | Promise<Result<RouteAnswer<K>>>;
  /** The largest body taken, in bytes (Fastify's 1 MB otherwise); a larger one is refused 413, unparsed. */
  bodyLimit?: number;
}

/**
 * A route that answers by upgrading (`answers: 'websocket'`) takes the handler of its sockets as
 * well; any other route takes none.
 */
type Extras<K extends RouteKey> = Routes[K]['answers'] extends 'websocket'
  ? [options: MapOptions<K> & { wsHandler: WebsocketHandler<RawServerDefault, RawRequestDefaultExpression, { Params: RouteParams<K> }> }]
  : [options?: MapOptions<K>];

/**
 * `app` is a plugin registered under a prefix of the route's path (`/api/users` for
 * `/api/users/:name`): the route is registered at the rest of it.
 */
export function mapRoute<K extends RouteKey>(
  app: FastifyInstance,
  key: K,
  handler: (request: MappedRequest<K>, reply: FastifyReply, answer: Answer<K>) => Promise<FastifyReply>,
  ...[options]: Extras<K>
): void {
  const route: RouteDefinition = ROUTES[key];
  const { method, path, role, answers } = route;
  const wsHandler = options && 'wsHandler' in options ? options.wsHandler : undefined;
  if (!path.startsWith(app.prefix)) throw new Error(`route ${key} (${path}) is not under the plugin's prefix ${app.prefix}`);
  // The types already require it; a WebSocket route without one would answer every upgrade over HTTP.
  if ((answers === 'websocket') !== (wsHandler !== undefined)) throw new Error(`route ${key} answers ${answers}: a wsHandler is ${answers === 'websocket' ? 'required' : 'not taken'}`);
  const successStatus = route.statuses[0] ?? 200;
  const refuse = options?.invalid ?? ((_request: unknown, fields: FieldErrors) => fail(ERROR_CODES.INVALID, 'the request is not valid', fields));
  app.route<{ Params: RouteParams<K>; Querystring: ParsedQuery<K>; Body: ParsedBody<K> }>({
    method,
    url: path.slice(app.prefix.length) || '/',
    config: { role, ...(wsHandler && { upgrades: true as const }) },
    schema: routeSchema(key, route),
    // A refused request is answered here, in the envelope and by the route (which may audit it).
    attachValidation: true,
    ...(options?.bodyLimit !== undefined && { bodyLimit: options.bodyLimit }),
    handler: async (request, reply) => {
      const answer: Answer<K> = (result, status = successStatus) => send(reply, result, status);
      if (request.validationError) return answer(await refuse(request, validationFields(request.validationError.validation)));
      return handler(request, reply, answer);
    },
    ...(wsHandler && { wsHandler }),
  });
}

/** The schema Fastify validates a route's requests with, and documents it by. */
function routeSchema(key: RouteKey, route: RouteDefinition): FastifySchema {
  const { path, answers, schemas, statuses, role } = route;
  const names = pathParamNames(path);
  return {
    operationId: key,
    tags: [path.startsWith('/api/') ? (path.split('/')[2] ?? 'api').replace(/\..*$/, '') : 'operations'],
    ...(role === 'public' ? { security: [] } : {}),
    ...(names.length > 0 && { params: z.object(Object.fromEntries(names.map((name) => [name, z.string()]))) }),
    ...(schemas.query && { querystring: schemas.query }),
    ...(schemas.body && { body: schemas.body }),
    response: { ...answersOf(answers, schemas.answer, statuses), default: failureSchema },
  } as FastifySchema;
}

const text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });

/** What a route answers when it succeeds, by status. */
function answersOf(answers: RouteDefinition['answers'], answer: z.ZodType | undefined, statuses: readonly number[]): Record<number, unknown> {
  switch (answers) {
    case 'json':
      return Object.fromEntries(statuses.map((status) => [status, successSchema(answer ?? z.undefined())]));
    case 'csv':
      return { 200: text('text/csv', 'a CSV download with a header row, times in ISO 8601 UTC') };
    case 'text':
      return { 200: text('text/plain', 'the Prometheus text format') };
    case 'document':
      return { 200: { description: 'a document of its own: the OpenAPI description (JSON), the reference page (HTML) or a file of it', content: { '*/*': { schema: z.unknown() } } } };
    case 'websocket':
      return { 101: { description: 'switches to the live WebSocket (docs/websocket.md)', content: { 'application/json': { schema: z.unknown() } } } };
  }
}
