/**
 * Every REST route of the hub as one map: method, path (with `:params`), the role it needs, and
 * the schemas of its query, body and answer, from which their types are inferred. The hub
 * registers its routes from it (validating each request against them, and describing them in
 * `GET /api/openapi.json`) and the dashboard calls them through it, so a path or a type that one
 * side does not have is a compile error.
 */
import { z } from 'zod';
import { auditExportQuerySchema, auditQuerySchema, auditRecordSchema } from './audit';
import { healthViewSchema, livenessViewSchema } from './health';
import { hubInfoSchema, hubRoleChangeSchema } from './hub-info';
import { aggregateQuerySchema, aggregateSeriesSchema, loggerViewSchema, rangeQuerySchema, rawSeriesSchema, retentionSchema } from './loggers';
import { mqttInputSchema, mqttViewSchema } from './mqtt';
import { deviceSchema, pointPageSchema, pointQuerySchema, pointSchema, pointsQuerySchema } from './points';
import { connectionTestSchema, remoteChangeSchema, remoteInputSchema, remoteViewSchema, trustSchema } from './remotes';
import { servedApiInputSchema, servedApiViewSchema } from './served-api';
import { signInSchema, userChangeSchema, userInputSchema, userSchema, type Role } from './users';
import { writeLogQuerySchema, writeRecordSchema, writeRequestSchema } from './writes';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route: anyone (`public`), or a signed-in user with at least this role. */
export type RouteRole = 'public' | Role;

/**
 * How a route answers: `json` in the Result envelope, `csv` as a download (the envelope only when
 * the request is refused), `websocket` by upgrading to the live channel (websocket.md), `text`
 * in a format of its own (Prometheus metrics; the envelope only when the request is refused),
 * `document` as a document of its own (the OpenAPI description, the API reference page and its
 * files; the envelope only when the request is refused).
 */
export type AnswerKind = 'json' | 'csv' | 'websocket' | 'text' | 'document';

/** The schemas a route carries; its path parameters come from its path. */
export interface RouteSchemas {
  /** Its query string: every value arrives as text, and numbers are coerced. */
  query?: z.ZodType<object>;
  /** Its JSON body. */
  body?: z.ZodType;
  /** Its answer's `data` (a `json` route). */
  answer?: z.ZodType;
}

export interface RouteDefinition<M extends HttpMethod = HttpMethod, P extends string = string, S extends RouteSchemas = RouteSchemas, A extends AnswerKind = AnswerKind> {
  method: M;
  path: P;
  role: RouteRole;
  answers: A;
  schemas: S;
  /** The statuses of its answers with `data`: 201 for a creation; readiness also answers 503. */
  statuses: readonly number[];
}

/** `'/api/remotes/:name/trust'` → `'name'`. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The path parameters of a path, each a string (sent URL-encoded). */
export type PathParams<P extends string> = { [Name in ParamNames<P>]: string };

