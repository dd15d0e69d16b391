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

/**
 * Text that can be sent as it is: a lone UTF-16 surrogate (which JSON lets a client send) has no
 * UTF-8 form, so a password holding one could never be percent-encoded into a request.
 */
export function isWellFormedText(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export const NOT_WELL_FORMED = 'must be valid text (it holds half of a UTF-16 surrogate pair)';
