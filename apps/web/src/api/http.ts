/**
 * REST calls to the hub: every answer is a Result from @riohub/hub-api, never a thrown error.
 * `call` names a route of the hub's route map (ROUTES), so its path, input, body and answer are
 * the hub's own types.
 */
import { ERROR_CODES, fail, routeUrl, ROUTES, type JsonRouteKey, type Result, type RouteAnswer, type RouteBody, type RouteInput } from '@riohub/hub-api';

/** A route's path parameters and query, then its body when it takes one; both left out when there is nothing to give. */
type CallArgs<K extends JsonRouteKey> = [RouteBody<K>] extends [undefined]
  ? object extends RouteInput<K>
    ? [input?: RouteInput<K>]
    : [input: RouteInput<K>]
  : [input: RouteInput<K>, body: RouteBody<K>];

/** `call('updateUser', { name }, { role })`: the route's answer, or why it failed. */
export function call<K extends JsonRouteKey>(key: K, ...[input, body]: CallArgs<K>): Promise<Result<RouteAnswer<K>>> {
  return request<RouteAnswer<K>>(ROUTES[key].method, routeUrl(key, input), body);
}

async function request<T>(method: string, path: string, body: unknown): Promise<Result<T>> {
  try {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as Result<T>;
  } catch (error) {
    return fail(ERROR_CODES.CONNECTION_FAILED, `the hub did not answer: ${(error as Error).message}`);
  }
}
