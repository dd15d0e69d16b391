/** One operator: change the role, set a new password, or delete (asked first). */
import { ROLES, type ApiError, type Role, type User, type UserChange } from '@riohub/hub-api';
import { useId, useState, type FormEvent } from 'react';
import { call } from '../../api/http';
import { stacked } from '../../components/stacked-table';
import { useHub } from '../../store';
import { ConfirmDeleteButton } from './ConfirmDeleteButton';
import { describedBy, FieldError, FormAlert } from './form-fields';
import { ui } from './ui';

const SHOWN_PATHS = new Set(['role', 'password']);

interface Props {
  user: User;
  onChanged(user: User): void;
  onDeleted(name: string): void;
}

export function UserRow({ user, onChanged, onDeleted }: Props) {
  const id = useId();
  const me = useHub((s) => s.user?.name) === user.name;
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState('');
  const [passwordSet, setPasswordSet] = useState(false);
  const roleError = error?.fields?.['role'];
  const passwordError = error?.fields?.['password'];

  async function change(body: UserChange): Promise<boolean> {
    setBusy(true);
    setError(undefined);
    setPasswordSet(false);
    const result = await call('updateUser', { name: user.name }, body);
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    onChanged(result.data);
    return true;
  }

  async function setNewPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!(await change({ password }))) return;
    setResetting(false);
    setPassword('');
    setPasswordSet(true);
  }

  function cancelReset() {
    setResetting(false);
    setPassword('');
    setError(undefined);
  }

  async function remove() {
    setError(undefined);
    const result = await call('deleteUser', { name: user.name });
    if (result.ok) onDeleted(user.name);
    else setError(result.error);
  }

  return (
    <tr className={stacked.row}>
      <th scope="row" className={`${ui.td} ${stacked.cell} font-medium`}>
        {user.name}
        {me && <span className="ml-1 text-xs font-normal text-slate-600 dark:text-slate-400">(you)</span>}
      </th>
      <td className={`${ui.td} ${stacked.cell}`}>
        <label htmlFor={`${id}-role`} className="sr-only">
          Role of {user.name}
        </label>
        <select
          id={`${id}-role`}
          value={user.role}
          disabled={busy}
          onChange={(event) => void change({ role: event.target.value as Role })}
          className={ui.input}
          aria-invalid={roleError ? true : undefined}
          aria-describedby={describedBy(roleError && `${id}-role-error`)}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-role-error`} message={roleError} />
      </td>
      <td className={`${ui.td} ${stacked.cell} ${stacked.line}`}>
        <div className="flex flex-col items-start gap-1">
          <FormAlert error={error} shownFields={SHOWN_PATHS} />
          {passwordSet && <p role="status" className="text-xs text-emerald-700 dark:text-emerald-400">Password changed.</p>}
          <div className="flex flex-wrap items-start gap-1">
            {resetting ? (
              <form aria-label={`Reset password of ${user.name}`} noValidate onSubmit={(event) => void setNewPassword(event)} className="flex flex-wrap items-start gap-1">
                <div className="flex flex-col gap-1">
                  <label htmlFor={`${id}-password`} className="sr-only">
                    New password for {user.name}
                  </label>
                  <input
                    id={`${id}-password`}
                    type="password"
                    autoFocus
                    autoComplete="new-password"
                    placeholder="new password"
                    value={password}
                    onChange={(event) => setPassword(event.target.value)}
                    className={ui.input}
                    aria-invalid={passwordError ? true : undefined}
                    aria-describedby={describedBy(passwordError && `${id}-password-error`)}
                  />
                  <FieldError id={`${id}-password-error`} message={passwordError} />
                </div>
                <button type="submit" className={ui.primaryButton} disabled={busy}>
                  Set password
                </button>
                <button type="button" className={ui.button} onClick={cancelReset}>
                  Cancel
                </button>
              </form>
            ) : (
              <button type="button" className={ui.button} onClick={() => setResetting(true)}>
                Reset password of {user.name}
              </button>
            )}
            <ConfirmDeleteButton label={`Delete user ${user.name}`} disabled={busy} onConfirm={remove} />
          </div>
        </div>
      </td>
    </tr>
  );
}
