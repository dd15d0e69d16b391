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
 * For `refine`: text that no datapoint or GUI variable name can hold, so a pattern of names holding
 * it says nothing the admin could mean, and what the audit keeps of it (U+FFFD) would differ.
 */
export const VALID_NAME_TEXT = [
  (text: string): boolean => textFault(text) === undefined,
  { error: (issue: { input: unknown }) => `is not valid text: it holds ${textFault(String(issue.input))}` },
] as const;
