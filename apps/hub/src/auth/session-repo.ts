/** Signed-in sessions: a random token in an httpOnly cookie, only its SHA-256 kept in SQLite. */
import { createHash, randomBytes } from 'node:crypto';
import type { User } from '@riohub/hub-api';
import type { HubDatabase } from '../db/database';

export const SESSION_TTL_MS = 7 * 24 * 3600_000;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

export class SessionRepo {
  constructor(private readonly db: HubDatabase) {}

  create(user: string): string {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    this.db
      .prepare('INSERT INTO sessions (token_hash, user, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(digest(token), user, now, now + SESSION_TTL_MS);
    return token;
  }

  lookup(token: string): User | undefined {
    return this.db
      .prepare(
        'SELECT users.name AS name, users.role AS role FROM sessions JOIN users ON users.name = sessions.user WHERE token_hash = ? AND expires_at > ?',
      )
      .get(digest(token), Date.now()) as User | undefined;
  }

  delete(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(digest(token));
  }
}
