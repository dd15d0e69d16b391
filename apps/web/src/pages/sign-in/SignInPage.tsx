/** Sign in with a user name and password; a failure says so without saying which part was wrong. */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/http';
import { useHub } from '../../store';

export function SignInPage() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await call('signIn', {}, { name, password });
    setBusy(false);
    if (result.ok) useHub.getState().setUser(result.data);
    else setError(result.error.message);
  }

  return (
    <main className="mx-auto mt-24 max-w-sm p-4">
      <h1 className="mb-4 text-xl font-semibold">riohub</h1>
      <form onSubmit={(event) => void submit(event)} className="flex flex-col gap-3" aria-label="Sign in">
        <label className="flex flex-col gap-1 text-sm">
          Username
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" required className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900" />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Password
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700 dark:bg-slate-900" />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy} className="rounded bg-slate-900 px-3 py-1.5 text-white disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900">
          Sign in
        </button>
      </form>
    </main>
  );
}
