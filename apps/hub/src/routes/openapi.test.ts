// The OpenAPI document describes every route the hub serves, behind sign-in, and a client
// generated from it (openapi-typescript) agrees with packages/hub-api's types: typechecked by tsc.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ROUTES } from '@riohub/hub-api';
import openapiTS, { astToString } from 'openapi-typescript';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/test-hub';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string }>>;
}

/** `/api/remotes/:name/trust` as OpenAPI spells it: `/api/remotes/{name}/trust`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** Inside the workspace (so `@riohub/hub-api` resolves), where nothing else looks: not in git, tsc or eslint. */
const SCRATCH = fileURLToPath(new URL('../../node_modules/.cache', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/**
 * What the generated client must agree with, both ways: a few routes' bodies, queries and
 * answers (remotes, writes, users, loggers), against the route map's types.
 */
const CHECK = `
import type { operations } from './api';
import type { RouteAnswer, RouteBody, RouteQuery } from '@riohub/hub-api';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Data<K extends keyof operations, S extends keyof operations[K]['responses']> = Json<operations[K]['responses'][S]> extends { ok: true; data: infer D } ? D : never;
type Body<K extends keyof operations> = Json<operations[K]['requestBody']>;
type Query<K extends keyof operations> = NonNullable<operations[K]['parameters']['query']>;
type Failure<K extends keyof operations> = Json<operations[K]['responses']['default']>;

export const agrees: true[] = [
  {} as Same<Data<'remotes', 200>, RouteAnswer<'remotes'>>,
  {} as Same<Data<'createRemote', 201>, RouteAnswer<'createRemote'>>,
  {} as Same<Body<'createRemote'>, RouteBody<'createRemote'>>,
  {} as Same<Body<'updateRemote'>, RouteBody<'updateRemote'>>,
  {} as Same<Data<'testRemote', 200>, RouteAnswer<'testRemote'>>,
  {} as Same<Body<'write'>, RouteBody<'write'>>,
  {} as Same<Data<'write', 200>, RouteAnswer<'write'>>,
  {} as Same<Query<'writeLog'>, RouteQuery<'writeLog'>>,
  {} as Same<Data<'writeLog', 200>, RouteAnswer<'writeLog'>>,
  {} as Same<Body<'createUser'>, RouteBody<'createUser'>>,
  {} as Same<Body<'updateUser'>, RouteBody<'updateUser'>>,
  {} as Same<Data<'users', 200>, RouteAnswer<'users'>>,
  {} as Same<Data<'loggers', 200>, RouteAnswer<'loggers'>>,
  {} as Same<Query<'aggregates'>, RouteQuery<'aggregates'>>,
  {} as Same<Data<'aggregates', 200>, RouteAnswer<'aggregates'>>,
  {} as Same<Body<'setRetention'>, RouteBody<'setRetention'>>,
  {} as Same<Failure<'write'>, { ok: false; error: import('@riohub/hub-api').ApiError }>,
];
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023', 'DOM'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
  },
  files: ['check.ts'],
};

describe('the OpenAPI document', () => {
  let hub: TestHub;
  let document: OpenApiDocument;
  beforeAll(async () => {
    hub = await startTestHub();
    document = await hub.admin.call<OpenApiDocument>('GET', '/api/openapi.json').then((answer) => answer.body as unknown as OpenApiDocument);
  });
  afterAll(() => hub?.close());

  it('is OpenAPI 3.1 and holds every route of the map, and every /api route the hub registered', () => {
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    const mapped = Object.values(ROUTES).map((route) => `${route.method} ${openApiPath(route.path)}`);
    expect(mapped.filter((route) => !documented.includes(route)), 'in the map, not in the document').toEqual([]);
    const registered = hub.running.app.routeTable.filter((route) => route.url.startsWith('/api')).map((route) => `${route.method} ${openApiPath(route.url)}`);
    expect(registered.filter((route) => !documented.includes(route)), 'registered, not in the document').toEqual([]);
    expect(documented.filter((route) => !mapped.includes(route)), 'documented, not in the map').toEqual([]);
    // Each operation is named after its key in the map: the generated client's operations.
    expect(document.paths['/api/remotes/{name}/trust']?.['post']?.operationId).toBe('trustRemote');
  });

  it('and the reference page are behind sign-in', async () => {
    for (const path of ['/api/openapi.json', '/api/docs', '/api/docs/docs.js']) {
      const answer = await request(`${hub.url}${path}`);
      expect(answer.statusCode, path).toBe(401);
      expect(await answer.body.json(), path).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    }
  });

  it('gives a client (openapi-typescript) whose types agree with packages/hub-api', async () => {
    mkdirSync(SCRATCH, { recursive: true });
    const folder = mkdtempSync(join(SCRATCH, 'openapi-client-'));
    try {
      writeFileSync(join(folder, 'api.ts'), astToString(await openapiTS(document as never)));
      writeFileSync(join(folder, 'check.ts'), CHECK);
      writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify(TSCONFIG));
      const compiled = await promisify(execFile)(process.execPath, [TSC, '-p', join(folder, 'tsconfig.json')]).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(compiled).toBe('');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
