/**
 * Every REST route of the hub as one map: method, path (with `:params`), the role it needs, and
 * the types of its query, body and answer. The hub registers its routes from it and the dashboard
 * calls them through it, so a path or a type that one side does not have is a compile error.
 */
import type { AuditRecord } from './audit';
import type { HealthView, LivenessView } from './health';
import type { HubInfo, HubRole } from './hub-info';
import type { AggregateInterval, AggregateSeries, LoggerView, RawSeries } from './loggers';
import type { Device, Point, PointKind, PointPage } from './points';
import type { ConnectionTest, RemoteInput, RemoteView } from './remotes';
import type { ServedApiInput, ServedApiView } from './served-api';
import type { Role, SignIn, User, UserInput } from './users';
import type { WriteRecord, WriteRequest } from './writes';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route: anyone (`public`), or a signed-in user with at least this role. */
export type RouteRole = 'public' | Role;

/**
 * How a route answers: `json` in the Result envelope, `csv` as a download (the envelope only when
 * the request is refused), `websocket` by upgrading to the live channel (websocket.md), `text`
 * in a format of its own (Prometheus metrics; the envelope only when the request is refused).
 */
export type AnswerKind = 'json' | 'csv' | 'websocket' | 'text';

/** The types a route carries: its query string, its JSON body, its answer's `data`. */
export interface RouteTypes {
  query?: object;
  body?: unknown;
  answer?: unknown;
}

export interface RouteDefinition<M extends HttpMethod = HttpMethod, P extends string = string, T extends RouteTypes = RouteTypes, A extends AnswerKind = AnswerKind> {
  method: M;
  path: P;
  role: RouteRole;
  answers: A;
  /** Types only: never set at run time. */
  readonly types?: T;
}

/** `'/api/remotes/:name/trust'` → `'name'`. */
type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The path parameters of a path, each a string (sent URL-encoded). */
export type PathParams<P extends string> = { [Name in ParamNames<P>]: string };

function define<T extends RouteTypes, A extends AnswerKind>(answers: A) {
  return <M extends HttpMethod, P extends string>(method: M, path: P, role: RouteRole): RouteDefinition<M, P, T, A> => ({ method, path, role, answers });
}
const json = <T extends RouteTypes>() => define<T, 'json'>('json');
const csv = <T extends RouteTypes>() => define<T, 'csv'>('csv');

/** `limit` and `before` (an id: older records) of the write log and the audit. */
export interface PageQuery {
  limit?: number;
  before?: number;
}

export interface PointsQuery {
  /** `''` (the default): all; matches at a dot boundary. */
  prefix?: string;
  offset?: number;
  limit?: number;
}

/** Epoch ms, `from <= time < to`. */
export interface RangeQuery {
  from: number;
  to: number;
}

export interface AggregateQuery extends RangeQuery {
  interval: AggregateInterval;
}

export interface AuditFilter {
  /** Keeps the records containing the text, in any case. */
  filter?: string;
}

/** A change of a remote entry: `host` always; any other field omitted keeps its value (the password too). */
export type RemoteChange = Partial<RemoteInput> & Pick<RemoteInput, 'host'>;

/** A change of a user: a new role, a new password (which ends the user's sessions), or both. */
export interface UserChange {
  role?: Role;
  password?: string;
}

