/** Rules for text a client sends that the hub must pass on as it is (passwords, user names). */
import { textFault } from '@riohub/protocol';

/**
 * Text that can be sent as it is: a lone UTF-16 surrogate (which JSON lets a client send) has no
 * UTF-8 form, so a password holding one could never be percent-encoded into a request.
 */
export function isWellFormedText(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export const NOT_WELL_FORMED = 'must be valid text (it holds half of a UTF-16 surrogate pair)';

/**
 * For `refine`: refuses, saying why, text holding what no datapoint or GUI variable name can (a
 * NUL character, half a surrogate pair). A pattern of names holding one means nothing an admin
 * could mean, and the audit would keep it with U+FFFD in its place, not as it was set.
 */
export const VALID_NAME_TEXT = [
  (text: string): boolean => textFault(text) === undefined,
  { error: (issue: { input: unknown }) => `is not valid text: it holds ${textFault(String(issue.input))}` },
] as const;
