/**
 * `/api/openapi.json` and `/api/docs` (viewer): the REST API described in OpenAPI 3.1, generated
 * from the route map's schemas (@fastify/swagger, fastify-type-provider-zod), and an interactive
 * page over it (Swagger UI, served from the swagger-ui-dist package: nothing comes from a CDN).
 * The page and its starter are files of their own, so it runs under the hub's content security
 * policy (no inline script).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import { ERROR_CODES, fail } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { mapRoute } from './route-map';

const SWAGGER_UI_DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Relative to /api/docs: behind a reverse proxy that serves the hub under a path, they still resolve.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>riohub REST API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/docs.js"></script>
</body>
</html>
`;

// No validator badge (it would call validator.swagger.io); "Try it out" sends the session cookie.
const STARTER = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  withCredentials: true,
});
`;

/** The page's files: Swagger UI's own, and its starter. */
const FILES: Record<string, { type: string; from: 'dist' } | { type: string; text: string }> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', from: 'dist' },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', from: 'dist' },
  'docs.js': { type: 'text/javascript; charset=utf-8', text: STARTER },
};

export const openapiRoutes: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: SWAGGER_UI_DIST, serve: false });

  // As text: Fastify would otherwise look for a serializer of the document's (any) content type.
  mapRoute(app, 'openapi', async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())));

  mapRoute(app, 'docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));

  mapRoute(app, 'docsFile', async (request, reply, answer) => {
    const file = Object.hasOwn(FILES, request.params.file) ? FILES[request.params.file] : undefined;
    if (!file) return answer(fail(ERROR_CODES.NOT_FOUND, `no file ${request.params.file} in the API reference`));
    if ('text' in file) return reply.type(file.type).send(file.text);
    return reply.type(file.type).sendFile(request.params.file);
  });
};
