/** Sends a Result with the HTTP status of its error code, and parses bodies into Results. */
import { ERROR_CODES, fail, HTTP_STATUS, ok, type Result } from '@riohub/hub-api';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { fieldErrors } from '../validation';

export function send<T>(reply: FastifyReply, result: Result<T>, successStatus = 200): FastifyReply {
  return reply.code(result.ok ? successStatus : HTTP_STATUS[result.error.code]).send(result);
}

/** Validates input against a schema; the failure names every wrong field. */
export function parse<T>(schema: z.ZodType<T>, input: unknown): Result<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return fail(ERROR_CODES.INVALID, 'the request is not valid', fieldErrors(parsed.error));
}
