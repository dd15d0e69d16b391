/** Operators in SQLite: name, role, password hash. */
import type { Role, User } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './passwords';

export class UserRepo {
  constructor(private readonly db: HubDatabase) {}

  list(): User[] {
    return this.db.prepare('SELECT name, role FROM users ORDER BY name').all() as User[];
  }

  get(name: string): User | undefined {
    return this.db.prepare('SELECT name, role FROM users WHERE name = ?').get(name) as User | undefined;
  }

  async create(name: string, role: Role, password: string): Promise<void> {
    const hash = await hashPassword(password);
    this.db.prepare('INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, hash, Date.now());
  }

  async update(name: string, change: { role?: Role; password?: string }): Promise<void> {
    if (change.role) this.db.prepare('UPDATE users SET role = ? WHERE name = ?').run(change.role, name);
    if (change.password) {
      const hash = await hashPassword(change.password);
      this.db.prepare('UPDATE users SET password_hash = ? WHERE name = ?').run(hash, name);
      // A new password ends every session of that user.
      this.db.prepare('DELETE FROM sessions WHERE user = ?').run(name);
    }
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
  }

  countAdmins(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
  }

  /**
   * The user whose password this is, or `undefined`. Always spends one hash, known user or not.
   * A right password whose hash is of an earlier cost is hashed again at the current one.
   */
  async authenticate(name: string, password: string): Promise<User | undefined> {
    const row = this.db.prepare('SELECT name, role, password_hash FROM users WHERE name = ?').get(name) as
      | (User & { password_hash: string })
      | undefined;
    const valid = await verifyPassword(password, row?.password_hash ?? UNKNOWN_USER_HASH);
    if (!row || !valid) return undefined;
    if (needsRehash(row.password_hash)) {
      const upgraded = await hashPassword(password);
      // Unless the password was changed meanwhile: that newer hash stands.
      this.db.prepare('UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?').run(upgraded, name, row.password_hash);
    }
    return { name: row.name, role: row.role };
  }

  /**
   * Creates the first admin, `admin`, when there is no user at all: with `password` when given,
   * else a generated one, which is returned so it can be shown once.
   */
  async ensureFirstAdmin(password: string | undefined): Promise<string | undefined> {
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number };
    if (n > 0) return undefined;
    const chosen = password || generatePassword();
    await this.create('admin', 'admin', chosen);
    return password ? undefined : chosen;
  }
}

/** A hash no password matches, so that an unknown name costs as much time as a known one. */
const UNKNOWN_USER_HASH = 'scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
