// Every registered route, in every spelling of its path that a router might match, with no
// session, a viewer and an operator, over raw sockets (no client library normalizes the path),
// and a WebSocket upgrade at each: nobody gets past the role the route declares.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type HubClient, type TestHub } from '../testing/test-hub';

interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/** One HTTP/1.1 request written byte for byte, so the path reaches the hub exactly as given. */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const lines = [`${method} ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: close'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (body !== undefined) lines.push('content-type: application/json', `content-length: ${Buffer.byteLength(body)}`);
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // An upgrade answer keeps the socket open: its head is all there is to read.
      if (Buffer.concat(chunks).toString('latin1').startsWith('HTTP/1.1 101')) socket.destroy();
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body: rest.join('\r\n\r\n') });
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${method} ${path}`)));
  });
}

/** The spellings of one route path that URL decoding, case folding or path normalization could map onto it. */
function spellings(path: string): string[] {
  const [first = '', ...rest] = path.slice(1).split('/');
  const tail = rest.length > 0 ? `/${rest.join('/')}` : '';
  const encodedFirst = [...first].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('');
  return [
    path,
    `/%${first.charCodeAt(0).toString(16)}${first.slice(1)}${tail}`,
    `/%${first.charCodeAt(0).toString(16).toUpperCase()}${first.slice(1)}${tail}`,
    `/${encodedFirst}${tail}`,
    `/%25${first.charCodeAt(0).toString(16)}${first.slice(1)}${tail}`,
    `/${first.toUpperCase()}${tail.toUpperCase()}`,
    `/${first}${tail.replace(/\/(\w)/, (_, char: string) => `/%${char.charCodeAt(0).toString(16)}`)}`,
    `//${first}${tail}`,
    `/${first}/${tail}`,
    `${path}/`,
    `${path}//`,
    `/./${first}${tail}`,
    `/x/../${first}${tail}`,
    `/${first}/.${tail}`,
    `/${first}%2F${tail.slice(1)}`,
    `${path}?x=1`,
    `${path};x`,
  ];
}

const WS_UPGRADE = {
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
};

