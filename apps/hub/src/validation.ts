/** Zod's findings as one message per field, keyed by the field's path (`options.drift`). */
import type { FastifySchemaValidationError } from 'fastify';
import type { z } from 'zod';

export type FieldErrors = Record<string, string>;

/** One finding: where (`options.drift`, `''` for the whole value), what, and the unknown keys of `unrecognized_keys`. */
interface Finding {
  path: string;
  code: string;
  message: string;
  keys?: readonly string[];
}

function byField(findings: Iterable<Finding>): FieldErrors {
  const fields: FieldErrors = {};
  for (const { path, code, message, keys } of findings) {
    const unknownKeys = code === 'unrecognized_keys';
    fields[path || (unknownKeys ? (keys ?? []).join(', ') : '(body)')] ??= unknownKeys ? 'unknown field' : message;
  }
  return fields;
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  return byField(error.issues.map((issue) => ({ ...issue, path: issue.path.join('.'), keys: issue.code === 'unrecognized_keys' ? issue.keys : [] })));
}

/**
 * The same, from what Fastify reports of a request its schemas refused: fastify-type-provider-zod
 * turns each zod issue into one of these (`instancePath` `/options/drift`, `keyword` its code).
 */
export function validationFields(validation: readonly FastifySchemaValidationError[]): FieldErrors {
  return byField(
    validation.map(({ instancePath, keyword, message, params }) => ({
      path: instancePath.split('/').filter((part) => part !== '').join('.'),
      code: keyword,
      message: message ?? 'is not valid',
      keys: (params as { keys?: string[] }).keys ?? [],
    })),
  );
}

/** The rules for text passed on as it is live in the contract, beside the schemas that use them. */
export { isWellFormedText, NOT_WELL_FORMED } from '@riohub/hub-api';
