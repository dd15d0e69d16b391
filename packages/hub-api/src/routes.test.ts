// The route map: URLs built from it, and the types it gives a route's input, body and answer.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AuditRecord } from './audit';
import type { RemoteView } from './remotes';
import { ROUTES, routeUrl, type RouteAnswer, type RouteBody, type RouteInput, type RouteParams } from './routes';
import type { User } from './users';

describe('route map', () => {
  it('puts path parameters in their place, URL-encoded, and the rest in the query', () => {
    expect(routeUrl('trustRemote', { name: 'lobby' })).toBe('/api/remotes/lobby/trust');
    expect(routeUrl('setRetention', { id: 'lobby.energy/x y' })).toBe('/api/loggers/lobby.energy%2Fx%20y');
    expect(routeUrl('audit', { limit: 200, before: undefined, filter: 'a&b=c' })).toBe('/api/audit?limit=200&filter=a%26b%3Dc');
    expect(routeUrl('aggregatesCsv', { id: 'floor2.energy', interval: 'day', from: 0, to: 86_400_000 })).toBe(
      '/api/loggers/floor2.energy/aggregates.csv?interval=day&from=0&to=86400000',
    );
    expect(routeUrl('session')).toBe('/api/session');
  });

  it('refuses a URL without one of its path parameters', () => {
    expect(() => routeUrl('deleteUser', {} as RouteInput<'deleteUser'>)).toThrow('deleteUser: path parameter name is missing');
  });

  it('has one route per method and path', () => {
    const spelled = Object.values(ROUTES).map((route) => `${route.method} ${route.path}`);
    expect(new Set(spelled).size).toBe(spelled.length);
  });

  it('types each route by its path and its declared body and answer', () => {
    expectTypeOf<RouteParams<'trustRemote'>>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<RouteParams<'samplesCsv'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<keyof RouteParams<'remotes'>>().toEqualTypeOf<never>();
    expectTypeOf<RouteAnswer<'signIn'>>().toEqualTypeOf<User>();
    expectTypeOf<RouteAnswer<'audit'>>().toEqualTypeOf<AuditRecord[]>();
    expectTypeOf<RouteAnswer<'updateRemote'>>().toEqualTypeOf<RemoteView>();
    expectTypeOf<RouteBody<'session'>>().toEqualTypeOf<undefined>();
    expectTypeOf<RouteBody<'setRetention'>>().toEqualTypeOf<{ retentionDays: number | null }>();
    // A query field the route does not have, or a path without its parameter, does not compile.
    // @ts-expect-error -- the write log has no filter
    routeUrl('writeLog', { filter: 'x' });
    // @ts-expect-error -- the route needs the logger's id
    expect(() => routeUrl('samples', { from: 0, to: 1 })).toThrow();
  });
});
