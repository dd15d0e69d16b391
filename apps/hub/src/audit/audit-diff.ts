/**
 * What an admin action changed, as the audit keeps it: field by field between the settings before
 * and after, and for a secret only whether it was set, changed or cleared.
 */
import type { AuditChange, AuditValue } from '@riohub/hub-api';

type Settings = Readonly<Record<string, unknown>>;

/** Nested objects become dotted paths (`options.drift`); anything else that is not a plain value becomes JSON. */
function flatten(settings: Settings | undefined, prefix = '', into = new Map<string, AuditValue>()): Map<string, AuditValue> {
  for (const [key, value] of Object.entries(settings ?? {})) {
    const path = `${prefix}${key}`;
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value as Settings, `${path}.`, into);
    else if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into.set(path, value);
    else into.set(path, JSON.stringify(value));
  }
  return into;
}

/**
 * The fields that differ between two settings objects, in the order they appear. `before`
 * undefined: everything was created; `after` undefined: everything was deleted. The objects must
 * hold no secret: callers pass views that leave secrets out, and report them with `secretChange`.
 */
export function settingsChanges(before: Settings | undefined, after: Settings | undefined): AuditChange[] {
  const old = flatten(before);
  const now = flatten(after);
  const changes: AuditChange[] = [];
  for (const field of new Set([...old.keys(), ...now.keys()])) {
    const from = old.get(field);
    const to = now.get(field);
    if (old.has(field) && now.has(field) && from === to) continue;
    changes.push({ field, ...(old.has(field) ? { from } : {}), ...(now.has(field) ? { to } : {}) });
  }
  return changes;
}

/**
 * A secret field's change, without its value: `had`/`has` say whether it was set before and
 * after, `submitted` whether the action sent a new one (the same value sent again is still a
 * change: only its hash or nothing at all is there to compare).
 */
export function secretChange(field: string, submitted: boolean, had: boolean, has: boolean): AuditChange[] {
  if (!submitted && had === has) return [];
  if (!has) return had ? [{ field, secret: 'cleared' }] : [];
  return [{ field, secret: had ? 'changed' : 'set' }];
}

/** Leaves out the keys that are not settings (live status, derived flags) before a diff. */
export function without<T extends object>(value: T | undefined, ...keys: (keyof T)[]): Settings | undefined {
  if (!value) return undefined;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of keys) delete copy[key as string];
  return copy;
}
