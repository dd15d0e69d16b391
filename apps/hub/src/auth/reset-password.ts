/**
 * `riohub --reset-password <user>`: the way back in when an admin's password is lost. It runs on
 * the hub's machine against its data folder (whoever can read that folder owns the hub anyway),
 * sets a generated password, ends the user's sessions, and is safe while the hub runs: sessions
 * are checked in the store on every request. With `--database postgres://…` it works on that
 * database, as the hub does. It is in the audit as the command line, with the account
 * it ran as (the password only as changed).
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CommandError } from '@riohub/cli';
import { AuditLog } from '../audit/audit-log';
import { DATABASE_FILE, openStore } from '../db/database';
import { redactUrl } from '../db/postgres-store';
import { generatePassword } from './passwords';
import { UserRepo } from './user-repo';

/** A reset that cannot be done (no such folder or user): its message is all the terminal shows. */
export class ResetPasswordError extends CommandError {}

/**
 * Returns the new password, to be shown once. `database`: the hub's `--database` (a
 * `postgres://` URL), or `undefined` for the SQLite file in `dataDir`.
 */
export async function resetPassword(dataDir: string, database: string | undefined, name: string): Promise<string> {
  // Opening would create an empty database: a mistyped folder must say so instead.
  if (database === undefined && !existsSync(join(dataDir, DATABASE_FILE))) throw new ResetPasswordError(`no hub data in ${dataDir} (give the hub's --data folder)`);
  const store = await openStore(dataDir, database).catch((error: unknown) => {
    if (database === undefined) throw error;
    // Said without the URL's password.
    throw new ResetPasswordError(`cannot open the database at ${redactUrl(database)} (${error instanceof Error ? error.message : String(error)})`);
  });
  try {
    const users = new UserRepo(store);
    if (!(await users.get(name))) {
      const known = (await users.list()).map((user) => user.name);
      throw new ResetPasswordError(`no user named ${name} (users: ${known.join(', ') || 'none'})`);
    }
    const password = generatePassword();
    if ((await users.update(name, { password })) === 'missing') throw new ResetPasswordError(`no user named ${name} any more (deleted meanwhile)`);
    await new AuditLog(store).record({
      user: `command line (${osAccount()})`,
      address: 'this machine',
      action: 'user.reset-password',
      target: name,
      outcome: 'done',
      changes: [{ field: 'password', secret: 'changed' }, { field: 'sessions', to: 'ended' }],
    });
    return password;
  } finally {
    await store.close();
  }
}

/** Who ran the command: the operating system's account, when the system can name it. */
function osAccount(): string {
  try {
    return userInfo().username;
  } catch {
    // A container may run under a user id with no account entry.
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
