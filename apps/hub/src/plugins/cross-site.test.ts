// What a page on another site (another port of the same host included) can do with a signed-in
// operator's browser: nothing. Security headers on every answer; state-changing requests and
// socket upgrades from a foreign Origin or Referer refused with 403.
import { hostname } from 'node:os';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../testing/test-hub';

async function call(hub: TestHub, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await request(`${hub.url}${path}`, {
    method: method as 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), cookie: hub.admin.cookie ?? '', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('cross-site requests and framing', () => {
  let hub: TestHub;
  let own: string;
  const foreign = 'http://127.0.0.1:1';

  beforeAll(async () => {
    hub = await startTestHub();
    own = hub.url;
  });
  afterAll(() => hub.close());

  it('sends a strict content security policy and the other security headers with every answer', async () => {
    for (const path of ['/', '/datapoints', '/api/remotes']) {
      const { headers } = await call(hub, 'GET', path, { accept: path.startsWith('/api') ? 'application/json' : 'text/html' });
      const csp = String(headers['content-security-policy']);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).toContain("object-src 'none'");
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['referrer-policy'], path).toBe('no-referrer');
      // Answers are not handed to another site's page, even as an opaque no-cors answer.
      expect(headers['cross-origin-resource-policy'], path).toBe('same-origin');
      // Plain HTTP (loopback): HSTS would pin a browser to HTTPS the hub does not serve.
      expect(headers['strict-transport-security'], path).toBeUndefined();
    }
  });

  it('refuses a write, a new user and a sign-in sent with a foreign Origin, changing nothing', async () => {
    const attempts = [
      { method: 'POST', path: '/api/users', body: { name: 'mallory', role: 'admin', password: 'mallory-pass' } },
      { method: 'PUT', path: '/api/hub/role', body: { role: 'inactive' } },
      { method: 'DELETE', path: '/api/session', body: undefined },
      { method: 'POST', path: '/api/session', body: { name: 'admin', password: ADMIN_PASSWORD } },
    ];
    for (const { method, path, body } of attempts) {
      for (const headers of [{ origin: foreign }, { origin: 'null' }, { referer: `${foreign}/attack.html` }] as Record<string, string>[]) {
        const answer = await call(hub, method, path, headers, body);
        expect(answer.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
    }
    const users = await hub.admin.data<{ name: string }[]>('GET', '/api/users');
    expect(users.map((user) => user.name)).not.toContain('mallory');
    expect(await hub.admin.data('GET', '/api/hub')).toMatchObject({ role: 'active' });
  });

  it('accepts the same requests from the dashboard itself, and from clients that send no Origin', async () => {
    const fromDashboard = await call(hub, 'POST', '/api/users', { origin: own, referer: `${own}/settings` }, { name: 'dora', role: 'viewer', password: 'dora-pass1' });
    expect(fromDashboard.status).toBe(201);
    const fromScript = await call(hub, 'POST', '/api/users', {}, { name: 'carl', role: 'viewer', password: 'carl-pass1' });
    expect(fromScript.status).toBe(201);
  });

  it('refuses a WebSocket opened by a page of another site', async () => {
    await expect(hub.admin.socket({ origin: foreign })).rejects.toThrow('HTTP 403');
    const socket = await hub.admin.socket({ origin: own });
    socket.close();
  });

  it('answers only to its own names: a page whose name was pointed at the hub (DNS rebinding) is refused', async () => {
    const port = new URL(hub.url).port;
    for (const path of ['/', '/api/health', '/api/remotes']) {
      const rebound = await call(hub, 'GET', path, { host: `rebind.attacker.example:${port}`, accept: 'text/html' });
      expect(rebound.status, path).toBe(421);
      expect(JSON.parse(rebound.body)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('--allowed-hosts rebind.attacker.example') } });
    }
    const signIn = await call(hub, 'POST', '/api/session', { host: `rebind.attacker.example:${port}`, origin: `http://rebind.attacker.example:${port}` }, { name: 'admin', password: ADMIN_PASSWORD });
    expect(signIn.status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `${hostname()}:${port}`]) {
      expect((await call(hub, 'GET', '/api/remotes', { host })).status, host).toBe(200);
    }
    const named = await startTestHub(undefined, { allowedHosts: ['hub.site.example'] });
    try {
      expect((await call(named, 'GET', '/api/remotes', { host: 'HUB.site.example' })).status).toBe(200);
      expect((await call(named, 'GET', '/api/remotes', { host: 'other.site.example' })).status).toBe(421);
    } finally {
      await named.close();
    }
  });

  it('sends HSTS when the hub serves HTTPS', async () => {
    const tlsHub = await startTestHub(undefined, { tls: true });
    try {
      const remotes = await tlsHub.admin.call('GET', '/api/remotes');
      expect(remotes.status).toBe(200);
      const response = await request(`${tlsHub.url}/`, { dispatcher: tlsHub.admin.dispatcher });
      await response.body.text();
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    } finally {
      await tlsHub.close();
    }
  });
});
