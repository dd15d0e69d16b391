/** Adds an operator of the hub with a role and a first password. */
import { ROLES, type ApiError, type Role, type User } from '@riohub/hub-api';
import { useState, type FormEvent } from 'react';
import { call } from '../../api/http';
import { FormAlert, SelectField, TextField } from './form-fields';
import { ui } from './ui';

const SHOWN_PATHS = new Set(['name', 'role', 'password']);

export function AddUserForm({ onAdded }: { onAdded(user: User): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const result = await call('createUser', {}, { name: name.trim(), role, password });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    onAdded(result.data);
    setName('');
    setRole('viewer');
    setPassword('');
  }

  return (
    <form aria-label="New user" noValidate onSubmit={(event) => void add(event)} className="flex flex-col gap-2">
      <FormAlert error={error} shownFields={SHOWN_PATHS} />
      <div className="flex flex-wrap items-start gap-3">
        <TextField
          label="User name"
          value={name}
          onChange={setName}
          autoComplete="off"
          help="1 to 64 letters, digits or _ . @ -"
          error={error?.fields?.['name']}
        />
        <SelectField label="Role" value={role} options={ROLES} onChange={(value) => setRole(value)} help="What the user may do." error={error?.fields?.['role']} />
        <TextField
          label="New user password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          help="At least 8 characters."
          error={error?.fields?.['password']}
        />
        <button type="submit" className={`${ui.primaryButton} mt-6`} disabled={busy}>
          Add user
        </button>
      </div>
    </form>
  );
}
