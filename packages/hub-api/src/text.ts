/** Rules for text a client sends that the hub must pass on as it is (passwords, user names). */

/**
 * Text that can be sent as it is: a lone UTF-16 surrogate (which JSON lets a client send) has no
 * UTF-8 form, so a password holding one could never be percent-encoded into a request.
 */
export function isWellFormedText(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export const NOT_WELL_FORMED = 'must be valid text (it holds half of a UTF-16 surrogate pair)';
