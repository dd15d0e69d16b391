/** Operators in the store: name, role, password hash. */
import type { Role, User } from '@riohub/hub-api';
import type { Queryable, Store } from '../db/store';

/** How a change to a user went: done, refused as it would leave no admin, or the user is gone. */
export type UserChange = 'done' | 'last admin' | 'missing';
import { generatePassword, hashPassword, needsRehash, unmatchableHash, verifyPassword, type DeriveOrder } from './passwords';

export class UserRepo {
  constructor(private readonly store: Store) {}

  list(): Promise<User[]> {
    return this.store.all<User>('SELECT name, role FROM users ORDER BY name');
  }

  get(name: string): Promise<User | undefined> {
    return this.store.get<User>('SELECT name, role FROM users WHERE name = ?', [name]);
  }

  async create(name: string, role: Role, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.store.run('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)', [name, role, hash, Date.now()]);
  }

  /** Changes a user's role or password, unless that takes the admin role from the last admin. */
  async update(name: string, change: { role?: Role; password?: string }): Promise<UserChange> {
    // Hashed first: no transaction is held open across a second of scrypt.
    const hash = change.password ? await hashPassword(change.password) : undefined;
    return this.store.transaction(async (tx) => {
      const refused = await this.lastAdminCheck(tx, name, change.role !== undefined && change.role !== 'admin');
      if (refused) return refused;
      if (change.role) await tx.run('UPDATE users SET role = ? WHERE name = ?', [change.role, name]);
      if (hash) {
        await tx.run('UPDATE users SET password_hash = ? WHERE name = ?', [hash, name]);
        // A new password ends every session of that user.
        await tx.run('DELETE FROM sessions WHERE "user" = ?', [name]);
      }
      return 'done';
    });
  }

  /** Deletes a user, unless it is the last admin. */
  delete(name: string): Promise<UserChange> {
    return this.store.transaction(async (tx) => {
      const refused = await this.lastAdminCheck(tx, name, true);
      if (refused) return refused;
      await tx.run('DELETE FROM users WHERE name = ?', [name]);
      return 'done';
    });
  }

  /**
   * Whether `name` exists and, when the change takes its admin role away (`demotes`), whether an
   * admin would be left. On PostgreSQL the admins' rows are locked until the transaction ends:
   * two changes at once (two requests, or two hubs of a pair) cannot each leave the other as the
   * last admin and then both go through. SQLite runs one transaction at a time.
   */
  private async lastAdminCheck(tx: Queryable, name: string, demotes: boolean): Promise<'missing' | 'last admin' | undefined> {
    const admins = (await tx.values<[string]>(`SELECT name FROM users WHERE role = 'admin'${this.store.kind === 'postgres' ? ' FOR UPDATE' : ''}`)).map(([admin]) => admin);
    if (admins.includes(name)) return demotes && admins.length === 1 ? 'last admin' : undefined;
    return (await tx.get('SELECT 1 AS found FROM users WHERE name = ?', [name])) ? undefined : 'missing';
  }

  /**
   * Whether `password` is the user's, changing nothing (a hash of an earlier cost stays as it is):
   * for a check that must leave the database as it found it, such as a settings file's planning.
   */
  async passwordMatches(name: string, password: string): Promise<boolean> {
    const row = await this.store.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE name = ?', [name]);
    return row !== undefined && (await verifyPassword(password, row.password_hash));
  }

  /**
   * The user whose password this is, or `undefined`. Always spends one hash, known user or not.
   * A right password whose hash is of an earlier cost is hashed again at the current one. `order`:
   * whether its hashes go before those waiting (a trusted pair's sign-in).
   */
  async authenticate(name: string, password: string, order: DeriveOrder = {}): Promise<User | undefined> {
    const row = await this.store.get<User & { password_hash: string }>('SELECT name, role, password_hash FROM users WHERE name = ?', [name]);
    const valid = await verifyPassword(password, row?.password_hash ?? unmatchableHash(), order);
    if (!row || !valid) return undefined;
    if (needsRehash(row.password_hash)) {
      const upgraded = await hashPassword(password, order);
      // Unless the password was changed meanwhile: that newer hash stands.
      await this.store.run('UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?', [upgraded, name, row.password_hash]);
    }
    return { name: row.name, role: row.role };
  }

  /**
   * Creates the first admin, `admin`, when there is no user at all: with `password` when given,
   * else a generated one, which is returned so it can be shown once.
   */
  async ensureFirstAdmin(password: string | undefined): Promise<string | undefined> {
    const { n } = (await this.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM users')) as { n: number };
    if (n > 0) return undefined;
    const chosen = password || generatePassword();
    const hash = await hashPassword(chosen);
    // Two hubs of a pair starting together on a new database: the first one's admin stands.
    const { changes } = await this.store.run("INSERT INTO users (name, role, password_hash, created_at) VALUES ('admin', 'admin', ?, ?) ON CONFLICT (name) DO NOTHING", [
      hash,
      Date.now(),
    ]);
    return password || changes === 0 ? undefined : chosen;
  }
}

