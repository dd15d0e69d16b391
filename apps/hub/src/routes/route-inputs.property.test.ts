// Property test of every `/api` route of a real in-process hub, signed in as admin: fuzzed path
// parameters, query strings and JSON bodies never get a 5xx nor an undocumented status; every
// error is the `{ok:false,error:{code,message}}` envelope; the hub answers as before afterwards.
// Remote entries are fuzzed with loopback hosts only, and nothing fuzzed touches the admin's own
// access (its session, password or role).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ERROR_CODES } from '@riohub/hub-api';
import { startTestHub, type TestHub } from '../testing/test-hub';
import { onPostgres } from '../testing/test-store';

/** The statuses the REST API documents for what a client sends (packages/hub-api HTTP_STATUS, inputs only). */
const DOCUMENTED = [200, 201, 400, 401, 403, 404, 409, 429];
const RUNS_PER_ROUTE = 12;
/** A loopback port nothing listens on: a fuzzed remote entry fails at once, and never leaves the machine. */
const CLOSED_PORT = 1;
const ERROR_CODE_VALUES: readonly string[] = Object.values(ERROR_CODES);

const dangerous = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString');
const anyText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  dangerous,
  fc.constantFrom('', ' ', '.', '..', '*', '%', '%00', 'a'.repeat(300), '1e400', '-1', '0', '9007199254740993', 'null', 'true'),
);
const smallNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1, 65_536, 2 ** 53, 1e308));
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** Field names the routes read, with values near and far from valid. */
const fields = {
  name: fc.oneof(anyText, fc.constantFrom('seeded', 'fuzz-user', 'a', 'lobby', 'seeded.dummy.light.1', 'admin')),
  password: fc.oneof(anyText, fc.constantFrom('long-enough-pw', 'x')),
  role: fc.oneof(anyText, fc.constantFrom('viewer', 'operator', 'admin', 'active', 'inactive')),
  host: anyText,
  port: smallNumber,
  tls: fc.oneof(anyText, fc.constantFrom('verify', 'pin', 'http')),
  fingerprint: fc.oneof(anyText, fc.constant('AB:'.repeat(31) + 'AB')),
  options: fc.oneof(anyJson, fc.record({ drift: smallNumber, io: fc.boolean(), ui: fc.boolean(), dataloggers: anyText, api: anyText }, { requiredKeys: [] })),
  enabled: fc.oneof(fc.boolean(), anyJson),
  value: anyText,
  kind: fc.oneof(anyText, fc.constantFrom('io', 'ui', 'hub')),
  retentionDays: fc.oneof(smallNumber, fc.constant(null), anyText),
  address: fc.oneof(anyText, fc.constantFrom('127.0.0.1', '*', '10.0.0.0/8', '::1')),
  control: fc.oneof(fc.boolean(), anyText),
  ioFilter: anyText,
  uiFilter: anyText,
};
const fieldBody = fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(fields)), dangerous), anyJson, { maxKeys: 6 }).chain((base) =>
  fc.record(fields, { requiredKeys: [] }).map((known) => ({ ...base, ...known })),
);
/** A body: JSON near the routes' schemas, any JSON, or text that is not JSON at all. */
const body = fc.oneof(
  { weight: 4, arbitrary: fieldBody.map((value) => ({ json: value as unknown })) },
  { weight: 2, arbitrary: anyJson.map((value) => ({ json: value as unknown })) },
  { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'null', '[]', '"x"', '{"__proto__":{"polluted":1}}', '\u0000').map((raw) => ({ raw })) },
);

const queryKey = fc.oneof(fc.constantFrom('prefix', 'offset', 'limit', 'from', 'to', 'interval', 'before', 'kind', 'user', 'action'), dangerous, fc.string({ maxLength: 6 }));
const queryValue = fc.oneof(anyText, smallNumber.map(String), fc.constantFrom('minute', 'hour', 'day', 'month', 'io', 'ui', 'hub'));
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 5 }).map((pairs) =>
  pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')}`,
);
const param = fc.oneof(
  fc.constantFrom('seeded', 'fuzz-user', 'nobody', 'seeded.energy', 'seeded.connection'),
  anyText.map(encodeURIComponent),
  fc.constantFrom('%ZZ', '%', '%2e%2e', '..%2F..%2Fetc'),
);

