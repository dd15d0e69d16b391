/**
 * Remote entries in SQLite. The password column is read only to open a link, never returned; it
 * is stored sealed (db/secret-box.ts) under the remote's name.
 */
import type { RemoteSettings } from '@riohub/hub-api';
import { secretBoxOf, type HubDatabase } from '../db/database';
import { SecretBox, SecretUnreadableError } from '../db/secret-box';

/** What a remote shows when its stored password was sealed under another key. */
export const PASSWORD_UNREADABLE = 'stored password cannot be decrypted: enter it again';

export interface StoredRemote {
  settings: RemoteSettings;
  /** Empty when there is none, or when it cannot be decrypted (then `passwordError` says so). */
  password: string;
  passwordError?: string;
  /** Created by `--demo`: its port and certificate follow the demo simulators. */
  demo: boolean;
}

interface Row {
  settings: string;
  password: string;
  demo: number;
}

/** The associated data a remote's password is sealed with. */
function place(name: string): string {
  return `remote:${name}`;
}

export class RemoteRepo {
  constructor(private readonly db: HubDatabase) {}

  list(): StoredRemote[] {
    const rows = this.db.prepare('SELECT settings, password, demo FROM remotes ORDER BY created_at, rowid').all() as Row[];
    return rows.map((row) => this.fromRow(row));
  }

  get(name: string): StoredRemote | undefined {
    const row = this.db.prepare('SELECT settings, password, demo FROM remotes WHERE name = ?').get(name) as Row | undefined;
    return row && this.fromRow(row);
  }

  insert(settings: RemoteSettings, password: string, demo = false): void {
    this.db
      .prepare('INSERT INTO remotes (name, settings, password, demo, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(settings.name, JSON.stringify(settings), this.seal(settings.name, password), demo ? 1 : 0, Date.now());
  }

  update(settings: RemoteSettings, password: string | undefined): void {
    if (password === undefined) {
      this.db.prepare('UPDATE remotes SET settings = ? WHERE name = ?').run(JSON.stringify(settings), settings.name);
    } else {
      this.db
        .prepare('UPDATE remotes SET settings = ?, password = ? WHERE name = ?')
        .run(JSON.stringify(settings), this.seal(settings.name, password), settings.name);
    }
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM remotes WHERE name = ?').run(name).changes > 0;
  }

  /** Seals the passwords stored in plain text by an earlier version; returns how many. */
  sealPlainPasswords(): number {
    const rows = this.db.prepare('SELECT name, password FROM remotes').all() as { name: string; password: string }[];
    const plain = rows.filter((row) => row.password !== '' && !SecretBox.isSealed(row.password));
    const update = this.db.prepare('UPDATE remotes SET password = ? WHERE name = ?');
    this.db.transaction(() => {
      for (const row of plain) update.run(this.seal(row.name, row.password), row.name);
    })();
    return plain.length;
  }

  private seal(name: string, password: string): string {
    return secretBoxOf(this.db).seal(password, place(name));
  }

  private fromRow(row: Row): StoredRemote {
    const settings = JSON.parse(row.settings) as RemoteSettings;
    const demo = row.demo === 1;
    try {
      const password = SecretBox.isSealed(row.password) ? secretBoxOf(this.db).open(row.password, place(settings.name)) : row.password;
      return { settings, password, demo };
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      return { settings, password: '', passwordError: PASSWORD_UNREADABLE, demo };
    }
  }
}
