/** Sends a Result with the HTTP status of its error code. */
import { HTTP_STATUS, type Result } from '@riohub/hub-api';
import type { FastifyReply } from 'fastify';

export function send<T>(reply: FastifyReply, result: Result<T>, successStatus = 200): FastifyReply {
  return reply.code(result.ok ? successStatus : HTTP_STATUS[result.error.code]).send(result);
}
