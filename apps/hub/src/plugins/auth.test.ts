// Sign-in and roles, enforced on every registered route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, startTestHub, type TestHub } from '../testing/test-hub';

describe('sign-in and roles', () => {
  let hub: TestHub;
  let viewer: HubClient;
  let operator: HubClient;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.admin.data('POST', '/api/users', { name: 'vera', role: 'viewer', password: 'viewer-pass' });
    await hub.admin.data('POST', '/api/users', { name: 'otto', role: 'operator', password: 'operator-pass' });
    viewer = await hub.signIn('vera', 'viewer-pass');
    operator = await hub.signIn('otto', 'operator-pass');
  });
  afterAll(() => hub.close());

  it('refuses an anonymous request on every registered route but signing in', async () => {
    const all = hub.running.app.routeTable;
    // Which routes are public at all is the route walk's to check (route-walk.test.ts).
    const routes = all.filter((route) => route.url.startsWith('/api') && (route.role !== 'public' || route.url === '/api/session'));
    // Everything else is the dashboard's static files, readable by anyone (the sign-in page is one).
    for (const route of all.filter((r) => !r.url.startsWith('/api'))) expect(route.method).toBe('GET');
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const url = route.url.replace(/:(\w+)/g, 'x').replace('*', 'x');
      const response = await hub.running.app.inject({ method: route.method as 'GET', url, payload: route.method === 'GET' ? undefined : {} });
      if (route.method === 'POST' && route.url === '/api/session') {
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(400);
      } else {
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
        expect(response.json()).toEqual({ ok: false, error: { code: 'unauthenticated', message: 'sign in first' } });
      }
    }
    expect((await hub.running.app.inject({ method: 'GET', url: '/api/no/such/route' })).statusCode).toBe(401);
  });

  it('lets each role do what it may, and no more', async () => {
    const adminOnly = routesNeeding('admin');
    const operatorOnly = routesNeeding('operator');
    expect(adminOnly.length).toBeGreaterThan(5);
    for (const client of [viewer, operator]) {
      for (const route of adminOnly) {
        const { status, body } = await client.call(route.method, route.url.replace(/:(\w+)/g, 'x'), route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
        expect(status, `${route.method} ${route.url}`).toBe(403);
        expect(body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
    }
    for (const route of operatorOnly) {
      expect((await viewer.call(route.method, route.url, {})).status, `${route.method} ${route.url}`).toBe(403);
      expect((await operator.call(route.method, route.url, {})).status, `${route.method} ${route.url}`).toBe(400);
    }
    expect((await viewer.call('GET', '/api/remotes')).status).toBe(200);
    expect((await viewer.call('GET', '/api/session')).body).toMatchObject({ ok: true, data: { name: 'vera', role: 'viewer' } });
  });

  it('refuses a write over the WebSocket from a viewer', async () => {
    const socket = await viewer.socket();
    socket.send({ type: 'write', payload: { requestId: 'w', name: 'x.y', value: '1' } });
    await socket.until(() => socket.messages.some((m) => m.type === 'write-result'));
    expect(socket.messages.find((m) => m.type === 'write-result')).toMatchObject({
      payload: { requestId: 'w', result: { ok: false, error: { code: 'forbidden' } } },
    });
    socket.close();
  });

  it('stops a socket from writing once its session has ended', async () => {
    const client = await hub.signIn('otto', 'operator-pass');
    const socket = await client.socket();
    await client.call('DELETE', '/api/session');
    socket.send({ type: 'write', payload: { requestId: 'late', name: 'x.y', value: '1' } });
    await socket.until(() => socket.messages.some((m) => m.type === 'write-result'));
    expect(socket.messages.find((m) => m.type === 'write-result')).toMatchObject({
      payload: { requestId: 'late', result: { ok: false, error: { code: 'unauthenticated' } } },
    });
    await new Promise((resolve) => socket.ws.once('close', resolve));
  });

  it('checks one sign-in per name at a time', async () => {
    const client = new HubClient(hub.url);
    const results = await Promise.all(
      [1, 2, 3].map(() => client.call('POST', '/api/session', { name: 'vera', password: 'viewer-pass' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 429, 429]);
  });

  it('sets an httpOnly, SameSite=Strict session cookie and ends it on sign-out', async () => {
    const client = new HubClient(hub.url);
    const { setCookie } = await client.call('POST', '/api/session', { name: 'vera', password: 'viewer-pass' });
    expect(setCookie).toMatch(/^riohub_session=[\w-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const cookie = client.cookie;
    await client.call('DELETE', '/api/session');
    client.cookie = cookie;
    expect((await client.call('GET', '/api/session')).status).toBe(401);
  });

  it('refuses quick repeated guesses from one address, and never says which part was wrong', async () => {
    const client = new HubClient(hub.url);
    const first = await client.call('POST', '/api/session', { name: 'otto', password: 'guess' });
    expect(first.status).toBe(401);
    expect(first.body).toEqual({ ok: false, error: { code: 'bad-credentials', message: 'wrong name or password' } });
    const unknown = await client.call('POST', '/api/session', { name: 'nobody', password: 'guess' });
    expect(unknown.body).toEqual(first.body);
    expect((await client.call('POST', '/api/session', { name: 'otto', password: 'guess' })).status).toBe(401);
    // Past the free failures the password is not even checked: an answer at once, and when to retry
    // (a machine slow enough to let the first wait pass gets one more guess checked, then the refusal).
    let third = await client.call('POST', '/api/session', { name: 'otto', password: 'guess' });
    for (let tries = 0; third.status === 401 && tries < 3; tries++) third = await client.call('POST', '/api/session', { name: 'otto', password: 'guess' });
    expect(third).toMatchObject({ status: 429, body: { ok: false, error: { code: 'busy' } } });
  });

  it('keeps passwords out of every answer, and keeps the last admin', async () => {
    const users = await hub.admin.call('GET', '/api/users');
    expect(JSON.stringify(users.body)).not.toMatch(/password|scrypt/i);
    expect((await hub.admin.call('DELETE', '/api/users/admin')).status).toBe(409);
    expect((await hub.admin.call('PUT', '/api/users/admin', { role: 'viewer' })).status).toBe(409);
    const short = await hub.admin.call('POST', '/api/users', { name: 'eve', role: 'viewer', password: 'short' });
    expect(short.body).toMatchObject({ ok: false, error: { fields: { password: 'must be at least 8 characters' } } });
  });

  function routesNeeding(role: string) {
    return hub.running.app.routeTable.filter((route) => route.url.startsWith('/api') && route.role === role);
  }
});
