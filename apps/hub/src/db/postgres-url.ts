/** The check of a PostgreSQL URL given to the hub (`--database`, a settings file's `database:`). */

/** A PostgreSQL URL as the hub takes it, for the messages that say what a given one lacks. */
const POSTGRES_URL_EXAMPLE = 'postgres://user:password@host:5432/name';

/**
 * What keeps `text` from being a PostgreSQL URL the hub can open, or `undefined`. The message
 * never quotes the text, which may hold a password.
 */
export function postgresUrlFault(text: string): string | undefined {
  if (!/^postgres(ql)?:\/\/\S+$/.test(text)) return `expected sqlite or a PostgreSQL URL (${POSTGRES_URL_EXAMPLE})`;
  try {
    new URL(text);
  } catch {
    return `the PostgreSQL URL cannot be read (${POSTGRES_URL_EXAMPLE}; %-escape a password's @, :, / and #)`;
  }
  return undefined;
}