describe('route walk: every route, every spelling, every role', () => {
  let hub: TestHub;
  let port: number;
  let viewer: HubClient;
  let operator: HubClient;

  beforeAll(async () => {
    hub = await startTestHub();
    port = Number(new URL(hub.url).port);
    await hub.admin.data('POST', '/api/users', { name: 'vera', role: 'viewer', password: 'viewer-pass' });
    await hub.admin.data('POST', '/api/users', { name: 'otto', role: 'operator', password: 'operator-pass' });
    viewer = await hub.signIn('vera', 'viewer-pass');
    operator = await hub.signIn('otto', 'operator-pass');
  });
  afterAll(() => hub.close());

  const protectedRoutes = () =>
    hub.running.app.routeTable
      .filter((route) => route.role !== 'public')
      .map((route) => ({ ...route, path: route.url.replace(/:(\w+)/g, 'x').replace('*', 'x') }));

  it('declares a role on every route, and only signing in, health, metrics, the Remote I/O API and the dashboard files are public', () => {
    const publicRoutes = hub.running.app.routeTable.filter((route) => route.role === 'public');
    for (const route of publicRoutes) {
      const isSignIn = route.method === 'POST' && route.url === '/api/session';
      // Probes (orchestrators, load balancers) carry no session: alive, or ready and why not (no data).
      const isHealth = route.method === 'GET' && ['/api/health', '/healthz', '/readyz'].includes(route.url);
      // Prometheus carries no session: the route admits loopback, and elsewhere only RIOHUB_METRICS_TOKEN (health-and-metrics.test.ts).
      const isMetrics = route.method === 'GET' && route.url === '/metrics';
      // The Remote I/O API checks its own password and client address instead of a session.
      const isRemoteIoApi = route.method === 'GET' && route.url.startsWith('/x/');
      const isDashboardFile = route.method === 'GET' && !route.url.startsWith('/api') && !isRemoteIoApi && !isHealth && !isMetrics;
      expect(isSignIn || isHealth || isMetrics || isRemoteIoApi || isDashboardFile, `${route.method} ${route.url} is public`).toBe(true);
    }
    expect(protectedRoutes().length).toBeGreaterThan(20);
  });

  it('answers 401 without a session on every protected route in every spelling, and opens no socket', async () => {
    for (const route of protectedRoutes()) {
      for (const path of spellings(route.path)) {
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{"name":"mallory","role":"admin","password":"pwned-pass"}';
        const answer = await rawRequest(port, route.method, path, { accept: 'application/json' }, body);
        // 400: the HTTP layer refused the request line itself, before any route. A GET under /x/
        // that is no verb (`/x/../api/users`: the router does not resolve `..`) is the Remote I/O
        // API's own 404, which no session changes.
        const remoteIoNotFound = route.method === 'GET' && path.startsWith('/x/') && answer.status === 404 && answer.body === '{"error":"not found"}';
        if (!remoteIoNotFound) expect([400, 401], `${route.method} ${path}: ${answer.head.split('\r\n')[0]}`).toContain(answer.status);
        const upgrade = await rawRequest(port, 'GET', path, WS_UPGRADE);
        expect(upgrade.status, `websocket at ${path}`).not.toBe(101);
        expect(upgrade.status, `websocket at ${path}`).toBeLessThan(500);
      }
    }
    // Nothing was created on the way: no user mallory.
    expect((await hub.admin.data<{ name: string }[]>('GET', '/api/users')).map((user) => user.name)).not.toContain('mallory');
  });

  it('never lets a viewer or an operator past a route needing more, in any spelling', async () => {
    const needing = (roles: string[]) => protectedRoutes().filter((route) => roles.includes(route.role));
    const cases = [
      { client: viewer, routes: needing(['operator', 'admin']) },
      { client: operator, routes: needing(['admin']) },
    ];
    for (const { client, routes } of cases) {
      for (const route of routes) {
        for (const path of spellings(route.path)) {
          const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{"name":"mallory","role":"admin","password":"pwned-pass"}';
          const answer = await rawRequest(port, route.method, path, { cookie: client.cookie ?? '', accept: 'application/json' }, body);
          expect([400, 403, 404], `${route.method} ${path} as ${route.role}-less: ${answer.head.split('\r\n')[0]}`).toContain(answer.status);
        }
      }
    }
    expect((await hub.admin.data<{ name: string }[]>('GET', '/api/users')).map((user) => user.name)).not.toContain('mallory');
  });

  it('upgrades no route but the live socket to a WebSocket, public or signed in', async () => {
    const publicRoutes = hub.running.app.routeTable.filter((route) => route.role === 'public' && route.method === 'GET');
    expect(publicRoutes.length).toBeGreaterThan(3);
    for (const route of publicRoutes) {
      const path = route.url.replace(/:(\w+)/g, 'x').replace('*', 'index.html');
      const upgrade = await rawRequest(port, 'GET', path, WS_UPGRADE);
      expect([path, upgrade.status]).toEqual([path, 404]);
    }
    const signedIn = { ...WS_UPGRADE, cookie: viewer.cookie ?? '' };
    expect((await rawRequest(port, 'GET', '/api/points', signedIn)).status).toBe(404);
    // The live socket itself upgrades.
    expect((await rawRequest(port, 'GET', '/api/ws', signedIn)).status).toBe(101);
  });

  it('serves the dashboard to anyone, and an unknown path only as the dashboard page', async () => {
    const page = await rawRequest(port, 'GET', '/datapoints', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const unknown = await rawRequest(port, 'GET', '/%61pi/no/such/route', { accept: 'application/json' });
    expect(unknown.status).toBe(401);
    const signedIn = await rawRequest(port, 'GET', '/api/no/such/route', { cookie: viewer.cookie ?? '', accept: 'application/json' });
    expect(signedIn.status).toBe(404);
  });
});
