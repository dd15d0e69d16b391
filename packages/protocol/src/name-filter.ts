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
      return { include: !exclude, regex: globToRegex(exclude ? pattern.slice(1) : pattern) };
    });
  if (rules.length === 0) return () => true;
  const unmatched = !rules.some((rule) => rule.include);
  return (name) => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i] as (typeof rules)[number];
      if (rule.regex.test(name)) return rule.include;
    }
    return unmatched;
  };
}

function globToRegex(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'u');
}