export const ROUTES = {
  /** Liveness, for probes: outside /api, answered to any host name. */
  alive: json<{ answer: LivenessView }>()('GET', '/healthz', 'public'),
  /** Readiness (200, or 503 with why): outside /api, answered to any host name. */
  ready: json<{ answer: HealthView }>()('GET', '/readyz', 'public'),
  /** The same readiness under its first name. */
  health: json<{ answer: HealthView }>()('GET', '/api/health', 'public'),
  /**
   * Prometheus text format. `public` to the sign-in guard: the route itself admits loopback
   * clients, and others with `Authorization: Bearer $RIOHUB_METRICS_TOKEN`.
   */
  metrics: define<object, 'text'>('text')('GET', '/metrics', 'public'),

  signIn: json<{ body: SignIn; answer: User }>()('POST', '/api/session', 'public'),
  session: json<{ answer: User }>()('GET', '/api/session', 'viewer'),
  signOut: json<{ answer: { signedOut: true } }>()('DELETE', '/api/session', 'viewer'),

  users: json<{ answer: User[] }>()('GET', '/api/users', 'admin'),
  createUser: json<{ body: UserInput; answer: User }>()('POST', '/api/users', 'admin'),
  updateUser: json<{ body: UserChange; answer: User }>()('PUT', '/api/users/:name', 'admin'),
  deleteUser: json<{ answer: { name: string } }>()('DELETE', '/api/users/:name', 'admin'),

  points: json<{ query: PointsQuery; answer: PointPage }>()('GET', '/api/points', 'viewer'),
  point: json<{ query: { kind?: PointKind }; answer: Point }>()('GET', '/api/points/:name', 'viewer'),
  topology: json<{ answer: Device[] }>()('GET', '/api/topology', 'viewer'),

  remotes: json<{ answer: RemoteView[] }>()('GET', '/api/remotes', 'viewer'),
  remote: json<{ answer: RemoteView }>()('GET', '/api/remotes/:name', 'viewer'),
  createRemote: json<{ body: RemoteInput; answer: RemoteView }>()('POST', '/api/remotes', 'admin'),
  updateRemote: json<{ body: RemoteChange; answer: RemoteView }>()('PUT', '/api/remotes/:name', 'admin'),
  deleteRemote: json<{ answer: { name: string } }>()('DELETE', '/api/remotes/:name', 'admin'),
  trustRemote: json<{ body: { fingerprint: string }; answer: RemoteView }>()('POST', '/api/remotes/:name/trust', 'admin'),
  /** "Retry now": an offline remote's link tries again at once; 409 for an entry it does not poll. */
  retryRemote: json<{ answer: RemoteView }>()('POST', '/api/remotes/:name/retry', 'admin'),
  /** Not saved: without a password, that of the stored entry of the same name (address unchanged). */
  testRemote: json<{ body: RemoteInput; answer: ConnectionTest }>()('POST', '/api/remotes/test', 'admin'),

  write: json<{ body: WriteRequest; answer: WriteRecord }>()('POST', '/api/writes', 'operator'),
  writeLog: json<{ query: PageQuery; answer: WriteRecord[] }>()('GET', '/api/writes', 'viewer'),

  audit: json<{ query: PageQuery & AuditFilter; answer: AuditRecord[] }>()('GET', '/api/audit', 'admin'),
  auditCsv: csv<{ query: AuditFilter }>()('GET', '/api/audit.csv', 'admin'),

  hub: json<{ answer: HubInfo }>()('GET', '/api/hub', 'viewer'),
  setHubRole: json<{ body: { role: HubRole }; answer: HubInfo }>()('PUT', '/api/hub/role', 'admin'),
  servedApi: json<{ answer: ServedApiView }>()('GET', '/api/hub/served-api', 'admin'),
  updateServedApi: json<{ body: ServedApiInput; answer: ServedApiView }>()('PUT', '/api/hub/served-api', 'admin'),

  loggers: json<{ answer: LoggerView[] }>()('GET', '/api/loggers', 'viewer'),
  setRetention: json<{ body: { retentionDays: number | null }; answer: LoggerView }>()('PUT', '/api/loggers/:id', 'admin'),
  samples: json<{ query: RangeQuery; answer: RawSeries }>()('GET', '/api/loggers/:id/samples', 'viewer'),
  aggregates: json<{ query: AggregateQuery; answer: AggregateSeries }>()('GET', '/api/loggers/:id/aggregates', 'viewer'),
  samplesCsv: csv<{ query: RangeQuery }>()('GET', '/api/loggers/:id/samples.csv', 'viewer'),
  aggregatesCsv: csv<{ query: AggregateQuery }>()('GET', '/api/loggers/:id/aggregates.csv', 'viewer'),

  /** The live channel (websocket.md); a GET without an upgrade is answered 400. */
  live: define<object, 'websocket'>('websocket')('GET', '/api/ws', 'viewer'),
} as const;

export type Routes = typeof ROUTES;
export type RouteKey = keyof Routes;
/** The routes answered in the Result envelope: the ones a client calls and reads. */
export type JsonRouteKey = { [K in RouteKey]: Routes[K]['answers'] extends 'json' ? K : never }[RouteKey];

type TypesOf<K extends RouteKey> = NonNullable<Routes[K]['types']>;
type Field<T, F extends string> = T extends Record<F, infer V> ? V : undefined;

export type RouteParams<K extends RouteKey> = PathParams<Routes[K]['path']>;
export type RouteQuery<K extends RouteKey> = Field<TypesOf<K>, 'query'> extends infer Q ? (Q extends object ? Q : object) : never;
export type RouteBody<K extends RouteKey> = Field<TypesOf<K>, 'body'>;
export type RouteAnswer<K extends RouteKey> = Field<TypesOf<K>, 'answer'>;
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
