/**
 * The state of a settings form with a write-only password (the served API, MQTT): the settings
 * as loaded, the admin's draft, a new password or its clearing, saving, and the answer's errors.
 * What is saved goes out as the fields the admin changed plus the password change (a field another
 * admin saved meanwhile is kept, not put back as this form loaded it), and the form then shows
 * what the hub answered.
 */
import type { ApiError, Result } from '@riohub/hub-api';
import { useEffect, useState, type FormEvent } from 'react';

export interface SecretSettingsForm<View, Draft> {
  view: View | undefined;
  draft: Draft | undefined;
  change(patch: Partial<Draft>): void;
  password: string;
  setPassword(password: string): void;
  /** Whether the password is to be cleared on save. */
  clearPassword: boolean;
  setClearPassword(clear: boolean): void;
  error: ApiError | undefined;
  /** Per-field messages of the last refusal. */
  fields: Record<string, string>;
  saved: boolean;
  busy: boolean;
  save(event: FormEvent): Promise<void>;
}

export function useSecretSettings<View, Draft extends object>(options: {
  load: () => Promise<Result<View>>;
  store: (input: Partial<Draft> & { password?: string }) => Promise<Result<View>>;
  draftOf: (view: View) => Draft;
  /** The draft as a whole means it, before it is compared with what was loaded (fields that go with others). */
  complete?: (draft: Draft) => Draft;
}): SecretSettingsForm<View, Draft> {
  const { load, store, draftOf, complete = (draft: Draft) => draft } = options;
  const [view, setView] = useState<View>();
  const [draft, setDraft] = useState<Draft>();
  const [password, setPassword] = useState('');
  const [clearPassword, setClearPassword] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  function show(next: View) {
    setView(next);
    setDraft(draftOf(next));
    setPassword('');
    setClearPassword(false);
  }

  useEffect(() => {
    void load().then((result) => (result.ok ? show(result.data) : setError(result.error)));
    // Loaded once: what an admin is editing is never replaced under them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!draft || !view) return;
    setBusy(true);
    setError(undefined);
    setSaved(false);
    const loaded = draftOf(view) as Record<string, unknown>;
    const edited = Object.entries(complete(draft)).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(loaded[key]));
    const result = await store({ ...(Object.fromEntries(edited) as Partial<Draft>), ...(clearPassword ? { password: '' } : password ? { password } : {}) });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    show(result.data);
    setSaved(true);
  }

  return {
    view,
    draft,
    change: (patch) => {
      setSaved(false);
      setDraft((current) => current && { ...current, ...patch });
    },
    password,
    setPassword: (value) => {
      setSaved(false);
      setPassword(value);
    },
    clearPassword,
    setClearPassword: (clear) => {
      setSaved(false);
      setClearPassword(clear);
    },
    error,
    fields: error?.fields ?? {},
    saved,
    busy,
    save,
  };
}