/** The names of a path's parameters, in order: what `PathParams` types. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
}

function define<A extends AnswerKind>(answers: A) {
  return <M extends HttpMethod, P extends string, const S extends RouteSchemas = object>(method: M, path: P, role: RouteRole, schemas?: S, statuses: readonly number[] = [200]): RouteDefinition<M, P, S, A> => ({
    method,
    path,
    role,
    answers,
    schemas: schemas ?? ({} as S),
    statuses,
  });
}
const json = define('json');
const csv = define('csv');
const document = define('document');

export const ROUTES = {
  /** Liveness, for probes: outside /api, answered to any host name. */
  alive: json('GET', '/healthz', 'public', { answer: livenessViewSchema }),
  /** Readiness (200, or 503 with why): outside /api, answered to any host name. */
  ready: json('GET', '/readyz', 'public', { answer: healthViewSchema }, [200, 503]),
  /** The same readiness under its first name. */
  health: json('GET', '/api/health', 'public', { answer: healthViewSchema }, [200, 503]),
  /**
   * Prometheus text format. `public` to the sign-in guard: the route itself admits loopback
   * clients, and others with `Authorization: Bearer $RIOHUB_METRICS_TOKEN`.
   */
  metrics: define('text')('GET', '/metrics', 'public'),

  signIn: json('POST', '/api/session', 'public', { body: signInSchema, answer: userSchema }),
  session: json('GET', '/api/session', 'viewer', { answer: userSchema }),
  signOut: json('DELETE', '/api/session', 'viewer', { answer: z.object({ signedOut: z.literal(true) }) }),

  users: json('GET', '/api/users', 'admin', { answer: z.array(userSchema) }),
  createUser: json('POST', '/api/users', 'admin', { body: userInputSchema, answer: userSchema }, [201]),
  updateUser: json('PUT', '/api/users/:name', 'admin', { body: userChangeSchema, answer: userSchema }),
  deleteUser: json('DELETE', '/api/users/:name', 'admin', { answer: z.object({ name: z.string() }) }),

  points: json('GET', '/api/points', 'viewer', { query: pointsQuerySchema, answer: pointPageSchema }),
  point: json('GET', '/api/points/:name', 'viewer', { query: pointQuerySchema, answer: pointSchema }),
  topology: json('GET', '/api/topology', 'viewer', { answer: z.array(deviceSchema) }),

  remotes: json('GET', '/api/remotes', 'viewer', { answer: z.array(remoteViewSchema) }),
  remote: json('GET', '/api/remotes/:name', 'viewer', { answer: remoteViewSchema }),
  createRemote: json('POST', '/api/remotes', 'admin', { body: remoteInputSchema, answer: remoteViewSchema }, [201]),
  updateRemote: json('PUT', '/api/remotes/:name', 'admin', { body: remoteChangeSchema, answer: remoteViewSchema }),
  deleteRemote: json('DELETE', '/api/remotes/:name', 'admin', { answer: z.object({ name: z.string() }) }),
  trustRemote: json('POST', '/api/remotes/:name/trust', 'admin', { body: trustSchema, answer: remoteViewSchema }),
  /** "Retry now": an offline remote's link tries again at once; 409 for an entry it does not poll. */
  retryRemote: json('POST', '/api/remotes/:name/retry', 'admin', { answer: remoteViewSchema }),
  /** Not saved: without a password, that of the stored entry of the same name (address unchanged). */
  testRemote: json('POST', '/api/remotes/test', 'admin', { body: remoteInputSchema, answer: connectionTestSchema }),

  write: json('POST', '/api/writes', 'operator', { body: writeRequestSchema, answer: writeRecordSchema }),
  writeLog: json('GET', '/api/writes', 'viewer', { query: writeLogQuerySchema, answer: z.array(writeRecordSchema) }),

  audit: json('GET', '/api/audit', 'admin', { query: auditQuerySchema, answer: z.array(auditRecordSchema) }),
  auditCsv: csv('GET', '/api/audit.csv', 'admin', { query: auditExportQuerySchema }),

  hub: json('GET', '/api/hub', 'viewer', { answer: hubInfoSchema }),
  // 409: the role is elected (the store is PostgreSQL).
  setHubRole: json('PUT', '/api/hub/role', 'admin', { body: hubRoleChangeSchema, answer: hubInfoSchema }, [200, 409]),
  servedApi: json('GET', '/api/hub/served-api', 'admin', { answer: servedApiViewSchema }),
  updateServedApi: json('PUT', '/api/hub/served-api', 'admin', { body: servedApiInputSchema, answer: servedApiViewSchema }),
  /** The MQTT bridge (docs/mqtt.md): settings, the password write-only, and its connection status. */
  mqtt: json('GET', '/api/mqtt', 'admin', { answer: mqttViewSchema }),
  updateMqtt: json('PUT', '/api/mqtt', 'admin', { body: mqttInputSchema, answer: mqttViewSchema }),

  loggers: json('GET', '/api/loggers', 'viewer', { answer: z.array(loggerViewSchema) }),
  setRetention: json('PUT', '/api/loggers/:id', 'admin', { body: retentionSchema, answer: loggerViewSchema }),
  samples: json('GET', '/api/loggers/:id/samples', 'viewer', { query: rangeQuerySchema, answer: rawSeriesSchema }),
  aggregates: json('GET', '/api/loggers/:id/aggregates', 'viewer', { query: aggregateQuerySchema, answer: aggregateSeriesSchema }),
  samplesCsv: csv('GET', '/api/loggers/:id/samples.csv', 'viewer', { query: rangeQuerySchema }),
  aggregatesCsv: csv('GET', '/api/loggers/:id/aggregates.csv', 'viewer', { query: aggregateQuerySchema }),

  /** The live channel (websocket.md); a GET without an upgrade is answered 400. */
  live: define('websocket')('GET', '/api/ws', 'viewer'),

  /** This API described in OpenAPI 3.1, from the schemas of this map. */
  openapi: document('GET', '/api/openapi.json', 'viewer'),
  /** The API reference: an interactive page over `openapi`, and the files it loads. */
  docs: document('GET', '/api/docs', 'viewer'),
  docsFile: document('GET', '/api/docs/:file', 'viewer'),
} as const;

export type Routes = typeof ROUTES;
export type RouteKey = keyof Routes;
/** The routes answered in the Result envelope: the ones a client calls and reads. */
export type JsonRouteKey = { [K in RouteKey]: Routes[K]['answers'] extends 'json' ? K : never }[RouteKey];

type SchemaOf<K extends RouteKey, F extends keyof RouteSchemas> = Routes[K]['schemas'] extends { [Field in F]: infer S extends z.ZodType } ? S : undefined;

export type RouteParams<K extends RouteKey> = PathParams<Routes[K]['path']>;
/** The query a client sends (numbers as numbers: the URL spells them out). */
export type RouteQuery<K extends RouteKey> = SchemaOf<K, 'query'> extends z.ZodType ? z.input<SchemaOf<K, 'query'>> : object;
/** The body a client sends. */
export type RouteBody<K extends RouteKey> = SchemaOf<K, 'body'> extends z.ZodType ? z.input<SchemaOf<K, 'body'>> : undefined;
/** The query as the hub's handler gets it: validated, defaults filled in. */
export type ParsedQuery<K extends RouteKey> = SchemaOf<K, 'query'> extends z.ZodType ? z.output<SchemaOf<K, 'query'>> : object;
/** The body as the hub's handler gets it: validated. */
export type ParsedBody<K extends RouteKey> = SchemaOf<K, 'body'> extends z.ZodType ? z.output<SchemaOf<K, 'body'>> : undefined;
export type RouteAnswer<K extends RouteKey> = SchemaOf<K, 'answer'> extends z.ZodType ? z.output<SchemaOf<K, 'answer'>> : undefined;
/** What names a route's resource: its path parameters and its query, in one object. */
export type RouteInput<K extends RouteKey> = RouteParams<K> & RouteQuery<K>;

/**
 * The URL of a route: path parameters URL-encoded in place, the rest of `input` as the query
 * (`undefined` left out). Relative to the hub (`/api/…`).
 */
export function routeUrl<K extends RouteKey>(key: K, input?: RouteInput<K>): string {
  const rest: Record<string, unknown> = { ...(input as Record<string, unknown> | undefined) };
  const path = ROUTES[key].path.replace(/:(\w+)/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    if (typeof value !== 'string') throw new TypeError(`${key}: path parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
