/** `/api/remotes`: remote entries and their status (viewer); changes take effect at once (admin). */
import { ERROR_CODES, fail, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Hub } from '../hub';
import { parse, send } from './reply';

const trustSchema = z.object({ fingerprint: z.string().min(1) }).strict();

export const remoteRoutes: FastifyPluginAsync<{ hub: Hub }> = async (app, { hub }) => {
  app.get('/', { config: { role: 'viewer' } }, async (_request, reply) => send(reply, ok(hub.remotes())));

  app.get<{ Params: { name: string } }>('/:name', { config: { role: 'viewer' } }, async (request, reply) => {
    const remote = hub.remote(request.params.name);
    return send(reply, remote ? ok(remote) : fail(ERROR_CODES.NOT_FOUND, `no remote named ${request.params.name}`));
  });

  app.post('/', { config: { role: 'admin' } }, async (request, reply) => {
    const result = await hub.createRemote(request.body);
    if (result.ok) request.log.info({ remote: result.data.name, user: request.user?.name }, 'remote created');
    return send(reply, result, 201);
  });

  app.put<{ Params: { name: string } }>('/:name', { config: { role: 'admin' } }, async (request, reply) => {
    const result = await hub.updateRemote(request.params.name, request.body);
    if (result.ok) request.log.info({ remote: request.params.name, user: request.user?.name }, 'remote changed');
    return send(reply, result);
  });

  app.delete<{ Params: { name: string } }>('/:name', { config: { role: 'admin' } }, async (request, reply) =>
    send(reply, await hub.deleteRemote(request.params.name)),
  );

  app.post<{ Params: { name: string } }>('/:name/trust', { config: { role: 'admin' } }, async (request, reply) => {
    const input = parse(trustSchema, request.body);
    if (!input.ok) return send(reply, input);
    return send(reply, await hub.trustCertificate(request.params.name, input.data.fingerprint));
  });

  /** Checks a remote entry (new, or an existing one changed) before it is saved. */
  app.post('/test', { config: { role: 'admin' } }, async (request, reply) => send(reply, await hub.testConnection(request.body)));
};
