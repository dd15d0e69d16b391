// The hub registers exactly the REST routes of the shared route map (packages/hub-api), each with
// the method, path and role the map gives it: the dashboard cannot call a route the hub lacks.
import { ROUTES } from '@riohub/hub-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/test-hub';

describe('the route map and the hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  // The API, and the routes for probes and Prometheus beside it at the root.
  const OPERATIONS = ['/healthz', '/readyz', '/metrics'];
  const registered = () =>
    hub.running.app.routeTable
      .filter((route) => route.url.startsWith('/api') || OPERATIONS.includes(route.url))
      .map((route) => `${route.method} ${route.url} ${route.role}`);
  const mapped = () => Object.values(ROUTES).map((route) => `${route.method} ${route.path} ${route.role}`);

  it('registers every route of the map with its method, path and role', () => {
    const missing = mapped().filter((route) => !registered().includes(route));
    expect(missing, 'in the map, not registered by the hub').toEqual([]);
  });

  it('registers no /api route (nor /healthz, /readyz, /metrics) that is not in the map', () => {
    const unmapped = registered().filter((route) => !mapped().includes(route));
    expect(unmapped, 'registered by the hub, not in the map').toEqual([]);
  });
});
