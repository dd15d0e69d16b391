/** `RemoteServerIOFilter` / `RemoteServerUIFilter`: which names a server exposes. */

export type NameFilter = (name: string) => boolean;

/**
 * Compiles a comma-separated list of patterns: `*` matches any run of characters, a leading `!`
 * excludes, and the last pattern that matches a name decides. A name that no pattern matches is
 * exposed only when the list has no including pattern (so `!secret.*` means "all but secret").
 * An empty list exposes everything.
 */
export function compileNameFilter(spec: string): NameFilter {
  const rules = spec
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '' && pattern !== '!')
    .map((pattern) => {
      const exclude = pattern.startsWith('!');
      return { include: !exclude, matches: globMatcher(exclude ? pattern.slice(1) : pattern) };
    });
  if (rules.length === 0) return () => true;
  const unmatched = !rules.some((rule) => rule.include);
  return (name) => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i] as (typeof rules)[number];
      if (rule.matches(name)) return rule.include;
    }
    return unmatched;
  };
}

/**
 * A pattern's matcher: its literal parts, split at each `*`, must come in the name in order, the
 * first at its start and the last at its end; each middle one is taken at the first place it
 * comes after the one before, which never loses a match. So a name is read a few times at most,
 * whatever the pattern. A client chooses the names it writes, and a regular expression of the
 * same pattern (`^.*\.autom\..*\.pos$`) backtracked for seconds on a long name that almost
 * matched, the whole hub waiting.
 */
function globMatcher(glob: string): (name: string) => boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return (name) => name === glob;
  const first = parts[0] as string;
  const last = parts.at(-1) as string;
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  return (name) => {
    const end = name.length - last.length;
    if (end < first.length || !name.startsWith(first) || !name.endsWith(last)) return false;
    let from = first.length;
    for (const part of middle) {
      const at = name.indexOf(part, from);
      if (at === -1 || at + part.length > end) return false;
      from = at + part.length;
    }
    return true;
  };
}
