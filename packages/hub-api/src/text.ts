/** Rules for text a client sends that the hub must pass on as it is (passwords, user names). */
import { textFault } from '@riohub/protocol';

export { isWellFormedText } from '@riohub/protocol';

export const NOT_WELL_FORMED = 'must be valid text (it holds half of a UTF-16 surrogate pair)';

/**
 * For `refine`: refuses, saying why, text holding a NUL character or half a surrogate pair. No
 * datapoint or GUI variable name holds one, so a pattern of names with one means nothing an admin
 * could mean (and the audit would keep it with U+FFFD in its place); MQTT forbids both in a topic
 * and a user name.
 */
export const VALID_TEXT = [
  (text: string): boolean => textFault(text) === undefined,
  { error: (issue: { input: unknown }) => `is not valid text: it holds ${textFault(String(issue.input))}` },
] as const;
