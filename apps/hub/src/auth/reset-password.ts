/**
 * `riohub --reset-password <user>`: the way back in when an admin's password is lost. It runs on
 * the hub's machine against its data folder (whoever can read that folder owns the hub anyway),
 * sets a generated password, ends the user's sessions, and is safe while the hub runs: sessions
 * are checked in SQLite on every request. It is in the audit as the command line, with the account
 * it ran as (the password only as changed).
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CommandError } from '@riohub/cli';
import { AuditLog } from '../audit/audit-log';
import { DATABASE_FILE, openDatabase } from '../db/database';
import { generatePassword } from './passwords';
import { UserRepo } from './user-repo';

/** A reset that cannot be done (no such folder or user): its message is all the terminal shows. */
export class ResetPasswordError extends CommandError {}

/** Returns the new password, to be shown once. */
export async function resetPassword(dataDir: string, name: string): Promise<string> {
  // Opening would create an empty database: a mistyped folder must say so instead.
  if (!existsSync(join(dataDir, DATABASE_FILE))) throw new ResetPasswordError(`no hub data in ${dataDir} (give the hub's --data folder)`);
  const db = openDatabase(dataDir);
  try {
    const users = new UserRepo(db);
    if (!users.get(name)) {
      const known = users.list().map((user) => user.name);
      throw new ResetPasswordError(`no user named ${name} (users: ${known.join(', ') || 'none'})`);
    }
    const password = generatePassword();
    await users.update(name, { password });
    new AuditLog(db).record({
      user: `command line (${osAccount()})`,
      address: 'this machine',
      action: 'user.reset-password',
      target: name,
      outcome: 'done',
      changes: [{ field: 'password', secret: 'changed' }, { field: 'sessions', to: 'ended' }],
    });
    return password;
  } finally {
    db.close();
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