/** Keeps remote entries and the MQTT broker on loopback: the hub would otherwise resolve and dial whatever host comes. */
function loopbackOnly(url: string, input: { json?: unknown; raw?: string }): { json?: unknown; raw?: string } {
  if (!(url.startsWith('/api/remotes') || url.startsWith('/api/mqtt')) || input.json === null || typeof input.json !== 'object' || Array.isArray(input.json)) return input;
  const copy: Record<string, unknown> = { ...(input.json as Record<string, unknown>) };
  if (typeof copy['url'] === 'string' && /^mqtts?:/i.test(copy['url'])) copy['url'] = `mqtt://127.0.0.1:${CLOSED_PORT}`;
  if ('host' in copy) copy['host'] = typeof copy['host'] === 'string' && /^[a-z]/i.test(copy['host']) ? '127.0.0.1' : copy['host'];
  if (typeof copy['port'] === 'number' && Number.isInteger(copy['port'])) copy['port'] = CLOSED_PORT;
  return { json: copy };
}

/** Keeps the admin's own access: its session, its password and its role are not the fuzz's to change. */
function keepsAdminAccess(method: string, path: string): boolean {
  if (method === 'DELETE' && path.startsWith('/api/session')) return false;
  return !/^\/api\/users\/admin(\/|\?|$)/i.test(path);
}

interface Answer {
  status: number;
  text: string;
}

describe('every /api route on fuzzed input', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
    await hub.admin.data('POST', '/api/remotes', { name: 'seeded', host: '127.0.0.1', port: CLOSED_PORT, tls: 'http', password: 'pw' });
    await hub.admin.data('POST', '/api/users', { name: 'fuzz-user', role: 'viewer', password: 'fuzz-user-pw' });
  });
  afterAll(async () => hub?.close());

  async function send(method: string, path: string, input: { json?: unknown; raw?: string } | undefined): Promise<Answer> {
    const payload = input === undefined ? undefined : input.raw ?? JSON.stringify(input.json);
    const response = await request(`${hub.url}${path}`, {
      method: method as 'GET',
      headers: { cookie: hub.admin.cookie ?? '', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload,
      headersTimeout: 20_000,
      bodyTimeout: 20_000,
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  /** What is wrong with an answer, or undefined: a documented status, and errors in the envelope. */
  function violation(answer: Answer): string | undefined {
    if (!DOCUMENTED.includes(answer.status)) return `status ${answer.status}`;
    if (answer.status < 400) return undefined;
    let envelope: { ok?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      envelope = JSON.parse(answer.text) as typeof envelope;
    } catch {
      return `${answer.status} not JSON`;
    }
    if (envelope.ok !== false || !ERROR_CODE_VALUES.includes(envelope.error?.code as string) || typeof envelope.error?.message !== 'string') {
      return `${answer.status} outside the envelope`;
    }
    return undefined;
  }

  it('answers only documented statuses, errors in the envelope, for every route', async () => {
    const routes = hub.running.app.routeTable.filter((route) => route.url.startsWith('/api'));
    expect(routes.length).toBeGreaterThan(20);
    let requests = 0;
    // Every kind of wrong answer, by route, with one example: the whole picture, not the first failure.
    const wrong = new Map<string, string>();
    for (const route of routes) {
      const names = [...route.url.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
      await fc.assert(
        fc.asyncProperty(fc.array(param, { minLength: names.length, maxLength: names.length }), query, body, async (params, search, input) => {
          let path = route.url;
          names.forEach((name, index) => (path = path.replace(`:${name}`, params[index] ?? '')));
          path += search;
          if (!keepsAdminAccess(route.method, path)) return;
          const sent = route.method === 'GET' || route.method === 'DELETE' ? undefined : loopbackOnly(route.url, input);
          requests++;
          const answer = await send(route.method, path, sent);
          const problem = violation(answer);
          const key = `${route.method} ${route.url}: ${problem}`;
          if (problem && !wrong.has(key)) wrong.set(key, `${route.method} ${path} ${JSON.stringify(sent)} → ${answer.text.slice(0, 200)}`);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    expect(requests).toBeGreaterThan(routes.length * (RUNS_PER_ROUTE / 2));
    expect([...wrong].map(([kind, example]) => `${kind}\n    e.g. ${example}`)).toEqual([]);
  });

  it('still answers as before, the admin still signed in, Object.prototype untouched', async () => {
    expect((await send('GET', '/api/session', undefined)).status).toBe(200);
    const info = await send('GET', '/api/hub', undefined);
    expect(info.status).toBe(200);
    expect(JSON.parse(info.text)).toMatchObject({ ok: true, data: { instanceId: expect.any(String) } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // A change that needs the admin (on PostgreSQL the role is elected: refused, but answered).
    expect((await hub.admin.call('PUT', '/api/hub/role', { role: 'active' })).status).toBe(onPostgres ? 409 : 200);
    expect((await send('GET', '/api/points?prefix=', undefined)).status).toBe(200);
  });
});
