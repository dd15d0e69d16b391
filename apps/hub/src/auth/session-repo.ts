/** Signed-in sessions: a random token in an httpOnly cookie, only its SHA-256 kept in the store. */
import { createHash, randomBytes } from 'node:crypto';
import type { User } from '@riohub/hub-api';
import type { Store } from '../db/store';

export const SESSION_TTL_MS = 7 * 24 * 3600_000;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

export class SessionRepo {
  constructor(private readonly store: Store) {}

  async create(user: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.store.run('DELETE FROM sessions WHERE expires_at < ?', [now]);
    await this.store.run('INSERT INTO sessions (token_hash, "user", created_at, expires_at) VALUES (?, ?, ?, ?)', [digest(token), user, now, now + SESSION_TTL_MS]);
    return token;
  }

  lookup(token: string): Promise<User | undefined> {
    return this.store.get<User>(
      'SELECT users.name AS name, users.role AS role FROM sessions JOIN users ON users.name = sessions."user" WHERE token_hash = ? AND expires_at > ?',
      [digest(token), Date.now()],
    );
  }

  async delete(token: string): Promise<void> {
    await this.store.run('DELETE FROM sessions WHERE token_hash = ?', [digest(token)]);
  }
}
