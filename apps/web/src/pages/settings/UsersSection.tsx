/** The operators of the hub and their roles (the hub keeps at least one admin). */
import type { ApiError, User } from '@riohub/hub-api';
import { useEffect, useRef, useState } from 'react';
import { call } from '../../api/http';
import { stacked } from '../../components/stacked-table';
import { AddUserForm } from './AddUserForm';
import { FormAlert } from './form-fields';
import { UserRow } from './UserRow';
import { ui } from './ui';

const USERS_EVERY_MS = 3_000;

function byName(users: User[]): User[] {
  return [...users].sort((a, b) => a.name.localeCompare(b.name));
}

export function UsersSection() {
  const [users, setUsers] = useState<User[]>();
  const [loadError, setLoadError] = useState<ApiError>();

  // Bumped by every change made here: a read begun before it answers with the list from before.
  const changes = useRef(0);
  // Read again every few seconds, as the write log is: users another admin adds, changes or
  // deletes show without a reload (the socket does not carry them).
  useEffect(() => {
    const load = () => {
      const asOf = changes.current;
      void call('users').then((result) => {
        if (asOf !== changes.current) return;
        if (!result.ok) return setLoadError(result.error);
        setUsers(byName(result.data));
        setLoadError(undefined);
      });
    };
    load();
    const timer = setInterval(load, USERS_EVERY_MS);
    return () => clearInterval(timer);
  }, []);

  const changed = (user: User) => {
    changes.current++;
    setUsers((current) => byName([...(current ?? []).filter((other) => other.name !== user.name), user]));
  };
  const deleted = (name: string) => {
    changes.current++;
    setUsers((current) => current?.filter((other) => other.name !== name));
  };

  return (
    <section aria-labelledby="settings-users" className={ui.section}>
      <h2 id="settings-users" className={ui.sectionHeading}>
        Users
      </h2>
      <FormAlert error={loadError} />
      {users === undefined && !loadError && <p className="text-sm">Loading users…</p>}
      {users && (
        <div className="overflow-x-auto">
          <table className={`${ui.table} ${stacked.table}`} aria-label="Users">
            <thead className={stacked.head}>
              <tr>
                <th scope="col" className={ui.th}>
                  Name
                </th>
                <th scope="col" className={ui.th}>
                  Role
                </th>
                <th scope="col" className={ui.th}>
                  Actions
                </th>
              </tr>
            </thead>
            <tbody className={stacked.body}>
              {users.map((user) => (
                <UserRow key={user.name} user={user} onChanged={changed} onDeleted={deleted} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddUserForm onAdded={changed} />
    </section>
  );
}
