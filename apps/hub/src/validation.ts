/** Zod's findings as one message per field, keyed by the field's path (`options.drift`). */
import type { z } from 'zod';

export type FieldErrors = Record<string, string>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const unknownKeys = issue.code === 'unrecognized_keys';
    const path = issue.path.join('.') || (unknownKeys ? issue.keys.join(', ') : '(body)');
    fields[path] ??= unknownKeys ? 'unknown field' : issue.message;
  }
  return fields;
}
